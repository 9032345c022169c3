/**
 * The simulated broker: working orders and the rules by which the market fills them.
 *
 * Which data fills a symbol's orders: its quotes if the data has any for it, else its trades,
 * else its bars ({@link FillSource}). The rules, each with a named test in tests/broker:
 *
 * 1. **Latency.** An order submitted while the engine processes event i at time t is live from
 *    t + latency, and never fills on event i itself: with the default latency 0 it fills on the
 *    next eligible event ("one event later"). For bars, the eligible bar is the first whose
 *    *start* is at or after t + latency.
 * 2. **Market orders** fill at the quote: buys at the ask, sells at the bid of the first quote at or
 *    after the live time. On trade-only data: the next trade price plus (buy) or minus (sell) the
 *    half-spread (`--spread`, bps). On bars: the next bar's open. Slippage (bps) then moves the
 *    price against the order.
 * 3. **Limit orders** fill only when the market trades through them: a quote whose ask (buy) or bid
 *    (sell) reaches the limit, or a trade strictly beyond it. If the first eligible quote already
 *    crosses the limit the order is marketable and fills at that quote; later, a resting limit
 *    fills at its limit price, never better. On trade-only data likewise: marketable on the first
 *    eligible trade at the trade price (± the half-spread, as a market order), else at the limit
 *    when a trade goes strictly beyond it. A trade through a limit on a quoted symbol fills at the
 *    limit, with `capToQuoteSize` at most the trade's size. On bars: at the open if the first eligible bar opens
 *    through the limit, else at the limit when the bar's low (buy) / high (sell) goes strictly
 *    beyond it. No slippage on limit fills. A bar fill is stamped at the bar's start (its open),
 *    not at its close, when the event is released.
 * 4. **Stop orders** trigger on the first price at or beyond the stop (ask >= stop for a buy stop,
 *    bid <= stop for a sell stop; trades and bar highs/lows likewise) and fill at the worse of the
 *    stop and that price: a gap through the stop is not forgiven. On bars: a bar that opens through
 *    the stop fills at the open. Slippage applies.
 * 5. **Size.** With `capToQuoteSize`, a quote fill takes at most the displayed size (when known),
 *    a fill on a trade through a limit at most the trade's size; the rest stays working. `notional` orders are sized at the fill price, net of fees.
 * 6. **Fees** per fill: per unit + bps of notional, at least the minimum. Borrow on shorts accrues
 *    by time at the mark (`borrowBps` a year).
 * 7. **Buying power.** An order that would take gross exposure (positions + working orders + this
 *    one, at the current price) above `maxLeverage` × equity is rejected: the strategy gets the
 *    rejection as a value and an `onReject` event.
 */
import { objectList } from '../arrays.js';
import { UsageError } from '../errors.js';
import { BAR, QUOTE, TRADE } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import type { EpochUs } from '../data/time.js';

export interface ExecutionConfig {
  /** µs from decision to the order being live; 0 = the next event. */
  readonly latencyUs: number;
  readonly slippageBps: number;
  /** Half-spread assumed on trade-only data, bps of the trade price. */
  readonly halfSpreadBps: number;
  readonly feePerUnit: number;
  readonly feeBps: number;
  /** Minimum fee per fill. */
  readonly feeMinimum: number;
  /** Yearly borrow cost on short positions, bps of their value. */
  readonly borrowBps: number;
  readonly capToQuoteSize: boolean;
  readonly maxLeverage: number;
}

export const DEFAULT_EXECUTION: ExecutionConfig = {
  latencyUs: 0,
  slippageBps: 0,
  halfSpreadBps: 0,
  feePerUnit: 0,
  feeBps: 0,
  feeMinimum: 0,
  borrowBps: 0,
  capToQuoteSize: false,
  maxLeverage: 1,
};

/** Checks a configuration; names the offending setting. */
export function validateExecution(c: ExecutionConfig): ExecutionConfig {
  const nonNeg: (keyof ExecutionConfig)[] = ['latencyUs', 'slippageBps', 'halfSpreadBps', 'feePerUnit', 'feeBps', 'feeMinimum', 'borrowBps'];
  for (const k of nonNeg) {
    const v = c[k] as number;
    if (!(Number.isFinite(v) && v >= 0)) throw new UsageError(`execution setting ${k} = ${v} must be a number >= 0`);
  }
  if (!(Number.isFinite(c.maxLeverage) && c.maxLeverage > 0)) throw new UsageError(`max leverage ${c.maxLeverage} must be > 0`);
  return c;
}

export const FILL_QUOTE = 0;
export const FILL_TRADE = 1;
export const FILL_BAR = 2;

/** Quotes if a symbol has any, else trades, else bars. */
export function fillSources(t: TickTable): Uint8Array {
  return Uint8Array.from(t.symbolKinds, (k) => (k & (1 << QUOTE) ? FILL_QUOTE : k & (1 << TRADE) ? FILL_TRADE : FILL_BAR));
}

export const MARKET = 0;
export const LIMIT = 1;
export const STOP = 2;

/**
 * An order working at the broker. The objects are pooled: one that is filled or cancelled goes
 * back to the broker's free list and is reused by the next order, so orders cost no allocation in
 * a run's steady state.
 */
export class WorkingOrder {
  id = 0;
  sym = 0;
  /** +1 buy, −1 sell. */
  side: 1 | -1 = 1;
  type: typeof MARKET | typeof LIMIT | typeof STOP = MARKET;
  submitIndex = 0;
  tag: string | undefined = undefined;
  /** Whether an eligible event has been seen (limit orders are marketable only on the first). */
  seen = false;
  /** Units still to fill; NaN for a notional order not yet sized. */
  remaining = 0;
  notional = 0;
  limit = 0;
  stop = 0;
  activeAt: EpochUs = 0;
}

/**
 * The fills of one event, as the broker decided them, in columns reused from event to event (no
 * object per fill): the engine books them before any handler runs.
 */
export class EventFills {
  n = 0;
  orderId = new Float64Array(8);
  side = new Float64Array(8);
  qty = new Float64Array(8);
  price = new Float64Array(8);
  fee = new Float64Array(8);
  ts = new Float64Array(8);
  /** 1 when the fill completed its order. */
  done = new Uint8Array(8);
  tag: (string | undefined)[] = [undefined];

  push(o: WorkingOrder, qty: number, price: number, fee: number, ts: number, done: boolean): void {
    const i = this.n;
    if (i === this.qty.length) this.grow();
    this.orderId[i] = o.id;
    this.side[i] = o.side;
    this.qty[i] = qty;
    this.price[i] = price;
    this.fee[i] = fee;
    this.ts[i] = ts;
    this.done[i] = done ? 1 : 0;
    this.tag[i] = o.tag;
    this.n = i + 1;
  }

  private grow(): void {
    const g = <A extends Float64Array | Uint8Array>(a: A): A => {
      const b = new (a.constructor as new (n: number) => A)(a.length * 2);
      b.set(a);
      return b;
    };
    this.orderId = g(this.orderId);
    this.side = g(this.side);
    this.qty = g(this.qty);
    this.price = g(this.price);
    this.fee = g(this.fee);
    this.ts = g(this.ts);
    this.done = g(this.done);
  }
}

/**
 * Removes element k of the first n of a list, keeping the order. The list's own length never
 * shrinks: Array#splice allocates the removed part, and a JS array whose length drops to 0 gives
 * up its storage, so the next push allocated a new one (139 bytes an order, measured).
 */
function removeAt<T>(list: T[], k: number, n: number): void {
  for (let j = k + 1; j < n; j++) list[j - 1] = list[j]!;
}

export class Broker {
  /** Working orders per symbol, in submission order: the first workingCount[s] of working[s]. */
  readonly working: WorkingOrder[][];
  /** Number of working orders per symbol (what the engine's loop checks per event). */
  readonly workingCount: Uint32Array;
  /** The fills of the last {@link match}. */
  readonly fills = new EventFills();
  private readonly free: WorkingOrder[] = objectList<WorkingOrder>();
  private readonly slip: number;
  private readonly half: number;

  constructor(
    readonly cfg: ExecutionConfig,
    private readonly table: TickTable,
    readonly source: Uint8Array,
  ) {
    this.working = table.symbols.map(() => objectList<WorkingOrder>());
    this.workingCount = new Uint32Array(table.symbols.length);
    this.slip = cfg.slippageBps / 1e4;
    this.half = cfg.halfSpreadBps / 1e4;
  }

  fee(qty: number, price: number): number {
    const c = this.cfg;
    const f = qty * c.feePerUnit + qty * price * (c.feeBps / 1e4);
    return c.feeMinimum > 0 ? Math.max(c.feeMinimum, f) : f;
  }

  /** Signed units of working orders of a symbol (notional orders estimated at `price`). */
  pendingUnits(sym: number, price: number): number {
    let q = 0;
    const n = this.workingCount[sym]!;
    if (n === 0) return 0;
    const list = this.working[sym]!;
    for (let k = 0; k < n; k++) {
      const o = list[k]!;
      q += o.side * (Number.isNaN(o.remaining) ? o.notional / price : o.remaining);
    }
    return q;
  }

  /** Puts an order to work (a pooled object, see {@link WorkingOrder}). */
  add(id: number, sym: number, side: 1 | -1, type: WorkingOrder['type'], remaining: number, notional: number, limit: number, stop: number, submitIndex: number, activeAt: EpochUs, tag: string | undefined): void {
    const o = this.free.pop() ?? new WorkingOrder();
    o.id = id;
    o.sym = sym;
    o.side = side;
    o.type = type;
    o.remaining = remaining;
    o.notional = notional;
    o.limit = limit;
    o.stop = stop;
    o.submitIndex = submitIndex;
    o.activeAt = activeAt;
    o.tag = tag;
    o.seen = false;
    const n = this.workingCount[sym]!;
    this.working[sym]![n] = o;
    this.workingCount[sym] = n + 1;
  }

  private release(o: WorkingOrder): void {
    o.tag = undefined;
    this.free.push(o);
  }

  cancel(id: number): boolean {
    for (let s = 0; s < this.working.length; s++) {
      const list = this.working[s]!;
      const n = this.workingCount[s]!;
      for (let k = 0; k < n; k++) {
        if (list[k]!.id !== id) continue;
        this.release(list[k]!);
        removeAt(list, k, n);
        this.workingCount[s] = n - 1;
        return true;
      }
    }
    return false;
  }

  cancelSymbol(sym: number): void {
    const list = this.working[sym]!;
    for (let k = 0; k < this.workingCount[sym]!; k++) this.release(list[k]!);
    this.workingCount[sym] = 0;
  }

  /**
   * Tries every working order of event i's symbol against event i; the fills go to
   * {@link fills} (emptied first). Fully filled orders leave the working list.
   */
  match(i: number): void {
    const out = this.fills;
    out.n = 0;
    const t = this.table;
    const s = t.sym[i]!;
    const list = this.working[s]!;
    let n = this.workingCount[s]!;
    if (n === 0) return;
    const kind = t.kind[i]!;
    const src = this.source[s]!;
    const eventTs = kind === BAR ? t.barStart[i]! : t.ts[i]!;
    for (let k = 0; k < n; k++) {
      const o = list[k]!;
      if (i <= o.submitIndex || eventTs < o.activeAt) continue;
      const first = !o.seen;
      let px = NaN;
      let avail = Infinity;
      const buy = o.side > 0;
      if (o.type === MARKET) {
        if (kind === QUOTE && src === FILL_QUOTE) {
          px = buy ? t.f1[i]! : t.f0[i]!;
          avail = buy ? t.f3[i]! : t.f2[i]!;
        } else if (kind === TRADE && src === FILL_TRADE) px = t.f0[i]! * (1 + o.side * this.half);
        else if (kind === BAR && src === FILL_BAR) px = t.f0[i]!;
        if (!Number.isNaN(px)) px *= 1 + o.side * this.slip;
      } else if (o.type === LIMIT) {
        const L = o.limit;
        if (kind === QUOTE) {
          const q = buy ? t.f1[i]! : t.f0[i]!;
          if (buy ? q <= L : q >= L) {
            px = first ? q : L;
            avail = buy ? t.f3[i]! : t.f2[i]!;
          }
          o.seen = true;
        } else if (kind === TRADE) {
          const p = t.f0[i]!;
          if (src === FILL_TRADE) {
            // trade-only data: marketable on the first eligible trade at the market price (the
            // trade ± the half-spread, as a market order) when that is within the limit
            const q = p * (1 + o.side * this.half);
            if (first && (buy ? q <= L : q >= L)) px = q;
            else if (buy ? p < L : p > L) px = L;
            o.seen = true;
          } else if (buy ? p < L : p > L) {
            // a trade through the limit on a quoted symbol: at the limit, at most the trade's size
            px = L;
            avail = t.f1[i]!;
          }
        } else if (kind === BAR && src === FILL_BAR) {
          const open = t.f0[i]!;
          if (first && (buy ? open <= L : open >= L)) px = open;
          else if (buy ? t.f2[i]! < L : t.f1[i]! > L) px = L;
          o.seen = true;
        }
      } else {
        const S = o.stop;
        if (kind === QUOTE && src === FILL_QUOTE) {
          const q = buy ? t.f1[i]! : t.f0[i]!;
          if (buy ? q >= S : q <= S) {
            px = buy ? Math.max(S, q) : Math.min(S, q);
            avail = buy ? t.f3[i]! : t.f2[i]!;
          }
        } else if (kind === TRADE && src === FILL_TRADE) {
          const p = t.f0[i]! * (1 + o.side * this.half);
          if (buy ? p >= S : p <= S) px = buy ? Math.max(S, p) : Math.min(S, p);
        } else if (kind === BAR && src === FILL_BAR) {
          const open = t.f0[i]!;
          if (buy ? open >= S : open <= S) px = open;
          else if (buy ? t.f1[i]! >= S : t.f2[i]! <= S) px = S;
        }
        if (!Number.isNaN(px)) px *= 1 + o.side * this.slip;
      }
      if (Number.isNaN(px)) continue;
      if (Number.isNaN(o.remaining)) {
        // notional order: size it at the fill price, leaving room for the fee
        o.remaining = o.notional / (px * (1 + this.cfg.feeBps / 1e4) + this.cfg.feePerUnit);
      }
      let qty = o.remaining;
      if (this.cfg.capToQuoteSize && avail < qty) qty = avail; // NaN (unknown size) does not cap
      if (!(qty > 0)) continue;
      // stamped at eventTs: a bar's start (the fill happened at its open or inside it, before its
      // close, when the event is released), a tick's time otherwise; never before the order is live
      o.remaining -= qty;
      const done = o.remaining <= 1e-12 * qty;
      if (done) o.remaining = 0;
      out.push(o, qty, px, this.fee(qty, px), eventTs, done);
      if (done) {
        this.release(o);
        removeAt(list, k, n);
        n--;
        k--;
      }
    }
    this.workingCount[s] = n;
  }
}
