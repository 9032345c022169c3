/**
 * The columnar tick table: the engine's only input. Struct of typed arrays, one row per event,
 * symbols as small integer ids into a dictionary.
 *
 * Value columns by kind (see {@link VALUE_FIELDS}):
 * - trade: `f0` price, `f1` size
 * - quote: `f0` bid, `f1` ask, `f2` bid size, `f3` ask size
 * - bar:   `f0` open, `f1` high, `f2` low, `f3` close, `f4` volume; `barStart` its start time
 * Unknown values (empty fields) are NaN. Columns that no row of the table uses have length 0, so a
 * quote-only table costs 43 bytes a row (ts 8, kind 1, symbol 2, four values 32).
 *
 * `ts` is the time the event becomes visible: for trades and quotes the stamp, for bars the bar's
 * close (see bars.ts). Rows are in time order, ties broken by the merge order of the files (load.ts: trades, quotes, bars; then path), then row order.
 */
import { DataError } from '../errors.js';
import { BAR, QUOTE, type TickKind, VALUE_FIELDS } from './schema.js';
import { maxOf } from '../arrays.js';

export interface TickTable {
  readonly length: number;
  readonly symbols: readonly string[];
  /** Visible time of each row, µs since epoch (bars: close time). */
  readonly ts: Float64Array;
  /** TRADE, QUOTE or BAR per row. */
  readonly kind: Uint8Array;
  /** Index into {@link symbols}. */
  readonly sym: Uint16Array;
  readonly f0: Float64Array;
  readonly f1: Float64Array;
  readonly f2: Float64Array;
  readonly f3: Float64Array;
  readonly f4: Float64Array;
  /** Bar start time per row (bars only; NaN for other kinds in mixed tables). */
  readonly barStart: Float64Array;
  /**
   * Per symbol, a bit mask of the kinds of data the loaded files hold for it (bit 1 << TRADE,
   * 1 << QUOTE, 1 << BAR). Known from the files without a pass over the rows; a time slice keeps
   * it (a symbol's quotes may then lie outside the slice).
   */
  readonly symbolKinds: Uint8Array;
}

export const VALUE_COLUMNS = ['f0', 'f1', 'f2', 'f3', 'f4'] as const;
export const MAX_SYMBOLS = 65_535;

/** More symbols than a table can number (ids are 16-bit): bad input for tickfold, not a bug (exit 2). */
export function tooManySymbols(file: string, symbol: string, where: string): DataError {
  return new DataError('too-many-symbols', {
    file,
    line: 0,
    column: 0,
    value: symbol,
    rule: `more than ${MAX_SYMBOLS.toLocaleString('en-US')} symbols ${where} (the first one over is shown); a table numbers its symbols with 16 bits`,
    hint: 'load fewer symbols at once: split the data by symbol (one folder per group) and run each group, or check the symbol column (--columns symbol=...) is the right one',
  });
}

/** Number of value columns a kind uses. */
export const valueColumnCount = (kind: TickKind): number => VALUE_FIELDS[kind].length;

/** One file's rows as parsed: a single kind, a local symbol dictionary, times as stamped. */
export interface FileTable {
  readonly kind: TickKind;
  readonly length: number;
  readonly symbols: readonly string[];
  /** The stamp of each row (bars: as in the file, usually the bar start). */
  readonly ts: Float64Array;
  readonly sym: Uint16Array;
  /** `valueColumnCount(kind)` columns. */
  readonly cols: readonly Float64Array[];
  /** The file line of each row (bar files as parsed, or any file read with `keepLines`; not kept in the cache): for error messages. */
  readonly lines?: Int32Array;
}

const EMPTY = new Float64Array(0);

/*
 * Column allocation, in ordinary or shared memory: a table bound for worker threads is built in
 * SharedArrayBuffers from the first byte parsed, so handing it over copies nothing.
 */
export const f64 = (n: number, shared = false): Float64Array => (shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n));
export const u16 = (n: number, shared = false): Uint16Array => (shared ? new Uint16Array(new SharedArrayBuffer(n * 2)) : new Uint16Array(n));
export const u8 = (n: number, shared = false): Uint8Array => (shared ? new Uint8Array(new SharedArrayBuffer(n)) : new Uint8Array(n));

/**
 * Growable columns for one file. Writers fill `ts[n]`, `sym[n]`, `cols[c][n]` after
 * {@link ensure}; growth is by 1.5x so that the peak over-allocation stays small.
 */
export class FileTableBuilder {
  ts: Float64Array;
  sym: Uint16Array;
  cols: Float64Array[];
  n = 0;
  readonly symbols: string[] = [];
  /** Line of each row, for bar files (duplicate bars are reported with both lines). */
  lines: Int32Array | undefined;
  private readonly symbolIds = new Map<string, number>();
  constructor(
    readonly kind: TickKind,
    capacity = 1024,
    /** Columns in shared memory (see {@link f64}). */
    readonly shared = false,
    /** Keep the line of every row, whatever the kind (bar files always keep them). */
    keepLines = false,
  ) {
    const cap = Math.max(16, Math.ceil(capacity));
    this.ts = f64(cap, shared);
    this.sym = u16(cap, shared);
    this.cols = Array.from({ length: valueColumnCount(kind) }, () => f64(cap, shared));
    if (kind === BAR || keepLines) this.lines = new Int32Array(cap);
  }

  get capacity(): number {
    return this.ts.length;
  }

  /** Makes room for row index `n` (call before writing it). */
  ensure(n: number): void {
    if (n < this.ts.length) return;
    const cap = Math.ceil(Math.max(n + 1, this.ts.length * 1.5));
    this.ts = grow(this.ts, cap, this.shared);
    const s = u16(cap, this.shared);
    s.set(this.sym);
    this.sym = s;
    this.cols = this.cols.map((c) => grow(c, cap, this.shared));
    if (this.lines) {
      const l = new Int32Array(cap);
      l.set(this.lines);
      this.lines = l;
    }
  }

  /** Id of a symbol, adding it to the dictionary when new. */
  symbolId(name: string): number {
    let id = this.symbolIds.get(name);
    if (id === undefined) {
      id = this.symbols.length;
      if (id >= MAX_SYMBOLS) throw tooManySymbols('(this file)', name, 'in one file');
      this.symbols.push(name);
      this.symbolIds.set(name, id);
    }
    return id;
  }

  finish(): FileTable {
    const n = this.n;
    return {
      kind: this.kind,
      length: n,
      symbols: this.symbols,
      ts: this.ts.subarray(0, n),
      sym: this.sym.subarray(0, n),
      cols: this.cols.map((c) => c.subarray(0, n)),
      ...(this.lines ? { lines: this.lines.subarray(0, n) } : {}),
    };
  }
}

function grow(a: Float64Array, cap: number, shared: boolean): Float64Array {
  const b = f64(cap, shared);
  b.set(a);
  return b;
}

/** True when `ts` never decreases. */
export function isSorted(ts: Float64Array): boolean {
  for (let i = 1; i < ts.length; i++) if (ts[i]! < ts[i - 1]!) return false;
  return true;
}

/** Stable permutation that sorts `ts` ascending (ties keep their order). */
export function stableOrder(ts: Float64Array): Uint32Array {
  const idx = new Uint32Array(ts.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  // TypedArray#sort is not guaranteed stable across engines for comparator sorts; break ties on index
  idx.sort((a, b) => ts[a]! - ts[b]! || a - b);
  return idx;
}

/** Rows of a file table in the given order. */
export function permuteFileTable(t: FileTable, order: Uint32Array): FileTable {
  const take = (a: Float64Array): Float64Array => {
    const out = new Float64Array(order.length);
    for (let i = 0; i < order.length; i++) out[i] = a[order[i]!]!;
    return out;
  };
  const sym = new Uint16Array(order.length);
  for (let i = 0; i < order.length; i++) sym[i] = t.sym[order[i]!]!;
  const lines = t.lines ? Int32Array.from(order, (i) => t.lines![i]!) : undefined;
  return { ...t, length: order.length, ts: take(t.ts), sym, cols: t.cols.map(take), ...(lines ? { lines } : {}) };
}

/** A file's rows ready to merge: visible times computed (bars: close), plus bar starts. */
export interface MergeInput {
  readonly table: FileTable;
  /** Visible time per row (equals table.ts for trades and quotes). */
  readonly visibleTs: Float64Array;
}

/**
 * Merges files into one table in time order; ties go to the earlier input (load.ts gives them in MERGE_KIND_ORDER, then by path), then the earlier row
 * (a stable k-way merge). Each input must already be sorted by `visibleTs`. Symbol ids are
 * re-numbered into one dictionary in order of first appearance across files (file order).
 */
export function mergeTables(inputs: readonly MergeInput[], shared = false): TickTable {
  const symbols: string[] = [];
  const globalId = new Map<string, number>();
  const remap = inputs.map(({ table }) =>
    Uint16Array.from(table.symbols, (s) => {
      let id = globalId.get(s);
      if (id === undefined) {
        id = symbols.length;
        if (id >= MAX_SYMBOLS) throw tooManySymbols(`the ${inputs.length} data files together`, s, 'in all the files together');
        symbols.push(s);
        globalId.set(s, id);
      }
      return id;
    }),
  );
  const symbolKinds = new Uint8Array(symbols.length);
  inputs.forEach(({ table }, f) => {
    for (const g of remap[f]!) symbolKinds[g]! |= 1 << table.kind;
  });
  const total = inputs.reduce((a, x) => a + x.table.length, 0);
  const kinds = new Set(inputs.map((x) => x.table.kind));
  const nCols = maxOf([...kinds].map(valueColumnCount), 0);
  const hasBars = kinds.has(BAR);
  const mixed = kinds.size > 1;

  // single input: reuse its arrays, no copy
  if (inputs.length === 1) {
    const { table, visibleTs } = inputs[0]!;
    const sym = remap[0]!.every((g, l) => g === l) ? table.sym : table.sym.map((s) => remap[0]![s]!);
    const kind = u8(total, shared).fill(table.kind);
    const cols = VALUE_COLUMNS.map((_, c) => table.cols[c] ?? EMPTY);
    return {
      length: total,
      symbols,
      symbolKinds,
      ts: visibleTs,
      kind,
      sym,
      f0: cols[0]!,
      f1: cols[1]!,
      f2: cols[2]!,
      f3: cols[3]!,
      f4: cols[4]!,
      barStart: table.kind === BAR ? table.ts : EMPTY,
    };
  }

  const ts = f64(total, shared);
  const kind = u8(total, shared);
  const sym = u16(total, shared);
  const cols = VALUE_COLUMNS.map((_, c) => (c < nCols ? f64(total, shared) : EMPTY));
  const barStart = hasBars ? f64(total, shared) : EMPTY;
  if (mixed) for (const c of cols) c.fill(NaN);
  if (mixed && hasBars) barStart.fill(NaN);

  // k-way merge; k (number of files) is small, so a linear scan for the minimum beats a heap
  const pos = new Array<number>(inputs.length).fill(0);
  for (let out = 0; out < total; out++) {
    let best = -1;
    let bestTs = Infinity;
    for (let f = 0; f < inputs.length; f++) {
      const p = pos[f]!;
      const inp = inputs[f]!;
      if (p < inp.table.length) {
        const t = inp.visibleTs[p]!;
        if (t < bestTs || best < 0) {
          best = f;
          bestTs = t;
        }
      }
    }
    const inp = inputs[best]!;
    const p = pos[best]!++;
    const tb = inp.table;
    ts[out] = bestTs;
    kind[out] = tb.kind;
    sym[out] = remap[best]![tb.sym[p]!]!;
    for (let c = 0; c < tb.cols.length; c++) cols[c]![out] = tb.cols[c]![p]!;
    if (tb.kind === BAR) barStart[out] = tb.ts[p]!;
  }
  return {
    length: total,
    symbols,
    symbolKinds,
    ts,
    kind,
    sym,
    f0: cols[0]!,
    f1: cols[1]!,
    f2: cols[2]!,
    f3: cols[3]!,
    f4: cols[4]!,
    barStart,
  };
}

/** First row with ts >= t (binary search; `length` when none). */
export function lowerBound(ts: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows [from, to) by index, as views (no copy). */
export function sliceRows(t: TickTable, from: number, to: number): TickTable {
  const v = (a: Float64Array): Float64Array => (a.length === 0 ? a : a.subarray(from, to));
  return {
    length: Math.max(0, to - from),
    symbols: t.symbols,
    symbolKinds: t.symbolKinds,
    ts: t.ts.subarray(from, to),
    kind: t.kind.subarray(from, to),
    sym: t.sym.subarray(from, to),
    f0: v(t.f0),
    f1: v(t.f1),
    f2: v(t.f2),
    f3: v(t.f3),
    f4: v(t.f4),
    barStart: v(t.barStart),
  };
}

/** A row's time as the data names it: a bar by its start, a tick by its time. */
export function rowTime(t: TickTable, i: number): number {
  return t.barStart.length > 0 && t.kind[i] === BAR ? t.barStart[i]! : t.ts[i]!;
}

/**
 * The rows of a time window [fromUs, toUs), as views. A tick belongs to it by its time, a bar by
 * its START: `--from 2010-01-01 --to 2011-01-01` on daily bars is the bars of 2010 (the
 * 2009-12-31 bar is released at 2010-01-01 00:00, but it is a 2009 bar). The window is the
 * contiguous run of rows from the first that belongs to it to the last that does.
 */
export function sliceTime(t: TickTable, fromUs: number, toUs: number): TickTable {
  let lo = lowerBound(t.ts, fromUs);
  let hi = lowerBound(t.ts, toUs);
  if (t.barStart.length > 0) {
    // bars are released after their start: move both ends past bars that started before them
    while (lo < t.length && rowTime(t, lo) < fromUs) lo++;
    while (hi < t.length && rowTime(t, hi) < toUs) hi++;
    while (hi > lo && rowTime(t, hi - 1) >= toUs) hi--;
  }
  return sliceRows(t, lo, hi);
}

/** A row's mark: the quote's mid, the bar's close, or the trade's price. */
export function markAt(t: TickTable, row: number): number {
  const kind = t.kind[row]!;
  return kind === QUOTE ? (t.f0[row]! + t.f1[row]!) / 2 : kind === BAR ? t.f3[row]! : t.f0[row]!;
}

/** A table of no rows with the data's symbols (a runner's table when each task streams its own rows from the catalog). */
export function emptyTable(symbols: readonly string[]): TickTable {
  const f = new Float64Array(0);
  return { length: 0, symbols, symbolKinds: new Uint8Array(symbols.length), ts: f, kind: new Uint8Array(0), sym: new Uint16Array(0), f0: f, f1: f, f2: f, f3: f, f4: f, barStart: f };
}
