/**
 * SPA (lower/consistent/upper), White's Reality Check, Hansen's studentized SPA, StepM and the
 * MCS (R and max) against tests/fixtures/oracles/spa_stepm_mcs.json (a copy of ../shared/oracles'), replaying the bootstrap rows arch
 * drew: counts, p-values and sets exactly, continuous values to 1e-12 relative.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { mcs } from '../../src/stats/mcs.js';
import { bootstrapIndices } from '../../src/stats/resample.js';
import { lossDifferentials, spaTest, stepM } from '../../src/stats/spa.js';
import { ORACLES as dir } from '../oracles.js';
const o = JSON.parse(readFileSync(`${dir}/spa_stepm_mcs.json`, 'utf8'));
const csv = (f: string): string[][] =>
  readFileSync(`${dir}/${f}`, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
const lossRows = csv(o.inputs.losses_csv);
const columns = Array.from({ length: 7 }, (_, c) => Float64Array.from(lossRows, (r) => Number(r[c + 1])));
const indices = csv(o.bootstrap.indices_csv).map((r) => Int32Array.from(r.slice(1), Number));
const close = (a: ArrayLike<number>, b: readonly number[]): void => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1e-300, Math.abs(b[i]!)) + 1e-300);
};

describe("SPA, Reality Check, StepM and MCS against arch, on the oracle's bootstrap rows", () => {
  const [bench, ...models] = columns as [Float64Array, ...Float64Array[]];
  const spa = spaTest(lossDifferentials(bench, models), indices, o.bootstrap.block_size);
  it('SPA: d̄, ω², thresholds, recentring, statistic, counts, p-values and critical values', () => {
    close(spa.dbar, o.spa.mean_loss_diff_dbar);
    close(spa.omega2, o.spa.kernel_variance_omega2);
    close(spa.threshold, o.spa.consistent_threshold_A);
    expect(spa.valid).toEqual(o.spa.consistent_valid_dbar_ge_minus_A);
    for (const k of ['lower', 'consistent', 'upper'] as const) {
      close(spa.mu[k], o.spa.recentring_mean_mu[k]);
      expect(spa.counts[k]).toBe(o.spa.exceed_counts[k]);
      expect(spa.pValues[k]).toBe(o.spa.pvalues[k]);
      close([spa.critical(k, 0.05), spa.critical(k, 0.1)], [o.spa['critical_values_0.05'][k], o.spa['critical_values_0.10'][k]]);
      close(spa.simulated[k].subarray(0, 5), o.spa.debug_first_5_reps.max_k_of_dbar_star_minus_mu[k]);
    }
    close([spa.statistic], [o.spa.observed_statistic_max_dbar]);
    expect(o.inputs.models_in_order[spa.argmax]).toBe(o.spa.argmax_model);
    for (let b = 0; b < 5; b++) close(spa.dbarStar[b]!, o.spa.debug_first_5_reps.bootstrap_mean_loss_diff_dbar_star[b]);
  });
  it("White's Reality Check is the upper p-value; Hansen's studentized SPA as given beside it", () => {
    expect(spa.pValues.upper).toBe(o.reality_check.pvalue);
    close(spa.studentized.t, o.hansen_studentized_independent.t_stats);
    close([spa.studentized.statistic], [o.hansen_studentized_independent.T_spa]);
    for (const k of ['lower', 'consistent', 'upper'] as const) expect(spa.studentized.counts[k]).toBe(o.hansen_studentized_independent.count[k]);
  });
  it('a model identical to the benchmark (ω = 0: no t-statistic) is left out of the studentized SPA: the oracle figures unchanged', () => {
    const withTie = spaTest([...lossDifferentials(bench, models), new Float64Array(bench.length)], indices, o.bootstrap.block_size);
    expect(withTie.omega2[models.length]).toBe(0);
    expect(Number.isNaN(withTie.studentized.t[models.length]!)).toBe(true);
    close([withTie.studentized.statistic], [o.hansen_studentized_independent.T_spa]);
    for (const k of ['lower', 'consistent', 'upper'] as const) expect(withTie.studentized.counts[k]).toBe(o.hansen_studentized_independent.count[k]);
  });
  it("StepM: the superior set and each step's critical value", () => {
    const s = stepM(spa, o.settings.stepm_size);
    expect(s.superior).toEqual(o.stepm.superior_models);
    expect(s.steps.map((x) => x.active)).toEqual(o.stepm.steps.map((x: { active_models: number[] }) => x.active_models));
    expect(s.steps.map((x) => x.newlySuperior)).toEqual(o.stepm.steps.map((x: { newly_superior: number[] }) => x.newly_superior));
    close(
      s.steps.map((x) => x.critical),
      o.stepm.steps.map((x: { critical_value: number }) => x.critical_value),
    );
  });
  for (const method of ['R', 'max'] as const) {
    it(`MCS (${method}): elimination order, each step's statistic and count, MCS p-values, the set`, () => {
      const want = o.mcs[method];
      const r = mcs(columns, indices, want.size, method);
      expect(r.included).toEqual(want.included);
      expect(r.excluded).toEqual(want.excluded);
      expect(r.order).toEqual(want.pvalues_in_elimination_order.map((x: { model: number }) => x.model));
      close(
        r.order.map((k) => r.pValues[k]!),
        want.pvalues_in_elimination_order.map((x: { mcs_pvalue: number }) => x.mcs_pvalue),
      );
      expect(r.steps.map((s) => s.modelsIn)).toEqual(want.steps.map((s: { models_in: number[] }) => s.models_in));
      const stat = method === 'R' ? 'test_stat_t_R' : 'test_stat_t_max';
      close(
        r.steps.map((s) => s.statistic),
        want.steps.map((s: Record<string, number>) => s[stat]!),
      );
      if (want.steps[0].count_exceed !== undefined) expect(r.steps.map((s) => s.count)).toEqual(want.steps.map((s: { count_exceed: number }) => s.count_exceed));
    });
  }
});

describe("bootstrap rows from the run's seed", () => {
  it('stationary: runs of consecutive rows of mean length b; circular: blocks of length b; the same seed, the same rows', () => {
    const a = bootstrapIndices('stationary', 1000, 10, 50, seedrandom.alea('s'));
    expect(bootstrapIndices('stationary', 1000, 10, 50, seedrandom.alea('s'))).toEqual(a);
    let breaks = 0;
    for (const idx of a) for (let i = 1; i < idx.length; i++) if (idx[i] !== (idx[i - 1]! + 1) % 1000) breaks++;
    // a new block starts with probability 1/b (minus the draws that land on the next row anyway)
    expect(breaks / (50 * 999)).toBeCloseTo(0.1, 1);
    const c = bootstrapIndices('circular', 100, 7, 3, seedrandom.alea('c'));
    for (const idx of c) for (let i = 1; i < 100; i++) if (i % 7 !== 0) expect(idx[i]).toBe((idx[i - 1]! + 1) % 100);
  });
});
