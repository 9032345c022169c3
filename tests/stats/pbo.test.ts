import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { probabilityOfBacktestOverfitting } from '../../src/stats/pbo.js';
import { describeShared } from '../helpers.js';
import { ORACLES, oracle } from '../oracles.js';

const matrix = (): number[][] => {
  const lines = readFileSync(join(ORACLES, 'pbo_example_matrix_t500_n12.csv'), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  return rows[0]!.map((_, j) => rows.map((r) => r[j]!));
};

describeShared('PBO by CSCV against ../shared/oracles/pbo_example.json', () => {
  for (const [key, S] of [['S10', 10], ['S16_first_4_rows_dropped', 16]] as const) {
    it(`${key}: PBO, rank histogram, logit mean and median`, () => {
      const want = oracle('pbo_example.json').cases[key];
      const got = probabilityOfBacktestOverfitting(matrix(), S);
      expect(got.combinations).toBe(want.n_combinations);
      expect(Math.abs(got.pbo - want.pbo)).toBeLessThanOrEqual(1e-12);
      expect(got.rankCounts).toEqual(Object.values(want.oos_rank_counts_1_worst_to_N_best));
      expect(got.logitMean).toBeCloseTo(want.logit_mean, 10);
      expect(got.logitMedian).toBeCloseTo(want.logit_median, 10);
      expect(got.rowsDropped).toBe(500 % S);
    });
  }
});

describe('PBO on known truths', () => {
  const gauss = (rng: () => number): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  it('pure noise trials: PBO near one half on average; a trial with a real edge: PBO near zero', () => {
    const rng = seedrandom('pbo');
    const T = 800;
    const noiseMatrix = (): number[][] => Array.from({ length: 20 }, () => Array.from({ length: T }, () => 0.01 * gauss(rng)));
    // one matrix's PBO varies a lot (its combinations share data): average over 12 independent ones
    let sum = 0;
    for (let k = 0; k < 12; k++) sum += probabilityOfBacktestOverfitting(noiseMatrix(), 10).pbo;
    expect(sum / 12).toBeGreaterThan(0.35);
    expect(sum / 12).toBeLessThan(0.65);
    const noise = noiseMatrix();
    const withEdge = [...noise.slice(1), Array.from({ length: T }, () => 0.004 + 0.01 * gauss(rng))];
    const r2 = probabilityOfBacktestOverfitting(withEdge, 10);
    expect(r2.pbo).toBeLessThan(0.05);
    expect(r2.probOosLoss).toBeLessThan(0.05);
  });
  it('rejects inputs outside its domain with a clear error', () => {
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3]], 2)).toThrow(/at least 2 trials/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3, 4], [1, 2, 3, 4]], 3)).toThrow(/even integer/);
    expect(() => probabilityOfBacktestOverfitting([[1, 2, 3], [1, 2, 3]], 2)).toThrow(/too few/);
  });
});
