/**
 * The simulated venue: order intake (checks, latency, sizing rules, buying power, initial margin,
 * target orders), working orders, matching, fees and margin calls. The market assumptions are the
 * run's execution models (broker/models, bound once here). {@link Venue.match} offers each event's
 * liquidity (rules/liquidity.ts: a quote, a trade print, or a bar's path, broker/bar-path.ts) to
 * the working orders of its symbol; how each order type finds its price on it is its order rule,
 * one file each in broker/rules (market, limit, stop, stop-limit, trailing stop, bracket/OCO,
 * market-on-close). Each rule has a named test in tests/broker.
 *
 * Intake:
 * - An order is checked (side, type, one of qty or notional, prices) before anything else; a
 *   strategy's mistake is a StrategyError naming it.
 * - Sizing rules of its symbol (`--lot-size`, `--min-qty`, `--tick-size`): an explicit quantity
 *   off the lot or below the minimum, a price off the tick, is refused (a rejection: a value and
 *   an onReject event, not an exception); target orders are rounded toward zero to whole lots,
 *   and a notional order is sized at its fill price rounded down to whole lots.
 * - Buying power: an order that would take gross exposure (positions + working orders + this
 *   one, at the current price) above `maxLeverage` × equity is refused.
 * - Latency: the order is live from `t + entry latency`; a latency model may reject it.
 *
 * Working orders fill on events of their symbol only, never on the event during which they were
 * submitted (but a market-on-close order, at that bar's close); on a bar, in the order the bar's
 * path reaches their prices, a bracket's legs on the rest of the bar where the entry filled.
 */
import { objectList } from '../arrays.js';
import { BAR, QUOTE, TRADE } from '../data/schema.js';
import { TO_HIGH, TO_LOW } from './bar-path.js';
import { attachLegs, ocoFilled, type LegHost } from './rules/bracket.js';
import { orderRules } from './rules/index.js';
import { ACT_TAKER, ACT_TOUCH, ACT_TRIGGER, Liquidity, type OrderRule } from './rules/liquidity.js';
import { moveTrail } from './rules/trailing-stop.js';
import type { TickTable } from '../data/table.js';
import type { EpochUs } from '../data/time.js';
import { OrderLog } from '../portfolio/record.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { OrderRequest, SubmitResult } from '../strategy/types.js';
import { FILL_BAR, FILL_QUOTE, FILL_TRADE } from './fill-source.js';
import type { Fees, FillRules, Financing, Latency, ModelEnv, Queue, Slippage } from './model.js';
import { modelOf } from './models/index.js';
import { eventVolume } from './models/event-volume.js';
import { EventFills, FOK, GTC, IOC, LIMIT, MARGIN_CALL, MARKET, MARKET_ON_CLOSE, removeAt, STOP, STOP_LIMIT, TRAILING_STOP, WorkingOrder, type OrderCode } from './orders.js';
import type { MarginCall } from '../portfolio/record.js';
import { checkOrder } from './order-request.js';
import { rulesFor, type ExecutionSettings, type Margin } from './settings.js';

/** What the venue needs from the backtest it serves. */
export interface VenueHost {
  /** [now, index of the event being handled]. */
  readonly clock: Float64Array;
  readonly pf: Portfolio;
  readonly symbols: readonly string[];
  /** Per symbol, the row of its latest quote (-1: none yet). */
  readonly quoteRow: Int32Array;
  /** Event index of the table's row 0 (a streamed replay's block: rows already released before it). */
  readonly indexOffset: number;
  /** Brings the marks into the portfolio. */
  syncMarks(): void;
  /** The price an order of `side` would meet now: the quote's ask or bid, else the mark. */
  refPrice(s: number, side: number): number;
  markOf(s: number): number;
  symId(name: string): number;
  /** Stops the run with a StrategyError naming the cause. */
  fail(cause: string): never;
  /** An order refused or ended by the venue: the strategy hears of it at `at` (onReject / onCancel). */
  refused(orderId: number, s: number, reason: string, at: EpochUs): void;
  cancelled(orderId: number, s: number, reason: string, remaining: number, at: EpochUs, parent: number): void;
  /** Why symbol s takes no order now (outside the universe), or undefined. */
  outsideUniverse(s: number): string | undefined;
}

/** Whether x is a whole multiple of step (relative tolerance 1e-9); true when step is 0. */
function onGrid(x: number, step: number): boolean {
  if (!(step > 0)) return true;
  const k = x / step;
  return Math.abs(k - Math.round(k)) <= 1e-9 * Math.max(1, Math.abs(k));
}

/** |x| rounded down to whole steps (x itself when step is 0). */
function floorTo(x: number, step: number): number {
  if (!(step > 0)) return x;
  return Math.floor(x / step + 1e-9) * step;
}

export class Venue implements LegHost {
  /** Working orders per symbol, in submission order: the first workingCount[s] of working[s]. */
  readonly working: WorkingOrder[][];
  /** Number of working orders per symbol (what the engine's loop checks per event). */
  readonly workingCount: Uint32Array;
  /** The fills of the last {@link match}. */
  readonly fills = new EventFills();
  readonly orders: OrderLog;
  ordersSubmitted = 0;
  readonly latency: Latency;
  readonly rules: FillRules;
  readonly queue: Queue;
  readonly slippage: Slippage;
  readonly fees: Fees;
  readonly financing: Financing;
  private readonly lot: Float64Array;
  private readonly minQty: Float64Array;
  private readonly tick: Float64Array;
  private readonly free: WorkingOrder[] = objectList<WorkingOrder>();
  private readonly rng: () => number;
  private nextOrderId = 1;
  /** A refused order's reason (set by {@link order} when it returns a refused id). */
  private refusal = '';
  /** Orders ended during a match, removed at its end. */
  private ended = 0;
  /** The account's margin (undefined: a cash account, no margin calls). */
  private readonly margin: Margin | undefined;
  /** Per symbol: 1 while it holds a position in a margin account (each of its events checks the margin). */
  readonly watch: Uint8Array;
  readonly marginCalls: MarginCall[] = [];
  /** Cash moved by the fills of the match under way (the portfolio books them after it). */
  private cashAdj = 0;
  /** A negative balance a margin call left, for the engine to write off after booking the fills. */
  writeOff = 0;
  /** The order object of a margin call's fills. */
  private readonly liq = new WorkingOrder();
  /** The liquidity of the event being matched, as the order rules read it. */
  private readonly liquidity: Liquidity;
  /** The order rules (broker/rules), by order code. */
  private readonly orderRules: readonly OrderRule[];

  constructor(
    readonly settings: ExecutionSettings,
    private readonly table: TickTable,
    readonly source: Uint8Array,
    private readonly host: VenueHost,
    rng: () => number,
  ) {
    const symbols = table.symbols;
    this.working = symbols.map(() => objectList<WorkingOrder>());
    this.workingCount = new Uint32Array(symbols.length);
    this.orders = new OrderLog(symbols);
    this.rng = rng;
    const env: ModelEnv = { table, source, rng };
    const bind = <B>(family: keyof ExecutionSettings & ('latency' | 'fill' | 'queue' | 'slippage' | 'fees' | 'financing')): B => {
      const c = settings[family];
      return modelOf(family, c.model)!.bind(c.params, env, c.us) as B;
    };
    this.latency = bind<Latency>('latency');
    this.rules = bind<FillRules>('fill');
    this.queue = bind<Queue>('queue');
    this.slippage = bind<Slippage>('slippage');
    this.fees = bind<Fees>('fees');
    this.financing = bind<Financing>('financing');
    const r = symbols.map((s) => rulesFor(settings, s));
    this.lot = Float64Array.from(r, (x) => x.lot);
    this.minQty = Float64Array.from(r, (x) => x.minQty);
    this.tick = Float64Array.from(r, (x) => x.tick);
    this.margin = settings.margin;
    this.watch = new Uint8Array(symbols.length);
    this.liquidity = new Liquidity(table, this.rules.halfSpread, this.queue, host.quoteRow);
    this.orderRules = orderRules((sym) => this.tick[sym]!);
  }

  /** A streamed replay moved its rows `shift` places back (engine's rebase): the working orders' submission rows follow. */
  rebase(shift: number): void {
    for (let s = 0; s < this.working.length; s++) {
      const list = this.working[s]!;
      for (let k = 0; k < this.workingCount[s]!; k++) list[k]!.submitIndex -= shift;
    }
  }

  // ---- intake ---------------------------------------------------------------------------------

  /** A strategy's order, checked (order-request.ts); a refused one is a value with the reason. */
  submit(req: OrderRequest): SubmitResult {
    const h = this.host;
    const c = checkOrder(req, (cause) => h.fail(cause));
    const s = h.symId(c.symbol);
    const { hasQty, amount, limit, stop, takeProfit: tp, stopLoss: sl } = c;
    // sizing rules: an explicit quantity or price off its grid is refused, with the reason
    const lot = this.lot[s]!;
    const tick = this.tick[s]!;
    let refusal: string | undefined;
    if (hasQty && !onGrid(amount, lot)) refusal = `qty ${amount} is not a whole number of lots of ${lot}`;
    else if (hasQty && amount < this.minQty[s]!) refusal = `qty ${amount} is below the minimum quantity ${this.minQty[s]}`;
    else
      for (const [name, v] of [
        ['limit', limit],
        ['stop', stop],
        ['takeProfit', tp],
        ['stopLoss', sl],
      ] as const)
        if (!Number.isNaN(v) && !onGrid(v, tick)) refusal ??= `${name} ${v} is not on the tick size ${tick}`;
    const id = this.order(s, c.side, c.type, hasQty ? amount : NaN, hasQty ? NaN : amount, limit, stop, c.tag, refusal);
    if (id >= 0) {
      const w = this.last!;
      w.tif = c.tif;
      w.expireAt = c.expireAt;
      w.reduceOnly = c.reduceOnly;
      w.trail = c.trail;
      w.trailPct = c.trailPct;
      w.takeProfit = tp;
      w.stopLoss = sl;
    }
    return this.resultOf(id);
  }

  /** The order {@link order} put to work last. */
  private last: WorkingOrder | undefined;

  /**
   * An order already checked (submit's checks, or made by a target): recorded, checked against
   * buying power and the latency model, put to work. Returns its id, negated (−id − 1) when
   * refused. Makes no object: the target orders of a strategy that trades every tick allocate
   * nothing here.
   */
  order(s: number, side: 1 | -1, type: OrderCode, qty: number, notional: number, limit: number, stop: number, tag: string | undefined, refusedFor?: string): number {
    const h = this.host;
    const id = this.nextOrderId++;
    this.ordersSubmitted++;
    const now = h.clock[0]!;
    const entry = this.latency.entryUs(now);
    const refusal =
      refusedFor ??
      h.outsideUniverse(s) ??
      (type === MARKET_ON_CLOSE ? this.onCloseRefusal(s, entry) : undefined) ??
      this.buyingPowerRefusal(s, side, qty, notional) ??
      (Number.isNaN(entry) ? 'rejected by the venue (the latency model: a rejection in the latency file)' : undefined);
    this.orders.push(id, now, h.clock[1]! + h.indexOffset, s, side, type, qty, notional, limit, stop, refusal === undefined);
    if (refusal !== undefined) {
      // a venue's rejection travels back; a check of the strategy's own order is known at once
      h.refused(id, s, refusal, Number.isNaN(entry) ? now + this.latency.responseUs(now) : now);
      this.refusal = refusal;
      return -id - 1;
    }
    this.add(id, s, side, type, qty, notional, limit, stop, h.clock[1]!, now + entry, tag);
    return id;
  }

  /**
   * A market-on-close order fills at the close of the bar it is decided on: it must be decided
   * while a bar of its symbol (whose orders fill on bars) is handled, and reach the venue at once.
   */
  private onCloseRefusal(s: number, entryUs: number): string | undefined {
    const t = this.table;
    const i = this.host.clock[1]!;
    if (!(i >= 0 && t.kind[i] === BAR && t.sym[i] === s && this.source[s] === FILL_BAR)) return `market-on-close fills at the close of the bar it is decided on: decide it in onBar of a bar of ${this.host.symbols[s]} (a symbol whose orders fill on bars)`;
    if (entryUs > 0) return `market-on-close cannot reach the close it was decided at with an entry latency of ${entryUs} µs`;
    return undefined;
  }

  /** Market-on-close orders put to work and not yet filled (the engine calls {@link matchClose} after onBar). */
  closeOrders = 0;

  /**
   * Bar i's close: the market-on-close orders decided on it fill at its close (after slippage),
   * stamped at the bar's end; what they could not fill is cancelled. Fills go to {@link fills}.
   */
  matchClose(i: number): void {
    const out = this.fills;
    out.n = 0;
    const t = this.table;
    const s = t.sym[i]!;
    const list = this.working[s]!;
    const n = this.workingCount[s]!;
    this.pos = this.host.pf.position[s]!;
    this.cashAdj = 0;
    const ts = t.ts[i]!;
    for (let k = 0; k < n; k++) {
      const o = list[k]!;
      if (o.id < 0 || o.type !== MARKET_ON_CLOSE) continue;
      this.execute(o, MARKET_ON_CLOSE, t.f3[i]!, false, NaN, Infinity, i, s, ts);
      if (o.id > 0) this.end(o, 'market-on-close: not filled whole at the close', ts);
    }
    if (this.ended > 0) this.sweep(s);
  }

  resultOf(r: number): SubmitResult {
    return r >= 0 ? { ok: true, id: r } : { ok: false, id: -r - 1, reason: this.refusal };
  }

  /**
   * Why an order of `qty` units (or `notional`) on symbol s would be refused, or undefined. Buying
   * power: gross exposure after this order and all working ones, valued at the marks (the price
   * the strategy sizes with); the quote side only before the first mark.
   */
  private buyingPowerRefusal(s: number, side: number, qty: number, notional: number): string | undefined {
    const h = this.host;
    const pf = h.pf;
    h.syncMarks();
    const px = Number.isNaN(pf.mark[s]!) ? h.refPrice(s, side) : pf.mark[s]!;
    if (Number.isNaN(px)) return 'no price yet for this symbol';
    const units = Number.isNaN(qty) ? notional / px : qty;
    const equity = pf.equity();
    let gross = 0;
    const nSym = this.workingCount.length;
    for (let j = 0; j < nSym; j++) {
      const pxj = j === s ? px : Number.isNaN(pf.mark[j]!) ? pf.avgCost[j]! : pf.mark[j]!;
      const pj = pf.position[j]! + this.pendingUnits(j, pxj) + (j === s ? side * units : 0);
      if (pj !== 0) gross += Math.abs(pj) * pxj;
    }
    const maxLeverage = this.settings.maxLeverage;
    if (gross > maxLeverage * equity * (1 + 1e-9) && gross > pf.grossExposure() + 1e-9) {
      return `needs gross exposure ${gross.toFixed(2)} > max leverage ${maxLeverage} × equity ${equity.toFixed(2)}`;
    }
    const m = this.margin;
    if (m && m.initial * gross > equity * (1 + 1e-9) && gross > pf.grossExposure() + 1e-9) {
      return `needs initial margin ${m.initial} × gross exposure ${gross.toFixed(2)} = ${(m.initial * gross).toFixed(2)} > equity ${equity.toFixed(2)}`;
    }
    return undefined;
  }

  /**
   * Orders the difference between symbol s's position (with its working orders) and `qty`, as a
   * market order rounded toward zero to whole lots; nothing when already there (or when the
   * difference is less than a lot or the minimum quantity).
   */
  targetUnits(s: number, qty: number): SubmitResult | undefined {
    const h = this.host;
    if (!Number.isFinite(qty)) h.fail(`targetPosition(${h.symbols[s]}) needs a finite quantity, got ${qty}`);
    const have = h.pf.position[s]! + this.pendingUnits(s, h.refPrice(s, 1));
    const diff = qty - have;
    if (Math.abs(diff) <= 1e-9 * Math.max(1, Math.abs(qty))) return undefined;
    const units = floorTo(Math.abs(diff), this.lot[s]!);
    if (!(units > 0) || units < this.minQty[s]!) return undefined;
    return this.resultOf(this.order(s, diff > 0 ? 1 : -1, MARKET, units, NaN, NaN, NaN, undefined));
  }

  // ---- working orders -------------------------------------------------------------------------

  /** Signed units of working orders of a symbol (notional orders estimated at `price`). */
  pendingUnits(sym: number, price: number): number {
    let q = 0;
    const n = this.workingCount[sym]!;
    if (n === 0) return 0;
    const list = this.working[sym]!;
    for (let k = 0; k < n; k++) {
      const o = list[k]!;
      // the attached legs of a bracket only close what it opened
      if (o.parent !== 0) continue;
      q += o.side * (Number.isNaN(o.remaining) ? o.notional / price : o.remaining);
    }
    return q;
  }

  /** Puts an order to work (a pooled object, see {@link WorkingOrder}). */
  private add(id: number, sym: number, side: 1 | -1, type: OrderCode, remaining: number, notional: number, limit: number, stop: number, submitIndex: number, activeAt: EpochUs, tag: string | undefined): WorkingOrder {
    const o = this.free.pop() ?? new WorkingOrder();
    o.id = id;
    o.sym = sym;
    o.side = side;
    o.type = type;
    o.tif = GTC;
    o.expireAt = Infinity;
    o.reduceOnly = false;
    o.remaining = remaining;
    o.notional = notional;
    o.limit = limit;
    o.stop = stop;
    o.trail = NaN;
    o.trailPct = NaN;
    o.best = NaN;
    o.takeProfit = NaN;
    o.stopLoss = NaN;
    o.oco = 0;
    o.parent = 0;
    o.submitIndex = submitIndex;
    o.activeAt = activeAt;
    o.tag = tag;
    o.seen = false;
    o.resting = false;
    o.ahead = Infinity;
    o.levelSize = NaN;
    o.tradedSince = 0;
    o.onPath = false;
    o.pathFirst = false;
    o.filledAny = false;
    if (type === MARKET_ON_CLOSE) this.closeOrders++;
    const n = this.workingCount[sym]!;
    this.working[sym]![n] = o;
    this.workingCount[sym] = n + 1;
    this.last = o;
    return o;
  }

  private release(o: WorkingOrder): void {
    if (o.type === MARKET_ON_CLOSE) this.closeOrders--;
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

  /** The venue ends an order (expiry, IOC, FOK, OCO, reduce-only): removed at the end of the match. */
  end(o: WorkingOrder, reason: string, at: EpochUs): void {
    this.host.cancelled(o.id, o.sym, reason, o.remaining, at + this.latency.responseUs(at), o.parent);
    o.remaining = 0;
    o.notional = 0;
    o.id = -o.id; // ended: skipped by the rest of the match
    this.ended++;
  }

  find(s: number, id: number): WorkingOrder | undefined {
    const list = this.working[s]!;
    const n = this.workingCount[s]!;
    for (let k = 0; k < n; k++) if (list[k]!.id === id) return list[k];
    return undefined;
  }

  // ---- matching -------------------------------------------------------------------------------

  /**
   * Tries every working order of event i's symbol against event i; the fills go to
   * {@link fills} (emptied first). Filled and ended orders leave the working list.
   */
  match(i: number): void {
    const out = this.fills;
    out.n = 0;
    const t = this.table;
    const s = t.sym[i]!;
    const n0 = this.workingCount[s]!;
    if (n0 === 0 && this.watch[s] === 0) return;
    const kind = t.kind[i]!;
    const src = this.source[s]!;
    // the position as this event's fills leave it (reduce-only orders are capped by it)
    this.pos = this.host.pf.position[s]!;
    this.cashAdj = 0;
    if (kind === BAR && src === FILL_BAR) this.matchBar(i, s, n0);
    else {
      this.matchTick(i, s, n0, kind, src);
      if (this.margin && this.pos !== 0) this.checkMarginTick(i, s, kind, src);
    }
    if (this.ended > 0) this.sweep(s);
  }

  /** The position of the symbol being matched, as the fills so far leave it. */
  private pos = 0;

  /**
   * A tick (quote or trade), or a bar of a symbol whose orders fill on ticks: each order against
   * the event's liquidity, by its rule (broker/rules), each at its own price. When the event
   * reaches several orders (a quote that jumps through them), they fill in the order the price
   * reaches them coming from the previous mark: market orders and limits marketable on arrival
   * first, then by the distance of their trigger (a stop's stop, a resting limit's limit) from
   * that mark; as sent when equally far.
   */
  private matchTick(i: number, s: number, n0: number, kind: number, src: number): void {
    const t = this.table;
    const list = this.working[s]!;
    const eventTs = kind === BAR ? t.barStart[i]! : t.ts[i]!;
    const l = this.liquidity;
    const rules = this.orderRules;
    l.at(i, kind, src);
    const own = l.own;
    const prev = this.host.markOf(s);
    let nf = 0;
    // orders added during the match (a bracket's legs) are not tried on this event
    for (let k = 0; k < n0; k++) {
      const o = list[k]!;
      if (o.id < 0 || i <= o.submitIndex || eventTs < o.activeAt) continue;
      if (eventTs >= o.expireAt) {
        this.end(o, 'expired (good till time)', eventTs);
        continue;
      }
      const type = o.type;
      l.clear(!o.seen);
      if (type !== LIMIT && type !== STOP_LIMIT && own) o.seen = true;
      rules[type]!.tick(o, l);
      if (Number.isNaN(l.px)) {
        if (l.first && o.seen && (o.tif === IOC || o.tif === FOK)) this.end(o, `${o.tif === FOK ? 'fill or kill' : 'immediate or cancel'}: not filled on its first eligible event`, eventTs);
        continue;
      }
      // where the price reached it: a stop at its stop, a resting limit at its limit, else at once
      const at = type === STOP || type === TRAILING_STOP || type === STOP_LIMIT ? o.stop : l.maker ? o.limit : NaN;
      const key = Number.isNaN(at) || Number.isNaN(prev) ? 0 : Math.abs(at - prev);
      this.pushReached(nf++, k, key, l);
    }
    if (nf === 0) return;
    if (nf > 1) this.sortReached(nf);
    const r = this.reached;
    for (let j = 0; j < nf; j++) {
      const o = list[r.k[j]!]!;
      if (o.id < 0) continue; // ended by an earlier fill (the other leg of an OCO)
      this.execute(o, o.type, r.px[j]!, r.maker[j] === 1, r.avail[j]!, r.queued[j]!, i, s, eventTs);
    }
  }

  /** The orders a tick reached, with their answers, in the order they fill (reused columns). */
  private reached = { k: new Int32Array(8), key: new Float64Array(8), px: new Float64Array(8), avail: new Float64Array(8), queued: new Float64Array(8), maker: new Uint8Array(8) };

  private pushReached(j: number, k: number, key: number, l: Liquidity): void {
    let r = this.reached;
    if (j === r.k.length) {
      const n = j * 2;
      const grow = <A extends Int32Array | Float64Array | Uint8Array>(a: A): A => {
        const b = new (a.constructor as new (n: number) => A)(n);
        b.set(a);
        return b;
      };
      r = { k: grow(r.k), key: grow(r.key), px: grow(r.px), avail: grow(r.avail), queued: grow(r.queued), maker: grow(r.maker) };
      this.reached = r;
    }
    r.k[j] = k;
    r.key[j] = key;
    r.px[j] = l.px;
    r.avail[j] = l.avail;
    r.queued[j] = l.queued;
    r.maker[j] = l.maker ? 1 : 0;
  }

  /** Stable insertion sort of the first n reached orders by key (few at a time). */
  private sortReached(n: number): void {
    const r = this.reached;
    for (let a = 1; a < n; a++) {
      const key = r.key[a]!;
      if (key >= r.key[a - 1]!) continue;
      const k = r.k[a]!,
        px = r.px[a]!,
        av = r.avail[a]!,
        q = r.queued[a]!,
        m = r.maker[a]!;
      let b = a - 1;
      while (b >= 0 && r.key[b]! > key) {
        r.k[b + 1] = r.k[b]!;
        r.key[b + 1] = r.key[b]!;
        r.px[b + 1] = r.px[b]!;
        r.avail[b + 1] = r.avail[b]!;
        r.queued[b + 1] = r.queued[b]!;
        r.maker[b + 1] = r.maker[b]!;
        b--;
      }
      r.k[b + 1] = k;
      r.key[b + 1] = key;
      r.px[b + 1] = px;
      r.avail[b + 1] = av;
      r.queued[b + 1] = q;
      r.maker[b + 1] = m;
    }
  }

  // ---- a bar's path -----------------------------------------------------------------------------

  /** True while a bar's path is matched: legs attached meanwhile are tried on the rest of it. */
  private onBarPath = false;

  /**
   * A bar of a symbol whose orders fill on bars: its working orders are tried in the order the
   * bar's path (the fill model's `barPath`, broker/bar-path.ts) reaches their prices. The path
   * starts at the open: market orders, limits marketable on arrival and stops the open is
   * already beyond fill there (in the order they were sent); then it goes to one extreme, the
   * other and the close, and each order fills where the path first reaches it (a stop at its
   * stop, a resting limit at its limit when the path goes strictly beyond it, a stop-limit turns
   * into a limit where its stop is reached and is tried on the rest of the path). The legs a fill
   * attaches are tried on the rest of the path from the fill's price.
   */
  private matchBar(i: number, s: number, n0: number): void {
    const t = this.table;
    const list = this.working[s]!;
    const open = t.f0[i]!;
    const high = t.f1[i]!;
    const low = t.f2[i]!;
    const close = t.f3[i]!;
    const eventTs = t.barStart[i]!;
    const path = this.rules.barPath;
    const l = this.liquidity;
    const rules = this.orderRules;
    for (let k = 0; k < n0; k++) {
      const o = list[k]!;
      o.onPath = false;
      if (o.id < 0 || i <= o.submitIndex || eventTs < o.activeAt || o.type === MARKET_ON_CLOSE) continue;
      if (eventTs >= o.expireAt) {
        this.end(o, 'expired (good till time)', eventTs);
        continue;
      }
      o.onPath = true;
      o.pathFirst = !o.seen;
      o.seen = true;
      // a trailing stop trails from the open (the bar's extreme moves it after the bar)
      if (o.type === TRAILING_STOP && o.pathFirst) moveTrail(o, open, this.tick[s]!);
    }
    this.onBarPath = true;
    let cur = open;
    /** Where the path goes: at the open (NaN), an extreme (TO_HIGH/TO_LOW), the close (0). */
    let leg = NaN;
    let visited = 0; // extremes visited
    let to = open;
    for (;;) {
      let best = -1;
      let bestD = Infinity;
      let px = NaN;
      let act = 0;
      const n = this.workingCount[s]!;
      for (let k = 0; k < n; k++) {
        const o = list[k]!;
        if (!o.onPath || o.id < 0) continue;
        const d = rules[o.type]!.path(o, cur, to, leg === TO_HIGH || leg === TO_LOW, l);
        if (d < bestD) {
          bestD = d;
          best = k;
          px = l.reachPx;
          act = l.reachAct;
        }
      }
      if (this.margin && this.pos !== 0) {
        // a margin call where the path first reaches the price at which equity < maintenance
        const pl = this.liquidationPrice(s);
        const long = this.pos > 0;
        let d = Infinity;
        let at = NaN;
        if (long ? cur < pl : cur > pl) {
          d = 0;
          at = cur;
        } else if (long ? to < pl : to > pl) {
          d = Math.abs(cur - pl);
          at = pl;
        }
        if (d < bestD) {
          cur = at;
          this.marginCall(i, s, at, eventTs);
          continue;
        }
      }
      if (best < 0) {
        // nothing more on the way: the path reaches where it was going
        cur = to;
        if (leg === 0) break;
        if (!Number.isNaN(leg)) visited++;
        leg = visited === 0 ? path.firstExtreme(cur, high, low, this.pos) : visited === 1 ? -leg : 0;
        to = leg === TO_HIGH ? high : leg === TO_LOW ? low : close;
        continue;
      }
      const o = list[best]!;
      cur = px;
      if (act === ACT_TRIGGER) {
        // a stop-limit's stop: from here a limit, new (marketable at this price if within it)
        o.type = LIMIT;
        o.pathFirst = true;
        continue;
      }
      o.onPath = false;
      if (act === ACT_TOUCH && !(this.queue.touchFills || (this.rules.barTouch > 0 && this.rng() < this.rules.barTouch))) continue;
      const type = o.type;
      const filled = this.execute(o, type, px, act !== ACT_TAKER, NaN, Infinity, i, s, eventTs);
      // the conservative path turns against the position a fill on the way to its first extreme leaves
      if (filled && path.redecides && visited === 0 && (leg === TO_HIGH || leg === TO_LOW)) {
        leg = path.firstExtreme(cur, high, low, this.pos);
        to = leg === TO_HIGH ? high : low;
      }
    }
    this.onBarPath = false;
    for (let k = 0; k < this.workingCount[s]!; k++) {
      const o = list[k]!;
      if (o.id < 0) continue;
      if (o.onPath && (o.tif === IOC || o.tif === FOK)) this.end(o, `${o.tif === FOK ? 'fill or kill' : 'immediate or cancel'}: not filled on its first eligible event`, eventTs);
      else if (o.type === TRAILING_STOP && o.seen && i > o.submitIndex && eventTs >= o.activeAt) moveTrail(o, o.side > 0 ? low : high, this.tick[s]!);
      o.onPath = false;
    }
  }

  /**
   * Fills order o at `px` (before slippage) as far as its size, the caps and reduce-only allow;
   * returns whether it filled. Ends what the fill ends (the order when done, an IOC's rest, the
   * other leg of an OCO) and attaches a bracket's legs.
   */
  private execute(o: WorkingOrder, type: OrderCode, px: number, maker: boolean, avail: number, queued: number, i: number, s: number, eventTs: EpochUs): boolean {
    const t = this.table;
    const rules = this.rules;
    const slipped = type === MARKET || type === STOP || type === TRAILING_STOP || type === MARKET_ON_CLOSE;
    // size: a notional order at the fill price (after slippage), in whole lots
    let qty = o.remaining;
    const lot = this.lot[s]!;
    if (Number.isNaN(qty)) {
      let p1 = px;
      if (slipped) p1 = this.slippage.price(o.side, px, this.fees.units(o.notional, px), i, s);
      qty = floorTo(this.fees.units(o.notional, p1), lot);
      if (!(qty > 0) || qty < this.minQty[s]!) {
        this.end(o, `notional ${o.notional} buys ${qty > 0 ? `${qty}, below the minimum quantity ${this.minQty[s]}` : `less than one lot of ${lot}`} at ${p1}`, eventTs);
        return false;
      }
      o.remaining = qty;
    }
    if (rules.capToQuoteSize && avail < qty) qty = avail; // NaN (unknown size) does not cap
    if (queued < qty) qty = queued;
    if (rules.participation > 0) {
      const cap = rules.participation * eventVolume(t, i, o.side);
      if (cap < qty) qty = cap;
    }
    let capped = false;
    const pos = this.pos;
    if (o.reduceOnly) {
      // only what brings the position toward flat; the rest is cancelled after the fill
      const reducible = o.side * pos < 0 ? Math.abs(pos) : 0;
      if (!(reducible > 0)) {
        this.end(o, 'reduce-only: no position to reduce', eventTs);
        return false;
      }
      if (reducible < qty) {
        qty = reducible;
        capped = true;
      }
    }
    if (lot > 0 && qty < o.remaining) qty = floorTo(qty, lot);
    if (o.tif === FOK && qty < o.remaining * (1 - 1e-12)) {
      this.end(o, `fill or kill: only ${qty} of ${o.remaining} available`, eventTs);
      return false;
    }
    if (!(qty > 0)) {
      if (o.tif === IOC) this.end(o, 'immediate or cancel: nothing available on its first eligible event', eventTs);
      return false;
    }
    if (slipped) px = this.slippage.price(o.side, px, qty, i, s);
    // stamped at eventTs: a bar's start (the fill happened at its open or inside it, before its
    // close, when the event is released), a tick's time otherwise; never before the order is live
    o.remaining -= qty;
    const done = o.remaining <= 1e-12 * qty;
    if (done) o.remaining = 0;
    const fee = this.fees.fee(qty, px, maker, !o.filledAny);
    o.filledAny = true;
    this.fills.push(o, qty, px, fee, eventTs, done);
    this.pos = pos + o.side * qty;
    this.cashAdj -= o.side * qty * px + fee;
    if (!Number.isNaN(o.takeProfit) || !Number.isNaN(o.stopLoss)) attachLegs(this, o, qty, i);
    if (o.oco !== 0) ocoFilled(this, o, qty, done, eventTs);
    if (done) {
      o.id = -o.id;
      this.ended++;
    } else if (capped) this.end(o, `reduce-only: ${qty} filled closed the position, the rest cancelled`, eventTs);
    else if (o.tif === IOC) this.end(o, `immediate or cancel: ${qty} filled, the rest cancelled`, eventTs);
    return true;
  }

  // ---- margin ----------------------------------------------------------------------------------

  /**
   * The price of symbol s at which equity would fall below the maintenance margin, the other
   * symbols at their marks and the fills of this event booked (NaN: no position in s). Equity
   * E(p) = A + q·p and the requirement R(p) = m·(G + |q|·p), A the cash and the other positions'
   * value, G their gross exposure: a long is called below (m·G − A) / (q·(1 − m)), a short above
   * (A − m·G) / (|q|·(1 + m)).
   */
  private liquidationPrice(s: number): number {
    const pf = this.host.pf;
    const q = this.pos;
    if (q === 0) return NaN;
    const m = this.margin!.maintenance;
    let a = pf.cash + this.cashAdj;
    let g = 0;
    const nSym = this.workingCount.length;
    if (pf.inMarket()) {
      this.host.syncMarks();
      for (let j = 0; j < nSym; j++) {
        const p = pf.position[j]!;
        if (j === s || p === 0) continue;
        const px = Number.isNaN(pf.mark[j]!) ? pf.avgCost[j]! : pf.mark[j]!;
        a += p * px;
        g += Math.abs(p) * px;
      }
    }
    return q > 0 ? (m * g - a) / (q * (1 - m)) : (a - m * g) / (-q * (1 + m));
  }

  /** A tick of symbol s: a margin call when closing the position at this event's price leaves equity below maintenance. */
  private checkMarginTick(i: number, s: number, kind: number, src: number): void {
    const t = this.table;
    const long = this.pos > 0;
    let px = NaN;
    if (kind === QUOTE && src === FILL_QUOTE) px = long ? t.f0[i]! : t.f1[i]!;
    else if (kind === TRADE && src === FILL_TRADE) px = t.f0[i]! * (1 - (long ? 1 : -1) * this.rules.halfSpread);
    if (Number.isNaN(px)) return;
    const pl = this.liquidationPrice(s);
    if (long ? px < pl : px > pl) this.marginCall(i, s, px, t.ts[i]!);
  }

  /**
   * A margin call at price `px` of symbol s: its position closes at px (after slippage), every
   * other position at its mark, every working order is cancelled; a negative balance left is
   * written off (see {@link writeOff}). Recorded in {@link marginCalls}.
   */
  private marginCall(i: number, s: number, px: number, ts: EpochUs): void {
    const h = this.host;
    const pf = h.pf;
    const m = this.margin!.maintenance;
    h.syncMarks();
    let equity = pf.cash + this.cashAdj;
    let gross = 0;
    const nSym = this.workingCount.length;
    for (let j = 0; j < nSym; j++) {
      const q = j === s ? this.pos : pf.position[j]!;
      if (q === 0) continue;
      const pj = j === s ? px : Number.isNaN(pf.mark[j]!) ? pf.avgCost[j]! : pf.mark[j]!;
      equity += q * pj;
      gross += Math.abs(q) * pj;
    }
    const requirement = m * gross;
    const reason = `margin call: equity ${equity.toFixed(2)} below the maintenance margin ${requirement.toFixed(2)} (${m} × gross exposure ${gross.toFixed(2)}) at ${h.symbols[s]} ${px}`;
    // every working order ends
    for (let j = 0; j < nSym; j++) {
      const list = this.working[j]!;
      const n = this.workingCount[j]!;
      let any = false;
      for (let k = 0; k < n; k++) {
        const o = list[k]!;
        if (o.id < 0) continue;
        this.end(o, reason, ts);
        any = true;
      }
      if (any && j !== s) {
        const keep = this.ended;
        this.sweep(j);
        this.ended = keep;
      }
    }
    const closed: { symbol: string; qty: number; price: number }[] = [];
    for (let j = 0; j < nSym; j++) {
      const q = j === s ? this.pos : pf.position[j]!;
      if (q === 0) continue;
      const side = (q > 0 ? -1 : 1) as 1 | -1;
      const qty = Math.abs(q);
      let p = j === s ? px : Number.isNaN(pf.mark[j]!) ? pf.avgCost[j]! : pf.mark[j]!;
      if (j === s) p = this.slippage.price(side, p, qty, i, s);
      const id = this.nextOrderId++;
      this.ordersSubmitted++;
      this.orders.push(id, h.clock[0]!, i, j, side, MARGIN_CALL, qty, NaN, NaN, NaN, true);
      const o = this.liq;
      o.id = id;
      o.sym = j;
      o.side = side;
      o.parent = 0;
      o.tag = undefined;
      const fee = this.fees.fee(qty, p, false, true);
      // the fills of other symbols are booked on their own symbol (EventFills.sym)
      this.fills.push(o, qty, p, fee, ts, true);
      this.cashAdj -= side * qty * p + fee;
      closed.push({ symbol: h.symbols[j]!, qty: side * qty, price: p });
      if (j === s) this.pos = 0;
    }
    // all flat: equity is cash; a negative balance is the broker's loss, written off
    const left = pf.cash + this.cashAdj;
    const writtenOff = left < 0 ? -left : 0;
    this.writeOff += writtenOff;
    this.cashAdj += writtenOff;
    this.marginCalls.push({ ts, symbol: h.symbols[s]!, price: px, equity, requirement, closed, writtenOff });
  }

  /** Removes the orders a match ended or filled (their ids negated), keeping the others' order. */
  private sweep(s: number): void {
    const list = this.working[s]!;
    const n = this.workingCount[s]!;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const o = list[k]!;
      if (o.id < 0) this.release(o);
      else list[m++] = o;
    }
    this.workingCount[s] = m;
    this.ended = 0;
  }

  /** A new leg of a bracket's entry (see rules/bracket.ts): reduce-only, held at the venue, live at once. */
  newLeg(entry: WorkingOrder, type: OrderCode, price: number, qty: number, i: number): WorkingOrder {
    const s = entry.sym;
    const now = this.table.kind[i] === BAR ? this.table.barStart[i]! : this.table.ts[i]!;
    const side = -entry.side as 1 | -1;
    const id = this.nextOrderId++;
    this.ordersSubmitted++;
    this.orders.push(id, now, i, s, side, type, qty, NaN, type === LIMIT ? price : NaN, type === STOP ? price : NaN, true);
    const leg = this.add(id, s, side, type, qty, NaN, type === LIMIT ? price : NaN, type === STOP ? price : NaN, i, now, entry.tag);
    leg.reduceOnly = true;
    leg.parent = entry.id;
    // attached on a bar's path: tried on the rest of it, from the fill's price
    leg.onPath = this.onBarPath;
    leg.pathFirst = true;
    return leg;
  }

  findLeg(s: number, entryId: number, type: OrderCode): WorkingOrder | undefined {
    const list = this.working[s]!;
    const n = this.workingCount[s]!;
    for (let k = 0; k < n; k++) {
      const o = list[k]!;
      if (o.id > 0 && o.parent === entryId && o.type === type) return o;
    }
    return undefined;
  }
}
