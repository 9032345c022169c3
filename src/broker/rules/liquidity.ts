/**
 * What an event offers the working orders of its symbol: a view of the liquidity (a quote's best
 * prices and sizes, a trade print, a bar's path) that each order rule (broker/rules/*) reads, and
 * the answer the rule writes back (the price, how much is available, maker or taker). One object
 * per venue, pointed at each event in turn: no allocation per event.
 */
import { QUOTE, TRADE } from '../../data/schema.js';
import type { TickTable } from '../../data/table.js';
import { FILL_QUOTE, FILL_TRADE } from '../fill-source.js';
import type { Queue } from '../model.js';
import type { WorkingOrder } from '../orders.js';

/** What happens where a bar's path reaches an order. */
export const ACT_TAKER = 0;
export const ACT_MAKER = 1;
/** A stop-limit's stop: it turns into a limit. */
export const ACT_TRIGGER = 2;
/** A limit the bar's extreme only touches: the touch rule decides. */
export const ACT_TOUCH = 3;

export class Liquidity {
  // ---- the event (set by the venue before the rules are asked) ----
  i = 0;
  kind = 0;
  /** Which data fills the symbol's orders (FILL_QUOTE / FILL_TRADE / FILL_BAR). */
  src = 0;
  /** The event is of the kind that fills the symbol's market and stop orders. */
  own = false;
  /** Whether the order had seen no eligible event before this one (a limit is marketable on it). */
  first = false;

  // ---- the answer on a tick ----
  /** The fill price before slippage (NaN: no fill on this event). */
  px = NaN;
  /** Units the event shows at that price (Infinity: not capped; NaN: unknown). */
  avail = Infinity;
  maker = false;
  /** Units the queue model lets through on this print (Infinity: no queue limit). */
  queued = Infinity;

  // ---- the answer on a bar's path ----
  reachPx = NaN;
  reachAct = ACT_TAKER;

  constructor(
    readonly table: TickTable,
    /** Half-spread assumed on trade-only data (a fraction). */
    readonly half: number,
    readonly queue: Queue,
    /** Per symbol, the row of its latest quote (-1: none yet). */
    readonly quoteRow: Int32Array,
  ) {}

  /** Points the view at event i and clears the answer. */
  at(i: number, kind: number, src: number): void {
    this.i = i;
    this.kind = kind;
    this.src = src;
    this.own = (kind === QUOTE && src === FILL_QUOTE) || (kind === TRADE && src === FILL_TRADE);
  }

  clear(first: boolean): void {
    this.first = first;
    this.px = NaN;
    this.avail = Infinity;
    this.maker = false;
    this.queued = Infinity;
  }

  /** A quote of the symbol its orders fill on. */
  get isQuote(): boolean {
    return this.kind === QUOTE && this.src === FILL_QUOTE;
  }

  /** A trade of a trade-only symbol. */
  get isTrade(): boolean {
    return this.kind === TRADE && this.src === FILL_TRADE;
  }

  /** The price an order of this side takes now: the ask (buy) or bid (sell); a trade ± the half-spread. */
  takePrice(buy: boolean): number {
    const t = this.table;
    const i = this.i;
    if (this.kind === QUOTE) return buy ? t.f1[i]! : t.f0[i]!;
    return t.f0[i]! * (1 + (buy ? 1 : -1) * this.half);
  }

  /** The size shown on the side an order of this side takes (quotes), NaN otherwise. */
  takeSize(buy: boolean): number {
    return this.kind === QUOTE ? (buy ? this.table.f3[this.i]! : this.table.f2[this.i]!) : NaN;
  }
}

/**
 * An order rule: how one order type finds its price on each kind of liquidity. One file each in
 * broker/rules, with its rule in its TSDoc and a named test; registered in broker/rules/index.ts.
 */
export interface OrderRule {
  readonly name: string;
  /** A quote or trade (or a bar of a symbol whose orders fill on ticks): sets `l.px` etc. (NaN: no fill). */
  tick(o: WorkingOrder, l: Liquidity): void;
  /**
   * A bar's path from `cur` to `to` (`extreme`: `to` is the bar's high or low): the distance from
   * `cur` at which the order is reached (Infinity: not on this stretch), with `l.reachPx` and
   * `l.reachAct` set.
   */
  path(o: WorkingOrder, cur: number, to: number, extreme: boolean, l: Liquidity): number;
}
