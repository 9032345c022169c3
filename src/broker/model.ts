/**
 * An execution model: one market assumption (when an order is live, where a resting limit stands
 * in the queue, how far a fill's price moves against the order, what it costs), with its rule in
 * its TSDoc, its parameters as a {@link ParamSchema} (so flags, checks and "did you mean" come from
 * it, as for strategies) and a `bind` that turns checked parameters into the object the venue calls
 * on the hot path, once per run. Randomness comes only from the run's seeded generator
 * ({@link ModelEnv.rng}).
 *
 * Each model is one file in broker/models and one entry in broker/models/index.ts.
 */
import type { TickTable } from '../data/table.js';
import type { BarPath } from './bar-path.js';
import type { ParamSchema, Params } from '../strategy/types.js';

/** The slots of an execution: one model each. */
export const FAMILIES = ['latency', 'fill', 'queue', 'slippage', 'fees', 'financing'] as const;
export type Family = (typeof FAMILIES)[number];

/** What a model may read when it is bound to a run. */
export interface ModelEnv {
  readonly table: TickTable;
  /** Which data fills each symbol's orders (FILL_QUOTE / FILL_TRADE / FILL_BAR). */
  readonly source: Uint8Array;
  /** The run's seeded generator (the only randomness a model may use). */
  readonly rng: () => number;
}

export interface ExecModel<B> {
  readonly family: Family;
  readonly name: string;
  /** The rule, in a sentence or three (README's execution section and `--help` print it). */
  readonly rule: string;
  readonly params: ParamSchema;
  /**
   * Checks that only the whole set of parameters can tell (a file that must parse, one bound below
   * another); throws a UsageError or DataError naming the parameter. Runs where the settings are
   * made (the command line), before any data is read.
   */
  check?(p: Params): void;
  /** `us`: the duration parameters in µs, parsed once where the settings were made ({@link ModelChoice.us}). */
  bind(p: Params, env: ModelEnv, us: Readonly<Record<string, number>>): B;
}

/** A model chosen for a slot, with its parameters (checked, defaults filled in): plain JSON. */
export interface ModelChoice {
  readonly model: string;
  /** As given (a duration as written, `50ms`): what reports and the ledger show. */
  readonly params: Params;
  /**
   * The duration parameters in µs, from the one parse of each (strategy/params.ts): what the
   * venue binds. Not in reports (broker/settings.ts `plainExecution`).
   */
  readonly us: Readonly<Record<string, number>>;
}

// ---- what the venue calls, per slot (bound once per run) ------------------------------------

/** When an order reaches the venue, and when the venue's answers reach the strategy. */
export interface Latency {
  /** µs from a submission at `t` to the order being live; NaN: the venue rejects it. */
  entryUs(t: number): number;
  /** µs from a fill or a rejection at `t` to the strategy being told of it (onFill, onReject). */
  responseUs(t: number): number;
  /** Whether responseUs can be > 0 (else fills reach the strategy on their own event, no lookup). */
  readonly delaysResponses: boolean;
}

/** The fill rules that hold for every data kind (prices per kind are in broker/match.ts). */
export interface FillRules {
  /** Half-spread assumed on trade-only data, as a fraction of the trade price. */
  readonly halfSpread: number;
  /** A quote fill takes at most the displayed size; a trade through a limit at most its size. */
  readonly capToQuoteSize: boolean;
  /** Most of an event's volume one fill may take (bar volume, trade size, displayed size); 0: no cap. */
  readonly participation: number;
  /** Probability that a resting limit fills on a bar that only touches it (low = limit for a buy). */
  readonly barTouch: number;
  /** The order in which a bar makes its prices (broker/bar-path.ts). */
  readonly barPath: BarPath;
}

/** Where a resting limit stands in the queue at its price, from quote sizes and trade prints (L1). */
export interface Queue {
  /** A print exactly at the limit fills the order whole (no queue is modelled). */
  readonly touchFills: boolean;
  /** The order starts resting; `best`/`size`: the best price and size on its side now (NaN: none). */
  start(o: QueueState, limit: number, buy: boolean, best: number, size: number): void;
  /** A quote: the best price and size on the order's side. */
  quote(o: QueueState, limit: number, buy: boolean, best: number, size: number): void;
  /** A trade printed at the limit with `size`: the units of the order it fills (0 when none). */
  tradeAt(o: QueueState, size: number): number;
}

/** The queue fields of a working order. */
export interface QueueState {
  /** Units ahead of the order at its price (Infinity: its price is not visible at L1). */
  ahead: number;
  /** The displayed size at the order's price when last seen (NaN: not at the best). */
  levelSize: number;
  /** Units traded at the order's price since the last quote (so a size drop is not counted twice). */
  tradedSince: number;
}

/** The price a market or stop fill gets after slippage and impact. */
export interface Slippage {
  /** `px` moved against an order of `side` (+1 buy) for `qty` units filled on event `i` of symbol `s`. */
  price(side: number, px: number, qty: number, i: number, s: number): number;
}

export interface Fees {
  /** The fee of a fill (>= 0); `maker`: a resting limit filled at its limit; `firstFill`: the order's first fill. */
  fee(qty: number, px: number, maker: boolean, firstFill: boolean): number;
  /** Units a notional order buys at `px`, leaving room for the (taker) fee and a per-order fee. */
  units(notional: number, px: number): number;
}

export interface Financing {
  /** Yearly cost of a short position of symbol `s`, as a fraction of its value. */
  shortRate(s: number): number;
}
