/**
 * What a streamed run's report needs from the data, measured without a table held whole and
 * without passes of their own over the rows (jobs/stream-run.ts):
 *
 * - Before the replay ({@link factsBefore}): the first and last time (the sampling period) and,
 *   for bar data, each symbol's span of bars and the last session (universe/data-spans.ts, the
 *   membership the engine settles). Tick data: from the partitions' index (each partition's first
 *   and last time), reading only a partition that straddles `--from` or `--to` (one per symbol
 *   and file at most); ticks are in time order, so the window is the rows with
 *   `fromUs <= ts < toUs`. Bar data: a pass over the rows ({@link scanBefore}): a bar's visible
 *   time depends on the next start, and its span on the bars the window keeps.
 * - During the replay ({@link ReplayFacts}, on the replay's thread, over each block's new rows
 *   as the stream fills it): each symbol's first time (metrics/span.ts), the calendar
 *   (metrics/calendar.ts, in one pass), the periods with events a year, and the marks the
 *   tearsheet's buy-and-hold curves are made of (metrics/buy-and-hold-marks.ts).
 * - After it, only when the marks kept cannot give a curve (a record cut to a later start, or
 *   more periods than the marks may hold): {@link scanCurves}, a pass over the rows.
 * Each is the table function's own arithmetic over the same rows in the same order, so the
 * figures are the in-memory run's (tests/data/catalog-stream.test.ts compares the reports' bytes).
 */
import { BAR } from '../data/schema.js';
import { lowerBound, rowTime, type TickTable } from '../data/table.js';
import { partitionPath } from '../data/catalog/entry.js';
import { mergedDictionary, type StreamSource } from '../data/catalog/merge-stream.js';
import { readPartition, type PartitionInfo } from '../data/catalog/partition.js';
import { WindowStream, type StreamPlan } from '../data/catalog/window-stream.js';
import { CalendarOnePass, type CalendarMeasure } from '../metrics/calendar.js';
import { HeldScan } from '../metrics/period.js';
import { BuyAndHoldScan } from '../metrics/run-tearsheet.js';
import { BuyAndHoldMarks, type MarksKept } from '../metrics/buy-and-hold-marks.js';
import { scanFirstSeen } from '../metrics/span.js';
import { DataSpanScan } from '../universe/data-spans.js';
import type { MembersFile } from '../universe/members.js';

/** Rows of the blocks the passes scan (they keep nothing of a block once scanned). */
export const SCAN_ROWS = 1 << 16;

/** What {@link factsBefore} measured. */
export interface FactsBefore {
  readonly symbols: readonly string[];
  readonly hasBars: boolean;
  /** Whether the window holds any row. */
  readonly hasRows: boolean;
  /** Time of the first and last row, and their start (bars) or time. */
  readonly firstTs: number;
  readonly lastTs: number;
  readonly firstRowTime: number;
  readonly lastRowTime: number;
  /** Each symbol's span of bars when they differ (universe/data-spans.ts), else null. */
  readonly spans: MembersFile | null;
  /** The last bar's start, else the last tick's time (universe/membership.ts dataEndSession). */
  readonly endSession: number;
}

/** Every block of the window's rows, in order, to `visit`. */
function eachBlock(plan: StreamPlan, visit: (t: TickTable, n: number) => void): void {
  const s = new WindowStream(plan);
  const block = s.block(SCAN_ROWS);
  for (;;) {
    const n = s.fill(block, 0, SCAN_ROWS);
    if (n > 0) visit(block, n);
    if (n < SCAN_ROWS) return;
  }
}

/** The facts before the replay (see the file's comment): from the index for ticks, a pass for bars. */
export function factsBefore(plan: StreamPlan): FactsBefore {
  return plan.sources.some((x) => x.entry.kind === BAR) ? scanBefore(plan) : tickFacts(plan);
}

/** A partition's stamps, read and checked (one that straddles an end of the window). */
function stampsOf(src: StreamSource, p: PartitionInfo): Float64Array {
  return readPartition(partitionPath(src.dir, p), p, src.entry.kind, src.entry.nCols).ts;
}

/** Tick data: the window's first and last time from the index (see the file's comment). */
function tickFacts(plan: StreamPlan): FactsBefore {
  const { fromUs, toUs } = plan.window;
  let first = Infinity;
  let last = -Infinity;
  for (const src of plan.sources) {
    for (const parts of src.entry.partitions) {
      // the stream's first time at or after fromUs (its partitions are in time order)
      for (const p of parts) {
        if (p.rows === 0 || p.lastTs < fromUs) continue;
        let x = p.firstTs;
        if (x < fromUs) {
          const ts = stampsOf(src, p);
          x = ts[lowerBound(ts, fromUs)]!;
        }
        if (x < toUs && x < first) first = x;
        break;
      }
      // and its last before toUs
      for (let j = parts.length - 1; j >= 0; j--) {
        const p = parts[j]!;
        if (p.rows === 0 || p.firstTs >= toUs) continue;
        let x = p.lastTs;
        if (x >= toUs) {
          const ts = stampsOf(src, p);
          x = ts[lowerBound(ts, toUs) - 1]!;
        }
        if (x >= fromUs && x > last) last = x;
        break;
      }
    }
  }
  const hasRows = first <= last;
  return {
    symbols: mergedDictionary(plan.sources).symbols,
    hasBars: false,
    hasRows,
    firstTs: hasRows ? first : NaN,
    lastTs: hasRows ? last : NaN,
    firstRowTime: hasRows ? first : NaN,
    lastRowTime: hasRows ? last : NaN,
    spans: null,
    endSession: hasRows ? last : -Infinity,
  };
}

/** Bar data: the pass before the replay (see the file's comment). */
export function scanBefore(plan: StreamPlan): FactsBefore {
  const s = new WindowStream(plan);
  const symbols = s.symbols;
  const hasBars = plan.sources.some((x) => x.entry.kind === BAR);
  const spans = new DataSpanScan(symbols.length);
  let rows = 0;
  let firstTs = NaN;
  let lastTs = NaN;
  let firstRowTime = NaN;
  let lastRowTime = NaN;
  let lastBarStart = NaN;
  eachBlock(plan, (t, n) => {
    if (rows === 0) {
      firstTs = t.ts[0]!;
      firstRowTime = rowTime(t, 0);
    }
    rows += n;
    lastTs = t.ts[n - 1]!;
    lastRowTime = rowTime(t, n - 1);
    if (hasBars) {
      spans.scan(t, 0, n);
      for (let i = n - 1; i >= 0; i--) {
        if (t.kind[i] === BAR) {
          lastBarStart = t.barStart[i]!;
          break;
        }
      }
    }
  });
  const endSession = !Number.isNaN(lastBarStart) ? lastBarStart : rows > 0 ? lastTs : -Infinity;
  return { symbols, hasBars, hasRows: rows > 0, firstTs, lastTs, firstRowTime, lastRowTime, spans: hasBars ? spans.result(symbols) : null, endSession };
}

/** What the replay's thread needs to measure the facts as it replays: plain data (it crosses to the worker). */
export interface FactsAsked {
  readonly hasBars: boolean;
  /** The window's last time less its first (the periods a year are counted over it). */
  readonly spanUs: number;
  /** The sampling period (the engine's). */
  readonly periodUs: number;
}

/** What {@link ReplayFacts} measured: plain data (it crosses back from the worker). */
export interface FactsMeasured {
  readonly firstSeen: Float64Array;
  readonly calendar: CalendarMeasure;
  readonly heldPerYear: number;
  /** Undefined: more periods than the marks may hold ({@link scanCurves} then). */
  readonly marks: MarksKept | undefined;
}

/** The facts measured during the replay (see the file's comment), block by block. */
export class ReplayFacts {
  private readonly firstSeen: Float64Array;
  private unseen: number;
  private readonly calendar: CalendarOnePass;
  private readonly held: HeldScan;
  private readonly marks: BuyAndHoldMarks;

  constructor(
    nSym: number,
    private readonly asked: FactsAsked,
  ) {
    this.firstSeen = new Float64Array(nSym).fill(NaN);
    this.unseen = nSym;
    this.calendar = new CalendarOnePass(asked.hasBars);
    this.held = new HeldScan(asked.periodUs);
    this.marks = new BuyAndHoldMarks(nSym, asked.periodUs);
  }

  /** Rows [from, to) of the block: the window's next rows. */
  scan(t: TickTable, from: number, to: number): void {
    if (to <= from) return;
    if (this.unseen > 0) this.unseen = scanFirstSeen(t, from, to, this.firstSeen);
    this.calendar.scan(t, from, to);
    this.held.scan(t.ts, from, to);
    this.marks.scan(t, from, to);
  }

  result(): FactsMeasured {
    return { firstSeen: this.firstSeen, calendar: this.calendar.result(), heldPerYear: this.held.result(this.asked.spanUs), marks: this.marks.result() };
  }
}

/** A buy-and-hold curve to measure: the symbols, bought at `fromTs`, valued at `sampleTs`. */
export interface CurveAsked {
  readonly ids: readonly number[];
  readonly sampleTs: Float64Array;
  readonly fromTs: number;
}

/** The curves the marks kept could not give, in a pass over the rows. */
export function scanCurves(plan: StreamPlan, nSym: number, curves: readonly CurveAsked[]): Float64Array[] {
  const scans = curves.map((c) => new BuyAndHoldScan(nSym, c.ids, c.sampleTs, c.fromTs));
  eachBlock(plan, (t, n) => {
    for (const b of scans) b.scan(t, 0, n);
  });
  return scans.map((b) => b.result());
}
