/**
 * Loads many CSV files (and folders of them) into one time-ordered {@link TickTable}.
 */
import { lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isParquetFile } from './parquet-reader.js';
import { PARALLEL_MIN_BYTES, type ParallelOptions } from './parallel-read.js';
import { ParseWorkers } from './parse-workers.js';
import { catalogBytes, catalogsOverlap, checkCatalogOnlyOptions, isCatalogIndex, loadCatalogIndex } from './catalog/index-file.js';
import { join, resolve, sep } from 'node:path';
import { DataError, UsageError } from '../errors.js';
import { barTiming, inferBarLengths, type BarStamp } from './bars.js';
import { cacheKey, sameKey, sha1OfFile } from './cache.js';
import { entryBarLengths, readEntry, readEntryTable, writeEntry, writeEntryOn } from './catalog/entry.js';
import { PartitionDamaged } from './catalog/partition.js';
import { readFile, type ReaderChoice } from './read-file.js';
import { checkSymbolsUsed, matchesFile, symbolsForFiles, type FileSymbol } from './file-symbols.js';
import { parseFlagGiven } from './parse-flags.js';
import { findOverlap, relation, sharedSpanSymbol } from './overlap.js';
import type { BadRowSample, OnBadRow } from './rows.js';
import { BAR, QUOTE, TRADE, KIND_NAMES, VALUE_FIELDS, type Delimiter, type KindName, type ResolvedHeader } from './schema.js';
import { isSorted, mergeTables, permuteFileTable, stableOrder, type FileTable, type MergeInput, type TickTable } from './table.js';
import { DATE_ORDER_NAMES, formatDuration, formatIso, type DateOrder, type TsUnit } from './time.js';
import { pushAll } from '../arrays.js';
import { selectRows } from './symbol-selection.js';

/** How `loadData` reads files: header mapping, row rules, time zone, bars, the cache and shared memory. */
export interface LoadOptions {
  /** `field=Header` map (`--columns`). */
  readonly columns?: Readonly<Record<string, string>>;
  /** Column names of files without a header line (`--header`): their first line is data. */
  readonly header?: readonly string[];
  /** Order of day and month in dates such as 10/04/2013 (`--date-order`); default: settled by each file. */
  readonly dateOrder?: DateOrder;
  /** Read `"1,234.50"` as 1234.50 (`--thousands comma`). */
  readonly thousands?: 'comma';
  /** Symbol for the one file without a symbol column (default: the file name); see data/file-symbols.ts. */
  readonly symbol?: string;
  /** Symbols of files without a symbol column, per file (`--symbol FILE=NAME`). */
  readonly fileSymbols?: readonly FileSymbol[];
  /** Field delimiter (default: detected from each file's header). */
  readonly delimiter?: Delimiter;
  /** IANA zone of datetimes written without one (default: UTC). */
  readonly tz?: string;
  readonly tsUnit?: TsUnit;
  readonly onBadRow?: OnBadRow;
  /** Sort rows of each file stably by time instead of rejecting rows that go backwards. */
  readonly sort?: boolean;
  /** Bar length in µs (default: inferred from the spacing of bar starts). */
  readonly barLengthUs?: number;
  /** Whether bar files are stamped at the bar's start (default, as in the shared data) or end. */
  readonly barStamp?: BarStamp;
  /** Use the binary cache (default true). */
  readonly cache?: boolean;
  /** Cache folder (default `.tickfold-cache` in the working directory): the catalog (data/catalog/). */
  readonly cacheDir?: string;
  /** Rows of a catalog partition, at most (default 256Ki; tests make it small). */
  readonly partitionRows?: number;
  /** Take each file's SHA-1 while parsing (default: when writing the cache). */
  readonly contentHash?: boolean;
  /**
   * Read cached files into shared memory (SharedArrayBuffer), so that a table made of them goes to
   * worker threads without a copy (the CLI asks for it when it runs backtests on workers).
   */
  readonly shared?: boolean;
  /** A large CSV parsed on every core (data/parallel-read.ts; tests set its chunks), or false for one thread. */
  readonly parallel?: ParallelOptions | false;
  /** Force a reader (tests); default: the byte reader, csv-parse for quoted files. */
  readonly reader?: ReaderChoice;
  /**
   * Leave the content hash and the cache write of freshly parsed files to {@link Loaded.settle}:
   * a command that runs its backtests on worker threads calls it while they run, so a first run
   * does not wait for them (1M vendor bars: ~150 ms of the first run).
   */
  readonly deferCache?: boolean;
  /**
   * `--symbols`: the data is only these symbols' rows, as if the files held nothing else
   * (data/symbol-selection.ts); undefined: every symbol. Not a parse option: the cache and the
   * catalog keep every symbol.
   */
  readonly symbolSelection?: readonly string[];
  /** Told what the user should know but that is not an error (a damaged cache file, rebuilt). */
  readonly onNote?: (message: string) => void;
}

/** What was loaded from one file. */
export interface FileSummary {
  readonly file: string;
  readonly kind: KindName;
  readonly rows: number;
  readonly bytes: number;
  /** SHA-1 of the file (taken when the cache is written, or with `contentHash`). */
  readonly sha1: string | undefined;
  readonly symbols: readonly string[];
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  /** Which reader produced the rows. */
  readonly source: 'fast' | 'csv' | 'parquet' | 'cache';
  /** The field delimiter used. */
  readonly delimiter: Delimiter;
  /** 'local': datetimes without a zone, read as UTC unless `tz` says otherwise. */
  readonly tsZone: 'zoned' | 'local' | 'date' | 'epoch' | 'other';
  /** The zone such times were read in, when `--tz` was given. */
  readonly tz: string | null;
  /** True when rows were out of order and sorted (`--sort`). */
  readonly sorted: boolean;
  /** How timestamps were put together, when not from one ISO or epoch column: the date order, a Date and a Time column joined, names from --header. */
  readonly timestamps?: string;
  /** Bar length per symbol, µs (bar files only). */
  readonly barLengthUs?: Readonly<Record<string, number>>;
}

/**
 * A file given but not loaded, because its data is already in: the same file named twice (a
 * folder and a file in it), a copy of another file (the same rows), or a part of one (all of its
 * rows in the other, with the same values). See data/overlap.ts.
 */
export interface LeftOut {
  readonly file: string;
  /** The file that holds its rows. */
  readonly sameAs: string;
  readonly why: 'named-twice' | 'copy' | 'part';
  readonly kind: KindName;
  /** Its rows (all of them also in `sameAs`). */
  readonly rows: number;
}

/** What `loadData` returns: the merged table and a summary of each file. */
export interface Loaded {
  readonly table: TickTable;
  readonly files: readonly FileSummary[];
  /** Files given whose data was already loaded from another (each loaded once). */
  readonly leftOut: readonly LeftOut[];
  /**
   * Takes the SHA-1 of the files that were parsed and writes their cache entries (with
   * `deferCache`; otherwise already done). Fills in the `sha1` of `files` in place. Idempotent.
   */
  settle(): void;
}

/** A data path that is a symbolic link to nothing (dangling) or to itself (a loop): a data error saying so. */
function brokenLink(p: string, e: unknown): void {
  const code = (e as NodeJS.ErrnoException).code;
  let target = '';
  try {
    if (!lstatSync(p).isSymbolicLink()) return;
    target = readlinkSync(p);
  } catch {
    if (code !== 'ELOOP') return;
  }
  if (code === 'ELOOP') {
    throw new DataError('broken-link', { file: p, line: 0, column: 0, rule: `is a symbolic link in a loop (it leads back to itself${target ? `: -> ${target}` : ''})`, hint: 'remove the link, or point it at the data file it stands for' });
  }
  if (code === 'ENOENT') {
    throw new DataError('broken-link', { file: p, line: 0, column: 0, rule: `is a symbolic link to ${target}, which does not exist (a dangling link)`, hint: 'remove the link, or point it at the data file it stands for (a relative target is relative to the link\'s folder)' });
  }
}

/** Expands folders to the `.csv` and `.parquet` files in them (sorted by name), or, in a folder with none, its catalog indexes (`.tfi`, data/catalog/index-file.ts); keeps files as given. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      brokenLink(p, e);
      throw new DataError('no-such-file', {
        file: p,
        line: 0,
        column: 0,
        rule: 'no such file or folder',
        hint: 'check the path (relative paths are from the current folder)',
      });
    }
    if (st.isDirectory()) {
      const names = readdirSync(p).sort();
      let csvs = names.filter((f) => f.toLowerCase().endsWith('.csv') || f.toLowerCase().endsWith('.parquet')).map((f) => join(p, f));
      if (csvs.length === 0) csvs = names.filter(isCatalogIndex).map((f) => join(p, f));
      // a link in the folder that leads nowhere is said here, not met as a failed open later
      for (const f of csvs) {
        try {
          statSync(f);
        } catch (e) {
          brokenLink(f, e);
          throw e;
        }
      }
      if (csvs.length === 0) {
        throw new DataError('no-such-file', { file: p, line: 0, column: 0, rule: 'folder has no .csv or .parquet files (nor catalog indexes, .tfi)', hint: 'point at CSV or Parquet files or a folder that holds them' });
      }
      pushAll(out, csvs);
    } else out.push(p);
  }
  if (out.length === 0) {
    throw new DataError('no-such-file', { file: '(none)', line: 0, column: 0, rule: 'no data files given', hint: 'name one or more CSV files or folders' });
  }
  return out;
}

export interface LoadedFile {
  readonly table: FileTable;
  readonly header: ResolvedHeader;
  readonly summary: Omit<FileSummary, 'barLengthUs'>;
  /** Bar files: the bar length of each symbol inferred from its starts (kept in the cache). */
  readonly barLengthsUs?: readonly number[];
  /** With `deferCache`: hashes the file, writes the cache, returns the SHA-1 (undefined when the file changed since it was read). */
  readonly settle?: () => string | undefined;
}

/** The options that decide how a file parses (the cache key's); the symbol: `--symbol`, or the `FILE=NAME` that names this file. */
export function rowOptions(opts: LoadOptions, file: string) {
  const symbol = opts.fileSymbols !== undefined ? opts.fileSymbols.find((e) => matchesFile(e.file, file))?.symbol : opts.symbol;
  return {
    onBadRow: opts.onBadRow ?? 'fail',
    sort: opts.sort ?? false,
    tsUnit: opts.tsUnit,
    ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
    ...(symbol !== undefined ? { symbol } : {}),
    ...(opts.delimiter !== undefined ? { delimiter: opts.delimiter } : {}),
    ...(opts.tz !== undefined ? { tz: opts.tz } : {}),
    ...(opts.header !== undefined ? { header: opts.header } : {}),
    ...(opts.dateOrder !== undefined ? { dateOrder: opts.dateOrder } : {}),
    ...(opts.thousands !== undefined ? { thousands: opts.thousands } : {}),
  } as const;
}

/** Reads one file, through the cache when allowed. */
export async function loadFile(file: string, opts: LoadOptions = {}): Promise<LoadedFile> {
  if (isCatalogIndex(file)) {
    const { entry, table, header } = loadCatalogIndex(file, opts.shared === true);
    return { table, header, summary: summarise(file, catalogBytes(entry), table, header, entry.badRows, entry.badSamples, 'cache', entry.sorted, entry.sha1 || undefined) };
  }
  const rowOpts = rowOptions(opts, file);
  const useCache = opts.cache ?? true;
  const dir = opts.cacheDir ?? '.tickfold-cache';
  const bytes = statSync(file).size;
  const key = useCache ? cacheKey(file, { ...rowOpts, v: 1 }) : undefined;
  if (key) {
    const read = readEntry(dir, key);
    // a damaged index or partition is said, and replaced below by the parse of the file itself
    if ('damaged' in read) opts.onNote?.(`${read.damaged}; ${file} is parsed again and the cache rewritten`);
    if ('hit' in read) {
      const hit = read.hit;
      try {
        const table = readEntryTable(dir, hit, opts.shared === true);
        const barLengthsUs = entryBarLengths(hit);
        return {
          table,
          header: hit.header,
          ...(barLengthsUs ? { barLengthsUs } : {}),
          summary: summarise(file, bytes, table, hit.header, hit.badRows, hit.badSamples, 'cache', hit.sorted, hit.sha1 || undefined),
        };
      } catch (e) {
        if (!(e instanceof PartitionDamaged)) throw e;
        opts.onNote?.(`the catalog of ${file} is damaged (${e.message}); ${file} is parsed again and the cache rewritten`);
      }
    }
  }
  const defer = opts.deferCache === true && key !== undefined;
  // a large CSV: the threads start now (while this one reads the header), parse it, then write its catalog
  const par = opts.parallel;
  const workers = par !== false && !isParquetFile(file) && bytes >= (par?.minBytes ?? PARALLEL_MIN_BYTES) && (par?.threads ?? availableParallelism()) >= 2 ? new ParseWorkers(par?.threads) : undefined;
  const parallel = par === false ? false : workers ? { ...par, workers } : par;
  let r: Awaited<ReturnType<typeof readFile>>;
  let barLengthsUs: number[] | undefined;
  let settle: (() => string | undefined) | undefined;
  try {
    try {
      r = await readFile(file, { ...rowOpts, reader: opts.reader ?? 'auto', contentHash: opts.contentHash ?? (useCache && !defer), shared: opts.shared === true, ...(parallel !== undefined ? { parallel } : {}) });
    } catch (e) {
      // the table's symbol limit does not know the file: name it
      if (e instanceof DataError && e.code === 'too-many-symbols' && e.details.file === '(this file)') throw new DataError(e.code, { ...e.details, file });
      throw e;
    }
    const read = r;
    barLengthsUs = read.table.kind === BAR ? inferBarLengths(read.table) : undefined;
    const lengths = barLengthsUs;
    const entry = (sha1: string) => ({ table: read.table, header: read.header, badRows: read.badRows, badSamples: read.badSamples, sorted: read.sorted, sha1, ...(lengths ? { barLengthsUs: lengths } : {}) });
    if (defer) {
      settle = () => {
        const sha1 = read.sha1 ?? sha1OfFile(file);
        // the file must still be the one parsed: else no cache entry (the next load parses it
        // again) and no hash (it would be the changed file's, not the parsed rows')
        if (!sameKey(cacheKey(file, { ...rowOpts, v: 1 }), key)) return undefined;
        writeEntry(dir, key, entry(sha1), opts.partitionRows);
        return sha1;
      };
    } else if (key && workers) await writeEntryOn(workers, dir, key, entry(read.sha1 ?? ''), opts.partitionRows);
    else if (key) writeEntry(dir, key, entry(read.sha1 ?? ''), opts.partitionRows);
  } finally {
    await workers?.close();
  }
  return {
    table: r.table,
    header: r.header,
    ...(barLengthsUs ? { barLengthsUs } : {}),
    ...(settle ? { settle } : {}),
    summary: summarise(file, bytes, r.table, r.header, r.badRows, r.badSamples, r.reader, r.sorted, r.sha1),
  };
}

export function summarise(
  file: string,
  bytes: number,
  t: Pick<FileTable, 'length' | 'symbols'>,
  header: ResolvedHeader,
  badRows: number,
  badSamples: readonly BadRowSample[],
  source: FileSummary['source'],
  sorted: boolean,
  sha1: string | undefined,
): Omit<FileSummary, 'barLengthUs'> {
  const timestamps = describeTimestamps(header);
  return { file, kind: KIND_NAMES[header.kind], rows: t.length, bytes, sha1, symbols: t.symbols, badRows, badSamples, source, sorted, delimiter: header.delimiter ?? ',', tsZone: header.tsZone ?? 'other', tz: header.tz ?? null, ...(timestamps ? { timestamps } : {}) };
}

/** `dates day/month/year (settled by line 14 ...); date column Date + time column Time; columns named by --header`, or undefined. */
function describeTimestamps(h: ResolvedHeader): string | undefined {
  const parts: string[] = [];
  if (h.given) parts.push(`no header line: columns named by --header (${h.names.join(',')})`);
  if (h.dateOrder) parts.push(`dates ${DATE_ORDER_NAMES[h.dateOrder.order]}, ${h.dateOrder.from}`);
  const time = h.roles.findIndex((r) => r.role === 'time');
  if (time >= 0) parts.push(`date column '${h.names[h.roles.findIndex((r) => r.role === 'ts')]}' + time column '${h.names[time]}'`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * The order in which loaded files are merged, whatever the order of the arguments: trades, then
 * quotes, then bars; files of one kind by resolved path. Events with equal timestamps go to the
 * earlier file in this order (a trade before the quote update it caused at the same µs), then to
 * the earlier row; symbols are numbered in this order too. So the same files give the same table,
 * and the same report, in any order on the command line.
 */
export const MERGE_KIND_ORDER: readonly number[] = [TRADE, QUOTE, BAR];

export function mergeOrder(files: readonly { file: string; kind: number }[]): number[] {
  const rank = (k: number): number => MERGE_KIND_ORDER.indexOf(k);
  const key = files.map((f) => resolve(f.file));
  return files.map((_, i) => i).sort((a, b) => rank(files[a]!.kind) - rank(files[b]!.kind) || (key[a]! < key[b]! ? -1 : key[a]! > key[b]! ? 1 : a - b));
}

/**
 * Loads files and folders into one table: each file validated, bars moved to their close, all
 * merged in time order (ties: see {@link MERGE_KIND_ORDER}, then row order).
 */
/** CSV-only options (`--delimiter`, `--reader`) when every input is Parquet: refused, not ignored. */
export function checkCsvOnlyOptions(files: readonly string[], opts: LoadOptions): void {
  if (files.length === 0 || !files.every((f) => isParquetFile(f))) return;
  const csvOnly = parseFlagGiven(opts, true);
  if (csvOnly) throw new UsageError(`${csvOnly} applies to CSV files, and every input is Parquet (${files.join(', ')}): leave it out`);
}

/**
 * The data's inputs: folders expanded, a file named twice kept once (`repeats`), the options that
 * apply to none of them refused, and each file's own options (`--symbol FILE=NAME` resolved to its
 * `symbol`). Shared by {@link loadData} and the catalog's streamed plan (catalog/load-window.ts).
 */
export function inputFiles(paths: readonly string[], opts: LoadOptions): { files: string[]; repeats: { file: string; sameAs: string }[]; fileOpts: LoadOptions[] } {
  const { files, repeats } = uniqueFiles(expandPaths(paths));
  checkCsvOnlyOptions(files, opts);
  checkCatalogOnlyOptions(files, opts);
  const symbolOf = opts.fileSymbols !== undefined ? symbolsForFiles(files, opts.fileSymbols) : undefined;
  const { fileSymbols: _, symbol: __, ...rest } = opts;
  const fileOpts = files.map((_f, at): LoadOptions => {
    const sym = symbolOf ? symbolOf[at] : opts.symbol;
    return { ...rest, ...(sym !== undefined ? { symbol: sym } : {}) };
  });
  return { files, repeats, fileOpts };
}

/** Loads CSV and Parquet files (or folders of them) into one time-ordered {@link TickTable}: each file read with the same header and row rules, bars released at their close, the binary cache used when it matches; the same data from two files loaded once or refused (data/overlap.ts). Bad input throws a {@link DataError} naming file, line, column, value, rule and fix. */
export async function loadData(paths: readonly string[], opts: LoadOptions = {}): Promise<Loaded> {
  const { files: given, repeats, fileOpts } = inputFiles(paths, opts);
  const loaded: Item[] = [];
  for (const [at, file] of given.entries()) {
    const { table, header, summary, barLengthsUs, settle } = await loadFile(file, fileOpts[at]!);
    loaded.push({ file, kind: table.kind, table, summary, barLengthsUs, settle, symbolColumn: header.fixedSymbol === undefined });
  }
  checkSymbolsUsed(loaded, opts.symbol, opts.fileSymbols);
  const order = mergeOrder(loaded);
  const leftOut: LeftOut[] = repeats.map((r) => {
    const first = loaded[given.indexOf(r.sameAs)]!;
    return { file: r.file, sameAs: r.sameAs, why: 'named-twice', kind: first.summary.kind, rows: first.summary.rows };
  });
  const kept = await settleOverlaps(order.map((k) => loaded[k]!), opts, leftOut);
  const inputs: MergeInput[] = [];
  const summaries: FileSummary[] = [];
  for (const { file, table, summary, barLengthsUs } of kept) {
    if (table.kind === BAR) {
      const timing = barTiming(file, table, opts.barStamp ?? 'start', opts.barLengthUs, barLengthsUs, opts.shared === true);
      // the merge input keeps each bar's start in `ts`; its visible time is the close
      let t: FileTable = { ...table, ts: timing.startTs };
      let visible = timing.closeTs;
      if (!isSorted(visible)) {
        const order = stableOrder(visible);
        t = permuteFileTable(t, order);
        visible = Float64Array.from(order, (i) => timing.closeTs[i]!);
      }
      inputs.push({ table: t, visibleTs: visible });
      summaries.push({ ...summary, barLengthUs: Object.fromEntries(table.symbols.map((s, i) => [s, timing.lengthUs[i]!])) });
    } else {
      inputs.push({ table, visibleTs: table.ts });
      summaries.push(summary);
    }
  }
  checkFolders(paths, summaries);
  const pending = kept.map((k, at) => ({ at, settle: k.settle }));
  // the files left out as copies get their cache entries too (else each run parses them again)
  const others = loaded.filter((l) => !kept.includes(l)).map((l) => l.settle);
  const settle = (): void => {
    for (const p of pending.splice(0)) if (p.settle) summaries[p.at] = { ...summaries[p.at]!, sha1: p.settle() };
    for (const s of others.splice(0)) s?.();
  };
  // --symbols: only those symbols' rows (numbered as the catalog's streamed merge numbers them)
  return { table: selectRows(mergeTables(inputs, opts.shared === true), opts.symbolSelection, opts.shared === true), files: summaries, leftOut, settle };
}

interface Item {
  readonly file: string;
  readonly kind: number;
  table: FileTable;
  summary: Omit<FileSummary, 'barLengthUs'>;
  readonly barLengthsUs: readonly number[] | undefined;
  readonly settle: (() => string | undefined) | undefined;
  /** The file has a symbol column (else its symbol is --symbol's or its name). */
  readonly symbolColumn: boolean;
}

/** The files to read, each once: a file named twice (a folder and a file in it, a path and a link to it) is read at its first mention. */
export function uniqueFiles(files: readonly string[]): { files: string[]; repeats: { file: string; sameAs: string }[] } {
  const seen = new Map<string, string>();
  const out: string[] = [];
  const repeats: { file: string; sameAs: string }[] = [];
  for (const f of files) {
    let key: string;
    try {
      key = realpathSync(f);
    } catch {
      key = resolve(f);
    }
    const first = seen.get(key);
    if (first !== undefined) repeats.push({ file: f, sameAs: first });
    else {
      seen.set(key, f);
      out.push(f);
    }
  }
  return { files: out, repeats };
}

/**
 * The same data in two files (see data/overlap.ts), over the files in merge order: a copy or a
 * part of another file is left out (recorded in `leftOut`); any other shared row is an error
 * naming both files and lines, or, with `--on-bad-row skip`, dropped from the later file and
 * counted as its bad rows. Returns the files to merge.
 */
async function settleOverlaps(items: Item[], opts: LoadOptions, leftOut: LeftOut[]): Promise<Item[]> {
  const out = new Set(items.map((_, i) => i));
  const skip = opts.onBadRow === 'skip';
  for (let x = 0; x < items.length; x++) {
    for (let y = x + 1; y < items.length && out.has(x); y++) {
      if (!out.has(y)) continue;
      const a = items[x]!;
      const b = items[y]!;
      if (a.kind !== b.kind) continue;
      // two catalog indexes: refused as the streamed path refuses them (catalog/load-window.ts)
      if (isCatalogIndex(a.file) && isCatalogIndex(b.file)) {
        const shared = sharedSpanSymbol(a.table, b.table);
        if (shared !== undefined) throw catalogsOverlap(a.file, b.file, shared);
        continue;
      }
      const o = findOverlap(a.table, b.table, skip, a.barLengthsUs, b.barLengthsUs);
      const rel = relation(a.table, b.table, o);
      if (rel === 'none') continue;
      const kind = KIND_NAMES[a.kind as 0 | 1 | 2];
      if (rel === 'copy' || rel === 'b-in-a') {
        out.delete(y);
        leftOut.push({ file: b.file, sameAs: a.file, why: rel === 'copy' ? 'copy' : 'part', kind, rows: b.table.length });
        continue;
      }
      if (rel === 'a-in-b') {
        out.delete(x);
        leftOut.push({ file: a.file, sameAs: b.file, why: 'part', kind, rows: a.table.length });
        continue;
      }
      const err = await overlapError(a, b, o, kind, opts);
      if (!skip) throw err;
      // --on-bad-row skip: the later file's shared rows are dropped and counted as bad rows
      const keep = new Uint32Array(b.table.length - o.count);
      for (let i = 0, k = 0; i < b.table.length; i++) if (o.sharedB![i] === 0) keep[k++] = i;
      const lineB = err.details.line;
      b.table = permuteFileTable(b.table, keep);
      b.summary = { ...b.summary, rows: b.table.length, badRows: b.summary.badRows + o.count, badSamples: [...b.summary.badSamples, { line: lineB, message: err.message }].slice(0, 5) };
    }
  }
  return items.filter((_, i) => out.has(i));
}

/** The error for rows two files share: both files, the first shared row's line in each, and the fix. */
async function overlapError(a: Item, b: Item, o: ReturnType<typeof findOverlap>, kind: KindName, opts: LoadOptions): Promise<DataError> {
  const [la, lb] = [await lineOf(a, o.firstA, opts), await lineOf(b, o.firstB, opts)];
  const t = a.table;
  const sym = t.symbols[t.sym[o.firstA]!]!;
  const fields = VALUE_FIELDS[t.kind];
  const values = (tb: FileTable, r: number): string => fields.map((f, c) => `${f} ${tb.cols[c]![r]}`).join(', ');
  const what = t.kind === BAR ? `the bar of ${sym} starting ${formatIso(t.ts[o.firstA]!)}` : `${sym} ${formatIso(t.ts[o.firstA]!)} ${values(t, o.firstA)}`;
  let differ = '';
  if (o.diffA >= 0) {
    const d = b.table;
    differ = `; their values differ (the first: ${d.symbols[d.sym[o.diffB]!]} ${formatIso(d.ts[o.diffB]!)}: ${values(t, o.diffA)} in ${a.file}, ${values(d, o.diffB)} in ${b.file})`;
  }
  const n = o.count.toLocaleString('en-US');
  return new DataError('same-data-twice', {
    file: b.file,
    line: lb,
    column: 0,
    value: `${sym} ${formatIso(t.ts[o.firstA]!)}`,
    rule: `${n} ${o.count === 1 ? kind.slice(0, -1) : kind} of this file ${o.count === 1 ? 'is' : 'are'} also in ${a.file} (${t.kind === BAR ? 'the same symbol and bar start' : 'the same time, symbol and values'}), and would be replayed twice; the first: ${what}, ${a.file}${la > 0 ? ` line ${la}` : ''} and ${b.file}${lb > 0 ? ` line ${lb}` : ''}${differ}`,
    hint: `load each ${t.kind === BAR ? 'bar' : 'row'} once: give one of the two files, or remove the shared span from one of them; or pass --on-bad-row skip to keep ${a.file}'s and count ${b.file}'s as bad rows${t.kind === BAR ? '' : ' (two different feeds of one instrument: give them different symbols)'}`,
  });
}

/** The file line of a row: kept while parsing (bar files), else found by reading the file again with every line kept. */
async function lineOf(item: Item, row: number, opts: LoadOptions): Promise<number> {
  const kept = item.table.lines?.[row];
  if (kept !== undefined) return kept;
  try {
    const r = await readFile(item.file, { ...rowOptions(opts, item.file), reader: opts.reader ?? 'auto', keepLines: true });
    return r.table.lines?.[row] ?? 0;
  } catch {
    return 0;
  }
}

/**
 * The files of one folder argument must not mix, for one symbol, bars with trades or quotes, or
 * bars of different lengths (a 1-minute and a daily file of SPY side by side would be replayed
 * as one series): an error naming the files. Given one by one, such files are taken as meant.
 */
export function checkFolders(paths: readonly string[], files: readonly FileSummary[]): void {
  for (const p of paths) {
    let dir: string;
    try {
      if (!statSync(p).isDirectory()) continue;
      dir = resolve(p);
    } catch {
      continue;
    }
    const inDir = files.filter((f) => resolve(f.file).startsWith(dir + sep));
    const bySymbol = new Map<string, { file: string; what: string }[]>();
    for (const f of inDir) {
      for (const s of f.symbols) {
        const what = f.kind === 'bars' ? `${formatDuration(f.barLengthUs?.[s] ?? NaN)} bars` : 'ticks';
        const list = bySymbol.get(s) ?? [];
        list.push({ file: f.file, what });
        bySymbol.set(s, list);
      }
    }
    for (const [s, list] of bySymbol) {
      const kinds = new Set(list.map((x) => x.what));
      const bars = [...kinds].filter((k) => k !== 'ticks');
      if (bars.length > 1 || (bars.length === 1 && kinds.has('ticks'))) {
        throw new DataError('mixed-folder', {
          file: p,
          line: 0,
          column: 0,
          value: s,
          rule: `the folder mixes ${[...kinds].join(' and ')} of ${s}: ${list.map((x) => `${x.file} (${x.what})`).join(', ')}`,
          hint: 'give the files you mean one by one, or keep one bar length (and bars or ticks) per symbol in a folder',
        });
      }
    }
  }
}
