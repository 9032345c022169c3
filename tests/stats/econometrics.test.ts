import { describe, expect, it } from 'vitest';
import { adf, engleGranger, halfLife } from '../../src/stats/adf.js';
import { mackinnonCrit, mackinnonP } from '../../src/stats/mackinnon.js';
import { ols, RollingOls } from '../../src/stats/ols.js';
import { closeRel, euCloses, oracle } from '../oracles.js';

describe('econometrics against tests/fixtures/oracles/eustockmarkets_reference.json', () => {
  const ref = () => oracle('eustockmarkets_reference.json');
  const logs = async (): Promise<{ dax: number[]; cac: number[] }> => {
    const c = await euCloses();
    return { dax: c.DAX!.map(Math.log), cac: c.CAC!.map(Math.log) };
  };

  it('OLS of ln DAX on ln CAC: coefficients, standard errors, t, R², σ to 1e-9', async () => {
    const { dax, cac } = await logs();
    const o = ref().ols_log_dax_on_log_cac;
    const c = o.case;
    const fit = ols(dax, [cac]);
    const rel = o.tolerance.rel as number;
    expect(fit.n).toBe(c.n);
    for (const [got, want] of [
      [fit.coef[0]!, c.intercept],
      [fit.coef[1]!, c.slope],
      [fit.se[0]!, c.se_intercept],
      [fit.se[1]!, c.se_slope],
      [fit.t[0]!, c.t_intercept],
      [fit.t[1]!, c.t_slope],
      [fit.r2, c.r_squared],
      [fit.adjR2, c.adj_r_squared],
      [fit.sigma, c.sigma_residual],
    ] as [number, number][]) {
      expect(closeRel(got, want, rel), `${got} vs ${want}`).toBe(true);
    }
    // the direction matters: x on y is another slope
    expect(closeRel(ols(cac, [dax]).coef[1]!, c.reverse_regression_slope_x_on_y, rel)).toBe(true);
  });

  it('rolling 60-row slopes (window ends at the index, inclusive) in O(1) updates, to 1e-8', async () => {
    const { dax, cac } = await logs();
    const c = ref().ols_log_dax_on_log_cac.case;
    const roll = new RollingOls(c.rolling_window);
    const byEnd = new Map<number, { slope: number; intercept: number; r_squared: number; se_slope: number }>(c.rolling.map((r: { end_index: number }) => [r.end_index, r]));
    let checked = 0;
    for (let i = 0; i < dax.length; i++) {
      roll.push(cac[i]!, dax[i]!);
      const want = byEnd.get(i);
      if (want) {
        expect(roll.full).toBe(i >= c.rolling_first_valid_index);
        for (const [got, w] of [
          [roll.slope, want.slope],
          [roll.intercept, want.intercept],
          [roll.r2, want.r_squared],
          [roll.seSlope, want.se_slope],
        ] as [number, number][]) {
          expect(closeRel(got, w, 1e-8), `index ${i}: ${got} vs ${w}`).toBe(true);
        }
        checked++;
      }
    }
    expect(checked).toBe(c.rolling.length);
  });

  it("fitInto writes exactly the getters' intercept, slope and residual sigma (the allocation-free read strategies use per tick)", async () => {
    const { dax, cac } = await logs();
    const roll = new RollingOls(60);
    const out = new Float64Array(3);
    for (let i = 0; i < dax.length; i++) {
      roll.push(cac[i]!, dax[i]!);
      roll.fitInto(out);
      expect([...out]).toEqual([roll.intercept, roll.slope, roll.residSigma]);
    }
  });

  it('ADF of ln DAX, lag 1, deterministic none / constant / constant+trend', async () => {
    const { dax } = await logs();
    const a = ref().adf_log_dax;
    for (const reg of ['n', 'c', 'ct'] as const) {
      const want = a.case.fixed_lag[reg];
      const got = adf(dax, { regression: reg, maxLag: 1, autolag: 'none' });
      expect(closeRel(got.stat, want.adf_stat, a.tolerance.adf_stat_rel), `${reg} stat ${got.stat}`).toBe(true);
      expect(Math.abs(got.pValue - want.p_value_mackinnon1994), `${reg} p`).toBeLessThan(a.tolerance.p_value_abs);
      expect(got.usedLag).toBe(want.usedlag);
      expect(got.nobs).toBe(want.nobs);
      for (const k of ['1%', '5%', '10%'] as const) expect(closeRel(got.crit[k], want.crit_values_mackinnon2010[k], 1e-9)).toBe(true);
    }
    // R urca agrees on gamma
    const urdf = a.case.r.urca_urdf_drift_lags1;
    expect(closeRel(adf(dax, { regression: 'c', maxLag: 1, autolag: 'none' }).gamma, urdf.tau_coef_gamma, 1e-8)).toBe(true);
  });

  it('ADF with the lag chosen by AIC', async () => {
    const { dax } = await logs();
    const want = ref().adf_log_dax.case.autolag_aic;
    const got = adf(dax, { regression: 'c' });
    expect(got.usedLag).toBe(want.usedlag);
    expect(got.nobs).toBe(want.nobs);
    expect(closeRel(got.stat, want.adf_stat, 1e-8)).toBe(true);
    expect(Math.abs(got.pValue - want.p_value_mackinnon1994)).toBeLessThan(1e-6);
    expect(closeRel(got.icBest!, want.icbest, 1e-9)).toBe(true);
  });

  it('Engle-Granger of ln DAX on ln CAC: MacKinnon N=2 p-values, critical values with n−1', async () => {
    const { dax, cac } = await logs();
    const e = ref().engle_granger_log_dax_on_log_cac;
    const cases: [number | undefined, 'aic' | 'none', { stat: number; p_value_mackinnon1994_N2: number; crit_values_1_5_10pct: number[] }][] = [
      [0, 'none', e.case.statsmodels_coint_maxlag0_autolagNone],
      [1, 'none', e.case.statsmodels_coint_maxlag1_autolagNone],
      [undefined, 'aic', e.case.statsmodels_coint_default_autolag_aic],
    ];
    for (const [maxLag, autolag, want] of cases) {
      const got = engleGranger(dax, cac, { autolag, ...(maxLag !== undefined ? { maxLag } : {}) });
      expect(closeRel(got.stat, want.stat, e.tolerance.stat_rel), `${maxLag} ${autolag}: ${got.stat} vs ${want.stat}`).toBe(true);
      expect(Math.abs(got.pValue - want.p_value_mackinnon1994_N2)).toBeLessThan(e.tolerance.p_value_abs);
      expect(closeRel(got.crit['1%'], want.crit_values_1_5_10pct[0]!, 1e-9)).toBe(true);
      expect(closeRel(got.crit['10%'], want.crit_values_1_5_10pct[2]!, 1e-9)).toBe(true);
    }
    expect(closeRel(engleGranger(dax, cac, { maxLag: 0, autolag: 'none' }).hedgeRatio, ref().ols_log_dax_on_log_cac.case.slope, 1e-9)).toBe(true);
  });
});

describe('econometrics on known processes', () => {
  it('half-life of an AR(1) spread with φ = 0.9 is −ln 2 / ln 0.9 ≈ 6.58', () => {
    // deterministic decay from 1: s_t = 0.9^t exactly fits Δs = −0.1 s
    const s = Array.from({ length: 50 }, (_, t) => 0.9 ** t);
    expect(halfLife(s)).toBeCloseTo(-Math.LN2 / Math.log(0.9), 9);
    expect(halfLife([1, 2, 3, 4, 5, 6])).toBeNaN(); // explodes: no half-life
  });
  it('MacKinnon p-values are monotone and bounded', () => {
    let prev = 0;
    for (let t = -6; t <= 2; t += 0.25) {
      const p = mackinnonP(t, 'c', 1);
      expect(p).toBeGreaterThanOrEqual(prev - 1e-12);
      expect(p).toBeLessThanOrEqual(1);
      prev = p;
    }
    expect(mackinnonP(-30, 'c', 2)).toBe(0);
    expect(mackinnonCrit('c', 1, Infinity)['5%']).toBeCloseTo(-2.86154, 5);
  });
  it('OLS refuses collinear regressors with a clear error', () => {
    const x = [1, 2, 3, 4, 5];
    expect(() => ols([1, 2, 3, 4, 6], [x, x.map((v) => 2 * v)])).toThrow(/combination/);
  });
});
