/**
 * A run's record restricted to a time window, so that the same {@link computeMetrics} measures a
 * walk-forward fold's in-sample or out-of-sample stretch of a longer run.
 *
 * Ownership rule: a window [from, to) owns the equity samples whose period ENDS in (from, to]; a
 * period straddling a window edge counts in the window where it ends. The samples a window owns
 * depend only on events before their end, so a window never sees data after `to`. The window's
 * starting equity is the last sample before it (or the initial capital). Round trips count in the
 * window where they close (`tradesBy` 'exit', the default: a training window's trades then depend
 * on no later data), or, for a report's out-of-sample fold table, in the window where they were
 * entered ('entry': a fold's round trips are those its instance opened, closed at the next fold's
 * start by --fold-edge close; open ones at the end count in the fold that opened them); fees,
 * borrow, notional and exposure are differences of the running totals the engine keeps per
 * sample (paid in the window, whichever trade they belong to); orders and fills are those
 * stamped inside [from, to).
 */
import { F_TS, O_TS, T_ENTRY_TS, T_EXIT_TS, type RunRecord } from '../portfolio/record.js';

/** First index k with a[k] > x (a ascending). */
function upperBound(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index range [k0, k1) of the samples a window [fromUs, toUs) owns. */
export function sampleRange(sampleTs: Float64Array, fromUs: number, toUs: number): [number, number] {
  return [upperBound(sampleTs, fromUs), upperBound(sampleTs, toUs)];
}

export function sliceRecord(r: RunRecord, fromUs: number, toUs: number, tradesBy: 'exit' | 'entry' = 'exit'): RunRecord {
  const [k0, k1] = sampleRange(r.sampleTs, fromUs, toUs);
  const before = (a: Float64Array): number => (k0 > 0 ? a[k0 - 1]! : 0);
  const last = (a: Float64Array): number => (k1 > 0 ? a[k1 - 1]! : 0);
  const diff = (a: Float64Array): number => (k1 > k0 ? last(a) - before(a) : 0);
  const startEquity = k0 > 0 ? r.equity[k0 - 1]! : r.initialCapital;
  const endEquity = k1 > k0 ? r.equity[k1 - 1]! : startEquity;
  const inWindow = (t: number): boolean => t >= fromUs && t < toUs;
  const atEnd = toUs > r.lastTs;
  return {
    ...r,
    initialCapital: startEquity,
    firstTs: Math.max(fromUs, r.firstTs),
    lastTs: Math.min(toUs, r.lastTs),
    events: NaN,
    sampleTs: r.sampleTs.slice(k0, k1),
    equity: r.equity.slice(k0, k1),
    inMarket: r.inMarket.slice(k0, k1),
    feesCum: r.feesCum.slice(k0, k1),
    borrowCum: r.borrowCum.slice(k0, k1),
    notionalCum: r.notionalCum.slice(k0, k1),
    exposureCum: r.exposureCum.slice(k0, k1),
    gross: r.gross.slice(k0, k1),
    trades: r.trades.within(tradesBy === 'entry' ? T_ENTRY_TS : T_EXIT_TS, fromUs, toUs),
    openTrades: tradesBy === 'entry' ? r.openTrades.within(T_ENTRY_TS, fromUs, toUs) : atEnd ? r.openTrades : r.openTrades.within(T_EXIT_TS, 0, -1),
    fills: r.fills.within(F_TS, fromUs, toUs),
    orders: r.orders.within(O_TS, fromUs, toUs),
    rejections: r.rejections.filter((x) => inWindow(x.ts)),
    ordersSubmitted: r.orders.countWithin(O_TS, fromUs, toUs),
    finalEquity: endEquity,
    cash: NaN,
    feesPaid: diff(r.feesCum),
    borrowPaid: diff(r.borrowCum),
    tradedNotional: diff(r.notionalCum),
    exposureUs: diff(r.exposureCum),
  };
}
