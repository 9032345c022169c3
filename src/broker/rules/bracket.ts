import { LIMIT, STOP, type OrderCode, type WorkingOrder } from '../orders.js';

/** What the bracket rule needs from the venue. */
export interface LegHost {
  /** The working leg of type `type` of entry `entryId` on symbol s, if there is one. */
  findLeg(s: number, entryId: number, type: OrderCode): WorkingOrder | undefined;
  /** A new leg of `entry`: `type` at `price`, `qty` units on the other side, reduce-only, held at the venue. */
  newLeg(entry: WorkingOrder, type: OrderCode, price: number, qty: number, i: number): WorkingOrder;
  find(s: number, id: number): WorkingOrder | undefined;
  /** Ends an order (cancelled by the venue, the strategy hears why). */
  end(o: WorkingOrder, reason: string, at: number): void;
}

/**
 * **Bracket / one-cancels-other.** An order with `takeProfit` and/or `stopLoss` attaches, on each
 * of its fills, a take-profit limit and a stop-loss stop on the other side for the units filled
 * (created on the first fill, grown on the later ones); both are reduce-only, held at the venue
 * (no latency) and one filling cancels the other (and shrinks it by what filled). They are tried
 * from the fill on: on a tick, from the next event; on a bar, on the rest of the bar's path from
 * the fill's price (so a stop-loss the bar reaches after the entry fills on that bar).
 */
export function attachLegs(h: LegHost, o: WorkingOrder, qty: number, i: number): void {
  let tp: WorkingOrder | undefined;
  let sl: WorkingOrder | undefined;
  if (!Number.isNaN(o.takeProfit)) tp = grow(h, o, LIMIT, o.takeProfit, qty, i);
  if (!Number.isNaN(o.stopLoss)) sl = grow(h, o, STOP, o.stopLoss, qty, i);
  if (tp && sl) {
    tp.oco = sl.id;
    sl.oco = tp.id;
  }
}

function grow(h: LegHost, o: WorkingOrder, type: OrderCode, price: number, qty: number, i: number): WorkingOrder {
  const existing = h.findLeg(o.sym, o.id, type);
  if (existing) {
    existing.remaining += qty;
    return existing;
  }
  return h.newLeg(o, type, price, qty, i);
}

/** Order o (one of an OCO pair) filled `qty`: the other shrinks by it, and ends when o is done or it has nothing left. */
export function ocoFilled(h: LegHost, o: WorkingOrder, qty: number, done: boolean, at: number): void {
  const other = h.find(o.sym, o.oco);
  if (!other) return;
  other.remaining = Math.max(0, other.remaining - qty);
  if (done || other.remaining === 0) h.end(other, 'one cancels other: the other leg filled', at);
}
