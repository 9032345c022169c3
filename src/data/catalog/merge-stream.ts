/**
 * The streaming merge: the rows of many catalog partitions in the table's order, decoding one
 * partition per (file, symbol) at a time and dropping it once passed.
 *
 * The order is the in-memory table's (data/table.ts mergeTables over the files in load.ts's
 * MERGE_KIND_ORDER, each stable-sorted by visible time): by visible time (a tick's stamp, a bar's
 * close), ties to the earlier file in merge order, then to the earlier row of that file. A file's
 * symbols are separate partitions, so ties between them are broken by the row index each
 * partition keeps. Symbols are numbered as mergeTables numbers them: file by file in merge order,
 * each file's dictionary in its order.
 *
 * Within a tick file that has a symbol sequence (catalog/sequence.ts: its rows are in time order,
 * so its merged order is its row order), the merge compares nothing: row r is the next row of the
 * cursor of symbol `sequence[r]`. Rows the cursors do not hold (outside the partitions a window
 * selected) are passed over. Only the files are then merged by key, in a loser tree whose leaves
 * are those files and, for bar files and files without a sequence, one cursor per (file, symbol)
 * as before: a catalog of quotes and trades is a tree of two leaves, one comparison a row, where
 * a tree of its 100 cursors took about 7.
 *
 * A bar's close is its start plus its symbol's length, or the symbol's next start when that
 * comes first (data/bars.ts): the next start of a partition's last row is the next partition's
 * first, known from the index without reading it. Bar files are merged by their cursors' keys:
 * their rows are visible at their close, which is not their row order.
 *
 * Memory: one decoded partition per stream (at most `partitionRows` rows each), one chunk of each
 * file's sequence, plus what the caller writes into; the partitions outside the window are never read.
 */
import { BAR, type TickKind } from '../schema.js';
import { f64, u16, u8, VALUE_COLUMNS, valueColumnCount, MAX_SYMBOLS, tooManySymbols, type TickTable } from '../table.js';
import type { BarStamp } from '../bars.js';
import { maxOf } from '../../arrays.js';
import { partitionPath, type CatalogEntry } from './entry.js';
import { lowerBound } from '../table.js';
import { partitionRef, readPartition, NO_ROWS, PartitionDamaged, type PartitionInfo, type PartitionRows } from './partition.js';
import { chunkOf, readSequenceChunk, sequenceRef } from './sequence.js';
import { LOCAL_READER, type CatalogFileRef, type CatalogReader } from './checked-read.js';

/** One file's entry, in merge order, and how its bars are timed (bar files only). */
export interface StreamSource {
  readonly dir: string;
  readonly entry: CatalogEntry;
  /** Bar files: the stamp convention and the length of each symbol's bars (µs, as load.ts settled them). */
  readonly bars?: { readonly stamp: BarStamp; readonly lengthsUs: readonly number[] };
  /**
   * Per symbol of the file, whether it is in the data (`--symbols`, data/symbol-selection.ts);
   * absent: all. A symbol left out has no partitions in `entry` (catalog/select-symbols.ts) and no
   * id in the merged dictionary.
   */
  readonly selected?: readonly boolean[];
}

/**
 * Rows wanted, by visible time: every row in [fromUs, toUs) is in the stream (whole partitions
 * are read, so some rows outside it are too). Default: all.
 */
export interface StreamWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

const EMPTY = new Float64Array(0);

/** One (file, symbol)'s partitions in the window, read one at a time. */
class Cursor {
  rows: PartitionRows = NO_ROWS;
  /** Visible time and start (bars) of the current partition's rows. */
  vis: Float64Array = EMPTY;
  start: Float64Array = EMPTY;
  /**
   * The current partition's value columns (EMPTY past its kind's count) and row indexes, held
   * here so that the merge's row copy reads them with one load less than through `rows`.
   */
  c0: Float64Array = EMPTY;
  c1: Float64Array = EMPTY;
  c2: Float64Array = EMPTY;
  c3: Float64Array = EMPTY;
  c4: Float64Array = EMPTY;
  row: Uint32Array = NO_ROWS.row;
  i = 0;
  /** The current partition's rows end here (a trimmed stream: before the window's end). */
  end = 0;
  private next = 0;
  constructor(
    private readonly src: StreamSource,
    /** The partitions selected and, after the last, the first one not selected (for its start), or undefined. */
    private readonly parts: readonly PartitionInfo[],
    private readonly after: PartitionInfo | undefined,
    readonly rank: number,
    readonly gsym: number,
    readonly kind: TickKind,
    private readonly lengthUs: number,
    /** Leave out the rows visible outside this window (a window's stream), or undefined: every row. */
    private readonly trim: StreamWindow | undefined,
    private readonly reader: CatalogReader,
  ) {}

  /** Moves to the next partition with rows; false when none is left. */
  load(): boolean {
    while (this.next < this.parts.length) {
      const info = this.parts[this.next++]!;
      const e = this.src.entry;
      // the previous partition is passed (its rows copied out): its buffer takes the next one
      const prev = this.rows.ts.buffer;
      this.rows = readPartition(partitionPath(this.src.dir, info), info, e.kind, e.nCols, false, prev.byteLength > 0 ? prev : undefined, this.reader);
      this.i = 0;
      this.end = this.rows.rows;
      this.columns();
      this.timeBars(this.next < this.parts.length ? this.parts[this.next]!.firstTs : this.after ? this.after.firstTs : Infinity);
      const t = this.trim;
      if (t) {
        // rows visible before the window's start or at or after its end never reach it (see MergeStream)
        if (t.fromUs > -Infinity) this.i = lowerBound(this.vis, t.fromUs);
        if (t.toUs < Infinity) this.end = lowerBound(this.vis, t.toUs);
      }
      if (this.i < this.end) return true;
    }
    this.rows = NO_ROWS;
    this.columns();
    this.vis = EMPTY;
    this.start = EMPTY;
    this.i = 0;
    this.end = 0;
    return false;
  }

  /** The fields that hold the current partition's columns, from `rows`. */
  private columns(): void {
    const cols = this.rows.cols;
    this.c0 = cols[0] ?? EMPTY;
    this.c1 = cols[1] ?? EMPTY;
    this.c2 = cols[2] ?? EMPTY;
    this.c3 = cols[3] ?? EMPTY;
    this.c4 = cols[4] ?? EMPTY;
    this.row = this.rows.row;
  }

  /** Visible times of the partition's rows (bars: their close, as data/bars.ts times them). */
  private timeBars(nextStart: number): void {
    const { ts, rows: n } = this.rows;
    const bars = this.src.bars;
    if (this.kind !== BAR || !bars) {
      this.vis = ts;
      this.start = EMPTY;
      return;
    }
    const len = this.lengthUs;
    const vis = new Float64Array(n);
    if (bars.stamp === 'end') {
      const start = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        vis[i] = ts[i]!;
        start[i] = ts[i]! - len;
      }
      this.vis = vis;
      this.start = start;
      return;
    }
    for (let i = 0; i < n; i++) {
      const s = ts[i]!;
      const nx = i + 1 < n ? ts[i + 1]! : nextStart;
      vis[i] = Math.min(s + len, nx > s ? nx : Infinity);
    }
    this.vis = vis;
    this.start = ts;
  }
}

/**
 * A tick file with a symbol sequence, as one leaf of the merge: its cursors (by its own symbol
 * ids) and where it is in its sequence. `cur` holds the file's next row, at row index `r`.
 */
class FileSeq {
  seq: Uint16Array = new Uint16Array(0);
  /** Row index of `seq[0]`. */
  base = 0;
  r = -1;
  private chunk = -1;
  /** Cursors that still have rows. */
  live = 0;
  cur: Cursor;
  readonly rankBase: number;
  /** The file's kind and number of value columns (every partition's). */
  readonly kind: TickKind;
  readonly nc: number;
  constructor(
    private readonly src: StreamSource,
    /** Per symbol id of the file, its cursor (a dry one when the window selects none of its partitions). */
    readonly bySym: readonly Cursor[],
    rank: number,
    private readonly reader: CatalogReader,
  ) {
    this.rankBase = rank * 4294967296;
    this.kind = src.entry.kind;
    this.nc = src.entry.nCols;
    let r0 = Infinity;
    for (const c of bySym) {
      if (c.i < c.end) {
        this.live++;
        const r = c.row[c.i]!;
        if (r < r0) r0 = r;
      }
    }
    this.cur = bySym.find((c) => c.i < c.end && c.row[c.i] === r0) ?? bySym[0]!;
    if (this.live > 0) {
      // entered at the first row a cursor holds (a window: found in its partitions by binary search)
      this.chunk = chunkOf(src.entry.sequence!, r0) - 1;
      if (this.chunk < -1) throw new PartitionDamaged(`the symbol sequence of ${src.entry.key.path} has no row ${r0}`);
      this.nextChunk();
      this.r = r0;
    }
  }

  /** The next chunk of the sequence read (its previous buffer reused); damaged when there is none. */
  nextChunk(): void {
    const all = this.src.entry.sequence!;
    const info = all[++this.chunk];
    if (!info) throw new PartitionDamaged(`the symbol sequence of ${this.src.entry.key.path} ends at row ${this.base + this.seq.length}, before its partitions`);
    const prev = this.seq.buffer;
    this.seq = readSequenceChunk(partitionPath(this.src.dir, info), info, prev.byteLength > 0 ? prev : undefined, this.reader);
    this.base = info.firstRow;
  }
}

/**
 * Above this share of a file's rows (`--symbols`), its symbol sequence is walked; below it, the
 * file's kept symbols' cursors are merged by key instead, as a bar file's are.
 */
const SEQUENCE_SHARE = 1 / 4;

/**
 * Whether `--symbols` keeps so few of a sequenced file's rows that merging its kept symbols'
 * cursors by key beats walking its sequence. The sequence costs a step per row of the file, kept
 * or not (a 10^9-event catalog with 2 of 50 symbols kept walked 1.15G rows to give 46M); the
 * cursors cost a match per level of the loser tree per kept row, about 7 a row with 100 cursors
 * (a whole catalog). Measured on a generated 10^7-event catalog of 50 symbols (the merge alone,
 * bench/replay.ts --symbols, user CPU, best of 3): 2 symbols kept (4% of the rows) 0.04 s by key
 * against 0.08-0.14 s by the sequence, 6 (12%) 0.15 against 0.18, 12 (24%) 0.27 against 0.28,
 * 25 (50%) 0.64 against 0.53: the two meet at about a quarter. The order is the same
 * either way: a sequenced file's stamps never go down (checked when the sequence is written), so
 * its row order is the merge's order (visible time, file rank, row).
 */
export function sparseSelection(src: StreamSource): boolean {
  if (src.selected === undefined) return false;
  let kept = 0;
  for (const parts of src.entry.partitions) for (const p of parts) kept += p.rows;
  return kept < SEQUENCE_SHARE * src.entry.length;
}

/** A cursor with no rows (a symbol of a sequenced file whose partitions the window leaves out). */
function dryCursor(src: StreamSource, rank: number, gsym: number): Cursor {
  return new Cursor(src, [], undefined, rank, gsym, src.entry.kind, 0, undefined, LOCAL_READER);
}

/** The partitions of a symbol whose rows may be visible in the window (a contiguous run), and the one after them. */
export function selectParts(parts: readonly PartitionInfo[], w: StreamWindow, lengthUs: number, stamp: BarStamp | undefined): { sel: PartitionInfo[]; after: PartitionInfo | undefined } {
  // visible time of a partition's rows: within [firstTs, lastTs + length] (bars stamped at the
  // start close at most one length later; ticks and end-stamped bars are visible at their stamp)
  const late = stamp === 'start' ? lengthUs : 0;
  let a = 0;
  while (a < parts.length && parts[a]!.lastTs + late < w.fromUs) a++;
  let b = a;
  while (b < parts.length && parts[b]!.firstTs < w.toUs) b++;
  return { sel: parts.slice(a, b), after: parts[b] };
}

/**
 * The merged dictionary (mergeTables' numbering: file by file in merge order, each file's
 * dictionary in its order, the symbols a source leaves out skipped), the kinds per symbol, and
 * each file's ids in it (-1: left out): from the indexes alone.
 */
export function mergedDictionary(sources: readonly StreamSource[]): { symbols: string[]; symbolKinds: Uint8Array; remap: number[][] } {
  const symbols: string[] = [];
  const ids = new Map<string, number>();
  const remap = sources.map(({ entry, selected }) =>
    entry.symbols.map((s, local) => {
      if (selected !== undefined && !selected[local]) return -1;
      let id = ids.get(s);
      if (id === undefined) {
        id = symbols.length;
        if (id >= MAX_SYMBOLS) throw tooManySymbols(`the ${sources.length} data files together`, s, 'in all the files together');
        symbols.push(s);
        ids.set(s, id);
      }
      return id;
    }),
  );
  const symbolKinds = new Uint8Array(symbols.length);
  sources.forEach(({ entry }, f) => {
    for (const g of remap[f]!) if (g >= 0) symbolKinds[g]! |= 1 << entry.kind;
  });
  return { symbols, symbolKinds, remap };
}

/**
 * The files a merge of the window will read, in about the order it reads them (a hint for a
 * reader that reads ahead, checked-read.ts): a cursor's first partition at the start, each next
 * one when the merge passes its previous one's last stamp; a sequence's chunk when the merge
 * reaches its first row, its time guessed from the file's span (the index keeps no stamp per
 * row). A guess only: a reader serves a file asked for out of this order all the same.
 */
export function readOrder(sources: readonly StreamSource[], window: StreamWindow): CatalogFileRef[] {
  const items: { at: number; k: number; ref: CatalogFileRef }[] = [];
  for (const src of sources) {
    // the selected partitions' span, and the file's (to guess a row's time from its index)
    let t0 = Infinity;
    let t1 = -Infinity;
    let f0 = Infinity;
    let f1 = -Infinity;
    src.entry.partitions.forEach((parts, s) => {
      for (const p of parts) {
        if (p.firstTs < f0) f0 = p.firstTs;
        if (p.lastTs > f1) f1 = p.lastTs;
      }
      const { sel } = selectParts(parts, window, src.bars?.lengthsUs[s] ?? 0, src.bars?.stamp);
      sel.forEach((p, i) => {
        items.push({ at: i === 0 ? -Infinity : sel[i - 1]!.lastTs, k: items.length, ref: partitionRef(partitionPath(src.dir, p), p) });
        if (p.firstTs < t0) t0 = p.firstTs;
        if (p.lastTs > t1) t1 = p.lastTs;
      });
    });
    const seq = src.entry.sequence;
    if (seq && src.entry.kind !== BAR && !sparseSelection(src) && t0 <= t1) {
      const n = Math.max(1, src.entry.length);
      const timeOf = (row: number): number => f0 + ((f1 - f0) * row) / n;
      for (const c of seq) {
        // (a chunk guessed to lie wholly outside the selected span is left to be asked for)
        if (timeOf(c.firstRow + c.rows) < t0 || timeOf(c.firstRow) > t1) continue;
        items.push({ at: timeOf(c.firstRow), k: items.length, ref: sequenceRef(partitionPath(src.dir, c), c) });
      }
    }
  }
  items.sort((a, b) => a.at - b.at || a.k - b.k);
  return items.map((x) => x.ref);
}

/** The merge of the sources' partitions in the window: rows come out by {@link MergeStream.fill}. */
export class MergeStream {
  /** The merged dictionary and, per symbol, the kinds the files hold for it (as mergeTables). */
  readonly symbols: string[];
  readonly symbolKinds: Uint8Array;
  /** Rows the stream will give (the selected partitions' rows). */
  readonly total: number;
  readonly nCols: number;
  readonly hasBars: boolean;
  readonly mixed: boolean;
  /**
   * The leaves of a loser tree on (visible time, file rank, row): a sequenced file (`seqs[k]`) or
   * a cursor (`cursors[k]`, `seqs[k]` null). `tree[0]` is the leaf whose row comes next, `tree[n]`
   * the loser of the match at node n; leaves past the last and leaves run dry have the key
   * +Infinity. A row costs one match per level (log2 of the leaves), on keys held in typed arrays,
   * and no allocation.
   */
  private readonly cursors: Cursor[];
  private readonly seqs: (FileSeq | null)[];
  private readonly leaves: number;
  private readonly tree: Int32Array;
  /** Per leaf, its current row's visible time, and its file rank × 2^32 + row index (the ties). */
  private readonly keyT: Float64Array;
  private readonly keyR: Float64Array;

  /**
   * `trim`: the stream of a window (window-stream.ts), which keeps no row visible before
   * `window.fromUs` (every such row comes before its first row, in visible-time order) nor at or
   * after `window.toUs` (ticks: the window ends at the first; bar windows with an end are not
   * streamed): those rows of the partitions read are skipped, not merged ({@link total} still
   * counts the partitions' rows). Without it, every row of the partitions read comes out.
   */
  constructor(sources: readonly StreamSource[], window: StreamWindow = { fromUs: -Infinity, toUs: Infinity }, trim = false, reader: CatalogReader = LOCAL_READER) {
    const d = mergedDictionary(sources);
    this.symbols = d.symbols;
    this.symbolKinds = d.symbolKinds;
    const remap = d.remap;
    const kinds = new Set(sources.map((s) => s.entry.kind));
    this.nCols = maxOf([...kinds].map(valueColumnCount), 0);
    this.hasBars = kinds.has(BAR);
    this.mixed = kinds.size > 1;
    let total = 0;
    const cursors: Cursor[] = [];
    const seqs: (FileSeq | null)[] = [];
    if (reader.ahead) reader.ahead(readOrder(sources, window));
    sources.forEach((src, f) => {
      const sequenced = src.entry.sequence !== undefined && src.entry.kind !== BAR && !sparseSelection(src);
      const bySym: Cursor[] = [];
      src.entry.partitions.forEach((parts, s) => {
        const len = src.bars?.lengthsUs[s] ?? 0;
        const { sel, after } = selectParts(parts, window, len, src.bars?.stamp);
        for (const p of sel) total += p.rows;
        const c = new Cursor(src, sel, after, f, remap[f]![s]!, src.entry.kind, len, trim ? window : undefined, reader);
        const has = c.load();
        if (sequenced) bySym.push(has ? c : dryCursor(src, f, remap[f]![s]!));
        else if (has) {
          cursors.push(c);
          seqs.push(null);
        }
      });
      if (sequenced) {
        const q = new FileSeq(src, bySym, f, reader);
        if (q.live > 0) {
          cursors.push(q.cur);
          seqs.push(q);
        }
      }
    });
    this.total = total;
    this.cursors = cursors;
    this.seqs = seqs;
    let leaves = 1;
    while (leaves < cursors.length) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Int32Array(leaves);
    this.keyT = new Float64Array(leaves).fill(Infinity);
    this.keyR = new Float64Array(leaves).fill(Infinity);
    // (a sequenced leaf's cursor holds its first row: its keys are that row's)
    for (let k = 0; k < cursors.length; k++) this.key(k);
    // the first matches, bottom up: each node keeps its loser, the winner goes on
    const win = new Int32Array(2 * leaves);
    for (let k = 0; k < leaves; k++) win[leaves + k] = k;
    for (let n = leaves - 1; n >= 1; n--) {
      const a = win[2 * n]!;
      const b = win[2 * n + 1]!;
      const bFirst = this.less(b, a);
      win[n] = bFirst ? b : a;
      this.tree[n] = bFirst ? a : b;
    }
    this.tree[0] = leaves > 1 ? win[1]! : 0;
  }

  /** Leaf k's keys from its cursor's current row (+Infinity when it has none). */
  private key(k: number): void {
    const c = this.cursors[k]!;
    if (c.i < c.end) {
      this.keyT[k] = c.vis[c.i]!;
      this.keyR[k] = c.rank * 4294967296 + c.row[c.i]!;
    } else {
      this.keyT[k] = Infinity;
      this.keyR[k] = Infinity;
    }
  }

  /** Whether leaf a's row comes before leaf b's. */
  private less(a: number, b: number): boolean {
    const ta = this.keyT[a]!;
    const tb = this.keyT[b]!;
    return ta < tb || (ta === tb && this.keyR[a]! < this.keyR[b]!);
  }

  /**
   * Writes up to `max` next rows into `out` from row `at` (columns as the merged table's: see
   * {@link allocMerged}); returns how many.
   *
   * Written by hand, column by column, on the typed arrays: this loop is the replay's cost (every
   * row of the data passes here once), and a generic row object or a comparator call per row
   * would allocate or not inline.
   */
  fill(out: TickTable, at: number, max: number): number {
    const { tree, keyT, keyR, seqs, leaves } = this;
    let o = at;
    const end = at + max;
    while (o < end) {
      const w = tree[0]!;
      if (keyR[w] === Infinity) break; // every leaf dry
      const q = seqs[w] as FileSeq | null;
      if (q !== null) {
        // a sequenced file: its rows go out in row order, no comparison, while they come before
        // the best of the other leaves (the least of the losers on its path; their keys do not
        // change meanwhile)
        let limT = Infinity;
        let limR = Infinity;
        for (let n = (w + leaves) >> 1; n >= 1; n >>= 1) {
          const l = tree[n]!;
          const t = keyT[l]!;
          if (t < limT || (t === limT && keyR[l]! < limR)) {
            limT = t;
            limR = keyR[l]!;
          }
        }
        o = this.seqRun(q, w, out, o, end, limT, limR);
      } else {
        o = this.emit(w, out, o);
      }
      if (leaves === 1) continue;
      // the winner's path to the root, match by match
      let win = w;
      for (let n = (w + leaves) >> 1; n >= 1; n >>= 1) {
        const l = tree[n]!;
        const tl = keyT[l]!;
        const tw = keyT[win]!;
        if (tl < tw || (tl === tw && keyR[l]! < keyR[win]!)) {
          tree[n] = win;
          win = l;
        }
      }
      tree[0] = win;
    }
    return o - at;
  }

  /**
   * Sequenced leaf w's rows into `out` from row `o`, up to `end` or its first row that does not
   * come before (limT, limR); returns the next free row. Its keys are left on that row.
   */
  private seqRun(q: FileSeq, w: number, out: TickTable, o: number, end: number, limT: number, limR: number): number {
    const { ts, kind, sym, f0, f1, f2, f3, f4 } = out;
    const bySym = q.bySym;
    const rankBase = q.rankBase;
    // a file's partitions all have its kind and its number of value columns
    const nc = q.nc;
    const k = q.kind;
    let c = q.cur;
    let r = q.r;
    let seq = q.seq;
    let j = r - q.base;
    for (;;) {
      let i = c.i;
      ts[o] = c.vis[i]!;
      kind[o] = k;
      sym[o] = c.gsym;
      if (nc > 0) f0[o] = c.c0[i]!;
      if (nc > 1) f1[o] = c.c1[i]!;
      if (nc > 2) f2[o] = c.c2[i]!;
      if (nc > 3) f3[o] = c.c3[i]!;
      if (nc > 4) f4[o] = c.c4[i]!;
      o++;
      c.i = ++i;
      if (i >= c.end && !c.load() && --q.live === 0) {
        this.keyT[w] = Infinity;
        this.keyR[w] = Infinity;
        return o;
      }
      // the next row a cursor holds (a window's cursors may not hold every row)
      for (;;) {
        r++;
        j++;
        if (j >= seq.length) {
          q.nextChunk();
          seq = q.seq;
          j = r - q.base;
        }
        const d = bySym[seq[j]!];
        if (d !== undefined && d.i < d.end && d.row[d.i] === r) {
          c = d;
          break;
        }
      }
      const t = c.vis[c.i]!;
      if (o >= end || !(t < limT || (t === limT && rankBase + r < limR))) {
        q.cur = c;
        q.r = r;
        this.cursors[w] = c;
        this.keyT[w] = t;
        this.keyR[w] = rankBase + r;
        return o;
      }
    }
  }

  /**
   * Cursor leaf w's row into `out` at row `o`, its cursor moved on and its keys set; returns o + 1.
   * (Its row copy is the one of {@link seqRun}, written out in both: a shared copyRow() measured
   * 1.00-1.04 → 1.25-1.27 s of user CPU for merge + engine over 11.5M rows, 10^7 events.)
   */
  private emit(w: number, out: TickTable, o: number): number {
    const { ts, kind, sym, barStart, f0, f1, f2, f3, f4 } = out;
    const c = this.cursors[w]!;
    let i = c.i;
    const nc = c.rows.cols.length;
    ts[o] = c.vis[i]!;
    kind[o] = c.kind;
    sym[o] = c.gsym;
    if (nc > 0) f0[o] = c.c0[i]!;
    if (nc > 1) f1[o] = c.c1[i]!;
    if (nc > 2) f2[o] = c.c2[i]!;
    if (nc > 3) f3[o] = c.c3[i]!;
    if (nc > 4) f4[o] = c.c4[i]!;
    if (c.kind === BAR) barStart[o] = c.start[i]!;
    c.i = ++i;
    if (i < c.end) {
      this.keyT[w] = c.vis[i]!;
      this.keyR[w] = c.rank * 4294967296 + c.row[i]!;
    } else {
      c.load();
      this.key(w);
    }
    return o + 1;
  }
}

/** An empty merged table of `n` rows with the columns mergeTables gives such inputs (mixed kinds: NaN where a kind has no value). */
export function allocMerged(s: MergeStream, n: number, shared = false): TickTable {
  const cols = VALUE_COLUMNS.map((_, c) => (c < s.nCols ? f64(n, shared) : EMPTY));
  const barStart = s.hasBars ? f64(n, shared) : EMPTY;
  if (s.mixed) for (const c of cols) c.fill(NaN);
  if (s.mixed && s.hasBars) barStart.fill(NaN);
  return { length: n, symbols: s.symbols, symbolKinds: s.symbolKinds, ts: f64(n, shared), kind: u8(n, shared), sym: u16(n, shared), f0: cols[0]!, f1: cols[1]!, f2: cols[2]!, f3: cols[3]!, f4: cols[4]!, barStart };
}

/** The whole stream as one table (the in-memory table of the window's partitions). */
export function mergeToTable(sources: readonly StreamSource[], window?: StreamWindow, shared = false): TickTable {
  const s = new MergeStream(sources, window);
  const t = allocMerged(s, s.total, shared);
  const got = s.fill(t, 0, s.total);
  if (got !== s.total) throw new Error(`merge stream gave ${got} rows of ${s.total}`);
  return t;
}
