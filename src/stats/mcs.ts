/**
 * The Model Confidence Set (Hansen, Lunde & Nason 2011) as `../shared/STATS.md` defines it, on the
 * loss matrix of all candidates (the benchmark included), the same bootstrap rows in every
 * elimination step; methods R (range) and max. The MCS p-value of the model eliminated at step s
 * is the running max of the raw p-values; the last model left gets 1; a model is in the set iff its
 * MCS p-value > α.
 */
import { meanAt } from './resample.js';
import { maxOf } from '../arrays.js';

export interface McsStep {
  readonly modelsIn: readonly number[];
  readonly statistic: number;
  readonly count: number;
  readonly rawPValue: number;
  readonly eliminated: readonly number[];
}

export interface McsResult {
  readonly pValues: Float64Array;
  /** Models in elimination order (the last one left last). */
  readonly order: readonly number[];
  readonly included: readonly number[];
  readonly excluded: readonly number[];
  readonly steps: readonly McsStep[];
}

/** Hansen's Model Confidence Set of the models' losses (method R or max) from given bootstrap rows, as the python `arch` package. */
export function mcs(losses: readonly Float64Array[], indices: readonly Int32Array[], alpha: number, method: 'R' | 'max'): McsResult {
  const K = losses.length;
  const B = indices.length;
  const lbar = Float64Array.from(losses, (x) => x.reduce((a, b) => a + b, 0) / x.length);
  const star = indices.map((idx) => Float64Array.from(losses, (x) => meanAt(x, idx)));
  let models = Array.from({ length: K }, (_, k) => k);
  const steps: McsStep[] = [];
  if (method === 'R') {
    // D*_bij and the variances, once, on all models
    const D = (i: number, j: number): number => lbar[i]! - lbar[j]!;
    const Ds = (b: number, i: number, j: number): number => star[b]![i]! - star[b]![j]! - D(i, j);
    const v = new Float64Array(K * K);
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++) {
        if (i === j) {
          v[i * K + j] = 1;
          continue;
        }
        let s = 0;
        for (let b = 0; b < B; b++) s += Ds(b, i, j) ** 2;
        v[i * K + j] = s / B;
      }
    }
    while (models.length > 1) {
      let tR = -Infinity;
      let arg = -1;
      for (const i of models) {
        for (const j of models) {
          const t = D(i, j) / Math.sqrt(v[i * K + j]!);
          if (t > tR) [tR, arg] = [t, i];
        }
      }
      let c = 0;
      for (let b = 0; b < B; b++) {
        let m = -Infinity;
        for (const i of models) for (const j of models) m = Math.max(m, Ds(b, i, j) / Math.sqrt(v[i * K + j]!));
        if (tR < m) c++;
      }
      steps.push({ modelsIn: models, statistic: tR, count: c, rawPValue: c / B, eliminated: [arg] });
      models = models.filter((m) => m !== arg);
    }
  } else {
    const e = star.map((row) => Float64Array.from(row, (x, k) => x - lbar[k]!));
    while (models.length > 1) {
      const n = models.length;
      const E = e.map((row) => {
        let m = 0;
        for (const k of models) m += row[k]!;
        m /= n;
        return models.map((k) => row[k]! - m);
      });
      const sd = models.map((_, a) => Math.sqrt(E.reduce((s, row) => s + row[a]! ** 2, 0) / B));
      let mean = 0;
      for (const k of models) mean += lbar[k]!;
      mean /= n;
      const t = models.map((k, a) => (lbar[k]! - mean) / sd[a]!);
      const tMax = maxOf(t);
      let c = 0;
      for (const row of E) {
        let m = -Infinity;
        for (let a = 0; a < n; a++) m = Math.max(m, row[a]! / sd[a]!);
        if (tMax < m) c++;
      }
      const out = models.filter((_, a) => t[a] === tMax);
      steps.push({ modelsIn: models, statistic: tMax, count: c, rawPValue: c / B, eliminated: out });
      models = models.filter((k) => !out.includes(k));
    }
  }
  const pValues = new Float64Array(K);
  const order: number[] = [];
  let running = 0;
  for (const s of steps) {
    running = Math.max(running, s.rawPValue);
    for (const k of s.eliminated) {
      pValues[k] = running;
      order.push(k);
    }
  }
  for (const k of models) {
    pValues[k] = 1;
    order.push(k);
  }
  const included = Array.from({ length: K }, (_, k) => k).filter((k) => pValues[k]! > alpha);
  const excluded = Array.from({ length: K }, (_, k) => k).filter((k) => !(pValues[k]! > alpha));
  return { pValues, order, included, excluded, steps };
}
