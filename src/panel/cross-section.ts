/**
 * Cross-sectional helpers over one row of a panel (one value per symbol, NaN where missing). Each
 * writes into `out` (which may be the input) and leaves NaN where the input is NaN; statistics are
 * over the finite values only.
 */

/**
 * Average ranks, 1-based, ascending; ties get the mean of the ranks they span (scipy rankdata
 * 'average', pandas rank()). `sorted` is scratch of at least the row's length.
 *
 * The finite values are sorted natively (no comparator: a comparator called from the sort was
 * 15% of a factor report's time, profiled), and each value's tie block [lo, hi) is found by binary
 * search in the sorted copy: its rank is (lo + 1 + hi) / 2. −0 and +0 are one tie, as before.
 */
export function rank(x: ArrayLike<number>, out: Float64Array, sorted: Float64Array = new Float64Array(x.length)): Float64Array {
  let m = 0;
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]!)) sorted[m++] = x[i]!;
  const v = sorted.subarray(0, m);
  v.sort();
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    if (!Number.isFinite(xi)) {
      out[i] = NaN;
      continue;
    }
    // first index with v >= xi, and first with v > xi
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v[mid]! < xi) lo = mid + 1;
      else hi = mid;
    }
    let up = lo;
    hi = m;
    while (up < hi) {
      const mid = (up + hi) >>> 1;
      if (v[mid]! <= xi) up = mid + 1;
      else hi = mid;
    }
    out[i] = (lo + 1 + up) / 2; // mean of ranks lo+1..up
  }
  return out;
}

/** Plain mean of the finite values (NaN when there are none). */
export function meanOf(x: ArrayLike<number>): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n > 0 ? s / n : NaN;
}

/** x minus the cross-sectional mean. */
export function demean(x: ArrayLike<number>, out: Float64Array): Float64Array {
  const m = meanOf(x);
  for (let i = 0; i < x.length; i++) out[i] = Number.isFinite(x[i]!) ? x[i]! - m : NaN;
  return out;
}

/** (x − mean) / stdev (ddof 1); NaN everywhere when fewer than two values or no dispersion. */
export function zscore(x: ArrayLike<number>, out: Float64Array): Float64Array {
  const m = meanOf(x);
  let ss = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (Number.isFinite(v)) {
      ss += (v - m) * (v - m);
      n++;
    }
  }
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : NaN;
  for (let i = 0; i < x.length; i++) out[i] = Number.isFinite(x[i]!) && sd > 0 ? (x[i]! - m) / sd : NaN;
  return out;
}

/**
 * Clips the values to the cross-section's `lower` and `upper` quantiles (linear interpolation
 * between order statistics, numpy's default), e.g. 0.01 and 0.99.
 */
export function winsorize(x: ArrayLike<number>, lower: number, upper: number, out: Float64Array): Float64Array {
  if (!(lower >= 0 && lower <= upper && upper <= 1)) throw new RangeError(`winsorize needs 0 <= lower <= upper <= 1, got ${lower}, ${upper}`);
  const v: number[] = [];
  for (let i = 0; i < x.length; i++) if (Number.isFinite(x[i]!)) v.push(x[i]!);
  v.sort((a, b) => a - b);
  const q = (p: number): number => {
    const h = (v.length - 1) * p;
    const lo = Math.floor(h);
    return lo + 1 < v.length ? v[lo]! + (h - lo) * (v[lo + 1]! - v[lo]!) : v[lo]!;
  };
  const lo = v.length > 0 ? q(lower) : NaN;
  const hi = v.length > 0 ? q(upper) : NaN;
  for (let i = 0; i < x.length; i++) out[i] = Number.isFinite(x[i]!) ? Math.min(hi, Math.max(lo, x[i]!)) : NaN;
  return out;
}

/**
 * Residual of x after a cross-sectional OLS (with intercept) on the columns `by` (e.g. a market
 * beta or sector dummies): what is left of x that the exposures do not explain. Rows where x or
 * any exposure is missing are NaN and take no part in the fit.
 */
export function regressOut(x: ArrayLike<number>, by: readonly ArrayLike<number>[], out: Float64Array): Float64Array {
  const n = x.length;
  const k = by.length + 1;
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let good = Number.isFinite(x[i]!);
    for (let j = 0; good && j < by.length; j++) good = Number.isFinite(by[j]![i]!);
    ok[i] = good ? 1 : 0;
  }
  const reg = (j: number, i: number): number => (j === 0 ? 1 : by[j - 1]![i]!);
  // normal equations (small k), solved by Gaussian elimination with partial pivoting
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    if (ok[i] === 0) continue;
    for (let p = 0; p < k; p++) {
      const rp = reg(p, i);
      b[p] = b[p]! + rp * x[i]!;
      for (let q = 0; q < k; q++) a[p * k + q] = a[p * k + q]! + rp * reg(q, i);
    }
  }
  const coef = solve(a, b, k);
  for (let i = 0; i < n; i++) {
    if (ok[i] === 0) {
      out[i] = NaN;
      continue;
    }
    let fit = 0;
    for (let p = 0; p < k; p++) fit += coef[p]! * reg(p, i);
    out[i] = x[i]! - fit;
  }
  return out;
}

function solve(a: Float64Array, b: Float64Array, k: number): Float64Array {
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r * k + c]!) > Math.abs(a[piv * k + c]!)) piv = r;
    if (a[piv * k + c] === 0) throw new RangeError('regressOut: the exposures are collinear (or too few rows)');
    if (piv !== c) {
      for (let q = 0; q < k; q++) [a[c * k + q], a[piv * k + q]] = [a[piv * k + q]!, a[c * k + q]!];
      [b[c], b[piv]] = [b[piv]!, b[c]!];
    }
    for (let r = c + 1; r < k; r++) {
      const f = a[r * k + c]! / a[c * k + c]!;
      for (let q = c; q < k; q++) a[r * k + q] = a[r * k + q]! - f * a[c * k + q]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  const x = new Float64Array(k);
  for (let r = k - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let q = r + 1; q < k; q++) s -= a[r * k + q]! * x[q]!;
    x[r] = s / a[r * k + r]!;
  }
  return x;
}

/** Pearson correlation of the pairs where both are finite (NaN with fewer than two or no dispersion). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!) && Number.isFinite(y[i]!)) {
      sx += x[i]!;
      sy += y[i]!;
      n++;
    }
  }
  if (n < 2) return NaN;
  const mx = sx / n;
  const my = sy / n;
  let cxy = 0;
  let cxx = 0;
  let cyy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]!) && Number.isFinite(y[i]!)) {
      const dx = x[i]! - mx;
      const dy = y[i]! - my;
      cxy += dx * dy;
      cxx += dx * dx;
      cyy += dy * dy;
    }
  }
  return cxx > 0 && cyy > 0 ? cxy / Math.sqrt(cxx * cyy) : NaN;
}
