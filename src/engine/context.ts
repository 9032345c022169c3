/**
 * The {@link Context} a strategy sees: reads of the books and the market as they stand at the
 * event being handled, and orders, all through its backtest ({@link ContextHost}).
 */
import type { EpochUs } from '../data/time.js';
import type { Venue } from '../broker/venue.js';
import type { Portfolio } from '../portfolio/portfolio.js';
import type { Context, HistoryField, OrderRequest, PanelField, PanelMatrix, QuoteSnapshot, SubmitResult } from '../strategy/types.js';
import { PANEL_FIELDS } from '../panel/panel-feed.js';

/**
 * targetPercent places no order while the position, on the target's side, is within this share of
 * equity of its target (1%): a target already held is not re-traded on every call as prices and
 * equity drift. From flat, or on the other side, it always orders, however small the target.
 */
export const DEFAULT_TARGET_TOLERANCE = 0.01;

/** What the context reads from its backtest. */
export interface ContextHost {
  readonly symbols: readonly string[];
  readonly clock: Float64Array;
  readonly pf: Portfolio;
  readonly broker: Venue;
  syncMarks(): void;
  symId(name: string): number;
  quote(s: number): QuoteSnapshot | undefined;
  lastTrade(s: number): number;
  markOf(s: number): number;
  refPrice(s: number, side: number): number;
  submit(o: OrderRequest): SubmitResult;
  targetPosition(symbol: string, qty: number): SubmitResult | undefined;
  random(): number;
  history(s: number, n: number, field: HistoryField): Float64Array;
  panel(field: PanelField, n: number): PanelMatrix;
  isMember(s: number): boolean;
  fail(cause: string): never;
}

/**
 * The {@link Context} handed to the strategy: reads and orders go to its backtest. The backtest is
 * held in a private field (`#run`): as a TypeScript `private` it was a plain property at run time,
 * and `ctx.run` gave strategy code the engine itself (its table with the rows ahead of the clock,
 * the broker, the portfolio's cash).
 */
export class EngineContext implements Context {
  readonly #run: ContextHost;
  warmingUp = false;
  readonly symbols: readonly string[];
  constructor(
    run: ContextHost,
    readonly initialCapital: number,
  ) {
    this.#run = run;
    this.symbols = run.symbols;
  }
  get now(): EpochUs {
    return this.#run.clock[0]!;
  }
  get cash(): number {
    return this.#run.pf.cash;
  }
  get equity(): number {
    this.#run.syncMarks();
    return this.#run.pf.equity();
  }
  quote(symbol: string): QuoteSnapshot | undefined {
    return this.#run.quote(this.#run.symId(symbol));
  }
  lastTrade(symbol: string): number {
    return this.#run.lastTrade(this.#run.symId(symbol));
  }
  price(symbol: string): number {
    return this.#run.markOf(this.#run.symId(symbol));
  }
  position(symbol: string): number {
    return this.#run.pf.position[this.#run.symId(symbol)]!;
  }
  pending(symbol: string): number {
    const r = this.#run;
    const s = r.symId(symbol);
    // nothing working (most ticks): no reference price to look up
    return r.broker.workingCount[s] === 0 ? 0 : r.broker.pendingUnits(s, r.refPrice(s, 1));
  }
  submit(order: OrderRequest): SubmitResult {
    return this.#run.submit(order);
  }
  cancel(orderId: number): boolean {
    return this.#run.broker.cancel(orderId);
  }
  cancelAll(symbol?: string): void {
    const r = this.#run;
    if (symbol === undefined) for (let s = 0; s < r.symbols.length; s++) r.broker.cancelSymbol(s);
    else r.broker.cancelSymbol(r.symId(symbol));
  }
  targetPosition(symbol: string, qty: number): SubmitResult | undefined {
    return this.#run.targetPosition(symbol, qty);
  }
  targetPercent(symbol: string, fraction: number, tolerance = DEFAULT_TARGET_TOLERANCE): SubmitResult | undefined {
    const r = this.#run;
    if (!Number.isFinite(fraction)) r.fail(`targetPercent(${symbol}) needs a finite fraction, got ${fraction}`);
    if (!(tolerance >= 0 && tolerance < 1)) r.fail(`targetPercent(${symbol}) needs a tolerance from 0 to 1, got ${tolerance}`);
    const s = r.symId(symbol);
    const px = r.markOf(s);
    if (Number.isNaN(px)) return undefined;
    r.syncMarks();
    const equity = r.pf.equity();
    const target = (fraction * equity) / px;
    // already there within the tolerance (a share of equity): no order. Without it, every call
    // re-trades the drift of price and equity (a position held at 50% is at 49.8% a bar later).
    // The tolerance is for a target already held: opening from flat, or turning to the other
    // side, always orders. Otherwise a target smaller than the tolerance is silently never
    // entered (equal weights of 505 names, 0.19% each, made no trade against 1%).
    const have = r.pf.position[s]! + r.broker.pendingUnits(s, px);
    if (target !== 0 && Math.sign(have) === Math.sign(target) && Math.abs((target - have) * px) <= tolerance * Math.abs(equity)) return undefined;
    return r.broker.targetUnits(s, target);
  }
  random(): number {
    return this.#run.random();
  }
  history(symbol: string, n: number, field: HistoryField = 'price'): Float64Array {
    const r = this.#run;
    if (!(Number.isInteger(n) && n >= 0)) r.fail(`history(${symbol}) needs a whole number of values, got ${n}`);
    return r.history(r.symId(symbol), n, field);
  }
  panel(field: PanelField, n: number): PanelMatrix {
    const r = this.#run;
    if (!PANEL_FIELDS.includes(field)) r.fail(`panel('${String(field)}'): the fields are ${PANEL_FIELDS.join(', ')}`);
    if (!(Number.isInteger(n) && n >= 1)) r.fail(`panel('${field}', ${n}) needs a whole number of sessions >= 1`);
    return r.panel(field, n);
  }
  member(symbol: string): boolean {
    return this.#run.isMember(this.#run.symId(symbol));
  }
}
