/**
 * Johansen's cointegration test, as statsmodels `coint_johansen(endog, det_order, k_ar_diff)`
 * computes it (STATS.md, "Johansen cointegration"):
 *
 * - the levels VAR has order K = k_ar_diff + 1; n = T − k_ar_diff − 1 observations;
 * - det_order −1: no deterministic term; 0: the levels, the differences and the lagged
 *   differences are demeaned (a constant unrestricted in the VECM); 1: the levels are first
 *   detrended by OLS on a linear trend over the full sample, then as for 0 (this is
 *   statsmodels' convention, not urca's "trend", whose trend is restricted);
 * - R0 = Δx_t and R1 = x_{t−K+1}... (statsmodels' alignment: the level k_ar_diff steps before the
 *   first lag of the differences), each with the lagged differences partialled out;
 *   S00, S01, S11 their moment matrices over n; the eigenvalues λ of S11⁻¹ S10 S00⁻¹ S01, in
 *   decreasing order, and their vectors scaled so v′S11v = 1;
 * - trace(r) = −n Σ_{i≥r} ln(1 − λ_i), max-eig(r) = −n ln(1 − λ_r), tested against the
 *   MacKinnon-Haug-Michelis (1996) critical values as tabulated by LeSage (statsmodels' c_sjt,
 *   c_sja) for p − r variables; the rank at 95% is the first r whose statistic is strictly below
 *   its 95% value, else p.
 *
 * The symmetric-definite eigenproblem S10 S00⁻¹ S01 v = λ S11 v is solved as a symmetric one,
 * L⁻¹ (S10 S00⁻¹ S01) L⁻ᵀ w = λ w with S11 = L Lᵀ (Cholesky) and v = L⁻ᵀ w, by cyclic Jacobi
 * rotations: exact to rounding for the few variables of a basket, and with vectors that come out
 * S11-orthonormal by construction. Hand-written: no maintained npm package computes Johansen's
 * test, and the general eigen solvers on npm (e.g. ml-matrix) solve only S11⁻¹M, losing the
 * symmetry this problem has.
 */
import { UsageError } from '../errors.js';
import { ols } from './ols.js';

/** MacKinnon-Haug-Michelis (1996) critical values [90%, 95%, 99%] for 1..12 variables (LeSage's tables, as statsmodels' coint_tables). */
const TRACE: Record<-1 | 0 | 1, readonly (readonly [number, number, number])[]> = {
  [-1]: [
    [2.9762, 4.1296, 6.9406],
    [10.4741, 12.3212, 16.364],
    [21.7781, 24.2761, 29.5147],
    [37.0339, 40.1749, 46.5716],
    [56.2839, 60.0627, 67.6367],
    [79.5329, 83.9383, 92.7136],
    [106.7351, 111.7797, 121.7375],
    [137.9954, 143.6691, 154.7977],
    [173.2292, 179.5199, 191.8122],
    [212.4721, 219.4051, 232.8291],
    [255.6732, 263.2603, 277.9962],
    [302.9054, 311.1288, 326.9716],
  ],
  0: [
    [2.7055, 3.8415, 6.6349],
    [13.4294, 15.4943, 19.9349],
    [27.0669, 29.7961, 35.4628],
    [44.4929, 47.8545, 54.6815],
    [65.8202, 69.8189, 77.8202],
    [91.109, 95.7542, 104.9637],
    [120.3673, 125.6185, 135.9825],
    [153.6341, 159.529, 171.0905],
    [190.8714, 197.3772, 210.0366],
    [232.103, 239.2468, 253.2526],
    [277.374, 285.1402, 300.2821],
    [326.5354, 334.9795, 351.215],
  ],
  1: [
    [2.7055, 3.8415, 6.6349],
    [16.1619, 18.3985, 23.1485],
    [32.0645, 35.0116, 41.0815],
    [51.6492, 55.2459, 62.5202],
    [75.1027, 79.3422, 87.7748],
    [102.4674, 107.3429, 116.9829],
    [133.7852, 139.278, 150.0778],
    [169.0618, 175.1584, 187.1891],
    [208.3582, 215.1268, 228.2226],
    [251.6293, 259.0267, 273.3838],
    [298.8836, 306.8988, 322.4264],
    [350.1125, 358.719, 375.3203],
  ],
};
const MAX_EIG: Record<-1 | 0 | 1, readonly (readonly [number, number, number])[]> = {
  [-1]: [
    [2.9762, 4.1296, 6.9406],
    [9.4748, 11.2246, 15.0923],
    [15.7175, 17.7961, 22.2519],
    [21.837, 24.1592, 29.0609],
    [27.916, 30.4428, 35.7359],
    [33.9271, 36.6301, 42.2333],
    [39.9085, 42.7679, 48.6606],
    [45.893, 48.8795, 55.0335],
    [51.8528, 54.9629, 61.3449],
    [57.7954, 61.0404, 67.6415],
    [63.7248, 67.0756, 73.8856],
    [69.6513, 73.0946, 80.0937],
  ],
  0: [
    [2.7055, 3.8415, 6.6349],
    [12.2971, 14.2639, 18.52],
    [18.8928, 21.1314, 25.865],
    [25.1236, 27.5858, 32.7172],
    [31.2379, 33.8777, 39.3693],
    [37.2786, 40.0763, 45.8662],
    [43.2947, 46.2299, 52.3069],
    [49.2855, 52.3622, 58.6634],
    [55.2412, 58.4332, 64.996],
    [61.2041, 64.504, 71.2525],
    [67.1307, 70.5392, 77.4877],
    [73.0563, 76.5734, 83.7105],
  ],
  1: [
    [2.7055, 3.8415, 6.6349],
    [15.0006, 17.1481, 21.7465],
    [21.8731, 24.2522, 29.2631],
    [28.2398, 30.8151, 36.193],
    [34.4202, 37.1646, 42.8612],
    [40.5244, 43.4183, 49.4095],
    [46.5583, 49.5875, 55.8171],
    [52.5858, 55.7302, 62.1741],
    [58.5316, 61.8051, 68.503],
    [64.5292, 67.904, 74.7434],
    [70.463, 73.9355, 81.0678],
    [76.4081, 79.9878, 87.2395],
  ],
};

export type DetOrder = -1 | 0 | 1;

export interface JohansenResult {
  readonly detOrder: DetOrder;
  readonly kArDiff: number;
  /** Observations the statistics use: T − k_ar_diff − 1. */
  readonly nobs: number;
  /** Decreasing. */
  readonly eig: Float64Array;
  /** trace[r] tests H0: rank <= r. */
  readonly trace: Float64Array;
  readonly maxEig: Float64Array;
  /** Per r: [90%, 95%, 99%]. */
  readonly traceCrit: readonly (readonly [number, number, number])[];
  readonly maxEigCrit: readonly (readonly [number, number, number])[];
  /** The first r whose statistic is strictly below its 95% value, else p. */
  readonly rankTrace: number;
  readonly rankMaxEig: number;
  /** vectors[j] pairs with eig[j], scaled so v′S11v = 1, its first component made >= 0. */
  readonly vectors: readonly Float64Array[];
  /** vectors[j] divided by its first component. */
  readonly normalized: readonly Float64Array[];
}

/** The largest basket the critical-value tables cover. */
export const JOHANSEN_MAX_VARIABLES = 12;

/** Residuals of each column of y on the columns of z (no intercept); y itself when z is empty. */
function partialOut(y: readonly Float64Array[], z: readonly Float64Array[]): Float64Array[] {
  if (z.length === 0) return y.map((c) => Float64Array.from(c));
  return y.map((c) => ols(c, z, false).resid);
}

/** statsmodels' detrend: residuals on a polynomial of `order` in linspace(−1, 1, n); −1 leaves y as it is. */
function detrend(y: Float64Array, order: DetOrder): Float64Array {
  if (order === -1) return y;
  const n = y.length;
  if (order === 0) {
    let m = 0;
    for (let i = 0; i < n; i++) m += y[i]!;
    m /= n;
    return y.map((v) => v - m);
  }
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = n === 1 ? -1 : -1 + (2 * i) / (n - 1);
  return ols(y, [t], true).resid;
}

/** Mᵀ N / n for column sets (p × q). */
function moment(a: readonly Float64Array[], b: readonly Float64Array[], n: number): number[][] {
  return a.map((x) =>
    b.map((y) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i]! * y[i]!;
      return s / n;
    }),
  );
}

/** Lower Cholesky factor of a symmetric positive definite matrix. */
function cholesky(a: readonly (readonly number[])[]): number[][] {
  const p = a.length;
  const l = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let j = 0; j < p; j++) {
    let d = a[j]![j]!;
    for (let k = 0; k < j; k++) d -= l[j]![k]! ** 2;
    if (!(d > 0)) throw new UsageError('Johansen: the moment matrix is singular (a series is constant or a combination of the others); drop that symbol');
    l[j]![j] = Math.sqrt(d);
    for (let i = j + 1; i < p; i++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      l[i]![j] = s / l[j]![j]!;
    }
  }
  return l;
}

/** L⁻¹ B for lower-triangular L (forward substitution, column by column). */
function solveLower(l: readonly (readonly number[])[], b: readonly (readonly number[])[]): number[][] {
  const p = l.length;
  const q = b[0]!.length;
  const x = Array.from({ length: p }, () => new Array<number>(q).fill(0));
  for (let c = 0; c < q; c++) {
    for (let i = 0; i < p; i++) {
      let s = b[i]![c]!;
      for (let k = 0; k < i; k++) s -= l[i]![k]! * x[k]![c]!;
      x[i]![c] = s / l[i]![i]!;
    }
  }
  return x;
}

const transpose = (a: readonly (readonly number[])[]): number[][] => a[0]!.map((_, j) => a.map((r) => r[j]!));

/** Eigenvalues and orthonormal eigenvectors (columns of v) of a symmetric matrix, by cyclic Jacobi. */
export function symmetricEigen(a0: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const p = a0.length;
  const a = a0.map((r) => [...r]);
  const v: number[][] = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < p; i++) {
      diag += a[i]![i]! ** 2;
      for (let j = i + 1; j < p; j++) off += a[i]![j]! ** 2;
    }
    if (off <= 1e-32 * diag || off === 0) break;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i]![j]!;
        if (aij === 0) continue;
        // the rotation that zeroes a[i][j] (Golub & Van Loan, Algorithm 8.4.1)
        const theta = (a[j]![j]! - a[i]![i]!) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k]![i]!;
          const akj = a[k]![j]!;
          a[k]![i] = c * aki - s * akj;
          a[k]![j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i]![k]!;
          const ajk = a[j]![k]!;
          a[i]![k] = c * aik - s * ajk;
          a[j]![k] = s * aik + c * ajk;
        }
        for (let k = 0; k < p; k++) {
          const vki = v[k]![i]!;
          const vkj = v[k]![j]!;
          v[k]![i] = c * vki - s * vkj;
          v[k]![j] = s * vki + c * vkj;
        }
      }
    }
  }
  return { values: a.map((r, i) => r[i]!), vectors: v };
}

/**
 * Johansen's test on the columns of `levels` (each one series, e.g. log prices, all of length T).
 */
export function johansen(levels: readonly ArrayLike<number>[], detOrder: DetOrder, kArDiff: number): JohansenResult {
  const p = levels.length;
  if (p < 2) throw new UsageError('Johansen needs at least two series');
  if (p > JOHANSEN_MAX_VARIABLES) throw new UsageError(`Johansen: ${p} series, but the critical values cover at most ${JOHANSEN_MAX_VARIABLES}`);
  if (![-1, 0, 1].includes(detOrder)) throw new UsageError(`det_order ${detOrder}: must be -1 (none), 0 (constant) or 1 (linear trend)`);
  if (!(Number.isInteger(kArDiff) && kArDiff >= 1)) throw new UsageError(`k_ar_diff ${kArDiff}: must be a whole number >= 1 (lagged differences)`);
  const T = levels[0]!.length;
  for (const c of levels) if (c.length !== T) throw new RangeError('Johansen: series of different lengths');
  const n = T - kArDiff - 1;
  if (n <= p * (kArDiff + 1) + 2) throw new UsageError(`Johansen: ${T} observations are too few for ${p} series with ${kArDiff} lagged difference${kArDiff === 1 ? '' : 's'}`);
  // after an optional full-sample detrend of the levels, every later step demeans (or not, for −1)
  const f: DetOrder = detOrder > -1 ? 0 : -1;
  const x = levels.map((c) => detrend(Float64Array.from(c), detOrder));
  const dx = x.map((c) => {
    const d = new Float64Array(T - 1);
    for (let i = 0; i < T - 1; i++) d[i] = c[i + 1]! - c[i]!;
    return d;
  });
  // lagged differences: lag l of series j at row i (of the n rows) is dx[j][i + k − l]
  const z: Float64Array[] = [];
  for (let l = 1; l <= kArDiff; l++) for (let j = 0; j < p; j++) z.push(detrend(dx[j]!.slice(kArDiff - l, kArDiff - l + n), f));
  const d0 = dx.map((c) => detrend(c.slice(kArDiff, kArDiff + n), f));
  const lx = x.map((c) => detrend(c.slice(1, 1 + n), f));
  const r0 = partialOut(d0, z);
  const r1 = partialOut(lx, z);
  const s00 = moment(r0, r0, n);
  const s01 = moment(r0, r1, n);
  const s11 = moment(r1, r1, n);
  // M = S10 S00⁻¹ S01 = (L0⁻¹ S01)ᵀ (L0⁻¹ S01)
  const g = solveLower(cholesky(s00), s01);
  const gt = transpose(g);
  const mm = gt.map((gi) => gt.map((gj) => gi.reduce((s, v, k) => s + v * gj[k]!, 0)));
  const l1 = cholesky(s11);
  // C = L1⁻¹ M L1⁻ᵀ
  const c = transpose(solveLower(l1, transpose(solveLower(l1, mm))));
  const sym = c.map((r, i) => r.map((v, j) => (v + c[j]![i]!) / 2));
  const { values, vectors } = symmetricEigen(sym);
  const order = values.map((_, i) => i).sort((a, b) => values[b]! - values[a]!);
  const eig = Float64Array.from(order, (i) => values[i]!);
  // v = L1⁻ᵀ w: back substitution with L1ᵀ
  const vecs = order.map((i) => {
    const w = vectors.map((r) => r[i]!);
    const v = new Float64Array(p);
    for (let r = p - 1; r >= 0; r--) {
      let s = w[r]!;
      for (let k = r + 1; k < p; k++) s -= l1[k]![r]! * v[k]!;
      v[r] = s / l1[r]![r]!;
    }
    if (v[0]! < 0) for (let k = 0; k < p; k++) v[k] = -v[k]!;
    return v;
  });
  const trace = new Float64Array(p);
  const maxEig = new Float64Array(p);
  for (let r = 0; r < p; r++) {
    let s = 0;
    for (let i = r; i < p; i++) s += Math.log(1 - eig[i]!);
    trace[r] = -n * s;
    maxEig[r] = -n * Math.log(1 - eig[r]!);
  }
  const traceCrit = Array.from({ length: p }, (_, r) => TRACE[detOrder][p - r - 1]!);
  const maxEigCrit = Array.from({ length: p }, (_, r) => MAX_EIG[detOrder][p - r - 1]!);
  const rankOf = (stat: Float64Array, crit: readonly (readonly number[])[]): number => {
    for (let r = 0; r < p; r++) if (stat[r]! < crit[r]![1]!) return r;
    return p;
  };
  return {
    detOrder,
    kArDiff,
    nobs: n,
    eig,
    trace,
    maxEig,
    traceCrit,
    maxEigCrit,
    rankTrace: rankOf(trace, traceCrit),
    rankMaxEig: rankOf(maxEig, maxEigCrit),
    vectors: vecs,
    normalized: vecs.map((v) => v.map((x) => x / v[0]!)),
  };
}
