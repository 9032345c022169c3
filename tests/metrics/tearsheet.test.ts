import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { parseIso } from '../../src/data/time.js';
import { drawdownEpisodes, tearsheet } from '../../src/metrics/tearsheet.js';
import { closeRel, oracle } from '../oracles.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

describe('tearsheet against tests/fixtures/oracles/tearsheet_dax.json (DAX closes as equity, CAC as benchmark)', () => {
  const load = async (): Promise<{ dax: number[]; cac: number[]; ts: number[] }> => {
    const { table } = await loadData([resolve(import.meta.dirname, '../../data/eustockmarkets_daily_1991_1998.csv')], { cache: false });
    const dax: number[] = [];
    const cac: number[] = [];
    const ts: number[] = [];
    for (let i = 0; i < table.length; i++) {
      const s = table.symbols[table.sym[i]!];
      // the file's own date labels: the bars' start
      if (s === 'DAX') {
        dax.push(table.f3[i]!);
        ts.push(table.barStart[i]!);
      } else if (s === 'CAC') cac.push(table.f3[i]!);
    }
    return { dax, cac, ts };
  };

  it('every figure to 1e-12 relative; indices, counts and the episode table exactly', async () => {
    const o = oracle('tearsheet_dax.json');
    const v = o.values;
    const rel = o.tolerance.rel as number;
    const near = (got: number, want: number, what: string): void => expect(closeRel(got, want, rel), `${what}: ${got} vs ${want}`).toBe(true);
    const { dax, cac, ts } = await load();
    expect(dax.length).toBe(v.n_equity_points);
    expect(ts[0]).toBe(parseIso(v.first_ts));
    const t = tearsheet(dax, ts, o.inputs.periods_per_year, { benchmark: cac, tradeReturns: o.inputs.trade_returns });
    expect(t.returns).toBe(v.n_returns);
    near(t.totalReturn, v.total_return, 'total return');
    near(t.calendarYears, v.calendar_span_years_365_25, 'years');
    near(t.cagrCalendar, v.cagr_calendar_365_25, 'CAGR (calendar)');
    near(t.cagrPeriods, v.cagr_periods_252, 'CAGR (periods)');
    near(t.annualReturnArithmetic, v.annualized_arithmetic_mean_x252, 'annual mean');
    near(t.annualVolatility, v.annualized_volatility_ddof1_sqrt252, 'volatility');
    near(t.maxDrawdown, v.max_drawdown, 'MDD');
    near(t.calmarCalendar, v.calmar_cagr_calendar_over_mdd, 'Calmar (calendar)');
    near(t.calmarPeriods, v.calmar_cagr_periods_over_mdd, 'Calmar (periods)');
    for (const m of ['linear', 'lower'] as const) {
      const w = v.var_cvar_95_historical[m];
      near(t.tail[m].q05, w.q05_return, `q05 ${m}`);
      near(t.tail[m].var95, w.var95_loss, `VaR ${m}`);
      near(t.tail[m].cvar95, w.cvar95_mean_of_r_le_q05, `CVaR ${m}`);
      near(t.tail[m].q95, w.q95_return, `q95 ${m}`);
      near(t.tail[m].tailRatio, w.tail_ratio_abs_q95_over_abs_q05, `tail ratio ${m}`);
    }
    near(t.var95Parametric, v.var95_parametric_normal_q05, 'parametric VaR');
    near(t.bestPeriod.ret, v.best_day_return, 'best day');
    near(t.worstPeriod.ret, v.worst_day_return, 'worst day');
    expect(t.bestPeriod.ts).toBe(parseIso(v.best_day_ts));
    expect(t.worstPeriod.ts).toBe(parseIso(v.worst_day_ts));
    near(t.omega, v.omega_ratio_threshold_0, 'omega');
    // drawdown episodes
    const de = v.drawdown_episodes;
    expect(t.drawdowns.count).toBe(de.count);
    near(t.drawdowns.avgDepth, de.avg_depth, 'avg depth');
    near(t.drawdowns.avgLengthBars, de.avg_length_bars, 'avg length');
    near(t.drawdowns.avgLengthDays, de.avg_length_calendar_days, 'avg length (days)');
    expect(t.drawdowns.maxLengthBars).toBe(de.max_length_bars);
    de.top5_by_depth.forEach((w: Record<string, unknown>, k: number) => {
      const g = t.drawdowns.top5[k]!;
      expect([g.peakIndex, g.troughIndex, g.recoveryIndex, g.lengthBars, g.lengthDays, g.recovered], `episode ${k + 1}`).toEqual([w.peak_index, w.trough_index, w.recovery_index, w.length_bars, w.length_calendar_days, w.recovered]);
      expect(g.peakTs).toBe(parseIso(w.peak_ts as string));
      near(g.depth, w.depth as number, `episode ${k + 1} depth`);
    });
    expect(drawdownEpisodes(dax, ts).filter((e) => e.recovered).length).toBe(de.count_recovered);
    // monthly and yearly returns
    let months = 0;
    for (const [year, row] of Object.entries(v.monthly_returns as Record<string, Record<string, number | null>>)) {
      MONTHS.forEach((name, i) => {
        const want = row[name];
        const got = t.monthly[year]?.[String(i + 1)];
        if (want === null) expect(got, `${year} ${name}`).toBeUndefined();
        else {
          months++;
          near(got!, want!, `${year} ${name}`);
        }
      });
      near(t.monthly[year]!.year!, row.year!, `${year}`);
    }
    expect(months).toBe(v.monthly_returns_n_months);
    // against the benchmark
    const b = v.benchmark;
    const g = t.benchmark!;
    near(g.beta, b.beta_ols, 'beta');
    near(g.alpha, b.alpha_per_period_ols_intercept, 'alpha');
    near(g.alphaAnnual, b.alpha_annualized_x252, 'alpha annual');
    near(g.alphaAnnualCompounded, b.alpha_annualized_compounded, 'alpha compounded');
    near(g.r2, b.r_squared, 'R²');
    near(g.trackingErrorAnnual, b.tracking_error_ann_ddof1, 'tracking error');
    near(g.informationRatio, b.information_ratio_per_period, 'IR');
    near(g.informationRatioAnnual, b.information_ratio_annualized_sqrt252, 'IR annual');
    near(g.totalReturn, b.benchmark_total_return, 'benchmark return');
    near(g.cagrPeriods, b.benchmark_cagr_periods_252, 'benchmark CAGR');
    // trades
    const w = v.trades;
    const tr = t.trades!;
    expect(tr.n).toBe(w.n_trades);
    near(tr.winRate, w.win_rate_W, 'W');
    near(tr.avgWin, w.avg_win, 'avg win');
    near(tr.avgLoss, w.avg_loss, 'avg loss');
    near(tr.payoff, w.payoff_ratio_avgwin_over_abs_avgloss, 'payoff');
    near(tr.sqn, w.sqn, 'SQN');
    near(tr.kelly, w.kelly, 'Kelly');
    near(tr.profitFactor, w.profit_factor, 'profit factor');
    near(tr.expectancy, w.expectancy, 'expectancy');
    expect(tr.best).toBe(w.best_trade);
    expect(tr.worst).toBe(w.worst_trade);
  });
});

describe('tearsheet on small cases worked by hand', () => {
  it('a curve that never falls has no drawdown, an unrecovered fall ends the last episode at the end', () => {
    const ts = [0, 1, 2, 3, 4].map((d) => d * 86_400e6);
    expect(drawdownEpisodes([1, 2, 3, 4, 5], ts)).toEqual([]);
    const e = drawdownEpisodes([100, 110, 99, 110, 120, 108], ts.concat([5 * 86_400e6]));
    expect(e.map((x) => [x.peakIndex, x.troughIndex, x.recoveryIndex, x.lengthBars])).toEqual([
      [1, 2, 3, 2],
      [4, 5, null, 1],
    ]);
    expect(e[0]!.depth).toBeCloseTo(0.1, 12);
  });
});
