/**
 * What a streamed run's report needs from the data, measured in passes over the window's stream
 * (data/catalog/window-stream.ts) instead of from a table held whole.
 *
 * - Before the replay ({@link scanBefore}): the rows, the first and last time (the sampling
 *   period), each symbol's first time (metrics/span.ts), each symbol's span of bars and the last
 *   session (universe/data-spans.ts, the membership the engine settles), and the calendar's first
 *   pass (its span). Every partition of the window is read and checked here, before the replay.
 * - After it ({@link scanAfter}): the calendar's second pass (activity in 5-minute slots), the
 *   periods with events a year, and the buy-and-hold curves of the tearsheet, which need the
 *   record's samples and traded symbols.
 * Each is the table function's own arithmetic over the same rows in the same order (the table
 * functions run these scans over one block: the whole table), so the figures are the same.
 */
import { BAR } from '../data/schema.js';
import { rowTime, type TickTable } from '../data/table.js';
import { WindowStream, type StreamPlan } from '../data/catalog/window-stream.js';
import { CalendarScan, type CalendarMeasure } from '../metrics/calendar.js';
import { HeldScan } from '../metrics/period.js';
import { BuyAndHoldScan } from '../metrics/run-tearsheet.js';
import { scanFirstSeen } from '../metrics/span.js';
import { DataSpanScan } from '../universe/data-spans.js';
import type { MembersFile } from '../universe/members.js';

/** Rows of the blocks the passes scan (they keep nothing of a block once scanned). */
export const SCAN_ROWS = 1 << 16;

/** What {@link scanBefore} measured. */
export interface FactsBefore {
  readonly symbols: readonly string[];
  readonly hasBars: boolean;
  readonly rows: number;
  /** Time of the first and last row, and their start (bars) or time. */
  readonly firstTs: number;
  readonly lastTs: number;
  readonly firstRowTime: number;
  readonly lastRowTime: number;
  readonly firstSeen: Float64Array;
  /** Each symbol's span of bars when they differ (universe/data-spans.ts), else null. */
  readonly spans: MembersFile | null;
  /** The last bar's start, else the last tick's time (universe/membership.ts dataEndSession). */
  readonly endSession: number;
  /** The calendar's scan after its first pass. */
  readonly calendar: CalendarScan;
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

/** The pass before the replay (see the file's comment). */
export function scanBefore(plan: StreamPlan): FactsBefore {
  const s = new WindowStream(plan);
  const symbols = s.symbols;
  const hasBars = plan.sources.some((x) => x.entry.kind === BAR);
  const firstSeen = new Float64Array(symbols.length).fill(NaN);
  const spans = new DataSpanScan(symbols.length);
  const calendar = new CalendarScan(hasBars);
  let rows = 0;
  let firstTs = NaN;
  let lastTs = NaN;
  let firstRowTime = NaN;
  let lastRowTime = NaN;
  let lastBarStart = NaN;
  let unseen = symbols.length;
  eachBlock(plan, (t, n) => {
    if (rows === 0) {
      firstTs = t.ts[0]!;
      firstRowTime = rowTime(t, 0);
    }
    rows += n;
    lastTs = t.ts[n - 1]!;
    lastRowTime = rowTime(t, n - 1);
    if (unseen > 0) unseen = scanFirstSeen(t, 0, n, firstSeen);
    if (hasBars) {
      spans.scan(t, 0, n);
      for (let i = n - 1; i >= 0; i--) {
        if (t.kind[i] === BAR) {
          lastBarStart = t.barStart[i]!;
          break;
        }
      }
    }
    calendar.scanSpan(t, 0, n);
  });
  const endSession = !Number.isNaN(lastBarStart) ? lastBarStart : rows > 0 ? lastTs : -Infinity;
  return { symbols, hasBars, rows, firstTs, lastTs, firstRowTime, lastRowTime, firstSeen, spans: hasBars ? spans.result(symbols) : null, endSession, calendar };
}

/** What {@link scanAfter} measured. */
export interface FactsAfter {
  readonly calendar: CalendarMeasure;
  readonly heldPerYear: number;
  /** The buy-and-hold curves asked for, in order. */
  readonly curves: Float64Array[];
}

/** A buy-and-hold curve to measure: the symbols, bought at `fromTs`, valued at `sampleTs`. */
export interface CurveAsked {
  readonly ids: readonly number[];
  readonly sampleTs: Float64Array;
  readonly fromTs: number;
}

/** The pass after the replay (see the file's comment). */
export function scanAfter(plan: StreamPlan, before: FactsBefore, periodUs: number, curves: readonly CurveAsked[]): FactsAfter {
  const held = new HeldScan(periodUs);
  const scans = curves.map((c) => new BuyAndHoldScan(before.symbols.length, c.ids, c.sampleTs, c.fromTs));
  eachBlock(plan, (t, n) => {
    before.calendar.scanActivity(t, 0, n);
    held.scan(t.ts, 0, n);
    for (const b of scans) b.scan(t, 0, n);
  });
  return { calendar: before.calendar.result(), heldPerYear: before.rows > 0 ? held.result(before.lastTs - before.firstTs) : NaN, curves: scans.map((b) => b.result()) };
}

/** Buy-and-hold curves alone, in one pass (a streamed validation's tearsheets, after its out-of-sample runs). */
export function scanCurves(plan: StreamPlan, nSym: number, curves: readonly CurveAsked[]): Float64Array[] {
  const scans = curves.map((c) => new BuyAndHoldScan(nSym, c.ids, c.sampleTs, c.fromTs));
  eachBlock(plan, (t, n) => {
    for (const b of scans) b.scan(t, 0, n);
  });
  return scans.map((b) => b.result());
}
