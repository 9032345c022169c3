/**
 * `tickfold data inspect`: what is in a set of files, per file and per symbol.
 */
import { QUOTE, BAR, delimiterName } from './schema.js';
import type { FileTable } from './table.js';
import { checkCsvOnlyOptions, loadFile, expandPaths, uniqueFiles, type FileSummary, type LoadOptions } from './load.js';
import { barTiming } from './bars.js';
import { symbolsForFiles } from './file-symbols.js';
import { formatDuration, formatIso } from './time.js';
import { maxOf, minOf } from '../arrays.js';

/** How the text names the reader a file went through. */
const READER_NAMES: Record<'fast' | 'csv' | 'parquet' | 'cache', string> = { fast: 'the byte reader', csv: 'csv-parse (quoted fields)', parquet: 'parquet-wasm (Parquet)', cache: 'the cache' };

export interface Gap {
  readonly fromUs: number;
  readonly toUs: number;
  readonly lengthUs: number;
}

export interface SpreadStats {
  readonly count: number;
  readonly meanAbs: number;
  readonly medianAbs: number;
  readonly minAbs: number;
  readonly maxAbs: number;
  readonly meanBps: number;
  readonly medianBps: number;
  /** Quotes with bid = ask. */
  readonly locked: number;
}

export interface SymbolInspection {
  readonly symbol: string;
  readonly rows: number;
  readonly firstUs: number;
  readonly lastUs: number;
  readonly medianSpacingUs: number;
  readonly largestGaps: readonly Gap[];
  readonly spread?: SpreadStats;
  readonly barLengthUs?: number;
}

export interface FileInspection {
  readonly summary: FileSummary;
  readonly firstUs: number;
  readonly lastUs: number;
  readonly symbols: readonly SymbolInspection[];
}

/** What `inspectData` reports per file and symbol: kind, rows, range, spacing, gaps and spreads. */
export interface Inspection {
  readonly files: readonly FileInspection[];
  readonly totalRows: number;
  readonly totalBadRows: number;
  readonly firstUs: number;
  readonly lastUs: number;
}

const median = (sorted: Float64Array): number =>
  sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;

function inspectSymbol(t: FileTable, id: number, barLengthUs: number | undefined, gapsToShow: number): SymbolInspection {
  let rows = 0;
  for (let i = 0; i < t.length; i++) if (t.sym[i] === id) rows++;
  const ts = new Float64Array(rows);
  const spreads = t.kind === QUOTE ? new Float64Array(rows) : undefined;
  const bps = t.kind === QUOTE ? new Float64Array(rows) : undefined;
  let locked = 0;
  for (let i = 0, k = 0; i < t.length; i++) {
    if (t.sym[i] !== id) continue;
    ts[k] = t.ts[i]!;
    if (spreads && bps) {
      const bid = t.cols[0]![i]!;
      const ask = t.cols[1]![i]!;
      spreads[k] = ask - bid;
      bps[k] = ((ask - bid) / ((ask + bid) / 2)) * 1e4;
      if (ask === bid) locked++;
    }
    k++;
  }
  const gaps = new Float64Array(Math.max(0, rows - 1));
  for (let k = 1; k < rows; k++) gaps[k - 1] = ts[k]! - ts[k - 1]!;
  // largest gaps: indices of the top N
  const idx = Array.from(gaps.keys()).sort((a, b) => gaps[b]! - gaps[a]! || a - b).slice(0, gapsToShow);
  const largestGaps = idx.map((k) => ({ fromUs: ts[k]!, toUs: ts[k + 1]!, lengthUs: gaps[k]! }));
  const sortedGaps = gaps.slice().sort();
  let spread: SpreadStats | undefined;
  if (spreads && bps) {
    let sum = 0;
    let sumBps = 0;
    for (let k = 0; k < rows; k++) {
      sum += spreads[k]!;
      sumBps += bps[k]!;
    }
    const s = spreads.slice().sort();
    const b = bps.slice().sort();
    spread = {
      count: rows,
      meanAbs: sum / rows,
      medianAbs: median(s),
      minAbs: s[0]!,
      maxAbs: s[rows - 1]!,
      meanBps: sumBps / rows,
      medianBps: median(b),
      locked,
    };
  }
  return {
    symbol: t.symbols[id]!,
    rows,
    firstUs: ts[0]!,
    lastUs: ts[rows - 1]!,
    medianSpacingUs: median(sortedGaps),
    largestGaps,
    ...(spread ? { spread } : {}),
    ...(barLengthUs !== undefined ? { barLengthUs } : {}),
  };
}

/** Inspects files as `tickfold data inspect` does (the same rules as loading). */
export async function inspectData(paths: readonly string[], opts: LoadOptions = {}, gapsToShow = 3): Promise<Inspection> {
  const files: FileInspection[] = [];
  const { files: inputs } = uniqueFiles(expandPaths(paths));
  checkCsvOnlyOptions(inputs, opts);
  if (opts.fileSymbols !== undefined) symbolsForFiles(inputs, opts.fileSymbols);
  for (const file of inputs) {
    const { table, summary, barLengthsUs } = await loadFile(file, opts);
    const lengths = table.kind === BAR ? barTiming(file, table, opts.barStamp ?? 'start', opts.barLengthUs, barLengthsUs).lengthUs : undefined;
    const symbols = table.symbols.map((_, id) => inspectSymbol(table, id, lengths?.[id], gapsToShow));
    const barLengthUs = lengths ? Object.fromEntries(table.symbols.map((s, i) => [s, lengths[i]!])) : undefined;
    files.push({
      summary: barLengthUs ? { ...summary, barLengthUs } : summary,
      firstUs: minOf(symbols.map((s) => s.firstUs)),
      lastUs: maxOf(symbols.map((s) => s.lastUs)),
      symbols,
    });
  }
  return {
    files,
    totalRows: files.reduce((a, f) => a + f.summary.rows, 0),
    totalBadRows: files.reduce((a, f) => a + f.summary.badRows, 0),
    firstUs: minOf(files.map((f) => f.firstUs)),
    lastUs: maxOf(files.map((f) => f.lastUs)),
  };
}

const num = (x: number, d = 2): string => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d }) : 'n/a');

/** Plain-text rendering for the terminal. */
export function renderInspection(ins: Inspection): string {
  const out: string[] = [];
  for (const f of ins.files) {
    const s = f.summary;
    out.push(`${s.file}`);
    out.push(
      `  ${s.kind}, ${num(s.rows, 0)} rows, ${num(s.bytes / 1e6, 2)} MB, ${s.symbols.length} symbol${s.symbols.length === 1 ? '' : 's'}` +
        `, ${formatIso(f.firstUs)} → ${formatIso(f.lastUs)}` +
        `${s.source === 'parquet' || (s.source === 'cache' && s.file.toLowerCase().endsWith('.parquet')) ? '' : `, ${delimiterName(s.delimiter)}-delimited`}, read by ${READER_NAMES[s.source]}${s.sorted ? ', sorted' : ''}, bad rows: ${s.badRows}`,
    );
    if (s.timestamps) out.push(`  timestamps: ${s.timestamps}`);
    for (const b of s.badSamples) out.push(`    skipped line ${b.line}: ${b.message.split('\n')[0]}`);
    for (const y of f.symbols) {
      const bar = y.barLengthUs !== undefined ? `, bar ${formatDuration(y.barLengthUs)}` : '';
      out.push(
        `  ${y.symbol.padEnd(10)} ${num(y.rows, 0).padStart(9)} rows  ${formatIso(y.firstUs)} → ${formatIso(y.lastUs)}  median spacing ${formatDuration(y.medianSpacingUs)}${bar}`,
      );
      if (y.largestGaps.length > 0) {
        out.push(`             largest gaps: ${y.largestGaps.map((g) => `${formatDuration(g.lengthUs)} after ${formatIso(g.fromUs)}`).join('; ')}`);
      }
      if (y.spread) {
        const sp = y.spread;
        out.push(
          `             spread: mean ${num(sp.meanAbs, 6)} (${num(sp.meanBps, 2)} bps), median ${num(sp.medianAbs, 6)} (${num(sp.medianBps, 2)} bps), min ${num(sp.minAbs, 6)}, max ${num(sp.maxAbs, 6)}, locked ${sp.locked}`,
        );
      }
    }
  }
  out.push(
    `total: ${ins.files.length} file${ins.files.length === 1 ? '' : 's'}, ${num(ins.totalRows, 0)} rows, ${formatIso(ins.firstUs)} → ${formatIso(ins.lastUs)}, bad rows: ${ins.totalBadRows}`,
  );
  return out.join('\n');
}
