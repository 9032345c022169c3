/**
 * Inference on Sharpe ratios (STATS.md "Overfitting statistics"): PSR, expected maximum Sharpe of
 * N trials, DSR, MinTRL, MinBTL. All Sharpe ratios here are per period, not annualised; convert
 * annualised inputs with {@link deannualizeSharpe} and {@link deannualizeVariance}.
 */
import { normalCdf, normalQuantile } from '../stats/normal.js';

export const EULER_GAMMA = 0.5772156649015329;

/**
 * Probabilistic Sharpe Ratio PSR(SR*) = Φ((SR − SR*) √(T−1) / √(1 − g1·SR + (b2−1)/4·SR²)),
 * with skewness g1 and non-excess kurtosis b2 of the T returns. NaN when the root is negative.
 */
export function probabilisticSharpe(sr: number, srStar: number, t: number, skew: number, kurtNonExcess: number): number {
  const v = 1 - skew * sr + ((kurtNonExcess - 1) / 4) * sr * sr;
  if (!(v > 0) || !(t > 1)) return NaN;
  return normalCdf(((sr - srStar) * Math.sqrt(t - 1)) / Math.sqrt(v));
}

/** E[max of N standard normals] ≈ (1−γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)). */
export function expectedMaxZ(n: number): number {
  if (!(n >= 1)) return NaN;
  if (n === 1) return 0;
  return (1 - EULER_GAMMA) * normalQuantile(1 - 1 / n) + EULER_GAMMA * normalQuantile(1 - 1 / (n * Math.E));
}

export interface Deflated {
  /** The benchmark SR0 = √V · E[max_N], per period. */
  readonly sr0: number;
  readonly expectedMaxZ: number;
  readonly dsr: number;
}

/**
 * Deflated Sharpe Ratio: PSR(SR0) with SR0 = √V · E[max_N], N = the number of configurations
 * actually tried, V = the variance (ddof 1) of their per-period Sharpe ratios.
 */
export function deflatedSharpe(sr: number, t: number, skew: number, kurtNonExcess: number, nTrials: number, varTrialSr: number): Deflated {
  const ez = expectedMaxZ(nTrials);
  const sr0 = Math.sqrt(varTrialSr) * ez;
  return { sr0, expectedMaxZ: ez, dsr: probabilisticSharpe(sr, sr0, t, skew, kurtNonExcess) };
}

/** MinTRL = 1 + (1 − g1·SR + (b2−1)/4·SR²)(Φ⁻¹(prob)/(SR − SR*))², in observations. */
export function minTrackRecordLength(sr: number, srStar: number, skew: number, kurtNonExcess: number, prob = 0.95): number {
  if (!(sr > srStar)) return NaN;
  const v = 1 - skew * sr + ((kurtNonExcess - 1) / 4) * sr * sr;
  return 1 + v * (normalQuantile(prob) / (sr - srStar)) ** 2;
}

/** MinBTL ≈ (E[max_N] / target annual SR)², in years. */
export function minBacktestLength(nTrials: number, targetSharpeAnnualized: number): number {
  return targetSharpeAnnualized > 0 ? (expectedMaxZ(nTrials) / targetSharpeAnnualized) ** 2 : NaN;
}

export const deannualizeSharpe = (srAnnual: number, periodsPerYear: number): number => srAnnual / Math.sqrt(periodsPerYear);
export const deannualizeVariance = (varAnnual: number, periodsPerYear: number): number => varAnnual / periodsPerYear;
