/**
 * The last rows of a field for every symbol, kept in a ring: one row per session of the decision
 * clock, NaN where a symbol has no value. Appending a row costs one row; reading the last n rows
 * copies n rows into a reused matrix, oldest first. Nothing re-reads history.
 */

/** A matrix of the last rows, row-major, oldest first; valid until the next read of its panel. */
export interface PanelMatrix {
  readonly rows: number;
  readonly cols: number;
  /** values[r * cols + s]; NaN where missing. */
  readonly values: Float64Array;
  /** The session (bar start, µs) of each row. */
  readonly sessions: Float64Array;
}

export class RollingPanel {
  private readonly buf: Float64Array;
  private readonly times: Float64Array;
  private out: Float64Array;
  private outTimes: Float64Array;
  /** Rows appended so far. */
  count = 0;
  constructor(
    readonly cols: number,
    readonly capacity: number,
  ) {
    this.buf = new Float64Array(cols * capacity).fill(NaN);
    this.times = new Float64Array(capacity).fill(NaN);
    this.out = new Float64Array(0);
    this.outTimes = new Float64Array(0);
  }

  /** The session of the last row (NaN before the first). */
  get lastSession(): number {
    return this.count > 0 ? this.times[(this.count - 1) % this.capacity]! : NaN;
  }

  /** Starts a row for `session`, all NaN. */
  append(session: number): void {
    const r = this.count % this.capacity;
    this.buf.fill(NaN, r * this.cols, (r + 1) * this.cols);
    this.times[r] = session;
    this.count++;
  }

  /** Sets symbol s's value in the last row. */
  set(s: number, v: number): void {
    this.buf[((this.count - 1) % this.capacity) * this.cols + s] = v;
  }

  /** The last min(n, rows so far) rows, oldest first. */
  last(n: number): PanelMatrix {
    if (n > this.capacity) throw new RangeError(`panel: ${n} rows asked, it keeps ${this.capacity}`);
    const rows = Math.min(n, this.count);
    const c = this.cols;
    if (this.out.length < rows * c) {
      this.out = new Float64Array(rows * c);
      this.outTimes = new Float64Array(rows);
    }
    const first = this.count - rows;
    for (let k = 0; k < rows; k++) {
      const r = (first + k) % this.capacity;
      this.out.set(this.buf.subarray(r * c, (r + 1) * c), k * c);
      this.outTimes[k] = this.times[r]!;
    }
    return { rows, cols: c, values: this.out.subarray(0, rows * c), sessions: this.outTimes.subarray(0, rows) };
  }
}
