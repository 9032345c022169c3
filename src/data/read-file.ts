/**
 * Reads one CSV file into a {@link FileTable}, streaming: the file's text is never held whole, so a
 * multi-GB file loads in memory proportional to its rows' binary size.
 *
 * Two readers share one set of row rules ({@link RowSink}): the byte reader (data/byte-reader.ts)
 * for every unquoted file, whatever its header, delimiter and timestamp shape, and csv-parse
 * (data/csv-reader.ts) for files with quoted fields. This file picks the reader, then applies what
 * holds for both: `--tz`, `--sort` and duplicate bars.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { DataError } from '../errors.js';
import { CHUNK, NeedsCsvReader, readBytes } from './byte-reader.js';
import { readCsv } from './csv-reader.js';
import { splitCsvLine, type RowOptions, type BadRowSample } from './rows.js';
import { BAR, CANONICAL_HEADERS, KIND_NAMES, detectDelimiter, resolveHeader, type HeaderOptions, type ResolvedHeader } from './schema.js';
import { isSorted, permuteFileTable, stableOrder, type FileTable } from './table.js';
import { formatIso, type DateOrder } from './time.js';
import { settleDateOrder } from './date-order.js';
import { looksLikeData, noHeaderError, notDataError } from './header-line.js';
import { classifyTs, wallToUtc } from './zone.js';
import { isParquetFile, readParquet } from './parquet-reader.js';
import { readBytesParallel, type ParallelOptions } from './parallel-read.js';

export type ReaderChoice = 'auto' | 'fast' | 'csv';

export interface ReadOptions extends RowOptions, HeaderOptions {
  /** Names of the columns of a file without a header line (`--header`): its first line is data. */
  readonly header?: readonly string[];
  /** Order of day and month in dates with the year last (`--date-order`); default: settled by the file. */
  readonly dateOrder?: DateOrder;
  readonly reader?: ReaderChoice;
  /** Take the SHA-1 of the file while reading it (about 10% of a cold load). */
  readonly contentHash?: boolean;
  /** Build the columns in shared memory (for worker threads). */
  readonly shared?: boolean;
  /** Keep every row's line in `table.lines` (bar files always do): for messages that name a row. */
  readonly keepLines?: boolean;
  /** A large unquoted file is parsed on every core (data/parallel-read.ts); false: on this thread. */
  readonly parallel?: ParallelOptions | false;
}

export interface ReadResult {
  readonly table: FileTable;
  readonly header: ResolvedHeader;
  readonly reader: 'fast' | 'csv' | 'parquet';
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  /** Rows read through the row rules one by one (csv-parse: all; the byte reader: the few it did not recognise). */
  readonly ruleRows: number;
  readonly sorted: boolean;
  /** SHA-1 of the file's bytes, hex (when `contentHash` was asked for). */
  readonly sha1: string | undefined;
  /** Chunks read in parallel (data/parallel-read.ts); absent when read on one thread. */
  readonly chunks?: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

const fileErr = (file: string, code: string, rule: string, hint: string, line = 0, value?: string): DataError =>
  new DataError(code, { file, line, column: 0, ...(value !== undefined ? { value } : {}), rule, hint });

const EXPECTED = `expected a header line such as ${CANONICAL_HEADERS[1].join(',')}`;

/** Reads, validates and (with `sort`) orders one file. */
export async function readFile(file: string, opts: ReadOptions): Promise<ReadResult> {
  if (isParquetFile(file)) {
    const p = await readParquet(file, opts);
    return finishRead(file, { table: p.table, header: p.header, reader: 'parquet', badRows: p.badRows, badSamples: p.badSamples, ruleRows: p.ruleRows }, p.sha1, opts);
  }
  const fd = openSync(file, 'r');
  let result: Omit<ReadResult, 'sorted' | 'sha1'>;
  const hashing = opts.contentHash ?? false;
  let hash = hashing ? createHash('sha1') : undefined;
  let csvHash: Hash | undefined;
  try {
    const { size, head, bodyStart, firstLine, header, quoted } = csvHead(file, fd, opts);
    const useBytes = opts.reader === 'fast' || (opts.reader !== 'csv' && !quoted);
    let done: Omit<ReadResult, 'sorted' | 'sha1'> | undefined;
    if (useBytes) {
      try {
        const par = opts.parallel === false ? undefined : await readBytesParallel(file, fd, size, head, bodyStart, firstLine, header, opts, hash !== undefined, opts.parallel);
        if (par) hash = par.hash;
        done = { ...(par?.read ?? readBytes(file, fd, size, head, bodyStart, firstLine, header, opts, hash)), header, reader: 'fast', ...(par ? { chunks: par.chunks } : {}) };
      } catch (e) {
        if (!(e instanceof NeedsCsvReader)) throw e;
        hash = undefined; // the csv reader hashes the file itself
      }
    }
    if (done === undefined) {
      if (opts.reader === 'fast') throw fileErr(file, 'quoted-fields', "the byte reader (reader: 'fast') reads unquoted files only, and this one has quoted fields", "leave the reader to 'auto': csv-parse reads quoted files", 0);
      done = { ...(await readCsv(file, header, firstLine, opts, hashing ? (h) => (csvHash = h) : undefined)), header, reader: 'csv' };
    }
    result = done;
  } finally {
    closeSync(fd);
  }
  return finishRead(file, result, (csvHash ?? hash)?.digest('hex'), opts);
}

/** A CSV file's first bytes, header and how its rows are written (what every read of it decides first). */
export interface CsvHead {
  readonly size: number;
  /** Its first bytes (up to a chunk). */
  readonly head: Buffer;
  readonly bodyStart: number;
  /** The line of the first data row. */
  readonly firstLine: number;
  readonly header: ResolvedHeader;
  /** A quote in the first bytes: csv-parse reads the file. */
  readonly quoted: boolean;
}

/** Reads the head of an open CSV file and settles its header (the errors of a bad or missing one). */
export function csvHead(file: string, fd: number, opts: ReadOptions): CsvHead {
  const size = fstatSync(fd).size;
  if (size === 0) throw fileErr(file, 'empty-file', 'file is empty', `${EXPECTED}, then data rows`);
  const first = Buffer.allocUnsafe(Math.min(CHUNK, size));
  const got = readSync(fd, first, 0, first.length, 0);
  const head = first.subarray(0, got);
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const nul = head.indexOf(0);
  if (nul >= 0) {
    throw fileErr(file, 'binary-file', 'file is binary, not CSV text (it contains NUL bytes)', 'point tickfold at the CSV file itself (unzip or decompress it first)', lineOf(head, nul));
  }
  let nl = head.indexOf(10, bom);
  if (nl < 0 && got < size) throw fileErr(file, 'binary-file', 'no line break in the first 4 MiB: not a CSV file', 'point tickfold at a CSV file');
  if (nl < 0) nl = got;
  let headerText: string;
  try {
    headerText = UTF8.decode(head.subarray(bom, nl)).replace(/\r$/, '');
  } catch {
    throw fileErr(file, 'binary-file', 'the header is not UTF-8 text', 'save the file as UTF-8 CSV', 1);
  }
  if (headerText.trim() === '') throw fileErr(file, 'empty-file', 'the first line is empty', EXPECTED, 1);
  const notData = notDataError(file, headerText);
  if (notData) throw notData;
  const delimiter = opts.delimiter ?? detectDelimiter(headerText);
  const { fields: firstFields } = splitCsvLine(headerText, delimiter);
  // a file without a header line: its first line is data, and --header names the columns
  let names: readonly string[];
  let bodyStart: number;
  let firstLine: number;
  if (opts.header !== undefined) {
    if (!looksLikeData(firstFields)) {
      throw fileErr(file, 'has-header', `--header names the columns of a file without a header line, and this file's first line is a header`, 'leave --header out (map its columns with --columns, e.g. --columns ts=Date)', 1, headerText);
    }
    if (opts.header.length !== firstFields.length) {
      throw fileErr(file, 'bad-header', `--header gives ${opts.header.length} names (${opts.header.join(',')}) and the first line has ${firstFields.length} fields`, `give one name per column (skip for a column to drop)`, 1, headerText);
    }
    names = opts.header;
    bodyStart = bom;
    firstLine = 1;
  } else {
    if (looksLikeData(firstFields)) throw noHeaderError(file, headerText, firstFields);
    names = firstFields;
    bodyStart = nl + 1;
    firstLine = 2;
  }
  const resolved = resolveHeader(file, names, opts);
  // how timestamps are written, from the first data row (a datetime without a zone is UTC,
  // or local time of --tz)
  const nl2 = head.indexOf(10, bodyStart);
  // (a lenient decode: a row that is not UTF-8 is the row rules' to report, with its line)
  const firstRow = LENIENT_UTF8.decode(head.subarray(bodyStart, nl2 < 0 ? head.length : nl2)).replace(/\r$/, '');
  const tsAt = resolved.roles.findIndex((r) => r.role === 'ts');
  const hasTime = resolved.roles.some((r) => r.role === 'time');
  const firstTs = tsAt >= 0 && firstRow !== '' ? (splitCsvLine(firstRow, delimiter).fields[tsAt] ?? '').trim() : '';
  const tsZone = firstTs === '' ? 'other' : hasTime ? 'local' : classifyTs(firstTs, opts.tsUnit);
  // the order of day and month in dates such as 10/04/2013: given, or settled by the rows held
  const dateOrder = firstTs === '' ? undefined : settleDateOrder(file, { line: firstLine, text: firstTs }, () => headTs(head, bodyStart, firstLine, got < size, delimiter, tsAt), opts.dateOrder, got === size);
  const header: ResolvedHeader = {
    ...resolved,
    delimiter,
    tsZone,
    ...(opts.tz !== undefined && tsZone === 'local' ? { tz: opts.tz } : {}),
    ...(dateOrder !== undefined ? { dateOrder } : {}),
    ...(opts.header !== undefined ? { given: true } : {}),
  };
  // a quote anywhere in the first chunk: csv-parse reads the file (a later one is found by the
  // byte reader, which then hands the file over)
  return { size, head, bodyStart, firstLine, header, quoted: head.indexOf(34) >= 0 };
}

/** What holds for every reader: no rows is an error; `--tz`, `--sort` and duplicate bars. */
function finishRead(file: string, result: Omit<ReadResult, 'sorted' | 'sha1'>, sha1: string | undefined, opts: ReadOptions): ReadResult {
  if (result.table.length === 0) {
    throw fileErr(
      file,
      'no-rows',
      result.badRows > 0 ? `no valid rows: all ${result.badRows} data rows are bad` : 'the file has a header but no data rows',
      result.badRows > 0 ? 'fix the rows; the first problem was: ' + (result.badSamples[0]?.message ?? '') : `add ${KIND_NAMES[result.header.kind]} rows below the header`,
    );
  }
  // local wall-clock times of --tz to UTC, before ordering (a DST fall-back can reorder them)
  if (result.header.tz !== undefined) wallToUtc(result.table.ts, result.header.tz);
  const sorted = opts.sort === true && !isSorted(result.table.ts);
  const table = sorted ? permuteFileTable(result.table, stableOrder(result.table.ts)) : result.table;
  if (result.header.kind === BAR) {
    const d = duplicateBars(file, table, opts);
    if (d.dropped > 0) {
      return { ...result, table: d.table, badRows: result.badRows + d.dropped, badSamples: [...result.badSamples, ...d.samples].slice(0, 5), sorted, sha1 };
    }
  }
  return { ...result, table, sorted, sha1 };
}

/**
 * Two bars of one symbol with the same start are an error naming both lines (a vendor export
 * appended twice, a roll written twice); with `--on-bad-row skip` the later one is dropped and
 * counted. (Identical trade and quote rows stay: several prints in one instant are real events.)
 */
function duplicateBars(file: string, t: FileTable, opts: ReadOptions): { table: FileTable; dropped: number; samples: BadRowSample[] } {
  const last = new Int32Array(t.symbols.length).fill(-1); // symbol id -> row of its latest bar
  const drop: number[] = [];
  const samples: BadRowSample[] = [];
  for (let i = 0; i < t.length; i++) {
    const s = t.sym[i]!;
    const j = last[s]!;
    if (j >= 0 && t.ts[j] === t.ts[i]) {
      const line = t.lines?.[i] ?? 0;
      const firstLine = t.lines?.[j] ?? 0;
      const err = new DataError('duplicate-bar', {
        file,
        line,
        column: 1,
        value: `${t.symbols[s]} ${formatIso(t.ts[i]!)}`,
        rule: `duplicate bar: ${t.symbols[s]} already has a bar starting at ${formatIso(t.ts[i]!)} (line ${firstLine})`,
        hint: 'remove one of the two lines, or pass --on-bad-row skip to keep the first and count the rest',
      });
      if (opts.onBadRow !== 'skip') throw err;
      drop.push(i);
      if (samples.length < 5) samples.push({ line, message: err.message });
      continue;
    }
    last[s] = i;
  }
  if (drop.length === 0) return { table: t, dropped: 0, samples };
  const keep = new Uint32Array(t.length - drop.length);
  let k = 0;
  let d = 0;
  for (let i = 0; i < t.length; i++) {
    if (d < drop.length && drop[d] === i) d++;
    else keep[k++] = i;
  }
  return { table: permuteFileTable(t, keep), dropped: drop.length, samples };
}

/** The timestamp texts of the rows in the first chunk, with their lines (the last, cut short, left out). */
function* headTs(head: Buffer, bodyStart: number, firstLine: number, cut: boolean, delimiter: string, tsAt: number): Generator<{ line: number; text: string }> {
  const text = LENIENT_UTF8.decode(head.subarray(bodyStart));
  const lines = text.split('\n');
  if (cut) lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.replace(/\r$/, '');
    if (l === '') continue;
    const f = splitCsvLine(l, delimiter).fields[tsAt];
    if (f !== undefined) yield { line: firstLine + i, text: f.trim() };
  }
}

function lineOf(b: Uint8Array, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos; i++) if (b[i] === 10) n++;
  return n;
}
