import { QUOTE, TRADE } from '../../data/schema.js';
import { FILL_QUOTE, FILL_TRADE } from '../fill-source.js';
import type { WorkingOrder } from '../orders.js';
import { ACT_MAKER, ACT_TAKER, ACT_TOUCH, type Liquidity, type OrderRule } from './liquidity.js';

/**
 * **Limit.** Marketable on arrival (its first eligible event), it fills at the market price (the
 * quote, the trade ± half-spread, a bar's open or the point of the path where it arrived) as a
 * taker. Resting, it fills at its limit as a maker when the ask (bid) reaches it, when a trade
 * goes strictly beyond it (on a quoted symbol at most the trade's size), when the queue model
 * says so on a print exactly at it, and on a bar where the path goes strictly beyond it (only
 * touched: the touch rule, `fill.barTouch`); a bar that opens beyond a resting limit fills it at
 * the open (the bar never traded at the limit). Never slipped.
 */
export const limitRule: OrderRule = {
  name: 'limit',
  tick(o: WorkingOrder, l: Liquidity): void {
    const t = l.table;
    const i = l.i;
    const buy = o.side > 0;
    const L = o.limit;
    const first = l.first;
    if (l.kind === QUOTE) {
      const q = buy ? t.f1[i]! : t.f0[i]!;
      if (buy ? q <= L : q >= L) {
        l.px = first ? q : L;
        l.maker = !first;
        l.avail = buy ? t.f3[i]! : t.f2[i]!;
      } else if (l.src === FILL_QUOTE) {
        // resting: the queue at its price, from this quote's best on its side
        const best = buy ? t.f0[i]! : t.f1[i]!;
        const size = buy ? t.f2[i]! : t.f3[i]!;
        if (first) l.queue.start(o, L, buy, best, size);
        else l.queue.quote(o, L, buy, best, size);
        o.resting = true;
      }
      o.seen = true;
    } else if (l.kind === TRADE) {
      const p = t.f0[i]!;
      if (l.src === FILL_TRADE) {
        // trade-only data: marketable on the first eligible trade at the market price (the
        // trade ± the half-spread, as a market order) when that is within the limit
        const q = p * (1 + o.side * l.half);
        if (first && (buy ? q <= L : q >= L)) l.px = q;
        else if (buy ? p < L : p > L) {
          l.px = L;
          l.maker = true;
        } else if (p === L && l.queue.touchFills) {
          l.px = L;
          l.maker = true;
        }
        o.seen = true;
      } else if (buy ? p < L : p > L) {
        // a trade through the limit on a quoted symbol: at the limit, at most the trade's size
        l.px = L;
        l.maker = true;
        l.avail = t.f1[i]!;
      } else if (p === L && l.src === FILL_QUOTE) {
        // a print at the limit: the queue decides how much of it reaches the order
        if (!o.resting) startFromLatestQuote(o, l);
        const got = l.queue.tradeAt(o, t.f1[i]!);
        if (got > 0) {
          l.px = L;
          l.maker = true;
          // the queue's share of the print always caps; the touch rule's whole fill only under capToQuoteSize
          l.avail = t.f1[i]!;
          l.queued = got;
        }
      }
    }
  },
  path(o: WorkingOrder, cur: number, to: number, extreme: boolean, l: Liquidity): number {
    const buy = o.side > 0;
    const L = o.limit;
    if (o.pathFirst && (buy ? cur <= L : cur >= L)) {
      // marketable on arrival: at the price of its arrival
      l.reachPx = cur;
      l.reachAct = ACT_TAKER;
      return 0;
    }
    l.reachAct = ACT_MAKER;
    if (buy ? cur < L : cur > L) {
      // a resting limit the open is already beyond: at the open (the bar never traded at L)
      l.reachPx = cur;
      return 0;
    }
    l.reachPx = L;
    if (buy ? to < L : to > L) return Math.abs(cur - L);
    if (to === L && extreme) {
      l.reachAct = ACT_TOUCH;
      return Math.abs(cur - L);
    }
    return Infinity;
  },
};

/** A limit that meets a print at its price before any quote since it went live: its queue from the latest quote. */
function startFromLatestQuote(o: WorkingOrder, l: Liquidity): void {
  const t = l.table;
  const buy = o.side > 0;
  const r = l.quoteRow[o.sym]!;
  l.queue.start(o, o.limit, buy, r >= 0 ? (buy ? t.f0[r]! : t.f1[r]!) : NaN, r >= 0 ? (buy ? t.f2[r]! : t.f3[r]!) : NaN);
  o.resting = true;
  o.seen = true;
}
