import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planCpcv, trainRows } from '../../src/validation/cpcv.js';
import { join } from 'node:path';
import { ORACLES } from '../oracles.js';

interface OracleSplit {
  split: number;
  test_groups: number[];
  test_blocks_inclusive: [number, number][];
  train_ranges: [number, number][];
  purged: number[];
  embargoed: number[];
  path_ids: number[];
  train: number[];
  test_per_group: number[][];
}
interface OracleCase {
  T: number;
  N_groups: number;
  k_test_groups: number;
  label_horizon_h: number;
  embargo_e: number;
  group_bounds_half_open: [number, number][];
  n_splits: number;
  n_paths: number;
  splits: OracleSplit[];
  paths_split_of_group: number[][];
}
const oracle = JSON.parse(readFileSync(join(ORACLES, 'cpcv_splits.json'), 'utf8')) as {
  cases: Record<string, OracleCase>;
  skfolio_test_expected: { cases: { n_folds: number; n_test_folds: number; purged_size: number; embargo_size: number; n_observations: number; expected_splits: { train: number[]; tests: number[][] }[]; recombined_paths?: number[][]; get_path_ids?: number[][] }[] };
};

describe("combinatorial purged CV: the oracle's splits, purges, embargoes and paths, exactly", () => {
  for (const [name, c] of Object.entries(oracle.cases)) {
    it(name, () => {
      const p = planCpcv(c.T, c.N_groups, c.k_test_groups, c.label_horizon_h, c.embargo_e);
      expect(p.groups).toEqual(c.group_bounds_half_open);
      expect(p.splits).toHaveLength(c.n_splits);
      expect(p.nPaths).toBe(c.n_paths);
      for (const [k, s] of c.splits.entries()) {
        const q = p.splits[k]!;
        expect(q.testGroups).toEqual(s.test_groups);
        expect(q.testBlocks).toEqual(s.test_blocks_inclusive);
        expect(q.trainRanges).toEqual(s.train_ranges);
        expect(q.purged).toEqual(s.purged);
        expect(q.embargoed).toEqual(s.embargoed);
        expect(q.pathIds).toEqual(s.path_ids);
        // the large case gives the runs only (its rows follow from them)
        if (s.train) expect(trainRows(q)).toEqual(s.train);
      }
      expect(p.pathsSplitOfGroup).toEqual(c.paths_split_of_group);
    });
  }
  for (const c of oracle.skfolio_test_expected.cases) {
    it(`skfolio's test: T=${c.n_observations} N=${c.n_folds} k=${c.n_test_folds} purge=${c.purged_size} embargo=${c.embargo_size}`, () => {
      const p = planCpcv(c.n_observations, c.n_folds, c.n_test_folds, c.purged_size, c.embargo_size);
      for (const [k, s] of c.expected_splits.entries()) {
        const q = p.splits[k]!;
        expect(trainRows(q)).toEqual(s.train);
        expect(
          q.testGroups.map((g) => {
            const [a, b] = p.groups[g]!;
            return Array.from({ length: b - a }, (_, i) => a + i);
          }),
        ).toEqual(s.tests);
      }
      if (c.recombined_paths) expect(p.pathsSplitOfGroup).toEqual(c.recombined_paths);
      if (c.get_path_ids) expect(p.splits.map((s) => s.pathIds)).toEqual(c.get_path_ids);
    });
  }
  it('refuses plans that cannot be made or would explode', () => {
    expect(() => planCpcv(12, 3, 3)).toThrow(/--test-groups 3: needs a whole number from 1 to 2/);
    expect(() => planCpcv(3, 5, 2)).toThrow(/3 rows cannot make 5 groups/);
    expect(() => planCpcv(10_000, 30, 15)).toThrow(/C\(30,15\) = 155,117,520 splits/);
  });
});

describe("CPCV paths over a candidate's configurations", async () => {
  const { cpcvPaths } = await import('../../src/validation/cpcv-paths.js');
  const seedrandom = (await import('seedrandom')).default;
  const noise = (n: number, mean: number, seed: string): Float64Array => {
    const r = seedrandom.alea(seed);
    return Float64Array.from({ length: n }, () => mean + 0.01 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
  };
  it('each path stitches, group by group, the configuration chosen by the split that tests that group', () => {
    // configuration j is best on the training rows of split j only when its returns say so:
    // here each configuration's returns are its index in one group and 0 elsewhere
    const T = 60;
    const plan = planCpcv(T, 6, 2, 1, 1);
    const trials = [0, 1, 2].map((j) => ({ label: `c${j}`, returns: noise(T, 0.001 * (j - 1), `c${j}`) }));
    const out = cpcvPaths(trials, { groups: 6, testGroups: 2, purgePeriods: 1, embargoPeriods: 1, periodsPerYear: 252 });
    expect(out.splits).toBe(15);
    expect(out.paths).toHaveLength(5);
    for (const p of out.paths) for (let g = 0; g < 6; g++) expect(p.chosen[g]).toBe(out.chosenBySplit[plan.pathsSplitOfGroup[g]![p.path]!]);
  });
  it("a planted configuration among noise: chosen in most splits, and the paths' Sharpe is positive; noise alone centres near 0", () => {
    const T = 1500;
    const planted = [...Array.from({ length: 7 }, (_, j) => ({ label: `n${j}`, returns: noise(T, 0, `n${j}`) })), { label: 'planted', returns: noise(T, 0.002, 'p') }];
    const a = cpcvPaths(planted, { groups: 8, testGroups: 2, purgePeriods: 2, embargoPeriods: 2, periodsPerYear: 252 });
    expect(a.chosenBySplit.filter((l) => l === 'planted').length).toBeGreaterThan(a.splits * 0.8);
    expect(a.sharpe.shareBelowZero).toBe(0);
    expect(a.sharpe.mean).toBeGreaterThan(1.5);
    const b = cpcvPaths(planted.slice(0, 7), { groups: 8, testGroups: 2, purgePeriods: 2, embargoPeriods: 2, periodsPerYear: 252 });
    expect(Math.abs(b.sharpe.mean)).toBeLessThan(1);
  });
});

describe('walk-forward --cpcv', async () => {
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { ROOT, tempDir } = await import('../helpers.js');
  const { runCliIn } = await import('../cli-harness.js');
  it('reports the OOS Sharpe distribution over the paths (text and JSON); refuses a plan that cannot be made before any work', async () => {
    const d = tempDir();
    const args = ['walk-forward', '--strategy', 'pairs', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--param', 'every=10s', '--grid', 'entry=1.5,2,2.5', '--train', '1h', '--test', '30m', '--period', '1m', '--no-cache'];
    const r = await runCliIn([...args, '--cpcv', '6:2', '--purge', '5m', '--cpcv-embargo', '2m', '--json', join(d, 'r.json')], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /CPCV {9}6 groups, 2 tested: 15 splits, 5 paths over \d+ periods \(purge 5, embargo 2 periods\), each path replayed; OOS Sharpe over the paths: mean -?\d+\.\d\d, sd \d+\.\d\d, \d of 5 below 0 .*; recombined from the trials' returns \(no replay, no switching costs\): mean/,
    );
    const rep = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
    const cv = rep.strategies[0].cpcv;
    expect(cv.paths).toHaveLength(5);
    expect(cv.chosenBySplit).toHaveLength(15);
    // replayed: every path is a backtest of its own, with its trades; the recombination beside it
    expect(cv.replayed).toBe(true);
    for (const p of cv.paths) {
      expect(Number.isInteger(p.trades)).toBe(true);
      expect(p.chosen).toHaveLength(6);
    }
    expect(cv.recombined.paths).toHaveLength(5);
    // the same choices in both: group by group, each path's configuration is its split's choice
    cv.paths.forEach((p: { chosen: string[] }, k: number) => expect(p.chosen).toEqual(cv.recombined.paths[k].chosen));
    // the distribution is the paths' own: mean and extremes of the listed Sharpes
    const sh = cv.paths.map((p: { sharpeAnnualized: number }) => p.sharpeAnnualized);
    expect(cv.sharpe.mean).toBeCloseTo(sh.reduce((a: number, b: number) => a + b, 0) / sh.length, 12);
    expect(cv.sharpe.max).toBe(Math.max(...sh));
    // the walk-forward beside it is unchanged by --cpcv
    const plain = JSON.parse((await runCliIn([...args, '--json', '-'], d)).stdout);
    expect(rep.strategies[0].outOfSample).toEqual(plain.strategies[0].outOfSample);
    for (const [a, msg] of [
      [['--purge', '5m'], /--purge applies to --cpcv N:k/],
      [['--cpcv', '6'], /--cpcv '6' must be N:k/],
      [['--cpcv', '30:15'], /C\(30,15\) = 155,117,520 splits/],
      [['--cpcv', '6:2', '--purge', '5'], /--purge '5' is not a duration/],
      [['--cpcv', '6:2', '--objective', 'pnl'], /--objective pnl with --cpcv: CPCV chooses on the trials' returns over its training groups, so by sharpe, sortino, return/],
    ] as const) {
      const x = await runCliIn([...args, ...a], d);
      expect(x.code, a.join(' ')).toBe(2);
      expect(x.stderr).toMatch(msg);
      expect(x.stderr).not.toMatch(/^plan:/m);
    }
  });
});
