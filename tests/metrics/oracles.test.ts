import { describe, expect, it } from 'vitest';
import { binomialTestGreater, wilsonInterval } from '../../src/stats/binomial.js';
import { normalCdf, normalQuantile } from '../../src/stats/normal.js';
import { downsideDeviation, kurtosisNonExcess, maxDrawdown, mean, sharpeAnnualized, sharpePerPeriod, skewness, sortinoPerPeriod, stdev } from '../../src/metrics/returns.js';
import { deannualizeSharpe, deannualizeVariance, deflatedSharpe, expectedMaxZ, minBacktestLength, minTrackRecordLength, probabilisticSharpe } from '../../src/metrics/sharpe-inference.js';
import { hitRate } from '../../src/metrics/hit-rate.js';
import { closeRel, euCloses, oracle } from '../oracles.js';

describe('metrics against tests/fixtures/oracles/eustockmarkets_reference.json (DAX log returns)', () => {
  const ref = () => oracle('eustockmarkets_reference.json');
  const daxReturns = async (): Promise<number[]> => {
    const dax = (await euCloses()).DAX!;
    return dax.slice(1).map((p, i) => Math.log(p / dax[i]!));
  };

  it('mean, stdev, Sharpe, Sortino, moments to 1e-9 relative', async () => {
    const r = await daxReturns();
    const v = ref().performance_dax_log_returns.values;
    const rel = ref().performance_dax_log_returns.tolerance.rel as number;
    expect(r.length).toBe(v.n);
    expect(closeRel(mean(r), v.mean, rel)).toBe(true);
    expect(closeRel(stdev(r, 1), v.stdev_sample_ddof1, rel)).toBe(true);
    expect(closeRel(stdev(r, 0), v.stdev_population_ddof0, rel)).toBe(true);
    expect(closeRel(sharpePerPeriod(r), v.sharpe_per_period_ddof1, rel)).toBe(true);
    expect(closeRel(sharpeAnnualized(r, 252), v.sharpe_annualized_sqrt252_ddof1, rel)).toBe(true);
    expect(closeRel(downsideDeviation(r), v.sortino.downside_dev_full, rel)).toBe(true);
    expect(closeRel(sortinoPerPeriod(r), v.sortino.sortino_per_period_full, rel)).toBe(true);
    expect(closeRel(sortinoPerPeriod(r) * Math.sqrt(252), v.sortino.sortino_annualized_full, rel)).toBe(true);
    expect(closeRel(skewness(r), v.moments.skew_g1_biased, rel)).toBe(true);
    expect(closeRel(kurtosisNonExcess(r), v.moments.kurt_pearson_b2_biased_nonexcess, rel)).toBe(true);
  });

  it('max drawdown of compounded equity, with peak and trough', async () => {
    const r = await daxReturns();
    const v = ref().performance_dax_log_returns.values.max_drawdown;
    let e = 1;
    const equity = r.map((x) => (e *= Math.exp(x)));
    const dd = maxDrawdown(equity, 1);
    expect(closeRel(dd.maxDrawdownFraction, v.value_fraction, 1e-9)).toBe(true);
    // equity[k] is E_{k+1}
    expect(dd.peakIndex + 1).toBe(v.peak_equity_index);
    expect(dd.troughIndex + 1).toBe(v.trough_equity_index);
  });

  it('hit rate of daily returns: exact binomial p-value, zeros excluded', async () => {
    const r = await daxReturns();
    const h = ref().hit_rate_dax_log_returns;
    const hr = hitRate(r);
    expect([hr.wins, hr.losses, hr.breakEven]).toEqual([h.wins_r_gt_0, h.losses_r_lt_0, h.zeros]);
    expect(closeRel(hr.rate, h.convention_A_exclude_zeros.hit_rate, 1e-12)).toBe(true);
    expect(closeRel(hr.pValue, h.convention_A_exclude_zeros.p_greater, 1e-9)).toBe(true);
    expect(closeRel(binomialTestGreater(968, 1859), h.convention_B_zeros_count_as_non_wins.p_greater, 1e-9)).toBe(true);
  });

  it('PSR and MinTRL of DAX', async () => {
    const p = ref().psr_dax_log_returns;
    expect(closeRel(probabilisticSharpe(p.sr_per_period, 0, p.T, p.skew_g1, p.kurt_b2_nonexcess), p.psr_sr_star_0, 1e-9)).toBe(true);
    expect(closeRel(probabilisticSharpe(p.sr_per_period, p['psr_sr_star_annual_0.5'].sr_star_per_period, p.T, p.skew_g1, p.kurt_b2_nonexcess), p['psr_sr_star_annual_0.5'].psr, 1e-9)).toBe(true);
    expect(closeRel(minTrackRecordLength(p.sr_per_period, 0, p.skew_g1, p.kurt_b2_nonexcess, 0.95), p.min_trl_obs_sr_star_0_prob95, 1e-9)).toBe(true);
  });
});

describe('metrics against tests/fixtures/oracles/published_examples.json', () => {
  const ex = () => oracle('published_examples.json').examples as { name: string; [k: string]: unknown }[];
  const find = (prefix: string) => ex().find((e) => e.name.startsWith(prefix)) as never as Record<string, any>; // eslint-disable-line

  it('DSR paper example: SR0 0.1132, DSR 0.9004', () => {
    const e = find('DSR paper numerical example');
    const i = e.inputs;
    const sr = deannualizeSharpe(i.sr_annualized, i.periods_per_year);
    const v = deannualizeVariance(i.var_trial_sr_annualized, i.periods_per_year);
    const d = deflatedSharpe(sr, i.T, i.skew, i.kurt_nonexcess, i.N_trials, v);
    expect(closeRel(d.expectedMaxZ, e.computed.expected_max_z, 1e-9)).toBe(true);
    expect(closeRel(d.sr0, e.computed.sr0_per_period, 1e-9)).toBe(true);
    expect(closeRel(d.dsr, e.computed.dsr, 1e-9)).toBe(true);
    expect(Math.abs(d.dsr - 0.9004)).toBeLessThan(1e-4);
    for (const c of find('DSR paper follow-up').cases) {
      expect(closeRel(deflatedSharpe(sr, i.T, c.skew, c.kurt, c.N_trials, v).dsr, c.dsr, 1e-9)).toBe(true);
    }
  });
  it('PSR example (Sharpe Ratio Efficient Frontier)', () => {
    const e = find('PSR example');
    const i = e.inputs;
    expect(closeRel(probabilisticSharpe(i.sr_per_period, i.sr_star, i.T, i.skew, i.kurt_nonexcess), e.computed.psr, 1e-9)).toBe(true);
  });
  it('MinTRL examples', () => {
    const a = find('MinTRL, Sharpe Ratio Efficient Frontier appendix');
    expect(closeRel(minTrackRecordLength(a.inputs.sr_per_period_monthly, a.inputs.sr_star_per_period, a.inputs.skew, a.inputs.kurt, a.inputs.prob), a.computed.min_trl_months, 1e-9)).toBe(true);
    for (const c of find('MinTRL examples').cases) {
      const obs = minTrackRecordLength(deannualizeSharpe(c.sr_ann, c.freq), deannualizeSharpe(c.sr_star_ann, c.freq), c.skew, c.kurt, c.prob);
      expect(closeRel(obs / c.freq, c.years, 1e-9)).toBe(true);
    }
    for (const c of find('MinTRL, Sharpe Ratio Efficient Frontier Figures').cases) {
      const obs = minTrackRecordLength(deannualizeSharpe(2, c.periods_per_year), deannualizeSharpe(1, c.periods_per_year), 0, 3, 0.95);
      expect(closeRel(obs / c.periods_per_year, c.years, 1e-9)).toBe(true);
    }
  });
  it('MinBTL and E[max] of N normals', () => {
    const m = find('MinBTL example');
    expect(closeRel(minBacktestLength(m.inputs.N, m.inputs.target_max_sr_annualized), m.computed.min_btl_years, 1e-9)).toBe(true);
    for (const c of find('Expected maximum').cases) expect(closeRel(expectedMaxZ(c.N), c.expected_max_z, 1e-9)).toBe(true);
  });
  it('mlfinlab self-test values', () => {
    const cases = find('mlfinlab').cases;
    const psr = cases.find((c: { fn: string }) => c.fn === 'PSR');
    expect(closeRel(probabilisticSharpe(psr.sr, psr.sr_star, psr.T, psr.skew, psr.kurt), psr.computed, 1e-9)).toBe(true);
    const trl = cases.find((c: { fn: string }) => c.fn === 'MinTRL');
    expect(closeRel(minTrackRecordLength(trl.sr, trl.sr_star, trl.skew, trl.kurt, 1 - trl.alpha), trl.computed, 1e-9)).toBe(true);
    const dsr = cases.find((c: { fn: string }) => c.fn === 'DSR');
    const srs: number[] = dsr.trial_srs;
    const m = srs.reduce((a, b) => a + b) / srs.length;
    const v0 = srs.reduce((a, b) => a + (b - m) ** 2, 0) / srs.length; // mlfinlab: ddof 0
    expect(closeRel(deflatedSharpe(dsr.sr, dsr.T, dsr.skew, dsr.kurt, srs.length, v0).dsr, dsr.computed, 1e-9)).toBe(true);
  });
  it('exact binomial: 540 wins of 1000 → p = 0.0062220731385859', () => {
    const b = oracle('published_examples.json').binomial[0];
    expect(closeRel(binomialTestGreater(b.k_wins, b.n), b.p_greater, 1e-12)).toBe(true);
    expect(Math.abs(binomialTestGreater(540, 1000) - 0.0062220731385859)).toBeLessThan(1e-15);
  });
});

describe('normal distribution and intervals', () => {
  it('Φ and Φ⁻¹ to ~1e-15 (scipy values)', () => {
    const ref: [number, number][] = [
      [1, 0.8413447460685429],
      [-3, 0.0013498980316300933],
      [-8, 6.220960574271785e-16],
      [0.3, 0.6179114221889527],
      [-6, 9.865876450376981e-10],
    ];
    for (const [z, p] of ref) expect(closeRel(normalCdf(z), p, 1e-13)).toBe(true);
    expect(Math.abs(normalQuantile(0.975) - 1.959963984540054)).toBeLessThan(1e-14);
    expect(Math.abs(normalQuantile(1e-10) - -6.361340902404056)).toBeLessThan(1e-12);
    expect(normalQuantile(1.5)).toBeNaN();
  });
  it('Wilson 95% interval (scipy binomtest(540, 1000).proportion_ci(method="wilson"))', () => {
    const w = wilsonInterval(540, 1000);
    expect(w.low).toBeCloseTo(0.5090152862022621, 12);
    expect(w.high).toBeCloseTo(0.5706785731188935, 12);
    expect(wilsonInterval(0, 0).low).toBeNaN();
  });
  it('degenerate inputs give NaN, never Infinity', () => {
    expect(sharpePerPeriod([0.01, 0.01, 0.01])).toBeNaN();
    expect(sortinoPerPeriod([0.01, 0.02])).toBeNaN();
    expect(sharpePerPeriod([0.01])).toBeNaN();
    expect(skewness([1, 1, 1])).toBeNaN();
    expect(probabilisticSharpe(0.5, 0, 10, 5, 3)).toBeNaN(); // negative under the root
    expect(maxDrawdown([], 1).maxDrawdownFraction).toBe(0);
  });
});
