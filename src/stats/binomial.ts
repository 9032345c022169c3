/**
 * Exact binomial tail and the Wilson score interval, for hit rates (STATS.md "Hit rate").
 */
import { normalQuantile } from './normal.js';

/**
 * P(X >= k) for X ~ Binomial(n, p), summed exactly term by term (no normal approximation):
 * the first term C(n,k) p^k (1−p)^(n−k) in log space, the rest by the ratio
 * t_{i+1} = t_i (n−i)/(i+1) · p/(1−p), stopping once terms no longer change the sum.
 */
export function binomialUpperTail(k: number, n: number, p = 0.5): number {
  if (!Number.isInteger(k) || !Number.isInteger(n) || n < 0 || !(p >= 0 && p <= 1)) return NaN;
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p === 0) return 0;
  if (p === 1) return 1;
  // log C(n, k) = Σ_{j=1..k} ln((n − k + j) / j)
  let logC = 0;
  for (let j = 1; j <= k; j++) logC += Math.log((n - k + j) / j);
  let term = Math.exp(logC + k * Math.log(p) + (n - k) * Math.log1p(-p));
  let sum = term;
  const odds = p / (1 - p);
  for (let i = k; i < n; i++) {
    term *= ((n - i) / (i + 1)) * odds;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, sum);
}

/** One-sided exact binomial test of H0 p = 0.5 against p > 0.5: P(X >= wins). */
export function binomialTestGreater(wins: number, n: number): number {
  return n === 0 ? NaN : binomialUpperTail(wins, n, 0.5);
}

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** Wilson score interval for a proportion wins/n at the given two-sided confidence (default 95%). */
export function wilsonInterval(wins: number, n: number, confidence = 0.95): Interval {
  if (n <= 0) return { low: NaN, high: NaN };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const ph = wins / n;
  const z2n = (z * z) / n;
  const centre = (ph + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((ph * (1 - ph)) / n + (z * z) / (4 * n * n));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
