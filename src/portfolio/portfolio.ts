/**
 * Cash, positions, marks and the round-trip trade ledger.
 *
 * Average-cost accounting: a fill that adds to a position moves its average cost; a fill that
 * reduces it realises (price − average cost) × units. A round trip runs from flat to flat; a fill
 * that flips the position closes one round trip and opens the next with the remainder (its fee is
 * split pro rata). Fees and borrow costs are charged to cash and to the round trip they belong to,
 * so that at every moment
 *   Σ net PnL of closed round trips + open PnL = equity − initial capital,
 * where open PnL = unrealised + realised-so-far − fees-so-far of the open round trips.
 */
import type { EpochUs } from '../data/time.js';
import { TripLog } from './record.js';

export type { RoundTrip } from './record.js';

interface OpenTrip {
  side: 1 | -1;
  entryTs: EpochUs;
  maxQty: number;
  inQty: number;
  inNotional: number;
  outQty: number;
  outNotional: number;
  /** Lowest and highest fill prices in and out: an average of fills at one price is that price. */
  inLo: number;
  inHi: number;
  outLo: number;
  outHi: number;
  gross: number;
  fees: number;
}

/**
 * Volume-weighted price from sums: exactly the price when every fill had one price (Σq·p / Σq
 * can be off by an ulp: 61836.01000000001), and never outside the range of the fills.
 */
function vwap(notional: number, qty: number, lo: number, hi: number): number {
  if (lo === hi) return lo;
  return Math.min(hi, Math.max(lo, notional / qty));
}

/** Cash, positions at average cost, marks, and the round-trip ledger of one run. */
export class Portfolio {
  cash: number;
  readonly position: Float64Array;
  readonly avgCost: Float64Array;
  readonly mark: Float64Array;
  feesPaid: number;
  borrowPaid: number;
  tradedNotional: number;
  fills = 0;
  readonly closed: TripLog;
  private readonly open: (OpenTrip | undefined)[];
  /** A closed trip's object, to open the next one with. */
  private spare: OpenTrip | undefined;

  constructor(
    readonly initialCapital: number,
    readonly symbols: readonly string[],
  ) {
    // money fields hold fractions from the first fill on: made double-valued from the start (a
    // first store of a fraction), or V8 would hold them as small integers, change the object's
    // layout at the first fill and throw away the code it had optimised for the old one (every
    // function touching a portfolio compiled twice per worker thread, measured)
    this.cash = 0.5;
    this.feesPaid = 0.5;
    this.borrowPaid = 0.5;
    this.tradedNotional = 0.5;
    this.cash = initialCapital;
    this.feesPaid = 0;
    this.borrowPaid = 0;
    this.tradedNotional = 0;
    this.closed = new TripLog(symbols);
    const n = symbols.length;
    this.position = new Float64Array(n);
    this.avgCost = new Float64Array(n);
    this.mark = new Float64Array(n).fill(NaN);
    this.open = new Array<OpenTrip | undefined>(n).fill(undefined);
  }

  /** Value of all positions at their marks (a position without a mark yet is valued at cost). */
  positionValue(): number {
    let v = 0;
    for (let s = 0; s < this.position.length; s++) {
      const p = this.position[s]!;
      if (p !== 0) v += p * (Number.isNaN(this.mark[s]!) ? this.avgCost[s]! : this.mark[s]!);
    }
    return v;
  }

  equity(): number {
    return this.cash + this.positionValue();
  }

  /** Sum of |position × mark|. */
  grossExposure(): number {
    let v = 0;
    for (let s = 0; s < this.position.length; s++) {
      const p = this.position[s]!;
      if (p !== 0) v += Math.abs(p * (Number.isNaN(this.mark[s]!) ? this.avgCost[s]! : this.mark[s]!));
    }
    return v;
  }

  inMarket(): boolean {
    for (let s = 0; s < this.position.length; s++) if (this.position[s] !== 0) return true;
    return false;
  }

  /** Books a fill of `signedQty` units (+ buy, − sell) at `price`, paying `fee`. */
  applyFill(s: number, signedQty: number, price: number, fee: number, ts: EpochUs): void {
    this.cash -= signedQty * price + fee;
    this.feesPaid += fee;
    this.tradedNotional += Math.abs(signedQty) * price;
    this.fills++;
    let remaining = signedQty;
    let feeLeft = fee;
    const p0 = this.position[s]!;
    if (p0 !== 0 && Math.sign(remaining) !== Math.sign(p0)) {
      // reduce (and maybe close)
      const closeQty = Math.min(Math.abs(remaining), Math.abs(p0));
      const side = p0 > 0 ? 1 : -1;
      const trip = this.open[s]!;
      const feePart = fee * (closeQty / Math.abs(signedQty));
      trip.gross += closeQty * (price - this.avgCost[s]!) * side;
      trip.outQty += closeQty;
      trip.outNotional += closeQty * price;
      if (price < trip.outLo) trip.outLo = price;
      if (price > trip.outHi) trip.outHi = price;
      trip.fees += feePart;
      feeLeft -= feePart;
      const p1 = p0 - side * closeQty;
      this.position[s] = Math.abs(p1) < 1e-12 * Math.max(1, Math.abs(p0)) ? 0 : p1;
      remaining += side * closeQty;
      if (this.position[s] === 0) {
        this.avgCost[s] = 0;
        this.closeTrip(s, trip, ts);
      }
    }
    if (remaining !== 0) {
      // open or add
      const p = this.position[s]!;
      const q = Math.abs(remaining);
      const c = this.avgCost[s]!;
      this.avgCost[s] = p === 0 || c === price ? price : (Math.abs(p) * c + q * price) / (Math.abs(p) + q);
      this.position[s] = p + remaining;
      let trip = this.open[s];
      if (trip === undefined) {
        // the last closed trip's object is reused: no allocation per round trip
        trip = this.spare ?? { side: 1, entryTs: 0, maxQty: 0, inQty: 0, inNotional: 0, outQty: 0, outNotional: 0, inLo: 0, inHi: 0, outLo: 0, outHi: 0, gross: 0, fees: 0 };
        this.spare = undefined;
        trip.side = remaining > 0 ? 1 : -1;
        trip.entryTs = ts;
        trip.maxQty = 0;
        trip.inQty = 0;
        trip.inNotional = 0;
        trip.outQty = 0;
        trip.outNotional = 0;
        trip.inLo = price;
        trip.inHi = price;
        trip.outLo = Infinity;
        trip.outHi = -Infinity;
        trip.gross = 0;
        trip.fees = 0;
        this.open[s] = trip;
      }
      trip.inQty += q;
      trip.inNotional += q * price;
      if (price < trip.inLo) trip.inLo = price;
      if (price > trip.inHi) trip.inHi = price;
      trip.fees += feeLeft;
      trip.maxQty = Math.max(trip.maxQty, Math.abs(this.position[s]!));
    }
  }

  /** Charges a cost (e.g. borrow fee) to cash and to the symbol's open round trip. */
  charge(s: number, amount: number): void {
    this.cash -= amount;
    this.borrowPaid += amount;
    const trip = this.open[s];
    if (trip) trip.fees += amount;
  }

  /** Appends to `log` the round trip of an open trip, ending at `exitTs` with the given exit price and gross. */
  private logTrip(log: TripLog, s: number, t: OpenTrip, exitTs: EpochUs, exitPrice: number, gross: number): void {
    log.push(s, t.side, t.entryTs, exitTs, t.maxQty, vwap(t.inNotional, t.inQty, t.inLo, t.inHi), exitPrice, gross, t.fees, t.inQty + t.outQty);
  }

  private closeTrip(s: number, t: OpenTrip, ts: EpochUs): void {
    this.logTrip(this.closed, s, t, ts, vwap(t.outNotional, t.outQty, t.outLo, t.outHi), t.gross);
    this.open[s] = undefined;
    this.spare = t;
  }

  /** Open PnL of a symbol: unrealised + realised − fees of its open round trip. */
  openPnl(s: number): number {
    const trip = this.open[s];
    if (!trip) return 0;
    const p = this.position[s]!;
    const m = Number.isNaN(this.mark[s]!) ? this.avgCost[s]! : this.mark[s]!;
    return p * (m - this.avgCost[s]!) + trip.gross - trip.fees;
  }

  totalOpenPnl(): number {
    let v = 0;
    for (let s = 0; s < this.position.length; s++) v += this.openPnl(s);
    return v;
  }

  /** The open round trips, as if closed at the marks now (for reports), not added to the ledger. */
  openTrips(now: EpochUs): TripLog {
    const out = new TripLog(this.symbols);
    for (let s = 0; s < this.position.length; s++) {
      const t = this.open[s];
      if (!t) continue;
      const p = this.position[s]!;
      const m = Number.isNaN(this.mark[s]!) ? this.avgCost[s]! : this.mark[s]!;
      this.logTrip(out, s, t, now, m, t.gross + p * (m - this.avgCost[s]!));
    }
    return out;
  }
}
