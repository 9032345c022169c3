/**
 * The quiet-event fast path: the events that only move a symbol's market state, replayed by one
 * hand-written loop.
 */
import { QUOTE, TRADE } from '../data/schema.js';
import { FILL_BAR, FILL_TRADE } from '../broker/fill-source.js';

/** What {@link scanQuiet} reads and writes: the table's columns and one backtest's market state. */
export class QuietScan {
  constructor(
    readonly ts: Float64Array,
    readonly sym: Uint16Array,
    readonly kind: Uint8Array,
    readonly quoteRow: Int32Array,
    readonly tradeRow: Int32Array,
    readonly markRow: Int32Array,
    readonly source: Uint8Array,
    /** Per symbol: from this time on, its events take the full path. */
    readonly dueAt: Float64Array,
    /** Per symbol: orders working (an event of such a symbol may fill them). */
    readonly working: Uint32Array,
    /** Per symbol: a position under a margin account (an event of such a symbol checks the margin). */
    readonly watch: Uint8Array,
    /** Bars take the full path (a strategy with onBar, or an observer). */
    readonly barsStop: boolean,
  ) {}
}

/**
 * Replays quiet events from `from`: those that only update their symbol's market state (the
 * latest quote, trade and mark rows), the same stores the full path makes. Stops at, and returns,
 * the first event that needs more (its time passes `until`, the end of the current period, or
 * its symbol's dueAt; orders are working on its symbol or it holds a position in a margin account; a bar that stops), or `to`.
 *
 * Hand-written loop over typed arrays with no calls and no allocation: this is where a replay
 * spends its time on most events, and being one module-level function it is optimised once per
 * thread for every backtest that follows.
 */
export function scanQuiet(q: QuietScan, from: number, to: number, until: number): number {
  const { ts, sym, kind, quoteRow, tradeRow, markRow, source, dueAt, working, watch, barsStop } = q;
  const kQuote = QUOTE;
  const kTrade = TRADE;
  const sTrade = FILL_TRADE;
  const sBar = FILL_BAR;
  for (let i = from; i < to; i++) {
    const t = ts[i]!;
    const s = sym[i]!;
    if (t > until || t >= dueAt[s]! || working[s]! > 0 || watch[s] !== 0) return i;
    const k = kind[i]!;
    if (k === kQuote) {
      quoteRow[s] = i;
      markRow[s] = i;
    } else if (k === kTrade) {
      tradeRow[s] = i;
      if (source[s] === sTrade || markRow[s]! < 0) markRow[s] = i;
    } else {
      if (barsStop) return i;
      if (source[s] === sBar) markRow[s] = i;
    }
  }
  return to;
}
