/**
 * What the loading of the data left out, said in every report: rows skipped as bad
 * (`--on-bad-row skip`), and files whose data was already in (a file named twice, a copy, a part
 * of another file).
 *
 * Rule: a result computed on fewer rows than the files hold says so, in the text of the command
 * (how many rows, of which file, the first reason) and in its JSON; more than
 * {@link SKIPPED_WARNING_FRACTION} of a file's rows skipped is also a warning on stderr (a
 * Date+Time file read as dates loses all but one row a day, and the run looks like any other).
 */
import type { FileSummary, LeftOut } from '../data/load.js';
import { fmtInt } from './format.js';

/** A file with more than this fraction of its rows skipped as bad gets a warning. */
export const SKIPPED_WARNING_FRACTION = 0.01;

/** For the JSON: each file's skipped rows with the first reason; the files left out. */
export interface DataNotesJson {
  readonly skippedRows: readonly { file: string; skipped: number; of: number; first: { line: number; reason: string } | null }[];
  readonly leftOut: readonly LeftOut[];
}

const pct = (x: number): string => `${(x * 100).toFixed(x < 0.001 ? 2 : 1)}%`;

/** The first line of a bad row's message without its file (`line 3:26: price is not a number`). */
function firstLine(m: string, file: string): string {
  const l = m.split('\n')[0] ?? m;
  return l.startsWith(`${file}:`) ? `line ${l.slice(file.length + 1)}` : l;
}

function leftOutLine(l: LeftOut): string {
  switch (l.why) {
    case 'named-twice':
      return l.file === l.sameAs ? `read once: ${l.file} was named twice` : `read once: ${l.file} is ${l.sameAs} (the same file, named twice)`;
    case 'copy':
      return `loaded once: ${l.file} holds the same ${fmtInt(l.rows)} ${l.kind} as ${l.sameAs} (a copy), so only ${l.sameAs} was loaded`;
    case 'part':
      return `loaded once: the ${fmtInt(l.rows)} ${l.kind} of ${l.file} are all in ${l.sameAs}, with the same values, so only ${l.sameAs} was loaded`;
  }
}

export function dataNotesJson(files: readonly FileSummary[], leftOut: readonly LeftOut[]): DataNotesJson {
  return {
    skippedRows: files.filter((f) => f.badRows > 0).map((f) => ({ file: f.file, skipped: f.badRows, of: f.rows + f.badRows, first: f.badSamples[0] ? { line: f.badSamples[0].line, reason: firstLine(f.badSamples[0].message, f.file) } : null })),
    leftOut,
  };
}

/** How a file's skipped rows are said: how many of how many, of which file, and the first reason. */
function skippedText(x: DataNotesJson['skippedRows'][number]): string {
  return `${fmtInt(x.skipped)} of ${fmtInt(x.of)} rows of ${x.file} (${pct(x.skipped / x.of)}), as bad (--on-bad-row skip)${x.first ? `; the first: ${x.first.reason}` : ''}`;
}

/** The notes as label ('skipped' or 'note') and text. */
export function dataNoteEntries(j: DataNotesJson): [label: string, text: string][] {
  return [...j.skippedRows.map((x): [string, string] => ['skipped', skippedText(x)]), ...j.leftOut.map((l): [string, string] => ['note', leftOutLine(l)])];
}

/** The text report's lines, each label padded to `width`. */
export function dataNoteLines(j: DataNotesJson, width: number): string[] {
  return dataNoteEntries(j).map(([label, text]) => `${label.padEnd(width)}${text}`);
}

/** Warnings for stderr (without the "warning:" prefix): a file with more than 1% of its rows skipped. */
export function dataWarnings(j: DataNotesJson): string[] {
  return j.skippedRows
    .filter((x) => x.skipped / x.of > SKIPPED_WARNING_FRACTION)
    .map(
      (x) =>
        `${fmtInt(x.skipped)} of ${fmtInt(x.of)} rows (${pct(x.skipped / x.of)}) of ${x.file} were skipped as bad (--on-bad-row skip), and the results leave them out${x.first ? `; the first: ${x.first.reason}` : ''}. ` +
        `See them with: tickfold data inspect ${x.file} --on-bad-row skip (and the same data options); fix the file or the options, or leave out --on-bad-row skip to stop at the first`,
    );
}
