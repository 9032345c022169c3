/**
 * Principal components of the correlation matrix of a window of returns, with a fixed sign per
 * eigenvector, for the Avellaneda-Lee factor model (src/universe/avellaneda-lee.ts).
 *
 * Standardise each column over the window (mean, stdev ddof 1): Y = (R − μ) / σ; the correlation
 * matrix is ρ = Y'Y / (W − 1) (numpy.corrcoef). Its nonzero eigenpairs are found from whichever
 * of Y'Y (N × N) and YY' (W × W) is smaller: with 500 names and a 60-day window, the 60 × 60 Gram
 * matrix (ρ has rank ≤ W − 1 there), whose eigenvectors u map to ρ's as v = Y'u / √((W−1) λ).
 * Both are solved by Householder tridiagonalisation and implicit QL (stats/symmetric-eigen.ts),
 * accurate to the last bits (cyclic Jacobi, which it replaced, was half of a pca-stat-arb run).
 *
 * Sign: each eigenvector is flipped if needed so that its component of largest absolute value is
 * positive (the first such index if several), so the same window always gives the same vectors
 * and a refit on the next day keeps the orientation of every factor whose dominant stock stays
 * the same (the oracle ../shared/oracles/avellaneda_lee_sp500.json, convention 3_pca).
 */
import { symmetricEigenQl } from './symmetric-eigen.js';

export interface CorrelationPca {
  /** Eigenvalues in decreasing order (the nonzero ones: at most min(N, W − 1)). */
  readonly values: Float64Array;
  /** Top `m` eigenvectors, row-major N × m: vectors[i * m + j] = component of column i in vector j. */
  readonly vectors: Float64Array;
  readonly m: number;
  /** Per column: mean and stdev (ddof 1) over the window. */
  readonly mean: Float64Array;
  readonly sigma: Float64Array;
}

/**
 * `r` is W × N row-major (rows oldest first), every value finite, every column with some
 * dispersion. Returns the top `m` components.
 */
export function correlationPca(r: Float64Array, W: number, N: number, m: number): CorrelationPca {
  if (r.length !== W * N) throw new RangeError(`correlationPca: ${r.length} values for ${W} x ${N}`);
  if (W < 3) throw new RangeError('correlationPca needs at least 3 rows');
  const mean = new Float64Array(N);
  const sigma = new Float64Array(N);
  for (let k = 0; k < W; k++) for (let i = 0; i < N; i++) mean[i] = mean[i]! + r[k * N + i]!;
  for (let i = 0; i < N; i++) mean[i] = mean[i]! / W;
  for (let k = 0; k < W; k++)
    for (let i = 0; i < N; i++) {
      const d = r[k * N + i]! - mean[i]!;
      sigma[i] = sigma[i]! + d * d;
    }
  for (let i = 0; i < N; i++) {
    sigma[i] = Math.sqrt(sigma[i]! / (W - 1));
    if (!(sigma[i]! > 0)) throw new RangeError(`correlationPca: column ${i} does not vary over the window`);
  }
  const y = new Float64Array(W * N);
  for (let k = 0; k < W; k++) for (let i = 0; i < N; i++) y[k * N + i] = (r[k * N + i]! - mean[i]!) / sigma[i]!;
  const dual = N > W;
  const p = dual ? W : N;
  const g = new Float64Array(p * p);
  if (dual) {
    for (let a = 0; a < W; a++)
      for (let b = a; b < W; b++) {
        let s = 0;
        for (let i = 0; i < N; i++) s += y[a * N + i]! * y[b * N + i]!;
        g[a * p + b] = g[b * p + a] = s / (W - 1);
      }
  } else {
    for (let a = 0; a < N; a++)
      for (let b = a; b < N; b++) {
        let s = 0;
        for (let k = 0; k < W; k++) s += y[k * N + a]! * y[k * N + b]!;
        g[a * p + b] = g[b * p + a] = s / (W - 1);
      }
  }
  const eig = symmetricEigenQl(g, p);
  const ev = eig.vectors;
  const order = Array.from(eig.values, (_, i) => i).sort((a, b) => eig.values[b]! - eig.values[a]! || a - b);
  // the nonzero ones: ρ has rank <= W - 1 (centred rows), so drop what is rounding
  const top = eig.values[order[0]!]!;
  const kept = order.filter((i) => eig.values[i]! > top * 1e-12).slice(0, dual ? W - 1 : N);
  if (m > kept.length) throw new RangeError(`correlationPca: ${m} factors asked, the window gives ${kept.length}`);
  const values = Float64Array.from(kept, (i) => eig.values[i]!);
  const vectors = new Float64Array(N * m);
  for (let j = 0; j < m; j++) {
    const c = kept[j]!;
    if (dual) {
      const scale = 1 / Math.sqrt((W - 1) * values[j]!);
      let norm = 0;
      for (let i = 0; i < N; i++) {
        let s = 0;
        for (let k = 0; k < W; k++) s += y[k * N + i]! * ev[k * p + c]!;
        vectors[i * m + j] = s * scale;
        norm += (s * scale) ** 2;
      }
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < N; i++) vectors[i * m + j] = vectors[i * m + j]! * inv;
    } else {
      for (let i = 0; i < N; i++) vectors[i * m + j] = ev[i * p + c]!;
    }
    fixSign(vectors, N, m, j);
  }
  return { values, vectors, m, mean, sigma };
}

/** Flips column j so that its component of largest |value| (the first if several) is positive. */
export function fixSign(v: Float64Array, N: number, m: number, j: number): void {
  let best = 0;
  for (let i = 1; i < N; i++) if (Math.abs(v[i * m + j]!) > Math.abs(v[best * m + j]!)) best = i;
  if (v[best * m + j]! < 0) for (let i = 0; i < N; i++) v[i * m + j] = -v[i * m + j]!;
}
