/**
 * The factor report against ../shared/oracles/factor_report_sp500.json (alphalens definitions,
 * momentum_20 and reversal_5, 5 quantiles, periods 1/5/10, the last 252 sessions of the S&P 500
 * file): every summary value and every per-date series at 1e-9 absolute; labels, counts and the
 * kept dates exactly.
 */
import { beforeAll, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { barMatrix, type BarMatrix } from '../../src/panel/bar-matrix.js';
import { BUILTIN_FACTORS } from '../../src/factor/factors.js';
import { quantileOf } from '../../src/factor/quantiles.js';
import { factorReport, type FactorReport } from '../../src/factor/report.js';
import { factorMatrix } from '../../src/factor/matrix.js';
import { describeShared, shared } from '../helpers.js';
import { oracle } from '../oracles.js';

const O = oracle('factor_report_sp500.json');
const TOL = O.tolerance.floats_abs as number;

/** Every number in `want` equals the one at the same place in `got` within TOL (null = null). */
function near(got: unknown, want: unknown, path: string): void {
  if (want === null) return expect(got, path).toBeNull();
  if (typeof want === 'number') {
    expect(typeof got, path).toBe('number');
    if (Math.abs((got as number) - want) > TOL) expect.fail(`${path}: ${String(got)} vs oracle ${want}`);
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got) && got.length, path).toBe(want.length);
    want.forEach((w, i) => near((got as unknown[])[i], w, `${path}[${i}]`));
    return;
  }
  if (typeof want === 'object') {
    for (const [k, w] of Object.entries(want as object)) near((got as Record<string, unknown>)[k], w, `${path}.${k}`);
    return;
  }
  expect(got, path).toEqual(want);
}

describeShared('factor report vs the alphalens-convention oracle (S&P 500 daily)', () => {
  let close: BarMatrix;
  const reports: Record<string, FactorReport> = {};
  beforeAll(async () => {
    const { table } = await loadData([shared('sp500_daily_2013_2018.csv')], { cache: false });
    close = barMatrix(table, 'close');
    expect(close.rows).toBe(1259);
    for (const [name, spec] of Object.entries(O.factors) as [string, { spec: { lookback_sessions: number; quantiles: number; periods_sessions: number[] } }][]) {
      const mod = BUILTIN_FACTORS[name.split('_')[0]!]!;
      const params = { lookback: spec.spec.lookback_sessions };
      const rows = { firstRow: O.inputs.factor_dates_requested.calendar_index_first, lastRow: O.inputs.factor_dates_requested.calendar_index_last };
      reports[name] = factorReport(
        close,
        { label: mod.label(params), name: mod.name, params, values: factorMatrix(close, mod, params, rows.firstRow, rows.lastRow, mod.name) },
        {
          quantiles: spec.spec.quantiles,
          periods: spec.spec.periods_sessions,
          firstRow: O.inputs.factor_dates_requested.calendar_index_first,
          lastRow: O.inputs.factor_dates_requested.calendar_index_last,
        },
      );
    }
  });

  for (const name of ['momentum_20', 'reversal_5']) {
    it(`${name}: summary (IC, quantile returns, long-short, autocorrelation, turnover)`, () => {
      const r = reports[name]!;
      const want = O.factors[name].summary;
      expect(r.factor).toBe(name);
      expect(r.summary.n_dates).toBe(want.n_dates);
      expect(r.summary.n_pairs).toBe(want.n_pairs);
      expect(r.summary.first_date).toBe(want.first_date);
      expect(r.summary.last_date).toBe(want.last_date);
      near(r.summary.information_coefficient, want.information_coefficient, 'ic');
      near(r.summary.mean_return_by_quantile, want.mean_return_by_quantile, 'mrq');
      near(r.summary.factor_weighted_long_short_return_mean, want.factor_weighted_long_short_return_mean, 'fwls');
      near(r.summary.mean_factor_rank_autocorrelation, want.mean_factor_rank_autocorrelation, 'autocorr');
      near(r.summary.mean_quantile_turnover, want.mean_quantile_turnover, 'turnover');
    });
    it(`${name}: per-date series, labels and counts`, () => {
      const r = reports[name]!;
      const b = O.factors[name].by_date;
      expect(r.by_date.dates).toEqual(b.dates);
      expect(r.by_date.n_assets).toEqual(b.n_assets);
      expect(r.by_date.quantile_counts).toEqual(b.quantile_counts);
      expect(r.by_date.duplicate_edge_dates).toEqual([]);
      near(r.by_date.quantile_edges, b.quantile_edges, 'edges');
      near(r.by_date.information_coefficient, b.information_coefficient, 'ic');
      near(r.by_date.mean_return_by_quantile_raw, b.mean_return_by_quantile_raw, 'mrq');
      near(r.by_date.mean_return_all_kept_assets, b.mean_return_all_kept_assets, 'all');
      near(r.by_date.factor_weighted_long_short_return, b.factor_weighted_long_short_return, 'fwls');
      // the oracle lists the lag-1 series per date (lags 5 and 10 are in the summary)
      near(r.by_date.factor_rank_autocorrelation.lag_1, b.factor_rank_autocorrelation_lag_1, 'autocorr_1');
      near(r.by_date.quantile_turnover.lag_1, b.quantile_turnover_lag_1, 'turnover_1');
    });
  }

  it('the detail dates: every kept symbol, its factor, label and forward returns', () => {
    for (const name of ['momentum_20', 'reversal_5']) {
      const r = reports[name]!;
      const mod = BUILTIN_FACTORS[name.split('_')[0]!]!;
      for (const d of O.factors[name].detail_dates) {
        const di = r.by_date.dates.indexOf(d.date);
        expect(di, d.date).toBeGreaterThanOrEqual(0);
        expect(r.by_date.n_assets[di]).toBe(d.n_assets);
        const t = Array.from(close.calendar).findIndex((c) => new Date(c / 1000).toISOString().replace('.000Z', 'Z') === d.date);
        const f = new Float64Array(close.cols);
        mod.compute(close, t, r.params, f);
        const edges = r.by_date.quantile_edges[di]!;
        for (const [sym, fv, q, f1] of d.rows as [string, number, number, number][]) {
          const s = close.symbols.indexOf(sym);
          expect(Math.abs(f[s]! - fv), `${name} ${d.date} ${sym}`).toBeLessThanOrEqual(TOL);
          expect(quantileOf(f[s]!, edges, r.quantiles), `${name} ${d.date} ${sym}`).toBe(q);
          const fwd1 = close.values[(t + 1) * close.cols + s]! / close.values[t * close.cols + s]! - 1;
          expect(Math.abs(fwd1 - f1)).toBeLessThanOrEqual(TOL);
        }
      }
    }
  });
});
