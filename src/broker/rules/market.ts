import type { WorkingOrder } from '../orders.js';
import { ACT_TAKER, type Liquidity, type OrderRule } from './liquidity.js';

/**
 * **Market.** Buys at the ask, sells at the bid of the first quote at or after the live time (at
 * most the displayed size under capToQuoteSize); trade-only data: the next trade ± the
 * half-spread; bars: the next bar's open, the first point of its path. Slippage moves it against
 * the order.
 */
export const marketRule: OrderRule = {
  name: 'market',
  tick(o: WorkingOrder, l: Liquidity): void {
    if (!l.own) return;
    const buy = o.side > 0;
    l.px = l.takePrice(buy);
    if (l.isQuote) l.avail = l.takeSize(buy);
  },
  path(_o: WorkingOrder, cur: number, _to: number, _extreme: boolean, l: Liquidity): number {
    l.reachPx = cur;
    l.reachAct = ACT_TAKER;
    return 0;
  },
};
