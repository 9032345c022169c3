/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011, "Algorithms for
 * Hyper-Parameter Optimization"), univariate, written from the paper with Optuna's defaults
 * (optuna/samplers/_tpe: `TPESampler(multivariate=False)`):
 *
 * - the first `startup` = 10 trials are random (random.ts);
 * - then the completed trials are split by their objective: the best γ(n) = min(⌈0.1·n⌉, 25)
 *   form l(x), the rest g(x) (NaN objectives rank last);
 * - each dimension, independently, gets a Parzen estimator per group: one truncated Gaussian per
 *   observation, centred on it, with the bandwidth of its wider neighbour gap among the sorted
 *   centres and the range's ends (the two outermost take their inner gap: Optuna's
 *   consider_endpoints=False), clipped to [range / min(100, 1 + kernels), range] ("magic clip"),
 *   plus a prior kernel (centre of the range, width the range) of weight 1.0; observation weights
 *   are 1, or for more than 25 observations a ramp from 1/n up to 1 over the older ones and 1 for
 *   the newest 25 (Optuna's default_weights);
 * - a choice gets, per observation, weight 1 on its value plus the prior's 1/(kernels) spread on
 *   every value (Optuna's categorical estimator), mixed with the observation weights;
 * - 24 candidates are drawn from l(x) and the one with the largest log l(x) − log g(x) (the
 *   expected improvement's maximiser, §4 of the paper) is proposed.
 *
 * Integers are sampled as reals over [low − 0.5, high + 0.5] (in log space with `:log`) and rounded;
 * each observation is the rounded value. Proposals within a round of a study come from the same
 * observations with fresh draws (no constant liar). Randomness: seedrandom's Alea, seeded per study.
 */
import seedrandom from 'seedrandom';
import { normalCdf, normalQuantile } from '../stats/normal.js';
import { coordRange, type Dimension, type Space } from './space.js';
import { drawUniform } from './random.js';
import { bestFirst, type Observation, type Sampler } from './sampler.js';

export interface TpeOptions {
  /** Random trials before the estimator is used (Optuna: 10). */
  readonly startup: number;
  /** Candidates drawn from l(x) per proposal (Optuna: 24). */
  readonly candidates: number;
  /** Weight of the prior kernel (Optuna: 1.0). */
  readonly priorWeight: number;
}

export const TPE_DEFAULTS: TpeOptions = { startup: 10, candidates: 24, priorWeight: 1 };

/** γ(n): how many of n completed trials make the good group (Optuna's default_gamma). */
export const gamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Observation weights, oldest first (Optuna's default_weights). */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

/** A mixture of Gaussians truncated to [lo, hi]: centres, widths, normalised weights. */
interface Mixture {
  readonly mu: number[];
  readonly sigma: number[];
  readonly w: number[];
  readonly lo: number;
  readonly hi: number;
}

/** Optuna's univariate Parzen estimator of a numeric dimension over observed coordinates (oldest first). */
export function numericEstimator(obs: readonly number[], lo: number, hi: number, priorWeight: number): Mixture {
  const n = obs.length;
  const range = hi - lo;
  const prior = 0.5 * (lo + hi);
  // bandwidths: the wider gap to a neighbour among the sorted centres (the prior's centre included) and the ends
  const withPrior = [...obs, prior];
  const order = withPrior.map((_, i) => i).sort((a, b) => withPrior[a]! - withPrior[b]! || a - b);
  const sorted = [lo, ...order.map((i) => withPrior[i]!), hi];
  const sortedSigma: number[] = [];
  for (let j = 1; j < sorted.length - 1; j++) sortedSigma.push(Math.max(sorted[j]! - sorted[j - 1]!, sorted[j + 1]! - sorted[j]!));
  if (sorted.length >= 4) {
    sortedSigma[0] = sorted[2]! - sorted[1]!;
    sortedSigma[sortedSigma.length - 1] = sorted[sorted.length - 2]! - sorted[sorted.length - 3]!;
  }
  const sigmaOf = new Array<number>(withPrior.length);
  order.forEach((i, j) => (sigmaOf[i] = sortedSigma[j]!));
  const minSigma = range / Math.min(100, 1 + n + 1);
  const mu: number[] = [];
  const sigma: number[] = [];
  for (let i = 0; i < n; i++) {
    mu.push(obs[i]!);
    sigma.push(Math.min(range, Math.max(minSigma, sigmaOf[i]!)));
  }
  mu.push(prior);
  sigma.push(range);
  const w = [...observationWeights(n), priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  return { mu, sigma, w: w.map((x) => x / total), lo, hi };
}

/** log of the mixture's density at x. */
export function mixtureLogPdf(m: Mixture, x: number): number {
  let best = -Infinity;
  const terms: number[] = [];
  for (let k = 0; k < m.mu.length; k++) {
    const s = m.sigma[k]!;
    const z = (x - m.mu[k]!) / s;
    const mass = normalCdf((m.hi - m.mu[k]!) / s) - normalCdf((m.lo - m.mu[k]!) / s);
    const t = Math.log(m.w[k]!) - 0.5 * z * z - Math.log(s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-300));
    terms.push(t);
    if (t > best) best = t;
  }
  if (best === -Infinity) return -Infinity;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - best);
  return best + Math.log(sum);
}

/** One draw from the mixture: a kernel by weight, then its truncated Gaussian by inverse CDF. */
export function mixtureDraw(m: Mixture, rng: () => number): number {
  let u = rng();
  let k = 0;
  while (k < m.w.length - 1 && u >= m.w[k]!) u -= m.w[k++]!;
  const s = m.sigma[k]!;
  const a = normalCdf((m.lo - m.mu[k]!) / s);
  const b = normalCdf((m.hi - m.mu[k]!) / s);
  const p = a + rng() * (b - a);
  const x = m.mu[k]! + s * normalQuantile(Math.min(1 - 1e-16, Math.max(1e-16, p)));
  return Math.min(m.hi, Math.max(m.lo, x));
}

/** Optuna's categorical estimator: per observation, its value plus the prior spread; rows weighted. */
export function choiceEstimator(obs: readonly number[], choices: number, priorWeight: number): number[] {
  const n = obs.length;
  if (n === 0) return new Array<number>(choices).fill(1 / choices);
  const kernels = n + 1;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const r = new Array<number>(choices).fill(priorWeight / kernels);
    r[obs[i]!]! += 1;
    rows.push(r);
  }
  rows.push(new Array<number>(choices).fill(priorWeight / kernels));
  const w = [...observationWeights(n), priorWeight];
  const wt = w.reduce((a, b) => a + b, 0);
  const p = new Array<number>(choices).fill(0);
  rows.forEach((r, i) => {
    const rs = r.reduce((a, b) => a + b, 0);
    for (let c = 0; c < choices; c++) p[c]! += (w[i]! / wt) * (r[c]! / rs);
  });
  return p;
}

export class TpeSampler implements Sampler {
  private readonly rng: () => number;
  constructor(
    private readonly space: Space,
    seed: string,
    private readonly o: TpeOptions = TPE_DEFAULTS,
  ) {
    this.rng = seedrandom.alea(seed);
  }

  propose(history: readonly Observation[]): number[] {
    if (history.length < this.o.startup) return this.space.map((d) => drawUniform(d, this.rng()));
    const ranked = history.map((h, n) => ({ value: h.value, n })).sort(bestFirst);
    const nBelow = gamma(history.length);
    // each group oldest first (the weights ramp favours the newer observations)
    const below = ranked.slice(0, nBelow).map((r) => r.n).sort((a, b) => a - b);
    const above = ranked.slice(nBelow).map((r) => r.n).sort((a, b) => a - b);
    return this.space.map((d, i) => this.proposeDim(d, below.map((n) => history[n]!.point[i]!), above.map((n) => history[n]!.point[i]!)));
  }

  private proposeDim(d: Dimension, below: readonly number[], above: readonly number[]): number {
    const { candidates, priorWeight } = this.o;
    if (d.kind === 'choice') {
      const l = choiceEstimator(below, d.choices.length, priorWeight);
      const g = choiceEstimator(above, d.choices.length, priorWeight);
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < candidates; c++) {
        let u = this.rng();
        let x = 0;
        while (x < l.length - 1 && u >= l[x]!) u -= l[x++]!;
        const score = Math.log(l[x]!) - Math.log(g[x]!);
        if (score > bestScore) {
          bestScore = score;
          best = x;
        }
      }
      return best;
    }
    const [lo, hi] = coordRange(d);
    const l = numericEstimator(below, lo, hi, priorWeight);
    const g = numericEstimator(above, lo, hi, priorWeight);
    let best = l.mu[0]!;
    let bestScore = -Infinity;
    for (let c = 0; c < candidates; c++) {
      const x = mixtureDraw(l, this.rng);
      const score = mixtureLogPdf(l, x) - mixtureLogPdf(g, x);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    return best;
  }
}
