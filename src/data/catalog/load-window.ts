/**
 * Loading for one window of time, through the catalog: the files' indexes decide which partitions
 * hold rows of the window, and the streaming merge (merge-stream.ts) writes only those into the
 * table. No file's whole table is held (a file parsed for the first time is written to the
 * catalog and let go), so a run's memory is the window's merged table plus one partition per
 * stream, where {@link loadData} holds every file's table and the merged copy of all of them.
 *
 * With `--symbols` (LoadOptions.symbolSelection) only those symbols' partitions are read
 * (catalog/select-symbols.ts): the table and the dictionary are then those {@link loadData}
 * gives after its selectRows (data/symbol-selection.ts).
 *
 * The table holds every row visible in [fromUs, toUs + the longest bar) and, since partitions are
 * read whole, some rows around it: `sliceTime(table, fromUs, toUs)` of it is, row for row, that of
 * the whole data's table (tests/data/catalog-stream.test.ts). The symbol dictionary and the kinds
 * per symbol are the whole data's, from the indexes.
 *
 * A catalog index given as data (`DIR/quotes.tfi`, or a folder of them: a catalog written by
 * `tickfold data generate --catalog`, catalog/index-file.ts) is streamed from its own folder as it
 * stands: nothing is parsed, and a damaged partition of it is an error naming the index (there is
 * no source to parse again), where a cached file's is rebuilt.
 *
 * What this path leaves to {@link loadData} (it returns undefined and the caller loads in
 * memory): the cache turned off or unwritable, and files of one kind that share a symbol over
 * overlapping times, whose rows must be compared (data/overlap.ts); two such catalog indexes
 * are refused instead (their rows could only be compared by holding both whole).
 */
import { rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { settleBarLengths } from '../bars.js';
import { cacheKey } from '../cache.js';
import { checkSymbolsUsed } from '../file-symbols.js';
import { checkFolders, inputFiles, loadFile, mergeOrder, rowOptions, summarise, type FileSummary, type LeftOut, type Loaded, type LoadOptions } from '../load.js';
import { BAR, KIND_NAMES } from '../schema.js';
import { entryBarLengths, entryFiles, indexPath, readEntry, type CatalogEntry } from './entry.js';
import { mergeToTable, type StreamSource, type StreamWindow } from './merge-stream.js';
import type { StreamPlan } from './window-stream.js';
import { catalogBytes, catalogDamaged, catalogsOverlap, isCatalogIndex, readCatalogIndex } from './index-file.js';
import { PartitionDamaged } from './partition.js';
import { selectSources } from './select-symbols.js';
import { ingestCsv } from './ingest.js';

interface Item {
  readonly file: string;
  readonly kind: number;
  readonly opts: LoadOptions;
  /** The folder of its partitions: the cache's, or a catalog index's own. */
  readonly dir: string;
  /** A catalog index given as data (nothing to parse again). */
  readonly index: boolean;
  entry: CatalogEntry;
  summary: Omit<FileSummary, 'barLengthUs'>;
  readonly symbolColumn: boolean;
}

/** A symbol's first and last stamp in a file, from its partitions. */
function span(e: CatalogEntry, s: number): [number, number] {
  const p = e.partitions[s]!;
  return p.length === 0 ? [Infinity, -Infinity] : [p[0]!.firstTs, p[p.length - 1]!.lastTs];
}

/** Whether two files of one kind may share rows: the first symbol of `a` both hold over overlapping times, or undefined. */
function mayOverlap(a: CatalogEntry, b: CatalogEntry): string | undefined {
  if (a.kind !== b.kind) return undefined;
  return a.symbols.find((name, sa) => {
    const sb = b.symbols.indexOf(name);
    if (sb < 0) return false;
    const [fa, la] = span(a, sa);
    const [fb, lb] = span(b, sb);
    return fa <= lb && fb <= la;
  });
}

/** Reads the file's index, parsing the file and writing its entry first when there is none current (or it is damaged). */
async function entryOf(file: string, opts: LoadOptions, dir: string, force: boolean): Promise<{ entry: CatalogEntry; summary: Omit<FileSummary, 'barLengthUs'>; symbolColumn: boolean } | undefined> {
  const key = cacheKey(file, { ...rowOptions(opts, file), v: 1 });
  if (force) rmSync(indexPath(dir, key), { force: true });
  const read = readEntry(dir, key);
  if ('hit' in read) {
    const e = read.hit;
    const summary = summarise(file, statSync(file).size, e, e.header, e.badRows, e.badSamples, 'cache', e.sorted, e.sha1 || undefined);
    return { entry: e, summary, symbolColumn: e.header.fixedSymbol === undefined };
  }
  if ('damaged' in read) {
    opts.onNote?.(`${read.damaged}; ${file} is parsed again and the cache rewritten`);
    rmSync(indexPath(dir, key), { force: true }); // (said once: the parse below finds none)
  }
  // a large CSV: parsed into the catalog chunk by chunk, no table held (catalog/ingest.ts)
  const ingested = await ingestCsv(file, opts, dir, key);
  if (ingested) return { entry: ingested.entry, summary: ingested.summary, symbolColumn: ingested.header.fixedSymbol === undefined };
  // else parsed whole, written to the catalog (not deferred: the merge reads it back), the table let go
  const lf = await loadFile(file, { ...opts, deferCache: false, cache: true });
  const again = readEntry(dir, key);
  if (!('hit' in again)) return undefined;
  return { entry: again.hit, summary: lf.summary, symbolColumn: lf.header.fixedSymbol === undefined };
}

/** A catalog index given as data, as {@link entryOf} gives a parsed file's entry. */
function indexEntry(file: string): { entry: CatalogEntry; summary: Omit<FileSummary, 'barLengthUs'>; symbolColumn: boolean } {
  const e = readCatalogIndex(file);
  return { entry: e, summary: summarise(file, catalogBytes(e), e, e.header, e.badRows, e.badSamples, 'cache', e.sorted, e.sha1 || undefined), symbolColumn: e.header.fixedSymbol === undefined };
}

/** The catalog index given as data whose partition `err` names, if any. */
function damagedIndex(items: readonly Item[], err: PartitionDamaged): Item | undefined {
  return items.find((it) => it.index && entryFiles(it.entry).some((p) => err.message.includes(join(it.dir, p.name))));
}

/** The catalog's plan of a window's rows (window-stream.ts) and what the files said, or undefined when it has to be loaded in memory. */
export interface PlannedWindow {
  readonly plan: StreamPlan;
  readonly files: FileSummary[];
  readonly leftOut: LeftOut[];
  /**
   * Runs a pass over the plan's partitions; a partition found missing or damaged is said, every
   * file of the run parsed again and the pass run again on the new plan (returned with it).
   */
  checked<T>(pass: (plan: StreamPlan) => T | Promise<T>): Promise<{ plan: StreamPlan; value: T } | undefined>;
}

/**
 * The data of `paths` for the window [fromUs, toUs), streamed from the catalog (see the file's
 * comment); undefined when it has to be loaded in memory instead.
 */
export async function loadWindow(paths: readonly string[], opts: LoadOptions, window: StreamWindow): Promise<Loaded | undefined> {
  const planned = await planWindow(paths, opts, window);
  if (!planned) return undefined;
  const merged = await planned.checked((plan) => mergeToTable(plan.sources, plan.merge, opts.shared === true));
  if (!merged) return undefined;
  return { table: merged.value, files: planned.files, leftOut: planned.leftOut, settle: () => undefined };
}

/** The files' catalog entries for the window (parsing a file first when it has none), as a {@link PlannedWindow}; undefined: load in memory. */
export async function planWindow(paths: readonly string[], opts: LoadOptions, window: StreamWindow): Promise<PlannedWindow | undefined> {
  if (opts.cache === false) return undefined;
  const dir = opts.cacheDir ?? '.tickfold-cache';
  const { files: given, repeats, fileOpts: optsOf } = inputFiles(paths, opts);
  const items: Item[] = [];
  for (const [at, file] of given.entries()) {
    const fileOpts = optsOf[at]!;
    const index = isCatalogIndex(file);
    const got = index ? indexEntry(file) : await entryOf(file, fileOpts, dir, false);
    if (!got) return undefined;
    items.push({ file, kind: got.entry.kind, opts: fileOpts, dir: index ? dirname(file) : dir, index, ...got });
  }
  checkSymbolsUsed(items, opts.symbol, opts.fileSymbols);
  const ordered = mergeOrder(items).map((k) => items[k]!);
  for (let x = 0; x < ordered.length; x++) {
    for (let y = x + 1; y < ordered.length; y++) {
      const [a, b] = [ordered[x]!, ordered[y]!];
      const shared = mayOverlap(a.entry, b.entry);
      if (shared === undefined) continue;
      if (a.index && b.index) throw catalogsOverlap(a.file, b.file, shared);
      return undefined;
    }
  }
  const summaries: FileSummary[] = [];
  const sources: StreamSource[] = [];
  let longestBar = 0;
  for (const it of ordered) {
    const e = it.entry;
    if (e.kind === BAR) {
      const lengthsUs = settleBarLengths(it.file, e.symbols.length, opts.barLengthUs, entryBarLengths(e) ?? []);
      for (const l of lengthsUs) if (l > longestBar) longestBar = l;
      summaries.push({ ...it.summary, barLengthUs: Object.fromEntries(e.symbols.map((s, i) => [s, lengthsUs[i]!])) });
      sources.push({ dir: it.dir, entry: e, bars: { stamp: opts.barStamp ?? 'start', lengthsUs } });
    } else {
      summaries.push(it.summary);
      sources.push({ dir: it.dir, entry: e });
    }
  }
  checkFolders(paths, summaries);
  // rows released up to a bar's length after the window's end can still belong to it (by their start)
  const merge: StreamWindow = { fromUs: window.fromUs, toUs: window.toUs + longestBar };
  const leftOut: LeftOut[] = repeats.map((r) => {
    const first = items[given.indexOf(r.sameAs)]!;
    return { file: r.file, sameAs: r.sameAs, why: 'named-twice', kind: KIND_NAMES[first.entry.kind], rows: first.entry.length };
  });
  const checked = async <T>(pass: (plan: StreamPlan) => T | Promise<T>): Promise<{ plan: StreamPlan; value: T } | undefined> => {
    try {
      const plan = { sources: selectSources(sources, opts.symbolSelection), window, merge };
      return { plan, value: await pass(plan) };
    } catch (err) {
      if (!(err instanceof PartitionDamaged)) throw err;
      // a catalog index given as data has no source to parse again
      const index = damagedIndex(ordered, err);
      if (index) throw catalogDamaged(index.file, err.message);
      // a partition missing or damaged: said, every file of the run parsed again, read again
      opts.onNote?.(`the catalog is damaged (${err.message}); the files are parsed again and the cache rewritten`);
      for (const [k, it] of ordered.entries()) {
        if (it.index) continue;
        const got = await entryOf(it.file, it.opts, dir, true);
        if (!got) return undefined;
        sources[k] = { ...sources[k]!, entry: got.entry };
      }
      const plan = { sources: selectSources(sources, opts.symbolSelection), window, merge };
      return { plan, value: await pass(plan) };
    }
  };
  // --symbols: only the partitions of the symbols named (checked against the data's here)
  return { plan: { sources: selectSources(sources, opts.symbolSelection), window, merge }, files: summaries, leftOut, checked };
}
