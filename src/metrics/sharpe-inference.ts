/**
 * Inference on Sharpe ratios (STATS.md "Overfitting statistics"): PSR, expected maximum Sharpe of
 * N trials, DSR, MinTRL, MinBTL. All Sharpe ratios here are per period, not annualised; convert
 * annualised inputs with {@link deannualizeSharpe} and {@link deannualizeVariance}.
 */
import { normalCdf, normalQuantile } from '../stats/normal.js';

export const EULER_GAMMA = 0.5772156649015329;

/**
 * Inputs are checked in two ways: a degenerate series (too few returns, zero variance: NaN
 * statistics) gives NaN, while a value no series can produce (a negative count, excess kurtosis
 * passed for non-excess, a probability outside (0, 1)) is a caller's mistake and throws a
 * RangeError naming the argument.
 */
function domain(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}
const checkCount = (t: number): void => domain(Number.isInteger(t) && t >= 0, `the number of returns T must be an integer >= 0, got ${t}`);
const checkKurtosis = (b2: number): void => domain(Number.isNaN(b2) || b2 >= 1 - 1e-9, `kurtosis must be non-excess (normal = 3, always >= 1), got ${b2}; for excess kurtosis add 3`);
const checkTrials = (n: number): void => domain(Number.isInteger(n) && n >= 1, `the number of trials N must be an integer >= 1, got ${n}`);

/**
 * Probabilistic Sharpe Ratio PSR(SR*) = Φ((SR − SR*) √(T−1) / √(1 − g1·SR + (b2−1)/4·SR²)),
 * with skewness g1 and non-excess kurtosis b2 of the T returns. NaN when the root is negative.
 */
export function probabilisticSharpe(sr: number, srStar: number, t: number, skew: number, kurtNonExcess: number): number {
  checkCount(t);
  checkKurtosis(kurtNonExcess);
  const v = 1 - skew * sr + ((kurtNonExcess - 1) / 4) * sr * sr;
  if (!(v > 0) || !(t > 1)) return NaN;
  return normalCdf(((sr - srStar) * Math.sqrt(t - 1)) / Math.sqrt(v));
}

/** E[max of N standard normals] ≈ (1−γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e)). */
export function expectedMaxZ(n: number): number {
  checkTrials(n);
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
  domain(Number.isNaN(varTrialSr) || varTrialSr >= 0, `the variance V of the trials' Sharpe ratios must be >= 0, got ${varTrialSr}`);
  // one trial: no selection, SR0 = 0 whatever V is (PSR against 0)
  const sr0 = nTrials === 1 ? 0 : Math.sqrt(varTrialSr) * ez;
  return { sr0, expectedMaxZ: ez, dsr: probabilisticSharpe(sr, sr0, t, skew, kurtNonExcess) };
}

/** MinTRL = 1 + (1 − g1·SR + (b2−1)/4·SR²)(Φ⁻¹(prob)/(SR − SR*))², in observations. */
export function minTrackRecordLength(sr: number, srStar: number, skew: number, kurtNonExcess: number, prob = 0.95): number {
  domain(prob > 0 && prob < 1, `the confidence must be between 0 and 1 (exclusive), got ${prob}`);
  checkKurtosis(kurtNonExcess);
  if (!(sr > srStar)) return NaN;
  const v = 1 - skew * sr + ((kurtNonExcess - 1) / 4) * sr * sr;
  return 1 + v * (normalQuantile(prob) / (sr - srStar)) ** 2;
}

/** MinBTL ≈ (E[max_N] / target annual SR)², in years. */
export function minBacktestLength(nTrials: number, targetSharpeAnnualized: number): number {
  checkTrials(nTrials);
  return targetSharpeAnnualized > 0 ? (expectedMaxZ(nTrials) / targetSharpeAnnualized) ** 2 : NaN;
}

export const deannualizeSharpe = (srAnnual: number, periodsPerYear: number): number => srAnnual / Math.sqrt(periodsPerYear);
export const deannualizeVariance = (varAnnual: number, periodsPerYear: number): number => varAnnual / periodsPerYear;
