/**
 * Floors for the bench's user jobs: the least a hand-written program must do for the same job,
 * parsing that exact file by fixed offsets (no validation, no dictionary, no timestamps beyond
 * what the rule needs) and applying the same decision rule with the same fills, so that it makes
 * the same trades. Each returns its round-trip and order counts, which the bench prints beside
 * tickfold's to show the jobs are the same.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export interface FloorResult {
  readonly rows: number;
  readonly orders: number;
  /** Closed round trips (flat to flat, or to a flip). */
  readonly trades: number;
  readonly equity: number;
}

/** Calls `line(buf, start, end)` for each data line of a file (the header skipped). */
export function eachLine(path: string, line: (b: Buffer, s: number, e: number) => void): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe((1 << 22) + 4096);
  let len = 0;
  let filePos = 0;
  let first = true;
  for (;;) {
    const got = readSync(fd, buf, len, buf.length - len, filePos);
    filePos += got;
    len += got;
    let pos = 0;
    for (;;) {
      const nl = buf.indexOf(10, pos);
      if (nl < 0 || nl >= len) break;
      if (first) first = false;
      else line(buf, pos, nl);
      pos = nl + 1;
    }
    buf.copy(buf, 0, pos, len);
    len -= pos;
    if (got === 0) break;
  }
  closeSync(fd);
}

/** A plain decimal from b[p..) up to a comma or `end`; the position after it in `at[0]`. */
export function num(b: Buffer, p: number, end: number, at: Int32Array): number {
  let m = 0;
  let scale = 1;
  let dot = false;
  for (; p < end; p++) {
    const ch = b[p]!;
    if (ch === 44) break;
    if (ch === 46) dot = true;
    else {
      m = m * 10 + ch - 48;
      if (dot) scale *= 10;
    }
  }
  at[0] = p + 1;
  return m / scale;
}

/**
 * The vendor-bars job: `Date,Open,High,Low,Close,Volume` bars, one symbol; SMA(fast) vs SMA(slow)
 * of the closes at each bar's close; long 95% of equity when fast > slow, flat otherwise; orders
 * fill at the next bar's open (as tickfold fills market orders on bars).
 */
export function floorSmaBars(path: string, fast = 10, slow = 30): FloorResult {
  // load: every field into typed columns (the date by fixed offsets: YYYY-MM-DD HH:MM:SS)
  const cap = 1 << 21;
  const ts = new Float64Array(cap);
  const cols = [new Float64Array(cap), new Float64Array(cap), new Float64Array(cap), new Float64Array(cap), new Float64Array(cap)];
  const at = new Int32Array(1);
  let rows = 0;
  eachLine(path, (b, s, e) => {
    const d2 = (p: number): number => (b[p]! - 48) * 10 + b[p + 1]! - 48;
    const y = d2(s) * 100 + d2(s + 2);
    ts[rows] = (Date.UTC(y, d2(s + 5) - 1, d2(s + 8)) + ((d2(s + 11) * 60 + d2(s + 14)) * 60 + d2(s + 17)) * 1000) * 1000;
    at[0] = s + 20;
    for (let c = 0; c < 5; c++) cols[c]![rows] = num(b, at[0]!, e, at);
    rows++;
  });
  // replay: the rule at each bar's close, fills at the next bar's open
  const [open, , , close] = cols as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const closes = new Float64Array(slow);
  let n = 0;
  let sumFast = 0;
  let sumSlow = 0;
  let long = false;
  let pending = 0; // units to buy (+) or sell (−) at the next open
  let pos = 0;
  let cash = 100_000;
  let orders = 0;
  let trades = 0;
  for (let i = 0; i < rows; i++) {
    if (pending !== 0) {
      cash -= pending * open[i]!;
      const before = pos;
      pos += pending;
      if (before !== 0 && pos === 0) trades++;
      pending = 0;
    }
    const c = close[i]!;
    if (n >= slow) sumSlow -= closes[n % slow]!;
    if (n >= fast) sumFast -= closes[(n - fast) % slow]!;
    closes[n % slow] = c;
    sumSlow += c;
    sumFast += c;
    n++;
    if (n < slow) continue;
    const up = sumFast / fast > sumSlow / slow;
    if (up !== long) {
      long = up;
      pending = up ? (0.95 * (cash + pos * c)) / c - pos : -pos;
      orders++;
    }
  }
  return { rows, orders, trades, equity: cash + pos * close[rows - 1]! + (ts[0] === -1 ? 1 : 0) };
}

/**
 * The heavy-trading job: canonical trades `ts,symbol,price,size` of two symbols; per symbol, the
 * sign of the return over the last `lookback` of its trades; when the position's sign differs,
 * an order to ±(0.95 / 2) of equity, filled at the symbol's next trade (as tickfold fills market
 * orders on trade-only data, with no half-spread).
 */
export function floorMomentumTrades(path: string, lookback = 20): FloorResult {
  // load: ts (ISO with a 6-digit fraction, by fixed offsets), symbol (told apart by its first
  // byte), price and size into typed columns
  const cap = 1 << 22;
  const ts = new Float64Array(cap);
  const sym = new Uint8Array(cap);
  const price = new Float64Array(cap);
  const size = new Float64Array(cap);
  const at = new Int32Array(1);
  let rows = 0;
  let sym0 = -1;
  eachLine(path, (b, s, e) => {
    // 2024-01-02T14:30:00.003522Z,AAA,100,200
    const d2 = (p: number): number => (b[p]! - 48) * 10 + b[p + 1]! - 48;
    let f = 0;
    for (let p = s + 20; p < s + 26; p++) f = f * 10 + b[p]! - 48;
    ts[rows] = (Date.UTC(d2(s) * 100 + d2(s + 2), d2(s + 5) - 1, d2(s + 8)) + ((d2(s + 11) * 60 + d2(s + 14)) * 60 + d2(s + 17)) * 1000) * 1000 + f;
    const c = b[s + 28]!;
    if (sym0 < 0) sym0 = c;
    sym[rows] = c === sym0 ? 0 : 1;
    price[rows] = num(b, b.indexOf(44, s + 28) + 1, e, at);
    size[rows] = num(b, at[0]!, e, at);
    rows++;
  });
  // replay
  const hist = [new Float64Array(lookback + 1), new Float64Array(lookback + 1)];
  const seen = new Float64Array(2);
  const pos = new Float64Array(2);
  const pending = new Float64Array(2);
  const mark = new Float64Array(2);
  let cash = 100_000;
  let orders = 0;
  let trades = 0;
  for (let i = 0; i < rows; i++) {
    const k = sym[i]!;
    const px = price[i]!;
    mark[k] = px;
    const p = pending[k]!;
    if (p !== 0) {
      cash -= p * px;
      const before = pos[k]!;
      const after = before + p;
      pos[k] = Math.abs(after) < 1e-12 * Math.abs(before) ? 0 : after;
      if (before !== 0 && (pos[k] === 0 || Math.sign(pos[k]!) !== Math.sign(before))) trades++;
      pending[k] = 0;
    }
    const h = hist[k]!;
    const m = seen[k]!;
    h[m % (lookback + 1)] = px;
    seen[k] = m + 1;
    if (m < lookback) continue;
    const signal = Math.sign(px / h[(m - lookback) % (lookback + 1)]! - 1);
    if (Math.sign(pos[k]!) !== signal) {
      const equity = cash + pos[0]! * mark[0]! + pos[1]! * mark[1]!;
      pending[k] = (signal * 0.475 * equity) / px - pos[k]!;
      orders++;
    }
  }
  return { rows, orders, trades, equity: cash + pos[0]! * mark[0]! + pos[1]! * mark[1]! + (ts[0] === -1 ? 1 : 0) };
}
