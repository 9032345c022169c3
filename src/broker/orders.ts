/**
 * Orders at the venue: their codes, the pooled working-order objects and the reused fill columns.
 */
import type { EpochUs } from '../data/time.js';
import type { QueueState } from './model.js';

export const MARKET = 0;
export const LIMIT = 1;
export const STOP = 2;
export const STOP_LIMIT = 3;
export const TRAILING_STOP = 4;
export const MARKET_ON_CLOSE = 5;
/** The venue's own order closing a position on a margin call (never a strategy's). */
export const MARGIN_CALL = 6;
export type OrderCode = typeof MARKET | typeof LIMIT | typeof STOP | typeof STOP_LIMIT | typeof TRAILING_STOP | typeof MARKET_ON_CLOSE | typeof MARGIN_CALL;
/** The order types by code, as strategies name them (and the venue's margin call). */
export const ORDER_TYPE_NAMES = ['market', 'limit', 'stop', 'stop-limit', 'trailing-stop', 'market-on-close', 'margin-call'] as const;

/** Time in force: until cancelled; immediate or cancel; fill or kill; until a time. */
export const GTC = 0;
export const IOC = 1;
export const FOK = 2;
export const GTT = 3;
export type TifCode = typeof GTC | typeof IOC | typeof FOK | typeof GTT;
export const TIF_NAMES = ['gtc', 'ioc', 'fok', 'gtt'] as const;

/**
 * An order working at the venue. The objects are pooled: one that is filled or cancelled goes
 * back to the venue's free list and is reused by the next order, so orders cost no allocation in
 * a run's steady state.
 */
export class WorkingOrder implements QueueState {
  id = 0;
  sym = 0;
  /** +1 buy, −1 sell. */
  side: 1 | -1 = 1;
  type: OrderCode = MARKET;
  tif: TifCode = GTC;
  /** GTT: the order is cancelled at the first event of its symbol at or after this time. */
  expireAt: EpochUs = Infinity;
  reduceOnly = false;
  submitIndex = 0;
  tag: string | undefined = undefined;
  /** Whether an eligible event has been seen (limit orders are marketable only on the first). */
  seen = false;
  /** Whether the order has filled at all (its first fill pays a per-order fee). */
  filledAny = false;
  /** Units still to fill; NaN for a notional order not yet sized. */
  remaining = 0;
  notional = 0;
  limit = 0;
  /** The trigger (stop, stop-limit); a trailing stop's current trigger. */
  stop = 0;
  /** Trailing stop: the distance from the best price (absolute), or NaN when `trailPct` is used. */
  trail = NaN;
  /** Trailing stop: the distance as a fraction of the best price. */
  trailPct = NaN;
  /** Trailing stop: the best price seen since live (highest for a sell, lowest for a buy). */
  best = NaN;
  /** Bracket: the take-profit limit and the stop-loss trigger attached to each fill (NaN: none). */
  takeProfit = NaN;
  stopLoss = NaN;
  /** One-cancels-other: the id of the sibling (0: none). */
  oco = 0;
  /** A bracket's leg: the id of the entry it belongs to (0: not a leg). */
  parent = 0;
  activeAt: EpochUs = 0;
  // queue position (see model.ts QueueState)
  ahead = Infinity;
  levelSize = NaN;
  tradedSince = 0;
  /** The order rests (a limit not marketable when it went live): its fills are maker fills. */
  resting = false;
  /** On a bar's path: the order may still be reached on the rest of this bar. */
  onPath = false;
  /** On a bar's path: the order had not seen an eligible event before (a limit is marketable). */
  pathFirst = false;
}

/**
 * The fills of one event, as the venue decided them, in columns reused from event to event (no
 * object per fill): the engine books them before any handler runs.
 */
export class EventFills {
  n = 0;
  orderId = new Float64Array(8);
  /** The fill's symbol (a margin call closes every symbol's position on one event). */
  sym = new Uint16Array(8);
  side = new Float64Array(8);
  qty = new Float64Array(8);
  price = new Float64Array(8);
  fee = new Float64Array(8);
  ts = new Float64Array(8);
  /** 1 when the fill completed its order. */
  done = new Uint8Array(8);
  /** A bracket leg's entry order id (0: not a leg). */
  parent = new Float64Array(8);
  tag: (string | undefined)[] = [undefined];

  push(o: WorkingOrder, qty: number, price: number, fee: number, ts: number, done: boolean): void {
    const i = this.n;
    if (i === this.qty.length) this.grow();
    this.orderId[i] = o.id;
    this.sym[i] = o.sym;
    this.side[i] = o.side;
    this.qty[i] = qty;
    this.price[i] = price;
    this.fee[i] = fee;
    this.ts[i] = ts;
    this.done[i] = done ? 1 : 0;
    this.parent[i] = o.parent;
    this.tag[i] = o.tag;
    this.n = i + 1;
  }

  private grow(): void {
    const g = <A extends Float64Array | Uint8Array | Uint16Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(a.length * 2);
      b.set(a);
      return b;
    };
    this.orderId = g(this.orderId);
    this.sym = g(this.sym);
    this.side = g(this.side);
    this.qty = g(this.qty);
    this.price = g(this.price);
    this.fee = g(this.fee);
    this.ts = g(this.ts);
    this.done = g(this.done);
    this.parent = g(this.parent);
  }
}

/**
 * Removes element k of the first n of a list, keeping the order. The list's own length never
 * shrinks: Array#splice allocates the removed part, and a JS array whose length drops to 0 gives
 * up its storage, so the next push allocated a new one (139 bytes an order, measured).
 */
export function removeAt<T>(list: T[], k: number, n: number): void {
  for (let j = k + 1; j < n; j++) list[j - 1] = list[j]!;
}
