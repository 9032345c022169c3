/**
 * Householder + implicit QL (stats/symmetric-eigen.ts) against the definition and against cyclic
 * Jacobi (stats/johansen.ts): A v = λ v to rounding, V orthonormal, the same eigenvalues; on a
 * random symmetric matrix, a rank-deficient Gram matrix (pca.ts's case: 60 × 60 of rank 59), a
 * diagonal one and one with a repeated eigenvalue.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { symmetricEigenQl } from '../../src/stats/symmetric-eigen.js';
import { symmetricEigen } from '../../src/stats/johansen.js';

function check(a: Float64Array, p: number): void {
  const { values, vectors: V } = symmetricEigenQl(a, p);
  let norm = 0;
  for (const x of a) norm = Math.max(norm, Math.abs(x));
  for (let j = 1; j < p; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < p; i++) {
      let av = 0;
      for (let k = 0; k < p; k++) av += a[i * p + k]! * V[k * p + j]!;
      expect(Math.abs(av - values[j]! * V[i * p + j]!)).toBeLessThan(1e-12 * Math.max(norm, 1) * p);
    }
    for (let l = j; l < p; l++) {
      let dot = 0;
      for (let k = 0; k < p; k++) dot += V[k * p + j]! * V[k * p + l]!;
      expect(Math.abs(dot - (l === j ? 1 : 0))).toBeLessThan(1e-12 * p);
    }
  }
  const rows = Array.from({ length: p }, (_, i) => Array.from(a.subarray(i * p, (i + 1) * p)));
  const jac = [...symmetricEigen(rows).values].sort((x, y) => x - y);
  jac.forEach((v, j) => expect(Math.abs(v - values[j]!)).toBeLessThan(1e-12 * Math.max(norm, 1) * p));
}

describe('symmetricEigenQl', () => {
  const rng = seedrandom('eig');
  it('a random symmetric matrix', () => {
    const p = 40;
    const a = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) a[i * p + j] = a[j * p + i] = rng() - 0.5;
    check(a, p);
  });
  it("a rank-deficient Gram matrix (pca.ts's dual: 60 centred rows of 200 columns)", () => {
    const W = 60;
    const N = 200;
    const y = new Float64Array(W * N);
    for (let i = 0; i < N; i++) {
      let m = 0;
      for (let k = 0; k < W; k++) m += y[k * N + i] = rng() - 0.5;
      for (let k = 0; k < W; k++) y[k * N + i] = y[k * N + i]! - m / W;
    }
    const g = new Float64Array(W * W);
    for (let a = 0; a < W; a++) for (let b = 0; b < W; b++) for (let i = 0; i < N; i++) g[a * W + b] = g[a * W + b]! + y[a * N + i]! * y[b * N + i]!;
    check(g, W);
    expect(Math.abs(symmetricEigenQl(g, W).values[0]!)).toBeLessThan(1e-10); // rank W - 1
  });
  it('diagonal, repeated eigenvalues, 1 × 1', () => {
    check(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3);
    check(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 3]), 3); // 1, 3, 3
    check(Float64Array.from([5]), 1);
  });
});
