/**
 * Stationary bootstrap (Politis & Romano 1994) test of a mean: is the mean of a (serially
 * dependent) series, e.g. a strategy's per-period return minus a baseline's, greater than zero?
 *
 * Resamples keep runs of consecutive periods: start at a uniform index, then each next period is
 * the following one (circularly) with probability 1 − 1/L or a fresh uniform index with
 * probability 1/L, so blocks have a geometric length of mean L. The series is centred first (H0:
 * mean 0), and the one-sided p-value is (1 + #{b : mean*_b ≥ observed mean}) / (B + 1), never 0.
 * All draws come from a seeded generator (seedrandom's Alea), so a seed gives the same p-value.
 */
import seedrandom from 'seedrandom';

export interface BootstrapResult {
  readonly mean: number;
  readonly pValue: number;
  readonly reps: number;
  readonly meanBlock: number;
  readonly n: number;
}

/** Default mean block length: n^(1/3), at least 1 (the usual rate for the stationary bootstrap). */
export const defaultBlock = (n: number): number => Math.max(1, Math.round(Math.cbrt(n)));

/** `reps`: the resamples (a validation's default is jobs/settings.ts DEFAULTS.bootstrapReps). */
export function stationaryBootstrapMean(x: ArrayLike<number>, opts: { reps: number; meanBlock?: number; seed: string }): BootstrapResult {
  const n = x.length;
  const reps = opts.reps;
  if (!(Number.isInteger(reps) && reps >= 1)) throw new RangeError(`bootstrap repetitions must be an integer >= 1, got ${reps}`);
  const L = opts.meanBlock ?? defaultBlock(n);
  if (!(L >= 1)) throw new RangeError(`the mean block length must be >= 1, got ${L}`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = n > 0 ? sum / n : NaN;
  if (n < 2 || !Number.isFinite(mean)) return { mean, pValue: NaN, reps, meanBlock: L, n };
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = x[i]! - mean;
  // seedrandom's Alea generator: seeded like the default ARC4 one and 4x faster per draw (8 vs 36
  // ns here), which matters at B × n draws (2,000 resamples of 5,000 daily returns, per baseline)
  const rng = seedrandom.alea(opts.seed);
  const pNew = 1 / L;
  let hits = 0;
  // the test statistic is the resample mean of the centred series; compared with a tolerance so
  // that a series of identical values (observed mean = resampled mean up to rounding) gives p = 1
  const tol = 1e-12 * (Math.abs(mean) + 1e-300);
  for (let b = 0; b < reps; b++) {
    let j = Math.floor(rng() * n);
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += centred[j]!;
      j = rng() < pNew ? Math.floor(rng() * n) : j + 1 === n ? 0 : j + 1;
    }
    if (s / n >= mean - tol) hits++;
  }
  return { mean, pValue: (1 + hits) / (reps + 1), reps, meanBlock: L, n };
}
