/**
 * Pure statistics of a return series (STATS.md "Returns, Sharpe, Sortino, drawdown"). Zero
 * denominators give NaN, never ±Infinity. Annualisation is always an explicit argument.
 */

/** Simple returns r_k = E_k / E_{k−1} − 1 of an equity series that starts at `initial` (E_0). */
export function returnsFromEquity(equity: ArrayLike<number>, initial: number): Float64Array {
  const r = new Float64Array(equity.length);
  let prev = initial;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    r[i] = prev !== 0 ? e / prev - 1 : NaN;
    prev = e;
  }
  return r;
}

/**
 * Arithmetic mean, summed as deviations from the first value (x0 + Σ(x − x0)/n): exact for a
 * constant series, so that its deviations, variance and higher moments are exactly 0 (a naive sum
 * leaves a rounding residue: a constant 3.6e-147 had a "Sharpe" of 1.6e15, found by the property
 * tests).
 */
export function mean(x: ArrayLike<number>): number {
  const n = x.length;
  if (n === 0) return NaN;
  const x0 = x[0]!;
  let s = 0;
  for (let i = 1; i < n; i++) s += x[i]! - x0;
  return x0 + s / n;
}

/** Standard deviation with `ddof` (1: sample, the default; 0: population). */
export function stdev(x: ArrayLike<number>, ddof = 1): number {
  const n = x.length;
  if (n - ddof <= 0) return NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i]! - m) ** 2;
  return Math.sqrt(s / (n - ddof));
}

const nanIfNotFinite = (x: number): number => (Number.isFinite(x) ? x : NaN);

/** Sharpe ratio per period: mean / sample stdev (ddof 1), no risk-free rate. */
export function sharpePerPeriod(r: ArrayLike<number>): number {
  const sd = stdev(r, 1);
  return sd > 0 ? nanIfNotFinite(mean(r) / sd) : NaN;
}

/** Annualised Sharpe: per-period × √(periods per year). */
export function sharpeAnnualized(r: ArrayLike<number>, periodsPerYear: number): number {
  return sharpePerPeriod(r) * Math.sqrt(periodsPerYear);
}

/** Downside deviation with MAR 0 over ALL T returns: √((1/T) Σ min(r, 0)²). */
export function downsideDeviation(r: ArrayLike<number>): number {
  if (r.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    const v = Math.min(r[i]!, 0);
    s += v * v;
  }
  return Math.sqrt(s / r.length);
}

/** Sortino per period: mean / downside deviation (MAR 0). */
export function sortinoPerPeriod(r: ArrayLike<number>): number {
  const dd = downsideDeviation(r);
  return dd > 0 ? nanIfNotFinite(mean(r) / dd) : NaN;
}

/**
 * Central moments m_k = (1/T) Σ (r − mean)^k for k = 2, 3, 4 of the deviations scaled by their
 * largest magnitude. Skewness and kurtosis do not depend on the scale, and scaling keeps d⁴ from
 * underflowing: unscaled, returns of 1e-81 gave m2² = 0 and a kurtosis of Infinity (found by the
 * property tests).
 */
function scaledMoments(r: ArrayLike<number>): [number, number, number] {
  const m = mean(r);
  const n = r.length;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(r[i]! - m));
  if (!(scale > 0) || !Number.isFinite(scale)) return [0, 0, 0];
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (r[i]! - m) / scale;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return [m2 / n, m3 / n, m4 / n];
}

/** Skewness g1 = m3 / m2^1.5 (biased; scipy `skew(bias=True)`). */
export function skewness(r: ArrayLike<number>): number {
  if (r.length === 0) return NaN;
  const [m2, m3] = scaledMoments(r);
  return m2 > 0 ? m3 / m2 ** 1.5 : NaN;
}

/** Kurtosis b2 = m4 / m2², non-excess (normal = 3). */
export function kurtosisNonExcess(r: ArrayLike<number>): number {
  if (r.length === 0) return NaN;
  const [m2, , m4] = scaledMoments(r);
  return m2 > 0 ? m4 / (m2 * m2) : NaN;
}

export interface Drawdown {
  /** Largest fall from a running peak, as a fraction (0.25 = 25%). */
  readonly maxDrawdownFraction: number;
  /** Index into the equity series of the peak (−1: the initial equity) and of the trough. */
  readonly peakIndex: number;
  readonly troughIndex: number;
  /** Index where equity first regained the peak after the trough, or −1 if it never did. */
  readonly recoveryIndex: number;
}

/**
 * Max drawdown of equity E_1..E_T, with E_0 = `initial` before the first value:
 * MDD = max_k 1 − E_k / max_{j≤k} E_j (STATS.md).
 */
export function maxDrawdown(equity: ArrayLike<number>, initial: number): Drawdown {
  let peak = initial;
  let peakIdx = -1;
  let best = 0;
  let bestPeak = -1;
  let bestTrough = -1;
  for (let k = 0; k < equity.length; k++) {
    const e = equity[k]!;
    if (e > peak) {
      peak = e;
      peakIdx = k;
    }
    const dd = peak > 0 ? 1 - e / peak : NaN;
    if (dd > best) {
      best = dd;
      bestPeak = peakIdx;
      bestTrough = k;
    }
  }
  let recovery = -1;
  if (bestTrough >= 0) {
    const peakValue = bestPeak < 0 ? initial : equity[bestPeak]!;
    for (let k = bestTrough + 1; k < equity.length; k++) {
      if (equity[k]! >= peakValue) {
        recovery = k;
        break;
      }
    }
  }
  return { maxDrawdownFraction: best, peakIndex: bestPeak, troughIndex: bestTrough, recoveryIndex: recovery };
}
