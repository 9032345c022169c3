/** The equity samples of a backtest, one row per period, in typed columns. */
/**
 * The equity samples, one row per period: end time, equity, in market (0/1), then the running
 * fees, borrow, traded notional and exposure, and the gross exposure at the period's end
 * (Σ |position × mark|). Typed columns, doubled when full (the number of
 * periods with events is known only at the end).
 */
const COLS = 8;

export class Samples {
  private buf: Float64Array;
  private capacity: number;
  private length = 0;
  constructor(expected: number) {
    this.capacity = Math.max(16, Math.min(Math.ceil(expected), 1 << 16));
    this.buf = new Float64Array(COLS * this.capacity);
  }
  push(endTs: number, equity: number, inMarket: number, fees: number, borrow: number, notional: number, exposure: number, gross: number): void {
    if (this.length === this.capacity) {
      const bigger = new Float64Array(2 * COLS * this.capacity);
      for (let c = 0; c < COLS; c++) bigger.set(this.buf.subarray(c * this.capacity, (c + 1) * this.capacity), 2 * c * this.capacity);
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
    b[7 * cap + i] = gross;
  }
  /** A copy of column c. */
  column(c: number): Float64Array {
    return this.buf.slice(c * this.capacity, c * this.capacity + this.length);
  }
}
