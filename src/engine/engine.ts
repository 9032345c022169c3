/**
 * The event loop: one clock over the merged tick table, strategies see only the past.
 *
 * Each row of the table is one event, in table order (time, then file, then row: see data/). For
 * event i at time t the engine, in this order:
 *   1. closes the equity sample of the previous period if t is past its end (equity as it stood
 *      before this event; periods are (start, end], so an event at exactly a period's end, such as
 *      a bar released at its close, belongs to the period it closes);
 *   2. updates the market state of the event's symbol (quote, last trade or bar);
 *   3. lets the broker match that symbol's working orders against the event and books the fills;
 *   4. marks the symbol to market (mid for quotes, last trade for trade-filled symbols, bar close);
 *   5. calls the strategy: `onFill` for each fill, then `onTick` (trades, quotes) or `onBar`
 *      (bars, at their close), then `onReject` for orders refused meanwhile.
 * An order submitted during event i can fill no earlier than event i+1 (broker rule 1). The
 * {@link Context} reads only state built from events 0..i, so no handler can see a later tick.
 *
 * The loop reads the table's typed arrays directly and allocates nothing per event; it allocates
 * per order and per fill only.
 */
import seedrandom from 'seedrandom';
import { objectList } from '../arrays.js';
import { TickfoldError } from '../errors.js';
import { BAR, QUOTE, TRADE } from '../data/schema.js';
import { rowTime, type TickTable } from '../data/table.js';
import { formatIso, type EpochUs } from '../data/time.js';
import { FILL_BAR, FILL_TRADE, fillSources } from '../broker/fill-source.js';
import type { ExecutionSettings } from '../broker/settings.js';
import { Venue, type VenueHost } from '../broker/venue.js';
import { Portfolio } from '../portfolio/portfolio.js';
import { FillLog, type RunRecord } from '../portfolio/record.js';
import type { Bar, BarView, Cancellation, Context, Fill, HistoryField, OrderRequest, QuoteSnapshot, Rejection, Strategy, SubmitResult, Tick, TickView } from '../strategy/types.js';

/**
 * targetPercent places no order while the position is within this share of equity of its target
 * (1%): a target already held is not re-traded on every call as prices and equity drift.
 */
export const DEFAULT_TARGET_TOLERANCE = 0.01;

/** A strategy threw, or asked for something impossible: names the strategy, the tick and the cause. */
export class StrategyError extends TickfoldError {
  constructor(
    readonly strategy: string,
    readonly ts: EpochUs,
    readonly reason: string,
  ) {
    super('strategy-error', `strategy '${strategy}' failed at ${formatIso(ts)}: ${reason}`, 3);
    this.name = 'StrategyError';
  }
}

export interface RunConfig {
  readonly strategyName: string;
  readonly initialCapital: number;
  readonly execution: ExecutionSettings;
  /** Equity is sampled at the end of every period of this length (µs) that has events. */
  readonly periodUs: number;
  readonly seed: string;
  /**
   * Where the engine keeps its clock, [now, index of the event being handled] (default: its own
   * array). A guard on another thread passes shared memory here to say where a run that overran
   * its time limit was stuck.
   */
  readonly clock?: Float64Array;
  /** Test hook: called after every event with the books as they stand. */
  readonly observer?: (o: Observation) => void;
}

export interface Observation {
  readonly index: number;
  readonly ts: EpochUs;
  readonly portfolio: Portfolio;
}

export type { FillRecord, OrderRecord, RunRecord } from '../portfolio/record.js';

const YEAR_US = 365.25 * 86_400e6;

/** A table of no rows (see keepShapes). */
const EMPTY_TABLE: TickTable = {
  length: 0,
  symbols: [],
  ts: new Float64Array(0),
  kind: new Uint8Array(0),
  sym: new Uint16Array(0),
  f0: new Float64Array(0),
  f1: new Float64Array(0),
  f2: new Float64Array(0),
  f3: new Float64Array(0),
  f4: new Float64Array(0),
  barStart: new Float64Array(0),
  symbolKinds: new Uint8Array(0),
};

export function runBacktest(table: TickTable, strategy: Strategy, cfg: RunConfig): RunRecord {
  const b = startBacktest(table, strategy, cfg);
  b.advance(table.length);
  return b.finish();
}

/**
 * Runs several backtests over one table in lockstep, a chunk of events at a time: each chunk of
 * the table's columns is read from memory once and replayed from cache by every backtest. On a
 * large table a replay is bound by memory bandwidth rather than by computation (two threads each
 * streaming their own 2M-row replay ran 1.5-2.5x slower each than one alone, on this 2-core
 * machine), so a grid's trials are run in batches this way. Results are exactly those of
 * {@link runBacktest} for each (the backtests share nothing but the read-only table).
 */
export function runBacktests(table: TickTable, jobs: readonly { readonly strategy: Strategy; readonly cfg: RunConfig }[], current?: Float64Array): RunRecord[] {
  let job = 0;
  // `current[0]`: the job running now, for a guard on another thread (see RunConfig.clock)
  const at = current ?? new Float64Array(1);
  try {
    const runs: Backtest[] = [];
    for (; job < jobs.length; job++) {
      at[0] = job;
      runs.push(startBacktest(table, jobs[job]!.strategy, jobs[job]!.cfg));
    }
    for (let to = Math.min(table.length, CHUNK); ; to = Math.min(table.length, to + CHUNK)) {
      for (job = 0; job < runs.length; job++) {
        at[0] = job;
        runs[job]!.advance(to);
      }
      if (to === table.length) break;
    }
    const out: RunRecord[] = [];
    for (job = 0; job < runs.length; job++) {
      at[0] = job;
      out.push(runs[job]!.finish());
    }
    return out;
  } catch (e) {
    throw new BatchJobError(job, e);
  }
}

/** What {@link runBacktests} throws: which job failed, and how. */
export class BatchJobError extends Error {
  constructor(
    readonly job: number,
    override readonly cause: unknown,
  ) {
    super(`backtest ${job + 1} of the batch failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'BatchJobError';
  }
}

/** Events per chunk of the loop (see runChunk). */
const CHUNK = 8192;

/** A backtest that advances on demand: {@link runBacktest} and {@link runBacktests} drive it. */
export interface Backtest {
  /** Replays events up to (not including) index `to`. */
  advance(to: number): void;
  /** Ends the run (onEnd, the last sample) and returns its record; call once. */
  finish(): RunRecord;
}

export function startBacktest(table: TickTable, strategy: Strategy, cfg: RunConfig): Backtest {
  const run = new EngineRun(table, strategy, cfg);
  run.start();
  return run;
}

/**
 * One backtest: its books, market state, samples and loop state, with the loop and its helpers
 * as methods.
 *
 * A class rather than closures made per backtest, for the JIT: V8 compiles a method once per
 * thread and every later backtest runs that code, where a backtest's own closures were compiled
 * afresh for each run (a grid's trials, a walk-forward's folds) and their optimised code was thrown
 * away when the run's objects died. Pairs every=1m on 2M quotes, third run in a process: ~40 ms
 * with closures, ~18 ms as methods (see also {@link keepShapes}).
 */
class EngineRun implements Backtest, VenueHost {
  // the table's columns
  private readonly n: number;
  private readonly ts: Float64Array;
  private readonly kind: Uint8Array;
  private readonly sym: Uint16Array;
  private readonly f0: Float64Array;
  private readonly f1: Float64Array;
  private readonly f2: Float64Array;
  private readonly f3: Float64Array;
  private readonly table: TickTable;
  private readonly source: Uint8Array;
  readonly symbols: readonly string[];
  private readonly nSym: number;
  private readonly symbolIds: Map<string, number>;
  readonly broker: Venue;
  readonly pf: Portfolio;
  private readonly rng: () => number;
  private readonly ctx: EngineContext;
  private readonly tick: RowTickView;
  private readonly bar: RowBarView;

  // Market state per symbol, built from events seen so far: the row of the latest quote, trade
  // and marking event. One store per event instead of copying five values; readers look the
  // values up in the table. Marks are brought into the portfolio when equity is needed.
  readonly quoteRow: Int32Array;
  private readonly tradeRow: Int32Array;
  private readonly markRow: Int32Array;
  private readonly quoteViews: (QuoteSnapshot | undefined)[];

  /** The clock: [now, index of the event being handled] (see RunConfig.clock). */
  readonly clock: Float64Array;
  private readonly fills: FillLog;
  private readonly rejections = objectList<Rejection>();
  private readonly pendingRejections = objectList<Rejection>();
  private readonly cancellations = objectList<Cancellation>();
  private readonly pendingCancels = objectList<Cancellation>();
  private readonly eventFills = objectList<Fill>();
  /**
   * What the venue said that the strategy hears of later (a response latency): fills,
   * rejections and cancellations, each with the time it arrives; `noticeDue` the earliest.
   */
  private readonly notices = objectList<{ due: EpochUs; fill?: Fill; rejection?: Rejection; cancellation?: Cancellation }>();
  private noticeDue = Infinity;
  /** Fills reach the strategy with a response latency (a latency model's response > 0 somewhere). */
  private readonly delayedFills: boolean;

  // equity sampling per period: one sample at the end of each period that has events
  private readonly periodUs: number;
  private readonly samples: Samples;
  private lastAccrual: number;
  private readonly borrowRate: Float64Array;

  // tick subscription (set up in start(), after onStart, which may define it)
  private wantTick: Uint8Array;
  private everyUs = 0;
  private perSymbol = true;
  private nextTickDue: Float64Array;
  // Events that only move the market state (no orders working on the symbol, no handler due, no
  // period ending) are replayed by scanQuiet, a module-level loop; dueAt[s] is the time from which
  // an event of symbol s needs the full path.
  private readonly dueAt: Float64Array;
  private readonly quiet: QuietScan;
  private readonly onTick: Strategy['onTick'];
  private readonly onBar: Strategy['onBar'];
  private readonly onFill: Strategy['onFill'];
  private readonly observer: RunConfig['observer'];

  // Loop state, kept in locals inside each chunk and in these fields between chunks. The events
  // run in chunks through one method so that when a rare path first runs (the first fill, the
  // first handler call) and the optimiser has to back off, it costs at most one chunk in slow
  // code, not a long stretch of a single on-stack-replaced loop.
  private bucket = NaN;
  private bucketEnd = -Infinity;
  private bucketInMarket = false;
  private openPositions = 0;
  private exposureUs = 0;
  private exposedSince = 0;
  private done = 0;

  constructor(
    table: TickTable,
    private readonly strategy: Strategy,
    private readonly cfg: RunConfig,
    clock: Float64Array = cfg.clock ?? new Float64Array(2),
  ) {
    const n = table.length;
    this.n = n;
    this.ts = table.ts;
    this.kind = table.kind;
    this.sym = table.sym;
    this.f0 = table.f0;
    this.f1 = table.f1;
    this.f2 = table.f2;
    this.f3 = table.f3;
    this.table = table;
    const symbols = table.symbols;
    this.symbols = symbols;
    const nSym = symbols.length;
    this.nSym = nSym;
    this.symbolIds = new Map(symbols.map((s, i) => [s, i]));
    this.source = fillSources(table);
    this.pf = new Portfolio(cfg.initialCapital, symbols);
    this.fills = new FillLog(symbols);
    this.rng = seedrandom(cfg.seed);
    this.quoteRow = new Int32Array(nSym).fill(-1);
    this.clock = clock;
    // the venue's models draw from their own generator, seeded from the run's: a model that
    // draws does not change the numbers a strategy's ctx.random() gives
    this.broker = new Venue(cfg.execution, table, this.source, this, seedrandom(`${cfg.seed}\0venue`));
    this.tradeRow = new Int32Array(nSym).fill(-1);
    this.markRow = new Int32Array(nSym).fill(-1);
    this.quoteViews = new Array<QuoteSnapshot | undefined>(nSym).fill(undefined);
    this.clock[0] = n > 0 ? this.ts[0]! : 0;
    this.clock[1] = -1;
    this.periodUs = cfg.periodUs;
    this.samples = new Samples(n > 0 ? Math.min(n, (this.ts[n - 1]! - this.ts[0]!) / cfg.periodUs + 2) : 1);
    this.lastAccrual = this.clock[0]!;
    this.borrowRate = Float64Array.from(symbols, (_, s) => this.broker.financing.shortRate(s));
    this.delayedFills = this.broker.latency.responseUs(this.clock[0]!) > 0 || cfg.execution.latency.model !== 'constant';
    this.wantTick = new Uint8Array(nSym);
    this.nextTickDue = new Float64Array(1);
    this.dueAt = new Float64Array(nSym).fill(Infinity);
    this.onTick = strategy.onTick;
    this.onBar = strategy.onBar;
    this.onFill = strategy.onFill;
    this.observer = cfg.observer;
    this.quiet = new QuietScan(this.ts, this.sym, this.kind, this.quoteRow, this.tradeRow, this.markRow, this.source, this.dueAt, this.broker.workingCount, this.onBar !== undefined || this.observer !== undefined);
    this.ctx = new EngineContext(this, cfg.initialCapital);
    // reused views handed to handlers: one object each, pointed at the current row
    this.tick = new RowTickView(table);
    this.bar = new RowBarView(table);
  }

  /** onStart, then the tick subscription it may have set up. */
  start(): void {
    const strategy = this.strategy;
    if (strategy.onStart) this.call('onStart', () => strategy.onStart!(this.ctx));
    this.flushRejections();
    const nSym = this.nSym;
    const sub = strategy.ticks;
    this.wantTick.fill(sub?.symbols ? 0 : 1);
    for (const name of sub?.symbols ?? []) this.wantTick[this.symId(name)] = 1;
    const everyUs = sub?.everyUs ?? 0;
    if (!(Number.isFinite(everyUs) && everyUs >= 0)) this.fail(`ticks.everyUs must be a number of µs >= 0, got ${String(everyUs)}`);
    this.everyUs = everyUs;
    this.perSymbol = sub?.per !== 'strategy';
    this.nextTickDue = new Float64Array(this.perSymbol ? nSym : 1).fill(-Infinity);
    for (let s = 0; s < nSym; s++) if (this.observer || (this.onTick && this.wantTick[s] === 1)) this.dueAt[s] = -Infinity;
  }

  fail(cause: string): never {
    throw new StrategyError(this.cfg.strategyName, this.clock[0]!, cause);
  }

  symId(name: string): number {
    // a strategy passes back the strings of ctx.symbols: with few symbols, comparing them (the
    // same objects: a pointer compare) is cheaper than a Map lookup, called several times a tick
    const syms = this.symbols;
    if (syms.length <= 8) for (let k = 0; k < syms.length; k++) if (syms[k] === name) return k;
    const id = this.symbolIds.get(name);
    if (id === undefined) this.fail(`unknown symbol '${name}' (the data has ${this.symbols.join(', ')})`);
    return id!;
  }

  private markValue(r: number): number {
    const k = this.kind[r]!;
    return k === QUOTE ? (this.f0[r]! + this.f1[r]!) / 2 : k === TRADE ? this.f0[r]! : this.f3[r]!;
  }

  markOf(s: number): number {
    const r = this.markRow[s]!;
    return r >= 0 ? this.markValue(r) : NaN;
  }

  syncMarks(): void {
    const mark = this.pf.mark;
    for (let s = 0; s < this.nSym; s++) {
      const r = this.markRow[s]!;
      if (r >= 0) mark[s] = this.markValue(r);
    }
  }

  /** The price an order of `side` would meet now: the quote's ask or bid, else the mark. */
  refPrice(s: number, side: number): number {
    const r = this.quoteRow[s]!;
    return r >= 0 ? (side > 0 ? this.f1[r]! : this.f0[r]!) : this.markOf(s);
  }

  quote(s: number): QuoteSnapshot | undefined {
    const r = this.quoteRow[s]!;
    if (r < 0) return undefined;
    const v = this.quoteViews[s];
    if (v && v.ts === this.ts[r]) return v;
    const q = Object.freeze({ bid: this.f0[r]!, ask: this.f1[r]!, bidSize: this.f2[r]!, askSize: this.f3[r]!, ts: this.ts[r]! });
    this.quoteViews[s] = q;
    return q;
  }

  lastTrade(s: number): number {
    const r = this.tradeRow[s]!;
    return r >= 0 ? this.f0[r]! : NaN;
  }

  submit(o: OrderRequest): SubmitResult {
    return this.broker.submit(o);
  }

  targetPosition(symbol: string, qty: number): SubmitResult | undefined {
    return this.broker.targetUnits(this.symId(symbol), qty);
  }

  /** The venue refused an order: the strategy hears of it at `at` (now, or after a response latency). */
  refused(orderId: number, s: number, reason: string, at: EpochUs): void {
    const r = { orderId, symbol: this.symbols[s]!, reason, ts: this.clock[0]! };
    if (at <= this.clock[0]!) this.pendingRejections.push(r);
    else this.notice(at, { due: at, rejection: r });
  }

  /** The venue ended a working order: the strategy hears of it at `at`. */
  cancelled(orderId: number, s: number, reason: string, remaining: number, at: EpochUs): void {
    const c = { orderId, symbol: this.symbols[s]!, reason, remaining, ts: this.clock[0]! };
    this.cancellations.push(c);
    if (at <= this.clock[0]!) this.pendingCancels.push(c);
    else this.notice(at, { due: at, cancellation: c });
  }

  private notice(at: EpochUs, n: { due: EpochUs; fill?: Fill; rejection?: Rejection; cancellation?: Cancellation }): void {
    this.notices.push(n);
    if (at < this.noticeDue) this.noticeDue = at;
  }

  /** Delivers the notices due by `t`, in the order they were made. */
  private deliverNotices(t: EpochUs): void {
    const list = this.notices;
    let next = Infinity;
    let m = 0;
    const due: typeof list = [];
    for (const n of list) {
      if (n.due <= t) due.push(n);
      else {
        list[m++] = n;
        if (n.due < next) next = n.due;
      }
    }
    list.length = m;
    this.noticeDue = next;
    for (const n of due) {
      if (n.fill) {
        if (this.onFill) this.callHandler('onFill', () => this.onFill!.call(this.strategy, this.ctx, n.fill!));
      } else if (n.rejection) this.pendingRejections.push(n.rejection);
      else if (n.cancellation) this.pendingCancels.push(n.cancellation);
    }
    this.flushRejections();
  }

  private callHandler(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.handlerFailed(what, e);
    }
  }

  random(): number {
    return this.rng();
  }

  /** See Context.history: a scan back from the current event over the symbol's marking events. */
  history(s: number, n: number, field: HistoryField): Float64Array {
    const t = this.table;
    const src = this.source[s]!;
    const want = src === FILL_BAR ? BAR : src === FILL_TRADE ? TRADE : QUOTE;
    const col = historyColumn(t, want, field);
    if (col === undefined) this.fail(`history(${this.symbols[s]}, ${n}, '${field}'): its ${want === BAR ? 'bars' : want === TRADE ? 'trades' : 'quotes'} have no field '${field}'`);
    const out = new Float64Array(n);
    let k = n;
    for (let i = this.clock[1]!; i >= 0 && k > 0; i--) {
      if (this.sym[i] === s && this.kind[i] === want) out[--k] = col(i);
    }
    return k === 0 ? out : out.slice(k);
  }

  /** Rethrows what a handler threw as a StrategyError naming the handler and the tick. */
  private handlerFailed(what: string, e: unknown): never {
    if (e instanceof StrategyError) throw e;
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return this.fail(`${what} threw ${msg}`);
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.handlerFailed(what, e);
    }
  }

  /** Rejections, then cancellations, reach onReject and onCancel. */
  private flushRejections(): void {
    const pending = this.pendingRejections;
    while (pending.length > 0) {
      const r = pending.shift()!;
      this.rejections.push(r);
      const onReject = this.strategy.onReject;
      if (onReject) {
        try {
          onReject.call(this.strategy, this.ctx, r);
        } catch (e) {
          this.handlerFailed('onReject', e);
        }
      }
    }
    const cancels = this.pendingCancels;
    while (cancels.length > 0) {
      const c = cancels.shift()!;
      const onCancel = this.strategy.onCancel;
      if (onCancel) {
        try {
          onCancel.call(this.strategy, this.ctx, c);
        } catch (e) {
          this.handlerFailed('onCancel', e);
        }
      }
    }
  }

  private accrueBorrow(t: EpochUs): void {
    const rate = this.borrowRate;
    if (t > this.lastAccrual && this.pf.inMarket()) {
      let synced = false;
      const pf = this.pf;
      for (let s = 0; s < this.nSym; s++) {
        const p = pf.position[s]!;
        if (p < 0 && rate[s]! > 0) {
          if (!synced) this.syncMarks();
          synced = true;
          pf.charge(s, -p * pf.mark[s]! * rate[s]! * ((t - this.lastAccrual) / YEAR_US));
        }
      }
    }
    this.lastAccrual = t;
  }

  /** Records the sample of a period ending at `endTs`; borrow accrues up to `accrueTo` (<= now). */
  private closeSample(endTs: EpochUs, accrueTo: EpochUs, inMarket: boolean, exposureSoFar: number): void {
    this.accrueBorrow(accrueTo);
    const pf = this.pf;
    let equity = pf.cash; // no positions: equity is cash
    if (pf.inMarket()) {
      this.syncMarks();
      equity = pf.equity();
    }
    this.samples.push(endTs, equity, inMarket ? 1 : 0, pf.feesPaid, pf.borrowPaid, pf.tradedNotional, exposureSoFar);
  }

  /**
   * Books the fills of event i (the cold path, kept out of the loop body); returns the change in
   * the number of open positions.
   */
  private bookFills(i: number, s: number, k: number, t: EpochUs): number {
    let opened = 0;
    const pf = this.pf;
    const broker = this.broker;
    broker.match(i);
    const fb = broker.fills;
    const n = fb.n;
    if (n > 0) this.accrueBorrow(t); // positions change: settle borrow up to now
    const bid = k === QUOTE ? this.f0[i]! : NaN;
    const ask = k === QUOTE ? this.f1[i]! : NaN;
    for (let j = 0; j < n; j++) {
      const before = pf.position[s]!;
      // a bar fill is stamped at the bar's start (its open), the event's time otherwise
      const ft = fb.ts[j]!;
      const side = fb.side[j]!;
      const qty = fb.qty[j]!;
      const price = fb.price[j]!;
      const fee = fb.fee[j]!;
      pf.applyFill(s, side * qty, price, fee, ft);
      const after = pf.position[s]!;
      if (before === 0 && after !== 0) opened++;
      else if (before !== 0 && after === 0) opened--;
      this.fills.push(ft, i, fb.orderId[j]!, s, side, qty, price, fee, bid, ask);
      if (this.onFill) {
        const f: Fill = { orderId: fb.orderId[j]!, symbol: this.symbols[s]!, side: side > 0 ? 'buy' : 'sell', qty, price, fee, ts: ft, done: fb.done[j] === 1, tag: fb.tag[j] };
        const at = this.delayedFills ? ft + broker.latency.responseUs(ft) : ft;
        if (at > t) this.notice(at, { due: at, fill: f });
        else this.eventFills.push(f);
      }
    }
    return opened;
  }

  /** After a tick was delivered: when the next one is due. */
  private tickDelivered(s: number, t: EpochUs): void {
    const everyUs = this.everyUs;
    if (everyUs <= 0 || this.observer) return;
    const next = (Math.floor(t / everyUs) + 1) * everyUs;
    if (this.perSymbol) {
      this.nextTickDue[s] = next;
      this.dueAt[s] = next;
    } else {
      this.nextTickDue[0] = next;
      for (let j = 0; j < this.nSym; j++) if (this.wantTick[j] === 1) this.dueAt[j] = next;
    }
  }

  /** The fills of an event reach onFill; then any rejections onReject. */
  private deliverFills(): void {
    const onFill = this.onFill;
    if (onFill) {
      for (const f of this.eventFills) {
        try {
          onFill.call(this.strategy, this.ctx, f);
        } catch (e) {
          this.handlerFailed('onFill', e);
        }
      }
    }
    this.eventFills.length = 0;
    if (this.pendingRejections.length > 0 || this.pendingCancels.length > 0) this.flushRejections();
  }

  private runChunk(from: number, to: number): void {
    // hot-loop locals: typed arrays, handlers and kind codes read once (locals, not fields or
    // imports, so that the optimiser keeps them in registers)
    const { ts, sym, kind, quoteRow, tradeRow, markRow, source, clock, wantTick, nextTickDue, periodUs, onTick, onBar, strategy, ctx, tick, bar, observer, quiet } = this;
    const workingCount = this.broker.workingCount;
    const perSymbol = this.perSymbol;
    const K_QUOTE = QUOTE;
    const K_TRADE = TRADE;
    const K_BAR = BAR;
    const S_TRADE = FILL_TRADE;
    const S_BAR = FILL_BAR;
    let bucket = this.bucket;
    let bucketEnd = this.bucketEnd;
    let bucketInMarket = this.bucketInMarket;
    let openPositions = this.openPositions;
    let exposureUs = this.exposureUs;
    let exposedSince = this.exposedSince;
    for (let i = from; i < to; i++) {
      // quiet events up to the next one that needs more than a market-state update
      i = scanQuiet(quiet, i, to, this.noticeDue === Infinity ? bucketEnd : Math.min(bucketEnd, this.noticeDue - 0.5));
      if (i >= to) break;
      const t = ts[i]!;
      const s = sym[i]!;
      const k = kind[i]!;
      // periods are (start, end]: an event at exactly a period's end (a bar released at its
      // close) belongs to the period it closes
      if (t > bucketEnd) {
        if (!Number.isNaN(bucket)) this.closeSample(bucketEnd, bucketEnd, bucketInMarket, openPositions > 0 ? exposureUs + (bucketEnd - exposedSince) : exposureUs);
        bucket = Math.ceil(t / periodUs) - 1;
        bucketEnd = (bucket + 1) * periodUs;
        bucketInMarket = openPositions > 0;
      }
      // fills (against this event; the mark moves after)
      let hadFills = false;
      if (workingCount[s]! > 0) {
        clock[0] = t;
        clock[1] = i;
        const before = openPositions;
        openPositions += this.bookFills(i, s, k, t);
        // time in the market, accounted when it starts and ends
        if (before === 0 && openPositions > 0) exposedSince = t;
        else if (before > 0 && openPositions === 0) exposureUs += t - exposedSince;
        hadFills = this.eventFills.length > 0;
        // positions change only here, so a quiet event never changes this flag
        if (openPositions > 0) bucketInMarket = true;
      }
      // market state and mark: mid for quotes, last trade for trade-filled symbols, bar close
      if (k === K_QUOTE) {
        quoteRow[s] = i;
        markRow[s] = i;
      } else if (k === K_TRADE) {
        tradeRow[s] = i;
        if (source[s] === S_TRADE || markRow[s]! < 0) markRow[s] = i;
      } else if (source[s] === S_BAR) markRow[s] = i;
      // strategy (handlers are called directly: no closure per event): what the venue said
      // earlier that arrives now, this event's fills, then the event
      if (t >= this.noticeDue) {
        clock[0] = t;
        clock[1] = i;
        this.deliverNotices(t);
      }
      if (hadFills) this.deliverFills();
      if (k === K_BAR) {
        if (onBar) {
          clock[0] = t;
          clock[1] = i;
          bar.index = i;
          try {
            onBar.call(strategy, ctx, bar);
          } catch (e) {
            this.handlerFailed('onBar', e);
          }
          if (this.pendingRejections.length > 0 || this.pendingCancels.length > 0) this.flushRejections();
        }
      } else if (onTick && wantTick[s] === 1 && t >= nextTickDue[perSymbol ? s : 0]!) {
        this.tickDelivered(s, t);
        clock[0] = t;
        clock[1] = i;
        tick.index = i;
        try {
          onTick.call(strategy, ctx, tick);
        } catch (e) {
          this.handlerFailed('onTick', e);
        }
        if (this.pendingRejections.length > 0 || this.pendingCancels.length > 0) this.flushRejections();
      }
      if (observer) {
        clock[0] = t;
        clock[1] = i;
        this.syncMarks();
        observer({ index: i, ts: t, portfolio: this.pf });
      }
    }
    this.bucket = bucket;
    this.bucketEnd = bucketEnd;
    this.bucketInMarket = bucketInMarket;
    this.openPositions = openPositions;
    this.exposureUs = exposureUs;
    this.exposedSince = exposedSince;
  }

  advance(to: number): void {
    while (this.done < to) {
      const end = Math.min(to, this.done + CHUNK);
      this.runChunk(this.done, end);
      this.done = end;
    }
  }

  finish(): RunRecord {
    const { n, ts, clock, strategy, pf, cfg, periodUs } = this;
    const bucket = this.bucket;
    let exposureUs = this.exposureUs;
    if (n > 0) {
      clock[0] = ts[n - 1]!;
      clock[1] = n - 1;
    }
    if (this.openPositions > 0) exposureUs += clock[0]! - this.exposedSince;
    if (strategy.onEnd) this.call('onEnd', () => strategy.onEnd!(this.ctx));
    this.flushRejections();
    if (!Number.isNaN(bucket)) this.closeSample((bucket + 1) * periodUs, clock[0]!, this.bucketInMarket, exposureUs);
    let strategySummary: unknown;
    if (strategy.summary) this.call('summary', () => (strategySummary = strategy.summary!()));
    this.syncMarks();
    // an empty backtest of the same classes (not this one: it holds the table) and the strategy
    keepShapes(cfg.strategyName, new EngineRun(EMPTY_TABLE, strategy, cfg, new Float64Array(2)), strategy);
    const smp = this.samples;
    return {
      strategy: cfg.strategyName,
      symbols: this.symbols,
      initialCapital: cfg.initialCapital,
      firstTs: n > 0 ? ts[0]! : NaN,
      lastTs: n > 0 ? ts[n - 1]! : NaN,
      events: n,
      periodUs,
      sampleTs: smp.column(0),
      equity: smp.column(1),
      inMarket: Uint8Array.from(smp.column(2)),
      feesCum: smp.column(3),
      borrowCum: smp.column(4),
      notionalCum: smp.column(5),
      exposureCum: smp.column(6),
      trades: pf.closed,
      // open round trips are marked at the last event, named as a bar is named: by its start
      openTrades: pf.openTrips(n > 0 ? rowTime(this.table, n - 1) : clock[0]!),
      fills: this.fills,
      orders: this.broker.orders,
      rejections: this.rejections,
      cancellations: this.cancellations,
      ordersSubmitted: this.broker.ordersSubmitted,
      finalEquity: pf.equity(),
      cash: pf.cash,
      feesPaid: pf.feesPaid,
      borrowPaid: pf.borrowPaid,
      tradedNotional: pf.tradedNotional,
      exposureUs,
      strategySummary,
    };
  }
}

/** The {@link Context} handed to the strategy: reads and orders go to its backtest. */
class EngineContext implements Context {
  warmingUp = false;
  readonly symbols: readonly string[];
  constructor(
    private readonly run: EngineRun,
    readonly initialCapital: number,
  ) {
    this.symbols = run.symbols;
  }
  get now(): EpochUs {
    return this.run.clock[0]!;
  }
  get cash(): number {
    return this.run.pf.cash;
  }
  get equity(): number {
    this.run.syncMarks();
    return this.run.pf.equity();
  }
  quote(symbol: string): QuoteSnapshot | undefined {
    return this.run.quote(this.run.symId(symbol));
  }
  lastTrade(symbol: string): number {
    return this.run.lastTrade(this.run.symId(symbol));
  }
  price(symbol: string): number {
    return this.run.markOf(this.run.symId(symbol));
  }
  position(symbol: string): number {
    return this.run.pf.position[this.run.symId(symbol)]!;
  }
  pending(symbol: string): number {
    const r = this.run;
    const s = r.symId(symbol);
    // nothing working (most ticks): no reference price to look up
    return r.broker.workingCount[s] === 0 ? 0 : r.broker.pendingUnits(s, r.refPrice(s, 1));
  }
  submit(order: OrderRequest): SubmitResult {
    return this.run.submit(order);
  }
  cancel(orderId: number): boolean {
    return this.run.broker.cancel(orderId);
  }
  cancelAll(symbol?: string): void {
    const r = this.run;
    if (symbol === undefined) for (let s = 0; s < r.symbols.length; s++) r.broker.cancelSymbol(s);
    else r.broker.cancelSymbol(r.symId(symbol));
  }
  targetPosition(symbol: string, qty: number): SubmitResult | undefined {
    return this.run.targetPosition(symbol, qty);
  }
  targetPercent(symbol: string, fraction: number, tolerance = DEFAULT_TARGET_TOLERANCE): SubmitResult | undefined {
    const r = this.run;
    if (!Number.isFinite(fraction)) r.fail(`targetPercent(${symbol}) needs a finite fraction, got ${fraction}`);
    if (!(tolerance >= 0 && tolerance < 1)) r.fail(`targetPercent(${symbol}) needs a tolerance from 0 to 1, got ${tolerance}`);
    const s = r.symId(symbol);
    const px = r.markOf(s);
    if (Number.isNaN(px)) return undefined;
    r.syncMarks();
    const equity = r.pf.equity();
    const target = (fraction * equity) / px;
    // already there within the tolerance (a share of equity): no order. Without it, every call
    // re-trades the drift of price and equity (a position held at 50% is at 49.8% a bar later)
    const have = r.pf.position[s]! + r.broker.pendingUnits(s, px);
    if (target !== 0 && Math.abs((target - have) * px) <= tolerance * Math.abs(equity)) return undefined;
    return r.broker.targetUnits(s, target);
  }
  random(): number {
    return this.run.random();
  }
  history(symbol: string, n: number, field: HistoryField = 'price'): Float64Array {
    const r = this.run;
    if (!(Number.isInteger(n) && n >= 0)) r.fail(`history(${symbol}) needs a whole number of values, got ${n}`);
    return r.history(r.symId(symbol), n, field);
  }
}

/**
 * The equity samples, one row per period: end time, equity, in market (0/1), then the running
 * fees, borrow, traded notional and exposure. Typed columns, doubled when full (the number of
 * periods with events is known only at the end).
 */
class Samples {
  private buf: Float64Array;
  private capacity: number;
  private length = 0;
  constructor(expected: number) {
    this.capacity = Math.max(16, Math.min(Math.ceil(expected), 1 << 16));
    this.buf = new Float64Array(7 * this.capacity);
  }
  push(endTs: number, equity: number, inMarket: number, fees: number, borrow: number, notional: number, exposure: number): void {
    if (this.length === this.capacity) {
      const bigger = new Float64Array(14 * this.capacity);
      for (let c = 0; c < 7; c++) bigger.set(this.buf.subarray(c * this.capacity, (c + 1) * this.capacity), 2 * c * this.capacity);
      this.buf = bigger;
      this.capacity *= 2;
    }
    const b = this.buf;
    const cap = this.capacity;
    const i = this.length++;
    b[i] = endTs;
    b[cap + i] = equity;
    b[2 * cap + i] = inMarket;
    b[3 * cap + i] = fees;
    b[4 * cap + i] = borrow;
    b[5 * cap + i] = notional;
    b[6 * cap + i] = exposure;
  }
  /** A copy of column c. */
  column(c: number): Float64Array {
    return this.buf.slice(c * this.capacity, c * this.capacity + this.length);
  }
}

/**
 * Keeps the hidden classes of the latest backtest of each strategy name (of this thread) alive.
 *
 * V8 keys its optimised code on hidden classes (maps), and the maps a class's instances reach in
 * its constructor are reachable only from the objects that have them: once every backtest of a
 * process has been collected, they die, and all the code compiled for them is thrown away ("weak
 * objects" in --trace-deopt). Runs of a grid or of a walk-forward's folds are separated by garbage
 * collections, so every run started cold again: the engine, the portfolio, the broker and the
 * strategy's objects were recompiled, and numeric fields went from small-integer to double
 * representation anew. Holding an empty backtest built the same way (same classes, so the same
 * maps; no table, no results) and the last strategy instance keeps those maps alive. Pairs
 * every=1m on 2M quotes, runs separated by a full GC: 35-50 ms each without, ~18 ms with.
 */
const kept = new Map<string, readonly unknown[]>();
function keepShapes(name: string, ...objects: unknown[]): void {
  if (!kept.has(name) && kept.size >= 16) kept.delete(kept.keys().next().value!);
  kept.set(name, objects);
}

/** Reads one field of a row of the given kind, or undefined when that kind has no such field. */
function historyColumn(t: TickTable, kind: number, field: HistoryField): ((i: number) => number) | undefined {
  if (field === 'ts') return (i) => t.ts[i]!;
  if (kind === BAR) {
    const c = ({ price: t.f3, close: t.f3, open: t.f0, high: t.f1, low: t.f2, volume: t.f4 } as Partial<Record<HistoryField, Float64Array>>)[field];
    return c ? (i) => c[i]! : undefined;
  }
  if (kind === QUOTE) {
    if (field === 'price') return (i) => (t.f0[i]! + t.f1[i]!) / 2;
    const c = ({ bid: t.f0, ask: t.f1, bidSize: t.f2, askSize: t.f3 } as Partial<Record<HistoryField, Float64Array>>)[field];
    return c ? (i) => c[i]! : undefined;
  }
  const c = ({ price: t.f0, size: t.f1 } as Partial<Record<HistoryField, Float64Array>>)[field];
  return c ? (i) => c[i]! : undefined;
}

/**
 * A view of the current row of the table, handed to handlers: the engine moves `index`; every field
 * is read from the typed arrays on access, so delivering an event costs one store.
 */
class RowView {
  index = 0;
  constructor(protected readonly t: TickTable) {}
  get ts(): EpochUs {
    return this.t.ts[this.index]!;
  }
  get symbolId(): number {
    return this.t.sym[this.index]!;
  }
  get symbol(): string {
    return this.t.symbols[this.t.sym[this.index]!]!;
  }
}

/** The tick handed to `onTick`. */
class RowTickView extends RowView implements TickView {
  get kind(): 'trade' | 'quote' {
    return this.t.kind[this.index] === QUOTE ? 'quote' : 'trade';
  }
  get price(): number {
    const i = this.index;
    return this.t.kind[i] === QUOTE ? (this.t.f0[i]! + this.t.f1[i]!) / 2 : this.t.f0[i]!;
  }
  get size(): number {
    return this.t.kind[this.index] === QUOTE ? NaN : this.t.f1[this.index]!;
  }
  get bid(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f0[this.index]! : NaN;
  }
  get ask(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f1[this.index]! : NaN;
  }
  get bidSize(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f2[this.index]! : NaN;
  }
  get askSize(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f3[this.index]! : NaN;
  }
  snapshot(): Tick {
    return Object.freeze({ ts: this.ts, symbol: this.symbol, kind: this.kind, price: this.price, size: this.size, bid: this.bid, ask: this.ask, bidSize: this.bidSize, askSize: this.askSize });
  }
}

/** The bar handed to `onBar`, at its close. */
class RowBarView extends RowView implements BarView {
  get start(): EpochUs {
    return this.t.barStart[this.index]!;
  }
  get open(): number {
    return this.t.f0[this.index]!;
  }
  get high(): number {
    return this.t.f1[this.index]!;
  }
  get low(): number {
    return this.t.f2[this.index]!;
  }
  get close(): number {
    return this.t.f3[this.index]!;
  }
  get volume(): number {
    return this.t.f4[this.index]!;
  }
  snapshot(): Bar {
    return Object.freeze({ ts: this.ts, start: this.start, symbol: this.symbol, open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume });
  }
}

/** What {@link scanQuiet} reads and writes: the table's columns and one backtest's market state. */
class QuietScan {
  constructor(
    readonly ts: Float64Array,
    readonly sym: Uint16Array,
    readonly kind: Uint8Array,
    readonly quoteRow: Int32Array,
    readonly tradeRow: Int32Array,
    readonly markRow: Int32Array,
    readonly source: Uint8Array,
    /** Per symbol: from this time on, its events take the full path. */
    readonly dueAt: Float64Array,
    /** Per symbol: orders working (an event of such a symbol may fill them). */
    readonly working: Uint32Array,
    /** Bars take the full path (a strategy with onBar, or an observer). */
    readonly barsStop: boolean,
  ) {}
}

/**
 * Replays quiet events from `from`: those that only update their symbol's market state (the
 * latest quote, trade and mark rows), the same stores the full path makes. Stops at, and returns,
 * the first event that needs more (its time passes `until`, the end of the current period, or
 * its symbol's dueAt; orders are working on its symbol; a bar that stops), or `to`.
 *
 * Hand-written loop over typed arrays with no calls and no allocation: this is where a replay
 * spends its time on most events, and being one module-level function it is optimised once per
 * thread for every backtest that follows.
 */
function scanQuiet(q: QuietScan, from: number, to: number, until: number): number {
  const { ts, sym, kind, quoteRow, tradeRow, markRow, source, dueAt, working, barsStop } = q;
  const kQuote = QUOTE;
  const kTrade = TRADE;
  const sTrade = FILL_TRADE;
  const sBar = FILL_BAR;
  for (let i = from; i < to; i++) {
    const t = ts[i]!;
    const s = sym[i]!;
    if (t > until || t >= dueAt[s]! || working[s]! > 0) return i;
    const k = kind[i]!;
    if (k === kQuote) {
      quoteRow[s] = i;
      markRow[s] = i;
    } else if (k === kTrade) {
      tradeRow[s] = i;
      if (source[s] === sTrade || markRow[s]! < 0) markRow[s] = i;
    } else {
      if (barsStop) return i;
      if (source[s] === sBar) markRow[s] = i;
    }
  }
  return to;
}
