/**
 * The event loop: one clock over the merged tick table, strategies see only the past.
 *
 * Each row of the table is one event, in table order (time, then file, then row: see data/). For
 * event i at time t the engine, in this order:
 *   1. closes the equity sample of the previous period if t starts a new one (equity as it stood
 *      before this event);
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
import { TickfoldError } from '../errors.js';
import { BAR, QUOTE, TRADE } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import { formatIso, type EpochUs } from '../data/time.js';
import { Broker, FILL_BAR, FILL_TRADE, fillSources, LIMIT, MARKET, STOP, type BrokerFill, type ExecutionConfig, type WorkingOrder } from '../broker/broker.js';
import { Portfolio, type RoundTrip } from '../portfolio/portfolio.js';
import type { BarView, Context, Fill, OrderRequest, QuoteSnapshot, Rejection, Strategy, SubmitResult, TickView } from '../strategy/types.js';

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
  readonly execution: ExecutionConfig;
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

export interface FillRecord {
  readonly ts: EpochUs;
  readonly index: number;
  readonly orderId: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  /** The quote (bid, ask) in force when the fill happened, NaN on trade/bar fills. */
  readonly bid: number;
  readonly ask: number;
}

/** An order as submitted (accepted or rejected): the strategy's decisions. */
export interface OrderRecord {
  readonly id: number;
  readonly ts: EpochUs;
  /** Index of the event being handled when it was submitted (−1: onStart). */
  readonly index: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop';
  readonly qty: number;
  readonly notional: number;
  readonly limit: number;
  readonly stop: number;
  readonly accepted: boolean;
}

/** Everything a run produced; metrics are computed from this. */
export interface RunRecord {
  readonly strategy: string;
  readonly symbols: readonly string[];
  readonly initialCapital: number;
  readonly firstTs: EpochUs;
  readonly lastTs: EpochUs;
  readonly events: number;
  readonly periodUs: number;
  /** End time of each sampled period, and equity then. */
  readonly sampleTs: Float64Array;
  readonly equity: Float64Array;
  /** 1 where a position was held at some point in the period. */
  readonly inMarket: Uint8Array;
  /**
   * Running totals at each sample (as of the sample's end): fees, borrow, traded notional and time
   * in the market (µs). A window's share is the difference of two samples (see metrics/window.ts).
   */
  readonly feesCum: Float64Array;
  readonly borrowCum: Float64Array;
  readonly notionalCum: Float64Array;
  readonly exposureCum: Float64Array;
  readonly trades: readonly RoundTrip[];
  /** Round trips still open at the end, valued at the last marks. */
  readonly openTrades: readonly RoundTrip[];
  readonly fills: readonly FillRecord[];
  readonly orders: readonly OrderRecord[];
  readonly rejections: readonly Rejection[];
  readonly ordersSubmitted: number;
  readonly finalEquity: number;
  readonly cash: number;
  readonly feesPaid: number;
  readonly borrowPaid: number;
  readonly tradedNotional: number;
  /** Time with any position open, µs. */
  readonly exposureUs: number;
  /** What the strategy's `summary()` returned, if it has one. */
  readonly strategySummary: unknown;
}

const YEAR_US = 365.25 * 86_400e6;

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
  const n = table.length;
  const { ts, kind, sym, f0, f1, f2, f3, f4, barStart } = table;
  const symbols = table.symbols;
  const nSym = symbols.length;
  const symbolIds = new Map(symbols.map((s, i) => [s, i]));
  const source = fillSources(table);
  const broker = new Broker(cfg.execution, table, source);
  const pf = new Portfolio(cfg.initialCapital, symbols);
  const rng = seedrandom(cfg.seed);

  // Market state per symbol, built from events seen so far: the row of the latest quote, trade
  // and marking event. One store per event instead of copying five values; readers look the
  // values up in the table. Marks are brought into the portfolio when equity is needed.
  const quoteRow = new Int32Array(nSym).fill(-1);
  const tradeRow = new Int32Array(nSym).fill(-1);
  const markRow = new Int32Array(nSym).fill(-1);
  const markValue = (r: number): number => {
    const k = kind[r]!;
    return k === QUOTE ? (f0[r]! + f1[r]!) / 2 : k === TRADE ? f0[r]! : f3[r]!;
  };
  const markOf = (s: number): number => (markRow[s]! >= 0 ? markValue(markRow[s]!) : NaN);
  const syncMarks = (): void => {
    for (let s = 0; s < nSym; s++) if (markRow[s]! >= 0) pf.mark[s] = markValue(markRow[s]!);
  };

  // The clock: [now, index of the event being handled]. A typed array rather than two `let`s
  // because handlers' closures read it: V8 keeps captured, mutated `let`s in a heap context,
  // which costs the per-event loop about 2x.
  const clock = cfg.clock ?? new Float64Array(2);
  clock[0] = n > 0 ? ts[0]! : 0;
  clock[1] = -1;
  let nextOrderId = 1;
  let ordersSubmitted = 0;
  const fills: FillRecord[] = [];
  const orders: OrderRecord[] = [];
  const rejections: Rejection[] = [];
  const pendingRejections: Rejection[] = [];
  const fillBuf: BrokerFill[] = [];
  const eventFills: Fill[] = [];

  const fail = (cause: string): never => {
    throw new StrategyError(cfg.strategyName, clock[0]!, cause);
  };
  const symId = (name: string): number => {
    const id = symbolIds.get(name);
    if (id === undefined) fail(`unknown symbol '${name}' (the data has ${symbols.join(', ')})`);
    return id!;
  };
  const refPrice = (s: number, side: number): number => {
    const r = quoteRow[s]!;
    return r >= 0 ? (side > 0 ? f1[r]! : f0[r]!) : markOf(s);
  };

  const submit = (o: OrderRequest): SubmitResult => {
    if (o === null || typeof o !== 'object') return fail(`submit() needs an order object, got ${String(o)}`);
    const s = symId(o.symbol);
    const side: number = o.side === 'buy' ? 1 : o.side === 'sell' ? -1 : fail(`order side must be 'buy' or 'sell', got ${JSON.stringify(o.side)}`);
    const type = o.type ?? 'market';
    const t = type === 'market' ? MARKET : type === 'limit' ? LIMIT : type === 'stop' ? STOP : fail(`order type must be market, limit or stop, got ${JSON.stringify(type)}`);
    const hasQty = o.qty !== undefined;
    const hasNotional = o.notional !== undefined;
    if (hasQty === hasNotional) fail(`an order needs exactly one of qty or notional (got ${JSON.stringify(o)})`);
    const amount = hasQty ? o.qty! : o.notional!;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
      fail(`order ${hasQty ? 'qty' : 'notional'} must be a finite number > 0, got ${String(amount)}`);
    }
    if (t === LIMIT && !(typeof o.limit === 'number' && o.limit > 0 && Number.isFinite(o.limit))) fail(`a limit order needs a limit price > 0, got ${String(o.limit)}`);
    if (t === STOP && !(typeof o.stop === 'number' && o.stop > 0 && Number.isFinite(o.stop))) fail(`a stop order needs a stop price > 0, got ${String(o.stop)}`);
    const id = nextOrderId++;
    ordersSubmitted++;
    const record = (accepted: boolean): void => {
      orders.push({ id, ts: clock[0]!, index: clock[1]!, symbol: symbols[s]!, side: side > 0 ? 'buy' : 'sell', type, qty: hasQty ? amount : NaN, notional: hasNotional ? amount : NaN, limit: o.limit ?? NaN, stop: o.stop ?? NaN, accepted });
    };
    // buying power: gross exposure after this order and all working ones, valued at the marks
    // (the price the strategy sizes with); the quote side only before the first mark
    syncMarks();
    const px = Number.isNaN(pf.mark[s]!) ? refPrice(s, side) : pf.mark[s]!;
    if (Number.isNaN(px)) {
      const r = { orderId: id, symbol: symbols[s]!, reason: 'no price yet for this symbol', ts: clock[0]! };
      pendingRejections.push(r);
      record(false);
      return { ok: false, id, reason: r.reason };
    }
    const units = hasQty ? amount : amount / px;
    const equity = pf.equity();
    let gross = 0;
    for (let j = 0; j < nSym; j++) {
      const pxj = j === s ? px : Number.isNaN(pf.mark[j]!) ? pf.avgCost[j]! : pf.mark[j]!;
      const pj = pf.position[j]! + broker.pendingUnits(j, pxj) + (j === s ? side * units : 0);
      if (pj !== 0) gross += Math.abs(pj) * pxj;
    }
    const cap = cfg.execution.maxLeverage * equity;
    if (gross > cap * (1 + 1e-9) && gross > pf.grossExposure() + 1e-9) {
      const reason = `needs gross exposure ${gross.toFixed(2)} > max leverage ${cfg.execution.maxLeverage} × equity ${equity.toFixed(2)}`;
      const r = { orderId: id, symbol: symbols[s]!, reason, ts: clock[0]! };
      pendingRejections.push(r);
      record(false);
      return { ok: false, id, reason };
    }
    const wo: WorkingOrder = {
      id,
      sym: s,
      side: side as 1 | -1,
      type: t,
      remaining: hasQty ? amount : NaN,
      notional: hasNotional ? amount : NaN,
      limit: o.limit ?? NaN,
      stop: o.stop ?? NaN,
      submitIndex: clock[1]!,
      activeAt: clock[0]! + cfg.execution.latencyUs,
      tag: o.tag,
      seen: false,
    };
    broker.add(wo);
    record(true);
    return { ok: true, id };
  };

  const quoteViews: (QuoteSnapshot | undefined)[] = new Array(nSym).fill(undefined);
  const ctx: Context = {
    get now() {
      return clock[0]!;
    },
    warmingUp: false,
    symbols,
    get cash() {
      return pf.cash;
    },
    get equity() {
      syncMarks();
      return pf.equity();
    },
    initialCapital: cfg.initialCapital,
    quote(symbol) {
      const s = symId(symbol);
      const r = quoteRow[s]!;
      if (r < 0) return undefined;
      const v = quoteViews[s];
      if (v && v.ts === ts[r]) return v;
      const q = Object.freeze({ bid: f0[r]!, ask: f1[r]!, bidSize: f2[r]!, askSize: f3[r]!, ts: ts[r]! });
      quoteViews[s] = q;
      return q;
    },
    lastTrade(symbol) {
      const r = tradeRow[symId(symbol)]!;
      return r >= 0 ? f0[r]! : NaN;
    },
    price: (symbol) => markOf(symId(symbol)),
    position: (symbol) => pf.position[symId(symbol)]!,
    pending(symbol) {
      const s = symId(symbol);
      return broker.pendingUnits(s, refPrice(s, 1));
    },
    submit,
    cancel: (id) => broker.cancel(id),
    cancelAll(symbol) {
      if (symbol === undefined) for (let s = 0; s < nSym; s++) broker.cancelSymbol(s);
      else broker.cancelSymbol(symId(symbol));
    },
    targetPosition(symbol, qty) {
      if (!Number.isFinite(qty)) fail(`targetPosition(${symbol}) needs a finite quantity, got ${qty}`);
      const s = symId(symbol);
      const have = pf.position[s]! + broker.pendingUnits(s, refPrice(s, 1));
      const diff = qty - have;
      if (Math.abs(diff) <= 1e-9 * Math.max(1, Math.abs(qty))) return undefined;
      return submit({ symbol, side: diff > 0 ? 'buy' : 'sell', qty: Math.abs(diff) });
    },
    targetPercent(symbol, fraction) {
      if (!Number.isFinite(fraction)) fail(`targetPercent(${symbol}) needs a finite fraction, got ${fraction}`);
      const s = symId(symbol);
      const px = markOf(s);
      if (Number.isNaN(px)) return undefined;
      syncMarks();
      return ctx.targetPosition(symbol, (fraction * pf.equity()) / px);
    },
    random: () => rng(),
  };

  // reused views handed to handlers: one object each, pointed at the current row
  const tick = new RowTickView(table);
  const bar = new RowBarView(table);

  /** Rethrows what a handler threw as a StrategyError naming the handler and the tick. */
  const handlerFailed = (what: string, e: unknown): never => {
    if (e instanceof StrategyError) throw e;
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return fail(`${what} threw ${msg}`);
  };
  const call = (what: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      handlerFailed(what, e);
    }
  };
  const flushRejections = (): void => {
    while (pendingRejections.length > 0) {
      const r = pendingRejections.shift()!;
      rejections.push(r);
      if (strategy.onReject) call('onReject', () => strategy.onReject!(ctx, r));
    }
  };

  // equity sampling per period
  const periodUs = cfg.periodUs;
  const sampleTs: number[] = [];
  const equity: number[] = [];
  const inMarketFlags: number[] = [];
  const feesCum: number[] = [];
  const borrowCum: number[] = [];
  const notionalCum: number[] = [];
  const exposureCum: number[] = [];
  let lastAccrual = clock[0]!;
  const accrueBorrow = (t: EpochUs): void => {
    const rate = cfg.execution.borrowBps / 1e4;
    if (rate > 0 && t > lastAccrual) {
      syncMarks();
      for (let s = 0; s < nSym; s++) {
        const p = pf.position[s]!;
        if (p < 0) pf.charge(s, -p * pf.mark[s]! * rate * ((t - lastAccrual) / YEAR_US));
      }
    }
    lastAccrual = t;
  };
  /** Records the sample of a period ending at `endTs`; borrow accrues up to `accrueTo` (<= now). */
  const closeSample = (endTs: EpochUs, accrueTo: EpochUs, inMarket: boolean, exposureSoFar: number): void => {
    accrueBorrow(accrueTo);
    feesCum.push(pf.feesPaid);
    borrowCum.push(pf.borrowPaid);
    notionalCum.push(pf.tradedNotional);
    exposureCum.push(exposureSoFar);
    sampleTs.push(endTs);
    if (pf.inMarket()) {
      syncMarks();
      equity.push(pf.equity());
    } else equity.push(pf.cash); // no positions: equity is cash
    inMarketFlags.push(inMarket ? 1 : 0);
  };


  if (strategy.onStart) call('onStart', () => strategy.onStart!(ctx));
  flushRejections();

  /**
   * Books the fills of event i (the cold path, kept out of the loop body); returns the change in
   * the number of open positions.
   */
  const bookFills = (i: number, s: number, k: number, t: EpochUs): number => {
    let opened = 0;
    fillBuf.length = 0;
    broker.match(i, fillBuf);
    if (fillBuf.length > 0) accrueBorrow(t); // positions change: settle borrow up to now
    for (const f of fillBuf) {
      const before = pf.position[s]!;
      pf.applyFill(s, f.order.side * f.qty, f.price, f.fee, t);
      const after = pf.position[s]!;
      if (before === 0 && after !== 0) opened++;
      else if (before !== 0 && after === 0) opened--;
      const side = f.order.side > 0 ? 'buy' : 'sell';
      fills.push({ ts: t, index: i, orderId: f.order.id, symbol: symbols[s]!, side, qty: f.qty, price: f.price, fee: f.fee, bid: k === QUOTE ? f0[i]! : NaN, ask: k === QUOTE ? f1[i]! : NaN });
      if (strategy.onFill) {
        eventFills.push({ orderId: f.order.id, symbol: symbols[s]!, side, qty: f.qty, price: f.price, fee: f.fee, ts: t, done: f.order.remaining === 0, tag: f.order.tag });
      }
    }
    return opened;
  };

  // tick subscription: which symbols, how often (read after onStart, which may set it up)
  const sub = strategy.ticks;
  const wantTick = new Uint8Array(nSym).fill(sub?.symbols ? 0 : 1);
  for (const name of sub?.symbols ?? []) wantTick[symId(name)] = 1;
  const everyUs = sub?.everyUs ?? 0;
  if (!(Number.isFinite(everyUs) && everyUs >= 0)) fail(`ticks.everyUs must be a number of µs >= 0, got ${String(everyUs)}`);
  const perSymbol = sub?.per !== 'strategy';
  const nextTickDue = new Float64Array(perSymbol ? nSym : 1).fill(-Infinity);

  // Events that only move the market state (no orders working on the symbol, no handler due, no
  // period ending) are replayed by scanQuiet, a module-level function shared by every backtest
  // of the process: it is compiled once and stays compiled. The rest of this function is closures
  // of this backtest, which V8 compiles afresh for each one; they now see only the events where
  // something happens (a fill, a decision, a period's end), so a backtest's first chunks no
  // longer crawl through two million events in unoptimised code while those closures compile.
  // dueAt[s]: the time from which an event of symbol s needs the full path (see scanQuiet).
  const dueAt = new Float64Array(nSym).fill(Infinity);
  const onTick = strategy.onTick;
  const onBar = strategy.onBar;
  const onFill = strategy.onFill;
  const observer = cfg.observer;
  for (let s = 0; s < nSym; s++) if (observer || (onTick && wantTick[s] === 1)) dueAt[s] = -Infinity;
  const quiet = new QuietScan(table, quoteRow, tradeRow, markRow, source, dueAt, broker.workingCount, onBar !== undefined || observer !== undefined);
  /** After a tick was delivered: when the next one is due. */
  const tickDelivered = (s: number, t: EpochUs): void => {
    if (everyUs <= 0 || observer) return;
    const next = (Math.floor(t / everyUs) + 1) * everyUs;
    if (perSymbol) {
      nextTickDue[s] = next;
      dueAt[s] = next;
    } else {
      nextTickDue[0] = next;
      for (let j = 0; j < nSym; j++) if (wantTick[j] === 1) dueAt[j] = next;
    }
  };

  // hot-loop locals: typed arrays, handlers and kind codes read once (locals, not imports or
  // captured variables, so that the optimiser keeps them in registers)
  const workingCount = broker.workingCount;
  const K_QUOTE = QUOTE;
  const K_TRADE = TRADE;
  const K_BAR = BAR;
  const S_TRADE = FILL_TRADE;
  const S_BAR = FILL_BAR;
  // Loop state, kept in locals inside each chunk and in `st` between chunks: [bucket, bucket end,
  // in market during the bucket, open positions, exposure µs, exposed since]. The events run in
  // chunks through one function so that when a rare path first runs (the first fill, the first
  // handler call) and the optimiser has to back off, it costs at most one chunk in slow code,
  // not a long stretch of a single on-stack-replaced loop.
  const st = new Float64Array([NaN, -Infinity, 0, 0, 0, 0]);
  const runChunk = (from: number, to: number): void => {
    let bucket = st[0]!;
    let bucketEnd = st[1]!;
    let bucketInMarket = st[2] === 1;
    let openPositions = st[3]!;
    let exposureUs = st[4]!;
    let exposedSince = st[5]!;
    for (let i = from; i < to; i++) {
      // quiet events up to the next one that needs more than a market-state update
      i = scanQuiet(quiet, i, to, bucketEnd);
      if (i >= to) break;
      const t = ts[i]!;
      const s = sym[i]!;
      const k = kind[i]!;
      if (t >= bucketEnd) {
        if (!Number.isNaN(bucket)) closeSample(bucketEnd, bucketEnd, bucketInMarket, openPositions > 0 ? exposureUs + (bucketEnd - exposedSince) : exposureUs);
        bucket = Math.floor(t / periodUs);
        bucketEnd = (bucket + 1) * periodUs;
        bucketInMarket = openPositions > 0;
      }
      // fills (against this event; the mark moves after)
      let hadFills = false;
      if (workingCount[s]! > 0) {
        clock[0] = t;
        clock[1] = i;
        const before = openPositions;
        openPositions += bookFills(i, s, k, t);
        // time in the market, accounted when it starts and ends
        if (before === 0 && openPositions > 0) exposedSince = t;
        else if (before > 0 && openPositions === 0) exposureUs += t - exposedSince;
        hadFills = eventFills.length > 0;
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
      // strategy (handlers are called directly: no closure per event)
      if (hadFills) {
        if (onFill) {
          for (const f of eventFills) {
            try {
              onFill.call(strategy, ctx, f);
            } catch (e) {
              handlerFailed('onFill', e);
            }
          }
        }
        eventFills.length = 0;
        if (pendingRejections.length > 0) flushRejections();
      }
      if (k === K_BAR) {
        if (onBar) {
          clock[0] = t;
          clock[1] = i;
          bar.index = i;
          try {
            onBar.call(strategy, ctx, bar);
          } catch (e) {
            handlerFailed('onBar', e);
          }
          if (pendingRejections.length > 0) flushRejections();
        }
      } else if (onTick && wantTick[s] === 1 && t >= nextTickDue[perSymbol ? s : 0]!) {
        tickDelivered(s, t);
        clock[0] = t;
        clock[1] = i;
        tick.index = i;
        try {
          onTick.call(strategy, ctx, tick);
        } catch (e) {
          handlerFailed('onTick', e);
        }
        if (pendingRejections.length > 0) flushRejections();
      }
      if (observer) {
        clock[0] = t;
        clock[1] = i;
        syncMarks();
        observer({ index: i, ts: t, portfolio: pf });
      }
    }
    st[0] = bucket;
    st[1] = bucketEnd;
    st[2] = bucketInMarket ? 1 : 0;
    st[3] = openPositions;
    st[4] = exposureUs;
    st[5] = exposedSince;
  };
  let done = 0;
  return {
    advance(to: number): void {
      while (done < to) {
        const end = Math.min(to, done + CHUNK);
        runChunk(done, end);
        done = end;
      }
    },
    finish(): RunRecord {
      const bucket = st[0]!;
      const bucketInMarket = st[2] === 1;
      const openPositions = st[3]!;
      let exposureUs = st[4]!;
      const exposedSince = st[5]!;

      if (n > 0) {
        clock[0] = ts[n - 1]!;
        clock[1] = n - 1;
      }
      if (openPositions > 0) exposureUs += clock[0]! - exposedSince;
      if (strategy.onEnd) call('onEnd', () => strategy.onEnd!(ctx));
      flushRejections();
      if (!Number.isNaN(bucket)) closeSample((bucket + 1) * periodUs, clock[0]!, bucketInMarket, exposureUs);
      let strategySummary: unknown;
      if (strategy.summary) call('summary', () => (strategySummary = strategy.summary!()));
      syncMarks();

      return {
        strategy: cfg.strategyName,
        symbols,
        initialCapital: cfg.initialCapital,
        firstTs: n > 0 ? ts[0]! : NaN,
        lastTs: n > 0 ? ts[n - 1]! : NaN,
        events: n,
        periodUs,
        sampleTs: Float64Array.from(sampleTs),
        equity: Float64Array.from(equity),
        inMarket: Uint8Array.from(inMarketFlags),
        feesCum: Float64Array.from(feesCum),
        borrowCum: Float64Array.from(borrowCum),
        notionalCum: Float64Array.from(notionalCum),
        exposureCum: Float64Array.from(exposureCum),
        trades: pf.closed,
        openTrades: pf.openTrips(clock[0]!),
        fills,
        orders,
        rejections,
        ordersSubmitted,
        finalEquity: pf.equity(),
        cash: pf.cash,
        feesPaid: pf.feesPaid,
        borrowPaid: pf.borrowPaid,
        tradedNotional: pf.tradedNotional,
        exposureUs,
        strategySummary,
      };
    },
  };
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
}

/** What {@link scanQuiet} reads and writes: the table's columns and one backtest's market state. */
class QuietScan {
  readonly ts: Float64Array;
  readonly sym: Uint16Array;
  readonly kind: Uint8Array;
  constructor(
    table: TickTable,
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
  ) {
    this.ts = table.ts;
    this.sym = table.sym;
    this.kind = table.kind;
  }
}

/**
 * Replays quiet events from `from`: those that only update their symbol's market state (the
 * latest quote, trade and mark rows), the same stores the full path makes. Stops at, and returns,
 * the first event that needs more (its time reaches `until`, the end of the current period, or
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
    if (t >= until || t >= dueAt[s]! || working[s]! > 0) return i;
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
