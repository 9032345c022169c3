/**
 * The rows of a run's window as a stream of blocks: the catalog's merge (merge-stream.ts) cut to
 * the rows `sliceTime(table, fromUs, toUs)` keeps of the in-memory table, written into a block of
 * bounded size that the caller reuses (the engine's streamed replay, engine/stream-replay.ts, and
 * the passes that measure the data for the report, engine/stream-facts.ts).
 *
 * The window's rule (data/table.ts sliceTime): the rows from the first whose time and start are
 * both at or after `fromUs`, up to the first whose time and start are both at or after `toUs`.
 * Ticks have one time, so the end is the first tick at or after `toUs`. Bars with a finite end
 * would also drop trailing bars started after `toUs` but released before a later bar that started
 * before it (sliceTime's last step back): {@link streamable} leaves that case to the in-memory path.
 *
 * What crosses to a worker thread is the {@link StreamPlan} (plain data: the files' indexes, the
 * catalog folder, the window); each thread opens its own stream from it.
 */
import { BAR } from '../schema.js';
import type { TickTable } from '../table.js';
import { allocMerged, MergeStream, selectParts, type StreamSource, type StreamWindow } from './merge-stream.js';
import { partitionPath } from './entry.js';
import { partitionRef } from './partition.js';
import { sequenceRef } from './sequence.js';
import { LOCAL_READER, type CatalogFileRef, type CatalogReader } from './checked-read.js';

/** What a streamed pass reads: the files' catalog entries in merge order and the window. */
export interface StreamPlan {
  readonly sources: readonly StreamSource[];
  /** The run's window [fromUs, toUs) (sliceTime's rule). */
  readonly window: StreamWindow;
  /** The partitions read: the window widened by the longest bar (rows released after it may still belong to it). */
  readonly merge: StreamWindow;
}

/**
 * Every file a stream of the plan may read (the partitions its merge window selects, every chunk
 * of the sequences): what a reader thread serves a task that streams it (runtime/catalog-server.ts).
 */
export function planFiles(plan: Pick<StreamPlan, 'sources' | 'merge'>): CatalogFileRef[] {
  const out: CatalogFileRef[] = [];
  for (const src of plan.sources) {
    src.entry.partitions.forEach((parts, s) => {
      for (const p of selectParts(parts, plan.merge, src.bars?.lengthsUs[s] ?? 0, src.bars?.stamp).sel) out.push(partitionRef(partitionPath(src.dir, p), p));
    });
    for (const c of src.entry.sequence ?? []) out.push(sequenceRef(partitionPath(src.dir, c), c));
  }
  return out;
}

/** Bytes a reader thread may hold read ahead for one stream, at most (runtime/catalog-server.ts). */
export const READ_AHEAD_MAX_BYTES = 64 * 2 ** 20;

/**
 * What a stream of the plan holds of the catalog: one partition per stream of its merge (the
 * largest) and one chunk of each file's sequence; and what its reader thread may hold read
 * ahead: as much again (the next partition of every stream, which the merge's streams need at
 * about the same time), at most {@link READ_AHEAD_MAX_BYTES}.
 */
export function catalogHeld(plan: Pick<StreamPlan, 'sources'>): { streams: number; partBytes: number; held: number; ahead: number } {
  let streams = 0;
  let partBytes = 0;
  let seqBytes = 0;
  for (const s of plan.sources) {
    for (const parts of s.entry.partitions) {
      if (parts.length > 0) streams++;
      for (const p of parts) partBytes = Math.max(partBytes, p.bytes);
    }
    let chunk = 0;
    for (const c of s.entry.sequence ?? []) chunk = Math.max(chunk, c.bytes);
    seqBytes += chunk;
  }
  const held = streams * partBytes + seqBytes;
  return { streams, partBytes, held, ahead: Math.min(READ_AHEAD_MAX_BYTES, held) };
}

/** Whether the window can be cut while streaming (see the file's comment). */
export function streamable(plan: Pick<StreamPlan, 'sources' | 'window'>): boolean {
  return !(plan.window.toUs < Infinity && plan.sources.some((s) => s.entry.kind === BAR));
}

/** A block's columns that {@link WindowStream.fill} writes (all but the dictionary). */
const COLUMNS = ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3', 'f4', 'barStart'] as const;

/** The window's rows, block by block. */
export class WindowStream {
  private readonly merge: MergeStream;
  private readonly fromUs: number;
  private readonly toUs: number;
  /** The window's first row has been met; the end has been met. */
  private started = false;
  private ended = false;

  /** `reader`: who reads the catalog's files (checked-read.ts; this thread by default). */
  constructor(plan: StreamPlan, reader: CatalogReader = LOCAL_READER) {
    if (!streamable(plan)) throw new Error('a window with an end over bar files is not streamed (see window-stream.ts)');
    this.merge = new MergeStream(plan.sources, plan.merge, true, reader);
    this.fromUs = plan.window.fromUs;
    this.toUs = plan.window.toUs;
  }

  get symbols(): readonly string[] {
    return this.merge.symbols;
  }

  /** A block of `rows` rows for {@link fill} (the columns the merged table of these files has). */
  block(rows: number, shared = false): TickTable {
    return allocMerged(this.merge, rows, shared);
  }

  /** Whether the files hold more than one kind (the columns a kind lacks are NaN). */
  get mixed(): boolean {
    return this.merge.mixed;
  }

  /**
   * Writes up to `max` next rows of the window into `out` from row `at`; returns how many. Fewer
   * than `max` only at the end of the window.
   */
  fill(out: TickTable, at: number, max: number): number {
    let got = 0;
    while (got < max && !this.ended) {
      const o = at + got;
      if (this.merge.mixed) clearRows(out, o, at + max);
      let n = this.merge.fill(out, o, max - got);
      if (n === 0) {
        this.ended = true;
        break;
      }
      if (!this.started) {
        // the first row whose time and start are both in the window
        let j = 0;
        while (j < n && !(out.ts[o + j]! >= this.fromUs && startOf(out, o + j) >= this.fromUs)) j++;
        if (j === n) continue;
        this.started = true;
        if (j > 0) {
          moveRows(out, o + j, o + n, o);
          n -= j;
        }
      }
      if (this.toUs < Infinity) {
        // ticks: the first at or after the end ends the window
        let j = 0;
        while (j < n && out.ts[o + j]! < this.toUs) j++;
        if (j < n) {
          this.ended = true;
          n = j;
        }
      }
      got += n;
    }
    return got;
  }
}

/** A row's start (bars) or time. */
const startOf = (t: TickTable, i: number): number => (t.kind[i] === BAR && t.barStart.length > 0 ? t.barStart[i]! : t.ts[i]!);

/** Rows [from, to) of every column moved to `dest` (dest <= from). */
export function moveRows(t: TickTable, from: number, to: number, dest: number): void {
  for (const c of COLUMNS) {
    const a = t[c];
    if (a.length > 0) a.copyWithin(dest, from, to);
  }
}

/** Row `from` of every column copied to row `dest`. */
export function copyRow(t: TickTable, from: number, dest: number): void {
  for (const c of COLUMNS) {
    const a = t[c];
    if (a.length > 0) a[dest] = a[from]!;
  }
}

/** Files of several kinds: the value columns and starts of rows [from, to) back to NaN, as a fresh merged table has them. */
function clearRows(t: TickTable, from: number, to: number): void {
  for (const c of ['f0', 'f1', 'f2', 'f3', 'f4', 'barStart'] as const) {
    const a = t[c];
    if (a.length > 0) a.fill(NaN, from, to);
  }
}
