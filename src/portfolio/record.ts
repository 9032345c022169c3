/**
 * What a backtest produced ({@link RunRecord}), kept in columns.
 *
 * Orders, fills and round trips are logs of float64 columns (struct of arrays; symbols as ids,
 * sides and types as codes), grown by doubling: no object per event while a run goes, so a
 * strategy that trades every tick does not feed the garbage collector, and a record crosses from a
 * worker thread to the main thread as a few buffers moved without a copy ({@link packRecord},
 * {@link unpackRecord}) instead of hundreds of thousands of objects serialised on one side and
 * rebuilt on the other. Rows become objects only where something reads rows: `at(i)`, `rows()`,
 * iteration, `toJSON()` (reports print the first rows; the trades CSV streams them).
 */
import { lowerBound } from '../data/table.js';
import type { EpochUs } from '../data/time.js';
import type { Diagnostics } from './diagnostics.js';

export interface RoundTrip {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly entryTs: EpochUs;
  readonly exitTs: EpochUs;
  /** Largest absolute position held during the round trip. */
  readonly maxQty: number;
  /** Volume-weighted price of the fills that opened or added. */
  readonly entryPrice: number;
  /** Volume-weighted price of the fills that reduced or closed. */
  readonly exitPrice: number;
  readonly grossPnl: number;
  /** Trading fees plus borrow costs. */
  readonly fees: number;
  readonly netPnl: number;
  /** Net PnL over the entry notional of the largest position. */
  readonly returnFraction: number;
  readonly holdingUs: number;
  /** Units traded in and out (sum of absolute fills). */
  readonly volume: number;
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
  readonly type: (typeof TYPES)[number];
  readonly qty: number;
  readonly notional: number;
  readonly limit: number;
  readonly stop: number;
  readonly accepted: boolean;
}

/** An order the venue refused (its checks, buying power, a rejection by the latency model). */
export interface Rejection {
  readonly orderId: number;
  readonly symbol: string;
  readonly reason: string;
  readonly ts: EpochUs;
}

/** A working order the venue ended without filling it whole (expiry, IOC/FOK, OCO, reduce-only). */
export interface Cancellation {
  readonly orderId: number;
  readonly symbol: string;
  readonly reason: string;
  /** Units it had left (NaN: a notional order never sized). */
  readonly remaining: number;
  readonly ts: EpochUs;
  /** A bracket's leg: the id of the entry order it belongs to. */
  readonly parentId?: number;
}

/** A column: float64 for prices, sizes and times; narrower integers for ids and codes. */
export type Column = Float64Array | Int32Array | Uint16Array | Int8Array;
type ColumnType = 'f64' | 'i32' | 'u16' | 'i8';
const MAKE: Record<ColumnType, (n: number) => Column> = {
  f64: (n) => new Float64Array(n),
  i32: (n) => new Int32Array(n),
  u16: (n) => new Uint16Array(n),
  i8: (n) => new Int8Array(n),
};

/** A log as it crosses threads: its columns trimmed to its rows (views on movable buffers). */
export interface PackedLog {
  readonly length: number;
  readonly cols: Column[];
}

/**
 * Growable typed columns, one row per event. Subclasses name the columns and turn a row into an
 * object; writes go straight to `c[k][i]` after {@link add}.
 */
export abstract class ColumnLog<Row> implements Iterable<Row> {
  length = 0;
  /** The columns, each at least `length` long (the capacity beyond it is unused). */
  c: Column[];

  constructor(
    readonly symbols: readonly string[],
    types: readonly ColumnType[],
    packed?: PackedLog,
  ) {
    if (packed) {
      this.c = packed.cols;
      this.length = packed.length;
    } else this.c = types.map((t) => MAKE[t](64));
  }

  /** Index of a new row (the columns doubled when full). */
  add(): number {
    const n = this.length;
    const c = this.c;
    if (n === c[0]!.length) {
      for (let k = 0; k < c.length; k++) {
        const old = c[k]!;
        const g = new (old.constructor as new (n: number) => Column)(n * 2);
        g.set(old as never);
        c[k] = g;
      }
    }
    this.length = n + 1;
    return n;
  }

  /** Column k of the rows (a view, no copy). */
  col(k: number): Column {
    return this.c[k]!.subarray(0, this.length);
  }

  abstract at(i: number): Row;

  /** A log of the same kind over other columns (every subclass takes (symbols, packed)). */
  private make(packed: PackedLog): this {
    return new (this.constructor as new (symbols: readonly string[], packed: PackedLog) => this)(this.symbols, packed);
  }

  rows(): Row[] {
    const out = new Array<Row>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }

  *[Symbol.iterator](): Iterator<Row> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  toJSON(): Row[] {
    return this.rows();
  }

  /** Per column: 0 not known yet, 1 ascending, 2 not; for the rows there were (`orderOf`). */
  private order: Int8Array | undefined;
  private orderOf = -1;

  private ascending(k: number): boolean {
    if (this.orderOf !== this.length) {
      this.order = new Int8Array(this.c.length);
      this.orderOf = this.length;
    }
    const o = this.order!;
    if (o[k] === 0) {
      const x = this.c[k]!;
      let up = true;
      for (let i = 1; i < this.length && up; i++) if (x[i]! < x[i - 1]!) up = false;
      o[k] = up ? 1 : 2;
    }
    return o[k] === 1;
  }

  /**
   * The rows where column k is in [from, to), as a new log: views on these columns when column k
   * is ascending (times are, but for fills of bars of different lengths), a copy otherwise. A
   * walk-forward measures every trial on every fold window: copying them was 12% of its trials.
   */
  within(k: number, from: number, to: number): this {
    if (this.ascending(k)) {
      const col = this.col(k);
      const a = lowerBound(col, from);
      const b = Math.max(a, lowerBound(col, to));
      return this.make({ length: b - a, cols: this.c.map((x) => x.subarray(a, Math.max(b, a + 1))) });
    }
    const m = this.countWithin(k, from, to);
    const x = this.c[k]!;
    const cols = this.c.map((old) => new (old.constructor as new (n: number) => Column)(Math.max(m, 1)));
    let j = 0;
    for (let i = 0; i < this.length; i++) {
      if (!(x[i]! >= from && x[i]! < to)) continue;
      for (let c = 0; c < cols.length; c++) cols[c]![j] = this.c[c]![i]!;
      j++;
    }
    return this.make({ length: m, cols });
  }

  /** Number of rows where column k is in [from, to). */
  countWithin(k: number, from: number, to: number): number {
    if (this.ascending(k)) {
      const col = this.col(k);
      return Math.max(0, lowerBound(col, to) - lowerBound(col, from));
    }
    const x = this.c[k]!;
    let m = 0;
    for (let i = 0; i < this.length; i++) if (x[i]! >= from && x[i]! < to) m++;
    return m;
  }

  /** The columns trimmed to the rows, for {@link packRecord}. */
  pack(): PackedLog {
    return { length: this.length, cols: this.c.map((x) => x.subarray(0, Math.max(this.length, 1))) };
  }
}

const SIDE = ['sell', '', 'buy'] as const;
const TYPES = ['market', 'limit', 'stop', 'stop-limit', 'trailing-stop', 'market-on-close', 'margin-call'] as const;

/** Fill columns: ts, index, orderId, sym, side (±1), qty, price, fee, bid, ask. */
export const F_TS = 0;
export const F_INDEX = 1;
export const F_ORDER = 2;
export const F_SYM = 3;
export const F_SIDE = 4;
export const F_QTY = 5;
export const F_PRICE = 6;
export const F_FEE = 7;
export const F_BID = 8;
export const F_ASK = 9;

// ts, index, orderId, sym, side, qty, price, fee, bid, ask: 59 bytes a fill
const FILL_TYPES: readonly ColumnType[] = ['f64', 'i32', 'i32', 'u16', 'i8', 'f64', 'f64', 'f64', 'f64', 'f64'];

export class FillLog extends ColumnLog<FillRecord> {
  constructor(symbols: readonly string[], packed?: PackedLog) {
    super(symbols, FILL_TYPES, packed);
  }
  push(ts: number, index: number, orderId: number, sym: number, side: number, qty: number, price: number, fee: number, bid: number, ask: number): void {
    const i = this.add();
    const c = this.c;
    c[F_TS]![i] = ts;
    c[F_INDEX]![i] = index;
    c[F_ORDER]![i] = orderId;
    c[F_SYM]![i] = sym;
    c[F_SIDE]![i] = side;
    c[F_QTY]![i] = qty;
    c[F_PRICE]![i] = price;
    c[F_FEE]![i] = fee;
    c[F_BID]![i] = bid;
    c[F_ASK]![i] = ask;
  }
  at(i: number): FillRecord {
    const c = this.c;
    return {
      ts: c[F_TS]![i]!,
      index: c[F_INDEX]![i]!,
      orderId: c[F_ORDER]![i]!,
      symbol: this.symbols[c[F_SYM]![i]!]!,
      side: SIDE[c[F_SIDE]![i]! + 1] as 'buy' | 'sell',
      qty: c[F_QTY]![i]!,
      price: c[F_PRICE]![i]!,
      fee: c[F_FEE]![i]!,
      bid: c[F_BID]![i]!,
      ask: c[F_ASK]![i]!,
    };
  }
}

/** Order columns: id, ts, index, sym, side (±1), type (code), qty, notional, limit, stop, accepted (0/1). */
export const O_ID = 0;
export const O_TS = 1;
export const O_INDEX = 2;
export const O_SYM = 3;
export const O_SIDE = 4;
export const O_TYPE = 5;
export const O_QTY = 6;
export const O_NOTIONAL = 7;
export const O_LIMIT = 8;
export const O_STOP = 9;
export const O_ACCEPTED = 10;

// id, ts, index, sym, side, type, qty, notional, limit, stop, accepted: 53 bytes an order
const ORDER_TYPES: readonly ColumnType[] = ['i32', 'f64', 'i32', 'u16', 'i8', 'i8', 'f64', 'f64', 'f64', 'f64', 'i8'];

export class OrderLog extends ColumnLog<OrderRecord> {
  constructor(symbols: readonly string[], packed?: PackedLog) {
    super(symbols, ORDER_TYPES, packed);
  }
  push(id: number, ts: number, index: number, sym: number, side: number, type: number, qty: number, notional: number, limit: number, stop: number, accepted: boolean): void {
    const i = this.add();
    const c = this.c;
    c[O_ID]![i] = id;
    c[O_TS]![i] = ts;
    c[O_INDEX]![i] = index;
    c[O_SYM]![i] = sym;
    c[O_SIDE]![i] = side;
    c[O_TYPE]![i] = type;
    c[O_QTY]![i] = qty;
    c[O_NOTIONAL]![i] = notional;
    c[O_LIMIT]![i] = limit;
    c[O_STOP]![i] = stop;
    c[O_ACCEPTED]![i] = accepted ? 1 : 0;
  }
  /** How many accepted orders are of `type`. */
  countType(type: OrderRecord['type']): number {
    const code = TYPES.indexOf(type);
    const t = this.c[O_TYPE]!;
    const a = this.c[O_ACCEPTED]!;
    let n = 0;
    for (let i = 0; i < this.length; i++) if (t[i] === code && a[i] === 1) n++;
    return n;
  }
  at(i: number): OrderRecord {
    const c = this.c;
    return {
      id: c[O_ID]![i]!,
      ts: c[O_TS]![i]!,
      index: c[O_INDEX]![i]!,
      symbol: this.symbols[c[O_SYM]![i]!]!,
      side: SIDE[c[O_SIDE]![i]! + 1] as 'buy' | 'sell',
      type: TYPES[c[O_TYPE]![i]!]!,
      qty: c[O_QTY]![i]!,
      notional: c[O_NOTIONAL]![i]!,
      limit: c[O_LIMIT]![i]!,
      stop: c[O_STOP]![i]!,
      accepted: c[O_ACCEPTED]![i] === 1,
    };
  }
}

/**
 * Round-trip columns (symbol as id, side ±1): 75 bytes a round trip. Net PnL, return and holding
 * time are derived when a row is read (net = gross − fees, return = net / (max qty × entry price),
 * hold = exit − entry), from the same doubles, so they equal what storing them would give.
 */
export const T_SYM = 0;
export const T_SIDE = 1;
export const T_ENTRY_TS = 2;
export const T_EXIT_TS = 3;
export const T_MAX_QTY = 4;
export const T_ENTRY_PX = 5;
export const T_EXIT_PX = 6;
export const T_GROSS = 7;
export const T_FEES = 8;
export const T_VOLUME = 9;
const TRIP_TYPES: readonly ColumnType[] = ['u16', 'i8', 'f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'f64', 'f64'];

export class TripLog extends ColumnLog<RoundTrip> {
  constructor(symbols: readonly string[], packed?: PackedLog) {
    super(symbols, TRIP_TYPES, packed);
  }
  push(sym: number, side: number, entryTs: number, exitTs: number, maxQty: number, entryPrice: number, exitPrice: number, gross: number, fees: number, volume: number): void {
    const i = this.add();
    const c = this.c;
    c[T_SYM]![i] = sym;
    c[T_SIDE]![i] = side;
    c[T_ENTRY_TS]![i] = entryTs;
    c[T_EXIT_TS]![i] = exitTs;
    c[T_MAX_QTY]![i] = maxQty;
    c[T_ENTRY_PX]![i] = entryPrice;
    c[T_EXIT_PX]![i] = exitPrice;
    c[T_GROSS]![i] = gross;
    c[T_FEES]![i] = fees;
    c[T_VOLUME]![i] = volume;
  }
  /** Net PnL of round trip i. */
  net(i: number): number {
    return this.c[T_GROSS]![i]! - this.c[T_FEES]![i]!;
  }
  /** Net PnL of every round trip, in order. */
  nets(): Float64Array {
    const out = new Float64Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.net(i);
    return out;
  }
  /** Holding time of every round trip, µs. */
  holds(): Float64Array {
    const out = new Float64Array(this.length);
    const x = this.c[T_EXIT_TS]!;
    const e = this.c[T_ENTRY_TS]!;
    for (let i = 0; i < this.length; i++) out[i] = x[i]! - e[i]!;
    return out;
  }
  at(i: number): RoundTrip {
    const c = this.c;
    const net = this.net(i);
    return {
      symbol: this.symbols[c[T_SYM]![i]!]!,
      side: c[T_SIDE]![i]! > 0 ? 'long' : 'short',
      entryTs: c[T_ENTRY_TS]![i]!,
      exitTs: c[T_EXIT_TS]![i]!,
      maxQty: c[T_MAX_QTY]![i]!,
      entryPrice: c[T_ENTRY_PX]![i]!,
      exitPrice: c[T_EXIT_PX]![i]!,
      grossPnl: c[T_GROSS]![i]!,
      fees: c[T_FEES]![i]!,
      netPnl: net,
      returnFraction: net / (c[T_MAX_QTY]![i]! * c[T_ENTRY_PX]![i]!),
      holdingUs: c[T_EXIT_TS]![i]! - c[T_ENTRY_TS]![i]!,
      volume: c[T_VOLUME]![i]!,
    };
  }
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
  /** Gross exposure at each sample's end: Σ |position × mark| (0 when flat). */
  readonly gross: Float64Array;
  /** Closed round trips, in the order they closed. */
  readonly trades: TripLog;
  /** Round trips still open at the end, valued at the last marks. */
  readonly openTrades: TripLog;
  readonly fills: FillLog;
  readonly orders: OrderLog;
  readonly rejections: readonly Rejection[];
  /** Orders the venue ended unfilled or part-filled: expiries, IOC/FOK, one-cancels-other, reduce-only. */
  readonly cancellations: readonly Cancellation[];
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
  /** The charts the strategy's `diagnostics()` returned, if it has one (drawn in the HTML report only). */
  readonly strategyDiagnostics?: Diagnostics;
  /** Margin calls: the positions the venue closed when equity fell below the maintenance margin. */
  readonly marginCalls: readonly MarginCall[];
}

/** A margin call (broker/settings.ts Margin): when, where, the figures that triggered it, what it closed. */
export interface MarginCall {
  readonly ts: EpochUs;
  /** The symbol whose price triggered it, and that price. */
  readonly symbol: string;
  readonly price: number;
  /** Equity and the maintenance requirement at that price. */
  readonly equity: number;
  readonly requirement: number;
  /** The positions closed: symbol, units closed (signed: − sold a long), price. */
  readonly closed: readonly { readonly symbol: string; readonly qty: number; readonly price: number }[];
  /** A negative balance left after the closing (a gap beyond what equity covered), written off. */
  readonly writtenOff: number;
}

const LOGS = ['trades', 'openTrades', 'fills', 'orders'] as const;

/** A record as it crosses threads: plain data; its logs as {@link PackedLog}s. */
export type PackedRecord = Omit<RunRecord, (typeof LOGS)[number]> & Record<(typeof LOGS)[number], PackedLog>;

/** The record as plain data, and the buffers a postMessage may move rather than copy. */
export function packRecord(r: RunRecord): { packed: PackedRecord; transfer: ArrayBuffer[] } {
  const packed = { ...r, trades: r.trades.pack(), openTrades: r.openTrades.pack(), fills: r.fills.pack(), orders: r.orders.pack() };
  const buffers = new Set<ArrayBuffer>();
  const add = (a: ArrayBufferView): void => {
    if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  };
  for (const k of LOGS) for (const c of packed[k].cols) add(c);
  for (const a of [r.sampleTs, r.equity, r.inMarket, r.feesCum, r.borrowCum, r.notionalCum, r.exposureCum, r.gross]) add(a);
  return { packed, transfer: [...buffers] };
}

/** The record again, from {@link packRecord}'s data. */
export function unpackRecord(p: PackedRecord): RunRecord {
  const s = p.symbols;
  return { ...p, trades: new TripLog(s, p.trades), openTrades: new TripLog(s, p.openTrades), fills: new FillLog(s, p.fills), orders: new OrderLog(s, p.orders) };
}
