/**
 * Hansen's test for superior predictive ability (SPA) and White's Reality Check, as
 * `../shared/STATS.md` defines them (arch 8.0.0-compatible), on loss differentials against one
 * benchmark: d_{t,k} = L_bench,t − L_k,t (> 0: model k beat the benchmark).
 * - ω²_k: the stationary-bootstrap kernel variance of d_k with p = 1/block;
 * - consistent threshold A_k = √(ω²_k/T · 2 ln ln T), model k valid iff d̄_k >= −A_k;
 * - recentring μ: lower max(d̄, 0); consistent d̄ if valid else 0; upper d̄;
 * - statistic V = max_k d̄_k (unstudentized, as arch computes it), V*_b = max_k (d̄*_{b,k} − μ_k),
 *   p = #{V*_b > V}/B. The Reality Check is the upper p-value. Hansen's (2005) studentized variant
 *   is given beside it (t_k = √T·d̄_k/ω_k, floored at 0; a model with ω_k = 0 has no t and is left out of it).
 */
import { percentileLinear } from './percentile.js';
import { bootstrapMeans } from './resample.js';
import { maxOf, pushAll } from '../arrays.js';

export type Recentring = 'lower' | 'consistent' | 'upper';
const KINDS: readonly Recentring[] = ['lower', 'consistent', 'upper'];

export interface SpaResult {
  readonly dbar: Float64Array;
  readonly omega2: Float64Array;
  readonly threshold: Float64Array;
  readonly valid: readonly boolean[];
  readonly mu: Readonly<Record<Recentring, Float64Array>>;
  readonly statistic: number;
  readonly argmax: number;
  readonly counts: Readonly<Record<Recentring, number>>;
  readonly pValues: Readonly<Record<Recentring, number>>;
  /** Bootstrap means d̄*_{b,k} (B × K). */
  readonly dbarStar: readonly Float64Array[];
  /** max_k (d̄*_{b,k} − μ_k) per resample. */
  readonly simulated: Readonly<Record<Recentring, Float64Array>>;
  readonly studentized: { readonly t: Float64Array; readonly statistic: number; readonly counts: Readonly<Record<Recentring, number>>; readonly pValues: Readonly<Record<Recentring, number>> };
  /** The critical value at size α: the linear percentile of V* at 1 − α. */
  critical(kind: Recentring, alpha: number): number;
}

/** The weights of ω² at lags 0..T−1: 1, then 2κ_i, κ_i = (1 − i/T)(1 − p)^i + (i/T)(1 − p)^(T−i), p = 1/block (the same for every model of a test). */
export function kernelWeights(T: number, block: number): Float64Array {
  const p = 1 / block;
  const w = new Float64Array(T);
  for (let i = 0; i < T; i++) w[i] = i === 0 ? 1 : 2 * ((1 - i / T) * (1 - p) ** i + (i / T) * (1 - p) ** (T - i));
  return w;
}

/** ω² of a series: γ_0 + 2 Σ_{i>=1} κ_i γ_i, the stationary bootstrap's kernel with p = 1/block (`weights`: {@link kernelWeights}, given when many series share them). */
export function kernelVariance(d: Float64Array, block: number, weights: Float64Array = kernelWeights(d.length, block)): number {
  const T = d.length;
  let m = 0;
  for (let t = 0; t < T; t++) m += d[t]!;
  m /= T;
  const e = Float64Array.from(d, (x) => x - m);
  let w = 0;
  for (let i = 0; i < T; i++) {
    let g = 0;
    for (let t = 0; t + i < T; t++) g += e[t]! * e[t + i]!;
    g /= T;
    w += i === 0 ? g : weights[i]! * g;
  }
  return w;
}

/** The loss differentials of each model's losses against the benchmark's. */
export function lossDifferentials(benchmark: Float64Array, models: readonly Float64Array[]): Float64Array[] {
  return models.map((l) => Float64Array.from(l, (x, t) => benchmark[t]! - x));
}

/** Hansen's SPA test (lower, consistent, upper = White's Reality Check) of loss differentials against the benchmark, from given bootstrap rows, as `arch`. */
export function spaTest(d: readonly Float64Array[], indices: readonly Int32Array[], block: number): SpaResult {
  const K = d.length;
  const T = d[0]!.length;
  const B = indices.length;
  const dbar = Float64Array.from(d, (x) => x.reduce((a, b) => a + b, 0) / T);
  const weights = kernelWeights(T, block);
  const omega2 = Float64Array.from(d, (x) => kernelVariance(x, block, weights));
  const threshold = Float64Array.from(omega2, (w) => Math.sqrt((w / T) * 2 * Math.log(Math.log(T))));
  const valid = Array.from(dbar, (m, k) => m >= -threshold[k]!);
  const mu = {
    lower: Float64Array.from(dbar, (m) => Math.max(m, 0)),
    consistent: Float64Array.from(dbar, (m, k) => (valid[k] ? m : 0)),
    upper: Float64Array.from(dbar),
  };
  let statistic = -Infinity;
  let argmax = -1;
  for (let k = 0; k < K; k++) if (dbar[k]! > statistic) [statistic, argmax] = [dbar[k]!, k];
  // B × K means over the rows (by runs: a search's 1,000 trials × 2,000 rows cost 51 runs a row, not 360 periods)
  const dbarStar = bootstrapMeans(d, indices);
  const sqrtT = Math.sqrt(T);
  const omega = Float64Array.from(omega2, Math.sqrt);
  // a model with ω = 0 (d constant: e.g. a trial that never trades against the flat baseline) has
  // no t-statistic; it is left out of the studentized maximum (its t would be 0/0)
  const t = Float64Array.from(dbar, (m, k) => (omega[k]! > 0 ? (sqrtT * m) / omega[k]! : NaN));
  let tSpa = 0;
  for (let k = 0; k < K; k++) if (t[k]! > tSpa) tSpa = t[k]!;
  const simulated = {} as Record<Recentring, Float64Array>;
  const counts = {} as Record<Recentring, number>;
  const pValues = {} as Record<Recentring, number>;
  const sCounts = {} as Record<Recentring, number>;
  const sP = {} as Record<Recentring, number>;
  for (const kind of KINDS) {
    const m = mu[kind];
    const v = new Float64Array(B);
    let c = 0;
    let cs = 0;
    for (let b = 0; b < B; b++) {
      let best = -Infinity;
      let bestT = 0;
      for (let k = 0; k < K; k++) {
        const x = dbarStar[b]![k]! - m[k]!;
        if (x > best) best = x;
        if (omega[k]! > 0) {
          const z = (sqrtT * x) / omega[k]!;
          if (z > bestT) bestT = z;
        }
      }
      v[b] = best;
      if (best > statistic) c++;
      // >=: with every t_k <= 0 the statistic is floored at 0, and a resample's floored 0 ties
      // it: no evidence, p = 1 (strict > would count those ties as beating it). Above 0 a tie has
      // probability 0, so this is the count of the definition.
      if (bestT >= tSpa) cs++;
    }
    simulated[kind] = v;
    counts[kind] = c;
    pValues[kind] = c / B;
    sCounts[kind] = cs;
    sP[kind] = cs / B;
  }
  return {
    dbar,
    omega2,
    threshold,
    valid,
    mu,
    statistic,
    argmax,
    counts,
    pValues,
    dbarStar,
    simulated,
    studentized: { t, statistic: tSpa, counts: sCounts, pValues: sP },
    critical: (kind, alpha) => percentileLinear(simulated[kind], 1 - alpha),
  };
}

export interface StepmStep {
  readonly active: readonly number[];
  readonly critical: number;
  readonly newlySuperior: readonly number[];
}

/**
 * Romano-Wolf StepM as arch does it: the consistent recentring, computed once on all models; each
 * step's critical value is the linear percentile at 1 − α of max over the active models of
 * (d̄*_{b,k} − μ_k); the active models with d̄_k above it are superior and leave; repeat until a
 * step finds none (or all are superior).
 */
export function stepM(spa: SpaResult, alpha: number): { readonly superior: readonly number[]; readonly steps: readonly StepmStep[] } {
  const K = spa.dbar.length;
  const mu = spa.mu.consistent;
  let active = Array.from({ length: K }, (_, k) => k);
  const superior: number[] = [];
  const steps: StepmStep[] = [];
  while (active.length > 0) {
    const sim = Float64Array.from(spa.dbarStar, (row) => maxOf(active.map((k) => row[k]! - mu[k]!)));
    const crit = percentileLinear(sim, 1 - alpha);
    const now = active.filter((k) => spa.dbar[k]! > crit);
    steps.push({ active, critical: crit, newlySuperior: now });
    if (now.length === 0) break;
    pushAll(superior, now);
    active = active.filter((k) => !now.includes(k));
  }
  return { superior: superior.sort((a, b) => a - b), steps };
}
