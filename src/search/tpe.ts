/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011, "Algorithms for
 * Hyper-Parameter Optimization") with Optuna's defaults and its multivariate estimator
 * (optuna/samplers/_tpe: `TPESampler(multivariate=True)`, the joint kernels of Falkner, Klein &
 * Hutter 2018, BOHB):
 *
 * - the first `startup` = 10 trials are random (random.ts);
 * - then the completed trials are split by their objective: the best γ(n) = min(⌈0.1·n⌉, 25)
 *   form l(x), the rest g(x) (NaN objectives rank last);
 * - each group's estimator is a mixture of one kernel per observation plus a prior kernel; a
 *   kernel is a product over the dimensions (multivariate: an observation's coordinates stay
 *   together; univariate, `multivariate: false`, each dimension is scored on its own marginal);
 * - a numeric dimension's kernel: a truncated Gaussian centred on the observation, with the
 *   bandwidth of its wider neighbour gap among the sorted centres and the range's ends (the two
 *   outermost take their inner gap: Optuna's consider_endpoints=False), clipped to
 *   [range / min(100, 1 + kernels), range] ("magic clip"); the prior's: the range's centre, width
 *   the range; an integer's kernel is discrete, the mass of its value's rounding bin
 *   [v − ½, v + ½] (Optuna's step-aligned _BatchedDiscreteTruncNormDistributions), so every
 *   candidate is a value and scored as one;
 * - a choice's kernel: weight 1 on the observation's value plus the prior's 1/(kernels) spread on
 *   every value, normalised (Optuna's categorical estimator); the prior's is uniform;
 * - observation weights are 1, or for more than 25 observations a ramp from 1/n up to 1 over the
 *   older ones and 1 for the newest 25 (Optuna's default_weights); the prior's weight is 1.0;
 * - 24 candidates are drawn from l(x) (a kernel by weight, then each dimension from it) and the
 *   one with the largest log l(x) − log g(x) (the expected improvement's maximiser, §4 of the
 *   paper) is proposed. A candidate that is a configuration the sampler has already proposed or
 *   observed is not counted (its objective is known or on its way: proposing it again would spend
 *   an evaluation on nothing); after 10 × 24 draws the best of all is proposed (the caller's
 *   repeat limit then ends the study when the space is used up).
 *
 * Proposals within a round of a study come from the same observations with fresh draws (no
 * constant liar). Randomness: seedrandom's Alea, seeded per study; the same seed and the same
 * sequence of observations give the same proposals.
 */
import seedrandom from 'seedrandom';
import { normalCdf, normalQuantile } from '../stats/normal.js';
import { coordRange, coordValue, snap, valueCoord, type Dimension, type Space } from './space.js';
import { drawUniform } from './random.js';
import { bestFirst, type Observation, type Sampler } from './sampler.js';

export interface TpeOptions {
  /** Random trials before the estimator is used (Optuna: 10). */
  readonly startup: number;
  /** Candidates drawn from l(x) per proposal (Optuna: 24). */
  readonly candidates: number;
  /** Weight of the prior kernel (Optuna: 1.0). */
  readonly priorWeight: number;
  /** One joint estimator over all dimensions (Optuna's multivariate=True) instead of one per dimension. */
  readonly multivariate: boolean;
}

export const TPE_DEFAULTS: TpeOptions = { startup: 10, candidates: 24, priorWeight: 1, multivariate: true };

/** γ(n): how many of n completed trials make the good group (Optuna's default_gamma). */
export const gamma = (n: number): number => Math.min(Math.ceil(0.1 * n), 25);

/** Draws per candidate before a proposal may repeat a known configuration (the space near l(x) is used up). */
const DRAW_LIMIT = 10;

/** Observation weights, oldest first (Optuna's default_weights). */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  const out: number[] = [];
  for (let i = 0; i < ramp; i++) out.push(ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1));
  for (let i = 0; i < 25; i++) out.push(1);
  return out;
}

/**
 * A mixture of Gaussians truncated to [lo, hi]: centres, widths, normalised weights; and per kernel
 * what its log density needs at every point (computed once, not per candidate): the log of its mass
 * inside [lo, hi] and log(σ√(2π)).
 */
interface Mixture {
  readonly mu: number[];
  readonly sigma: number[];
  readonly w: number[];
  readonly lo: number;
  readonly hi: number;
  readonly logMass: Float64Array;
  readonly logNorm: Float64Array;
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
  const logMass = new Float64Array(mu.length);
  const logNorm = new Float64Array(mu.length);
  for (let j = 0; j < mu.length; j++) {
    logMass[j] = logNormalMass((lo - mu[j]!) / sigma[j]!, (hi - mu[j]!) / sigma[j]!);
    logNorm[j] = Math.log(sigma[j]! * Math.sqrt(2 * Math.PI));
  }
  return { mu, sigma, w: w.map((x) => x / total), lo, hi, logMass, logNorm };
}

/** One group's kernels in one dimension: numeric (truncated Gaussians; an integer's scored on its rounding bin) or choice rows. */
type DimKernels =
  { readonly kind: 'num'; readonly d: Dimension & { kind: 'int' | 'float' }; readonly m: Mixture; readonly binTerms?: Map<number, Float64Array> } | { readonly kind: 'cat'; readonly rows: readonly (readonly number[])[]; readonly logRows: readonly (readonly number[])[] };

/** A group's Parzen estimator over the whole space: kernel k is the product over dimensions of each dimension's kernel k. */
export interface Estimator {
  readonly logW: readonly number[];
  readonly dims: readonly DimKernels[];
}

/** The choice kernels of Optuna's categorical estimator: a row per observation (its value plus the prior spread), then the prior's uniform row. */
function choiceRows(obs: readonly number[], choices: number, priorWeight: number): number[][] {
  const kernels = obs.length + 1;
  const rows = obs.map((o) => {
    const r = new Array<number>(choices).fill(priorWeight / kernels);
    r[o]! += 1;
    const rs = r.reduce((a, b) => a + b, 0);
    return r.map((x) => x / rs);
  });
  rows.push(new Array<number>(choices).fill(1 / choices));
  return rows;
}

export function parzenEstimator(space: Space, points: readonly (readonly number[])[], priorWeight: number): Estimator {
  const dims: DimKernels[] = space.map((d, i) => {
    const obs = points.map((p) => p[i]!);
    if (d.kind === 'choice') {
      const rows = choiceRows(obs, d.choices.length, priorWeight);
      return { kind: 'cat', rows, logRows: rows.map((r) => r.map((x) => Math.log(x))) };
    }
    const [lo, hi] = coordRange(d);
    // an integer's per-kernel bin terms, by value: candidates often share a value
    return { kind: 'num', d, m: numericEstimator(obs, lo, hi, priorWeight), ...(d.kind === 'int' ? { binTerms: new Map<number, Float64Array>() } : {}) };
  });
  const w = [...observationWeights(points.length), priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  return { logW: w.map((x) => Math.log(x / total)), dims };
}

/** log Φ(b) − Φ(a) for a < b, computed on the side of the mean where it does not cancel. */
function logNormalMass(a: number, b: number): number {
  const mass = a > 0 ? normalCdf(-a) - normalCdf(-b) : normalCdf(b) - normalCdf(a);
  if (mass > 1e-300) return Math.log(mass);
  // both far in one tail: the density at the nearer end times the width (an underestimate, never −∞)
  const z = a > 0 ? a : -b;
  return -0.5 * z * z - 0.5 * Math.log(2 * Math.PI) + Math.log(b - a);
}

/** The coordinate bin an integer's value v stands for: [v − ½, v + ½] (its logarithm with :log), inside the range. */
function intBin(d: Dimension & { kind: 'int' | 'float' }, x: number, lo: number, hi: number): readonly [number, number] {
  const v = Number(coordValue(d, x));
  const a = d.log ? Math.log(v - 0.5) : v - 0.5;
  const b = d.log ? Math.log(v + 0.5) : v + 0.5;
  return [Math.max(lo, a), Math.min(hi, b)];
}

/** One draw of kernel j of one dimension (an integer's rounded to its value's coordinate). */
function kernelDraw(k: DimKernels, j: number, rng: () => number): number {
  if (k.kind === 'cat') {
    const row = k.rows[j]!;
    let u = rng();
    let x = 0;
    while (x < row.length - 1 && u >= row[x]!) u -= row[x++]!;
    return x;
  }
  const { mu, sigma, lo, hi } = k.m;
  const s = sigma[j]!;
  const a = normalCdf((lo - mu[j]!) / s);
  const b = normalCdf((hi - mu[j]!) / s);
  const p = a + rng() * (b - a);
  const x = Math.min(hi, Math.max(lo, mu[j]! + s * normalQuantile(Math.min(1 - 1e-16, Math.max(1e-16, p)))));
  return k.d.kind === 'int' ? valueCoord(k.d, coordValue(k.d, x)) : x;
}

function pickKernel(logW: readonly number[], rng: () => number): number {
  let u = rng();
  let j = 0;
  while (j < logW.length - 1 && u >= Math.exp(logW[j]!)) u -= Math.exp(logW[j++]!);
  return j;
}

function logSumExp(xs: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! > m) m = xs[i]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - m);
  return m + Math.log(s);
}

/**
 * log of the estimator's density at a point, over the dimensions `dims` (all: the joint; one: its
 * marginal, x then holds that dimension's coordinate only). Kernel j's term is the sum over the
 * dimensions of its log: a density for a float, its value's bin probability for an integer, the
 * row's entry for a choice. What depends on the point alone (an integer's bin) is found once.
 */
export function parzenLogPdf(e: Estimator, x: readonly number[], dims: readonly number[]): number {
  const K = e.logW.length;
  const terms = Float64Array.from(e.logW);
  for (const i of dims) {
    const k = e.dims[i]!;
    const xi = x[dims.length === 1 ? 0 : i]!;
    if (k.kind === 'cat') {
      for (let j = 0; j < K; j++) terms[j] = terms[j]! + k.logRows[j]![xi]!;
      continue;
    }
    const { mu, sigma, lo, hi, logMass, logNorm } = k.m;
    if (k.d.kind === 'int') {
      let bin = k.binTerms!.get(xi);
      if (!bin) {
        const [a, b] = intBin(k.d, xi, lo, hi);
        bin = new Float64Array(K);
        for (let j = 0; j < K; j++) bin[j] = logNormalMass((a - mu[j]!) / sigma[j]!, (b - mu[j]!) / sigma[j]!) - logMass[j]!;
        k.binTerms!.set(xi, bin);
      }
      for (let j = 0; j < K; j++) terms[j] = terms[j]! + bin[j]!;
      continue;
    }
    for (let j = 0; j < K; j++) {
      const z = (xi - mu[j]!) / sigma[j]!;
      terms[j] = terms[j]! + (-0.5 * z * z - logNorm[j]! - logMass[j]!);
    }
  }
  return logSumExp(terms);
}

export class TpeSampler implements Sampler {
  private readonly rng: () => number;
  /** The configurations this sampler has proposed (evaluated or in flight): a candidate among them is not proposed again. */
  private readonly proposed = new Set<string>();
  /**
   * The estimators of the last observations seen, and their configurations: a round's proposals
   * come from the same observations (in-folds.ts), so they are built once per round. Observations
   * are only ever appended, so the same array at the same length is the same observations.
   */
  private fitted: { history: readonly Observation[]; length: number; l: Estimator; g: Estimator } | undefined;
  private observed: { history: readonly Observation[]; length: number; labels: Set<string> } | undefined;
  constructor(
    private readonly space: Space,
    seed: string,
    private readonly o: TpeOptions = TPE_DEFAULTS,
  ) {
    this.rng = seedrandom.alea(seed);
  }

  propose(history: readonly Observation[]): number[] {
    const x = this.next(history);
    this.proposed.add(snap(this.space, x).join(','));
    return x;
  }

  /** l(x) and g(x) of these observations (built once per round; see {@link fitted}). */
  private estimators(history: readonly Observation[]): { l: Estimator; g: Estimator } {
    if (this.fitted && this.fitted.history === history && this.fitted.length === history.length) return this.fitted;
    const ranked = history.map((h, n) => ({ value: h.value, n })).sort(bestFirst);
    const nBelow = gamma(history.length);
    // each group oldest first (the weights ramp favours the newer observations)
    const below = ranked
      .slice(0, nBelow)
      .map((r) => r.n)
      .sort((a, b) => a - b)
      .map((n) => history[n]!.point);
    const above = ranked
      .slice(nBelow)
      .map((r) => r.n)
      .sort((a, b) => a - b)
      .map((n) => history[n]!.point);
    const l = parzenEstimator(this.space, below, this.o.priorWeight);
    const g = parzenEstimator(this.space, above, this.o.priorWeight);
    this.fitted = { history, length: history.length, l, g };
    return this.fitted;
  }

  /** The configurations of the observations (extended by the ones appended since the last call). */
  private observedLabels(history: readonly Observation[]): Set<string> {
    const o = this.observed && this.observed.history === history && this.observed.length <= history.length ? this.observed : { history, length: 0, labels: new Set<string>() };
    for (let n = o.length; n < history.length; n++) o.labels.add(snap(this.space, history[n]!.point).join(','));
    this.observed = { history, length: history.length, labels: o.labels };
    return o.labels;
  }

  private next(history: readonly Observation[]): number[] {
    if (history.length < this.o.startup) return this.space.map((d) => drawUniform(d, this.rng()));
    const { l, g } = this.estimators(history);
    const observed = this.observedLabels(history);
    const isKnown = (label: string): boolean => this.proposed.has(label) || observed.has(label);
    const all = this.space.map((_, i) => i);
    // a candidate: multivariate, one kernel of l(x) for all dimensions scored on the joint log l − log g;
    // univariate, each dimension its own kernel, scored on the sum of the marginals' log l − log g
    const draw = (): { x: number[]; score: number } => {
      if (this.o.multivariate) {
        const j = pickKernel(l.logW, this.rng);
        const x = l.dims.map((k) => kernelDraw(k, j, this.rng));
        return { x, score: parzenLogPdf(l, x, all) - parzenLogPdf(g, x, all) };
      }
      const x = l.dims.map((k) => kernelDraw(k, pickKernel(l.logW, this.rng), this.rng));
      return { x, score: all.reduce((acc, i) => acc + parzenLogPdf(l, [x[i]!], [i]) - parzenLogPdf(g, [x[i]!], [i]), 0) };
    };
    // the best of `candidates` draws that are not configurations already known (a deterministic objective
    // would give a known one's value again); after DRAW_LIMIT × candidates draws, the best of any
    let best: { x: number[]; score: number } | undefined;
    let bestKnown: { x: number[]; score: number } | undefined;
    let fresh = 0;
    for (let tries = 0; fresh < this.o.candidates && tries < DRAW_LIMIT * this.o.candidates; tries++) {
      const c = draw();
      if (isKnown(snap(this.space, c.x).join(','))) {
        if (!bestKnown || c.score > bestKnown.score) bestKnown = c;
        continue;
      }
      fresh++;
      if (!best || c.score > best.score) best = c;
    }
    return (best ?? bestKnown)!.x;
  }
}
