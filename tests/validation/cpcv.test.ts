import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planCpcv, trainRows } from '../../src/validation/cpcv.js';
import { SHARED } from '../helpers.js';

interface OracleSplit { split: number; test_groups: number[]; test_blocks_inclusive: [number, number][]; train_ranges: [number, number][]; purged: number[]; embargoed: number[]; path_ids: number[]; train: number[]; test_per_group: number[][] }
interface OracleCase { T: number; N_groups: number; k_test_groups: number; label_horizon_h: number; embargo_e: number; group_bounds_half_open: [number, number][]; n_splits: number; n_paths: number; splits: OracleSplit[]; paths_split_of_group: number[][] }
const oracle = JSON.parse(readFileSync(`${SHARED}/../oracles/cpcv_splits.json`, 'utf8')) as { cases: Record<string, OracleCase>; skfolio_test_expected: { cases: { n_folds: number; n_test_folds: number; purged_size: number; embargo_size: number; n_observations: number; expected_splits: { train: number[]; tests: number[][] }[]; recombined_paths?: number[][]; get_path_ids?: number[][] }[] } };

describe('combinatorial purged CV: the oracle\'s splits, purges, embargoes and paths, exactly', () => {
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
        expect(q.testGroups.map((g) => { const [a, b] = p.groups[g]!; return Array.from({ length: b - a }, (_, i) => a + i); })).toEqual(s.tests);
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
