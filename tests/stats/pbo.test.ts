import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { probabilityOfBacktestOverfitting } from '../../src/stats/pbo.js';
import { ORACLES, oracle } from '../oracles.js';

const matrix = (): number[][] => {
  const lines = readFileSync(join(ORACLES, 'pbo_example_matrix_t500_n12.csv'), 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => l.split(',').map(Number));
  return rows[0]!.map((_, j) => rows.map((r) => r[j]!));
};

describe('PBO by CSCV against tests/fixtures/oracles/pbo_example.json', () => {
  for (const [key, S] of [
    ['S10', 10],
    ['S16_first_4_rows_dropped', 16],
  ] as const) {
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
  it('a trial that never trades (zero returns, no Sharpe) is never the in-sample best: PBO is the same in the first column and the last', () => {
    const rng = seedrandom('pbo-nan');
    const T = 480;
    // six trials with a persistent edge of different sizes: the best in sample stays best out of sample
    const good = Array.from({ length: 6 }, (_, j) => Array.from({ length: T }, () => 0.0005 * j + 0.01 * (rng() - 0.5)));
    const flat = new Array<number>(T).fill(0);
    const first = probabilityOfBacktestOverfitting([flat, ...good], 8);
    const last = probabilityOfBacktestOverfitting([...good, flat], 8);
    expect(first.pbo).toBe(last.pbo);
    expect(first.pbo).toBeLessThan(0.2);
    expect(first.combinations).toBe(70);
    // out of sample the never-trading trial ranks as a Sharpe of 0: above the losers, below the winners
    expect(Array.from(first.oosSharpe).every(Number.isFinite)).toBe(true);
    // and a matrix in which nothing ever trades selects nothing: PBO n/a, not 0 or 1
    expect(probabilityOfBacktestOverfitting([flat, flat], 8).pbo).toBeNaN();
  });
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
    expect(() =>
      probabilityOfBacktestOverfitting(
        [
          [1, 2, 3, 4],
          [1, 2, 3, 4],
        ],
        3,
      ),
    ).toThrow(/even integer/);
    expect(() =>
      probabilityOfBacktestOverfitting(
        [
          [1, 2, 3],
          [1, 2, 3],
        ],
        2,
      ),
    ).toThrow(/too few/);
  });
});

describe('tickfold overfit', () => {
  it('reproduces the PBO oracle and deflates the best trial by the number of trials', async () => {
    const { runCliIn } = await import('../cli-harness.js');
    const { deflatedSharpe } = await import('../../src/metrics/sharpe-inference.js');
    const file = join(ORACLES, 'pbo_example_matrix_t500_n12.csv');
    for (const [S, key] of [
      [10, 'S10'],
      [16, 'S16_first_4_rows_dropped'],
    ] as const) {
      const r = await runCliIn(['overfit', '--returns', file, '--partitions', String(S), '--json', '-']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(Math.abs(j.pbo.pbo - oracle('pbo_example.json').cases[key].pbo)).toBeLessThanOrEqual(1e-12);
      expect(j.trials).toBe(12);
      const sh: number[] = j.sharpes;
      const m = sh.reduce((a, b) => a + b, 0) / sh.length;
      const v = sh.reduce((a, b) => a + (b - m) ** 2, 0) / (sh.length - 1);
      expect(j.dsr).toBeCloseTo(deflatedSharpe(j.best.sharpePerPeriod, 500, j.best.skewness, j.best.kurtosisNonExcess, 12, v).dsr, 12);
      expect(j.best.sharpePerPeriod).toBe(Math.max(...sh));
    }
    const text = await runCliIn(['overfit', '--returns', file, '--partitions', '10']);
    expect(text.stdout).toContain('PBO            0.4087');
    expect(text.stdout).toContain('OOS ranks      26 25 15 16 13 8 6 8 14 28 41 52');
  });
  it('bad matrices and options are clear errors', async () => {
    const { tempDir } = await import('../helpers.js');
    const { runCliIn } = await import('../cli-harness.js');
    const { writeFileSync } = await import('node:fs');
    const d = tempDir();
    writeFileSync(join(d, 'm.csv'), 'a,b\n0.01,0.02\n0.01,x\n0.0,0.01\n0.02,0.01\n');
    const r = await runCliIn(['overfit', '--returns', join(d, 'm.csv')]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`${join(d, 'm.csv')}:3:6: a return must be a finite number`);
    const r2 = await runCliIn(['overfit', '--returns', join(ORACLES, 'pbo_example_matrix_t500_n12.csv'), '--partitions', '7']);
    expect(r2.code, r2.stderr).toBe(2);
    expect(r2.stderr).toContain("--partitions '7' is not an even integer from 2 to 24");
  });
});
