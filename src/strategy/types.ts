/**
 * What a strategy is and what it can see. A strategy is a plain object with optional handlers;
 * it reaches the market only through the narrow {@link Context}, which is built from the engine's
 * state as of `now` and so cannot show a tick later than now.
 */
import type { EpochUs } from '../data/time.js';
import type { Cancellation, Rejection } from '../portfolio/record.js';
import type { PanelMatrix } from '../panel/rolling-panel.js';
import type { PanelField } from '../panel/panel-feed.js';

export type { PanelField, PanelMatrix };
import type { Diagnostics } from './diagnostics.js';

// the charts a strategy draws in the report: src/strategy/diagnostics.ts
export type { DiagnosticChart, DiagnosticLevel, DiagnosticMarker, DiagnosticSeries, Diagnostics } from './diagnostics.js';

export type Side = 'buy' | 'sell';
/** 'market-on-close': fills at the close of the bar in whose onBar it was decided (bars of its symbol only). */
export type OrderType = 'market' | 'limit' | 'stop' | 'stop-limit' | 'trailing-stop' | 'market-on-close';
/** Time in force: good till cancelled (default), immediate or cancel, fill or kill, good till time (`expireAt`). */
export type TimeInForce = 'gtc' | 'ioc' | 'fok' | 'gtt';

/** An order as a strategy asks for it. Give `qty` (units) or `notional` (cash; sized at the fill price). */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly qty?: number;
  readonly notional?: number;
  /** Default 'market'. */
  readonly type?: OrderType;
  /** Limit price (types 'limit' and 'stop-limit'). */
  readonly limit?: number;
  /** Stop (trigger) price (types 'stop' and 'stop-limit'). */
  readonly stop?: number;
  /** Trailing stop: the trigger follows the best price by this distance (price units)... */
  readonly trail?: number;
  /** ... or by this fraction of it (0.02 for 2%). */
  readonly trailPercent?: number;
  /** Default 'gtc'; 'gtt' needs `expireAt`. IOC and FOK apply to market and limit orders. */
  readonly tif?: TimeInForce;
  /** GTT: the order is cancelled at the first event of its symbol at or after this time (µs). */
  readonly expireAt?: EpochUs;
  /** Only reduces the position (capped to it at each fill; cancelled when there is none). */
  readonly reduceOnly?: boolean;
  /** Bracket: each fill attaches a take-profit limit at this price on the other side ... */
  readonly takeProfit?: number;
  /** ... and a stop-loss stop at this price; the two are reduce-only and one cancels the other. */
  readonly stopLoss?: number;
  /** Free text carried into fills, for the strategy's own bookkeeping. */
  readonly tag?: string;
}

/** Submitting is a value, not an exception: a refused order says why. */
export type SubmitResult = { readonly ok: true; readonly id: number } | { readonly ok: false; readonly id: number; readonly reason: string };

export interface Fill {
  readonly orderId: number;
  readonly symbol: string;
  readonly side: Side;
  /** Units filled (positive). */
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly ts: EpochUs;
  /** True when the order is now completely filled. */
  readonly done: boolean;
  readonly tag: string | undefined;
  /** A bracket's take-profit or stop-loss leg: the id of the entry order it belongs to. */
  readonly parentId?: number;
}

// what the venue refused or ended: the run record's types (portfolio/record.ts)
export type { Cancellation, Rejection };

/** A tick as plain values, kept as long as you like (`tick.snapshot()`). */
export interface Tick {
  readonly ts: EpochUs;
  readonly symbol: string;
  readonly kind: 'trade' | 'quote';
  /** Trade price (trades) or mid (quotes). */
  readonly price: number;
  /** Trade size (trades); NaN for quotes. */
  readonly size: number;
  /** Quote fields; NaN for trades. */
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
}

/** A bar as plain values, kept as long as you like (`bar.snapshot()`). */
export interface Bar {
  /** Close time: when the bar became visible. */
  readonly ts: EpochUs;
  readonly start: EpochUs;
  readonly symbol: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  /** NaN when unknown. */
  readonly volume: number;
}

/** What {@link Context.history} can return: a field of the symbol's events, oldest first. */
export type HistoryField = 'price' | 'ts' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'bid' | 'ask' | 'bidSize' | 'askSize' | 'size';

/**
 * The tick being delivered. One object, updated in place: read it during the call, do not keep it
 * (an array of `tick`s holds the same object many times, showing the latest tick); keep
 * `tick.snapshot()`, or ask `ctx.history()`.
 */
export interface TickView extends Tick {
  readonly index: number;
  readonly symbolId: number;
  /** The tick's values as a plain object that stays as it is. */
  snapshot(): Tick;
}

/**
 * The bar being delivered, at its close. One object, updated in place: do not keep it (keep
 * `bar.snapshot()`, or ask `ctx.history(symbol, n, 'close')`).
 */
export interface BarView extends Bar {
  readonly index: number;
  readonly symbolId: number;
  /** The bar's values as a plain object that stays as it is. */
  snapshot(): Bar;
}

export interface QuoteSnapshot {
  readonly bid: number;
  readonly ask: number;
  readonly bidSize: number;
  readonly askSize: number;
  readonly ts: EpochUs;
}

/** Everything a strategy may read or do. All reads are as of `now`. */
export interface Context {
  readonly now: EpochUs;
  /**
   * True while the strategy only warms up (validation replays the data before an out-of-sample
   * window so that indicators and fits start warm): orders are refused and positions read 0.
   */
  readonly warmingUp: boolean;
  /** Symbols in the data (all of them, including those not yet seen). */
  readonly symbols: readonly string[];
  readonly cash: number;
  /** Cash plus positions at their marks. */
  readonly equity: number;
  readonly initialCapital: number;
  /** Latest quote of a symbol, or undefined if none yet. */
  quote(symbol: string): QuoteSnapshot | undefined;
  /** Latest trade price (NaN if none yet). */
  lastTrade(symbol: string): number;
  /** Mark price: mid (quotes), last trade, or bar close; NaN before the first. */
  price(symbol: string): number;
  /** Signed position in units. */
  position(symbol: string): number;
  /** Signed units of working orders not yet filled. */
  pending(symbol: string): number;
  submit(order: OrderRequest): SubmitResult;
  /** Cancels a working order; false if it is no longer working. */
  cancel(orderId: number): boolean;
  /** Cancels every working order of a symbol (or of all symbols). */
  cancelAll(symbol?: string): void;
  /**
   * Trades toward a target position (units) with a market order for the difference between the
   * target and position + pending; nothing when already there.
   */
  targetPosition(symbol: string, qty: number): SubmitResult | undefined;
  /**
   * {@link targetPosition} with the target as a fraction of equity at the current price; no order
   * while the position, on the target's side, is within `tolerance` × equity of the target
   * (default 0.01), so that a target already held is not re-traded on every call. From flat or
   * on the other side it always orders, however small the target; a target of 0 always closes.
   */
  targetPercent(symbol: string, fraction: number, tolerance?: number): SubmitResult | undefined;
  /** Uniform [0, 1) from the run's seeded generator. */
  random(): number;
  /**
   * The last `n` values of a field of the symbol's market events up to now (this event
   * included), oldest first, as a new typed array (shorter when fewer have happened). The events
   * are those that mark the symbol: its quotes if it has any, else its trades, else its bars.
   * `price` is the mark (mid, trade price or close); bar fields on bars, bid/ask/sizes on quotes,
   * size on trades. It scans back over the table: call it when deciding, not on every tick.
   */
  history(symbol: string, n: number, field?: HistoryField): Float64Array;
  /**
   * The last `n` sessions (distinct bar starts, the decision clock) of a bar field for every
   * symbol, oldest first, as a row-major matrix (values[row * symbols.length + symbol index]), NaN
   * where a symbol has no bar or is not a member of the universe. Incremental: each call reads only
   * the bars since the last. The matrix is reused: valid until the next call for the same field.
   */
  panel(field: PanelField, n: number): PanelMatrix;
  /** Whether the symbol is in the universe now (always true without a universe). */
  member(symbol: string): boolean;
}

/**
 * Which ticks a strategy wants, so that the engine skips the call for the others (a strategy that
 * decides once a minute on two symbols need not be called for every quote of every symbol).
 */
export interface TickSubscription {
  /** Only these symbols' ticks (default: all). */
  readonly symbols?: readonly string[];
  /** Only the first tick of each period of this length, µs (default 0: every tick). */
  readonly everyUs?: number;
  /** Periods counted per symbol (default) or across the subscribed symbols together. */
  readonly per?: 'symbol' | 'strategy';
}

export interface Strategy {
  /** Read once, after `onStart`: limits which ticks reach `onTick` (bars always arrive). */
  readonly ticks?: TickSubscription;
  onStart?(ctx: Context): void;
  onTick?(ctx: Context, tick: TickView): void;
  onBar?(ctx: Context, bar: BarView): void;
  /** Once the bars of a time are all delivered (after the last one's onBar): a universe's decision clock. */
  onBars?(ctx: Context, session: EpochUs): void;
  onFill?(ctx: Context, fill: Fill): void;
  onReject?(ctx: Context, rejection: Rejection): void;
  onCancel?(ctx: Context, cancellation: Cancellation): void;
  onEnd?(ctx: Context): void;
  /** JSON-serialisable figures for the JSON report (fit, signals), asked for once at the end. */
  summary?(): unknown;
  /**
   * Charts for the HTML report (series, levels, markers: src/strategy/diagnostics.ts), asked for
   * once at the end, after `summary`. Plain data; the report draws them without knowing the strategy.
   */
  diagnostics?(): Diagnostics;
}

export type ParamValue = number | boolean | string;

export interface ParamSpec {
  readonly type: 'number' | 'integer' | 'boolean' | 'string';
  readonly default: ParamValue;
  readonly doc: string;
  readonly min?: number;
  readonly max?: number;
  readonly choices?: readonly string[];
  /** A string that must be a duration (`1m`, `1h`, `5d`), or empty when the default is empty. */
  readonly format?: 'duration';
}

export type ParamSchema = Readonly<Record<string, ParamSpec>>;
export type Params = Readonly<Record<string, ParamValue>>;

/** A strategy module: what `--strategy NAME|./file.ts` loads. Its default export is one of these. */
export interface StrategyModule {
  readonly name: string;
  readonly description: string;
  readonly params: ParamSchema;
  create(params: Params): Strategy;
}

/** The value type a parameter spec declares: numbers for `number` and `integer`, and so on. */
export type ParamValueOf<S extends ParamSpec> = S['type'] extends 'number' | 'integer' ? number : S['type'] extends 'boolean' ? boolean : string;

/** The parameters a strategy's `create` receives, typed from its schema. */
export type ParamsOf<S extends ParamSchema> = { readonly [K in keyof S]: ParamValueOf<S[K]> };

/**
 * Identity helper that gives a module literal its type, and types `create`'s parameters from the
 * schema: with `params: { lookback: { type: 'integer', ... } }`, `create(p)` sees `p.lookback` as a
 * number, without casts.
 */
export function defineStrategy<const S extends ParamSchema>(m: { readonly name: string; readonly description: string; readonly params: S; create(params: ParamsOf<S>): Strategy }): StrategyModule {
  return m as unknown as StrategyModule;
}
