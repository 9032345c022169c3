import type { WorkingOrder } from '../orders.js';
import { ACT_TAKER, type Liquidity, type OrderRule } from './liquidity.js';

/**
 * The price a stop at `o.stop` triggers at on a tick, or NaN: the first ask (buy) or bid (sell),
 * or trade ± half-spread, at or beyond the stop; it is the worse of the stop and that price.
 * Sets `l.avail` on quotes.
 */
export function stopTrigger(o: WorkingOrder, l: Liquidity): number {
  if (!l.own) return NaN;
  const buy = o.side > 0;
  const S = o.stop;
  const q = l.takePrice(buy);
  if (!(buy ? q >= S : q <= S)) return NaN;
  if (l.isQuote) l.avail = l.takeSize(buy);
  return buy ? Math.max(S, q) : Math.min(S, q);
}

/** A stop on a bar's path: at the price the path is at when it is already beyond the stop, else at the stop. */
export function stopOnPath(o: WorkingOrder, cur: number, to: number, l: Liquidity): number {
  const buy = o.side > 0;
  const S = o.stop;
  if (buy ? cur >= S : cur <= S) {
    l.reachPx = cur;
    return 0;
  }
  if (buy ? to >= S : to <= S) {
    l.reachPx = S;
    return Math.abs(cur - S);
  }
  return Infinity;
}

/**
 * **Stop.** Triggers at the first price at or beyond the stop and fills at the worse of the stop
 * and that price: gaps are not forgiven (a quote or trade past it fills at the quote or trade; a
 * bar that opens past it fills at the open, before anything reached later in the bar; a bar that
 * reaches it later fills at the stop, where its path gets there). Slippage applies.
 */
export const stopRule: OrderRule = {
  name: 'stop',
  tick(o: WorkingOrder, l: Liquidity): void {
    l.px = stopTrigger(o, l);
  },
  path(o: WorkingOrder, cur: number, to: number, _extreme: boolean, l: Liquidity): number {
    l.reachAct = ACT_TAKER;
    return stopOnPath(o, cur, to, l);
  },
};
