/**
 * The tearsheet: the figures researchers know from quantstats, backtesting.py and pyfolio, with
 * the definitions of STATS.md ("Tearsheet statistics"), checked against
 * `../shared/oracles/tearsheet_dax.json`. Pure: an equity curve E_0..E_n with a time label per
 * point (E_0 the starting equity), the periods a year P, and optionally a benchmark curve on
 * the same labels and the per-trade returns.
 *
 * Where the popular tools disagree the field names say which definition: CAGR over the calendar
 * span (backtesting.py) and over the periods (quantstats), VaR/CVaR historical with the linear and
 * the lower quantile (quantstats' `value_at_risk` is parametric; given too).
 */
import { CollinearError, ols } from '../stats/ols.js';
import { formatIso } from '../data/time.js';
import { mean, stdev } from './returns.js';
import { normalQuantile } from '../stats/normal.js';
import { percentileLinear } from '../stats/percentile.js';
import { maxOf, minOf } from '../arrays.js';

/** One drawdown: peak, trough and recovery (points and times), depth and length. */
export interface DrawdownEpisode {
  readonly peakIndex: number;
  readonly troughIndex: number;
  /** Null when the curve never regains the peak. */
  readonly recoveryIndex: number | null;
  readonly peakTs: number;
  readonly troughTs: number;
  readonly recoveryTs: number | null;
  readonly depth: number;
  /** Recovery − peak in points (last index − peak when unrecovered). */
  readonly lengthBars: number;
  readonly lengthDays: number;
  readonly recovered: boolean;
}

/** Historical 5%/95% quantiles of the returns, VaR and CVaR at 95% and the tail ratio. */
export interface TailFigures {
  readonly q05: number;
  /** −q05, a loss. */
  readonly var95: number;
  /** Mean of the returns at or below q05. */
  readonly cvar95: number;
  readonly q95: number;
  /** |q95| / |q05|. */
  readonly tailRatio: number;
}

/** The tearsheet figures of an equity curve (see the module comment and STATS.md). */
export interface Tearsheet {
  readonly points: number;
  readonly returns: number;
  readonly totalReturn: number;
  readonly calendarYears: number;
  readonly cagrCalendar: number;
  readonly cagrPeriods: number;
  readonly annualReturnArithmetic: number;
  readonly annualVolatility: number;
  readonly maxDrawdown: number;
  readonly calmarCalendar: number;
  readonly calmarPeriods: number;
  readonly tail: { readonly linear: TailFigures; readonly lower: TailFigures };
  /** quantstats' value_at_risk: the normal 5% quantile with the returns' mean and sd. */
  readonly var95Parametric: number;
  readonly bestPeriod: { readonly ret: number; readonly ts: number };
  readonly worstPeriod: { readonly ret: number; readonly ts: number };
  readonly omega: number;
  readonly drawdowns: {
    readonly count: number;
    readonly avgDepth: number;
    readonly avgLengthBars: number;
    readonly avgLengthDays: number;
    readonly maxLengthBars: number;
    readonly top5: readonly DrawdownEpisode[];
  };
  /** year → month (1..12, or 'year') → return; months without data absent. */
  readonly monthly: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly benchmark?: {
    readonly totalReturn: number;
    readonly cagrPeriods: number;
    readonly beta: number;
    /** Per period (the OLS intercept), and annualised as alpha·P and (1 + alpha)^P − 1. */
    readonly alpha: number;
    readonly alphaAnnual: number;
    readonly alphaAnnualCompounded: number;
    readonly r2: number;
    readonly trackingErrorAnnual: number;
    readonly informationRatio: number;
    readonly informationRatioAnnual: number;
  };
  readonly trades?: {
    readonly n: number;
    readonly winRate: number;
    readonly avgWin: number;
    readonly avgLoss: number;
    readonly payoff: number;
    readonly sqn: number;
    readonly kelly: number;
    readonly profitFactor: number;
    readonly expectancy: number;
    readonly best: number;
    readonly worst: number;
  };
}

const DAY_US = 86_400e6;

/** Simple returns E_t/E_{t−1} − 1, t = 1..n. */
function simpleReturns(e: ArrayLike<number>): Float64Array {
  const r = new Float64Array(Math.max(0, e.length - 1));
  for (let t = 1; t < e.length; t++) r[t - 1] = e[t]! / e[t - 1]! - 1;
  return r;
}

function tail(r: Float64Array, method: 'linear' | 'lower'): TailFigures {
  const s = Float64Array.from(r).sort();
  const n = s.length;
  // linear: the project's percentile (numpy's default); lower: sorted[floor((n − 1) p)]
  const q = (p: number): number => (n === 0 ? NaN : method === 'linear' ? percentileLinear(s, p) : s[Math.floor((n - 1) * p)]!);
  const q05 = q(0.05);
  const q95 = q(0.95);
  let sum = 0;
  let k = 0;
  for (const x of s) {
    if (!(x <= q05)) break;
    sum += x;
    k++;
  }
  // (0 − x, not −x: a VaR of no loss is 0, not −0)
  return { q05, var95: 0 - q05, cvar95: k > 0 ? sum / k : NaN, q95, tailRatio: Math.abs(q95) / Math.abs(q05) };
}

/** The drawdown episodes (STATS.md): maximal runs with dd > 0; peak the point before, trough the first at the run's deepest. */
export function drawdownEpisodes(e: ArrayLike<number>, ts: ArrayLike<number>): DrawdownEpisode[] {
  const out: DrawdownEpisode[] = [];
  let peak = -Infinity;
  let k = 0;
  const n = e.length;
  const days = (a: number, b: number): number => Math.round((ts[b]! - ts[a]!) / DAY_US);
  while (k < n) {
    if (e[k]! >= peak) {
      peak = e[k]!;
      k++;
      continue;
    }
    const start = k - 1; // the last point at the running peak
    let trough = k;
    let depth = 0;
    while (k < n && e[k]! < peak) {
      const dd = 1 - e[k]! / peak;
      if (dd > depth) {
        depth = dd;
        trough = k;
      }
      k++;
    }
    const recovered = k < n;
    const end = recovered ? k : n - 1;
    out.push({
      peakIndex: start,
      troughIndex: trough,
      recoveryIndex: recovered ? k : null,
      peakTs: ts[start]!,
      troughTs: ts[trough]!,
      recoveryTs: recovered ? ts[k]! : null,
      depth,
      lengthBars: end - start,
      lengthDays: days(start, end),
      recovered,
    });
  }
  return out;
}

/** Calendar year and month (1..12) of a µs time, in UTC. */
function yearMonth(us: number): [number, number] {
  const d = new Date(Math.floor(us / 1000));
  return [d.getUTCFullYear(), d.getUTCMonth() + 1];
}

/** Monthly and yearly returns: E(last point of the month) / E(last point of the previous month) − 1, the first from E_0. */
function monthlyReturns(e: ArrayLike<number>, ts: ArrayLike<number>): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const n = e.length;
  if (n < 2) return out;
  let prevMonthEnd = e[0]!;
  let prevYearEnd = e[0]!;
  for (let k = 1; k < n; k++) {
    const [y, m] = yearMonth(ts[k]!);
    const last = k === n - 1;
    const [ny, nm] = last ? [NaN, NaN] : yearMonth(ts[k + 1]!);
    if (last || ny !== y || nm !== m) {
      (out[String(y)] ??= {})[String(m)] = e[k]! / prevMonthEnd - 1;
      prevMonthEnd = e[k]!;
    }
    if (last || ny !== y) {
      out[String(y)]!.year = e[k]! / prevYearEnd - 1;
      prevYearEnd = e[k]!;
    }
  }
  return out;
}

function tradeFigures(r: ArrayLike<number>): NonNullable<Tearsheet['trades']> {
  const x = Array.from(r);
  const n = x.length;
  const wins = x.filter((v) => v > 0);
  const losses = x.filter((v) => v < 0);
  const decided = wins.length + losses.length;
  const W = decided > 0 ? wins.length / decided : NaN;
  const avgWin = wins.length > 0 ? mean(wins) : NaN;
  const avgLoss = losses.length > 0 ? mean(losses) : NaN;
  const payoff = avgWin / Math.abs(avgLoss);
  const sd = n > 1 ? stdev(x, 1) : NaN;
  const sumW = wins.reduce((a, v) => a + v, 0);
  const sumL = losses.reduce((a, v) => a + v, 0);
  return {
    n,
    winRate: W,
    avgWin,
    avgLoss,
    payoff,
    sqn: n > 1 && sd > 0 ? (Math.sqrt(n) * mean(x)) / sd : NaN,
    kelly: W - (1 - W) / payoff,
    profitFactor: sumL < 0 ? sumW / -sumL : NaN,
    expectancy: n > 0 ? mean(x) : NaN,
    best: n > 0 ? maxOf(x) : NaN,
    worst: n > 0 ? minOf(x) : NaN,
  };
}

/** The {@link Tearsheet} of an equity curve E_0..E_n with its time labels, `periodsPerYear` a year, optionally against a benchmark curve and with per-trade returns. */
export function tearsheet(equity: ArrayLike<number>, ts: ArrayLike<number>, periodsPerYear: number, o: { readonly benchmark?: ArrayLike<number>; readonly tradeReturns?: ArrayLike<number> } = {}): Tearsheet {
  const n = equity.length;
  if (ts.length !== n) throw new RangeError(`${n} equity points but ${ts.length} time labels`);
  const P = periodsPerYear;
  const r = simpleReturns(equity);
  const e0 = equity[0]!;
  const en = equity[n - 1]!;
  const growth = en / e0;
  const years = n > 1 ? (ts[n - 1]! - ts[0]!) / DAY_US / 365.25 : NaN;
  const cagrCalendar = growth ** (1 / years) - 1;
  const cagrPeriods = growth ** (P / r.length) - 1;
  const m = mean(r);
  const sd = r.length > 1 ? stdev(r, 1) : NaN;
  const eps = drawdownEpisodes(equity, ts);
  const mdd = eps.reduce((a, x) => Math.max(a, x.depth), 0);
  let bi = 0;
  let wi = 0;
  let up = 0;
  let down = 0;
  for (let k = 0; k < r.length; k++) {
    if (r[k]! > r[bi]!) bi = k;
    if (r[k]! < r[wi]!) wi = k;
    if (r[k]! > 0) up += r[k]!;
    else down -= r[k]!;
  }
  const top5 = [...eps].sort((a, b) => b.depth - a.depth || a.peakIndex - b.peakIndex).slice(0, 5);
  let benchmark: Tearsheet['benchmark'];
  if (o.benchmark) {
    if (o.benchmark.length !== n) throw new RangeError(`benchmark of ${o.benchmark.length} points, equity ${n}`);
    const b = simpleReturns(o.benchmark);
    // a regression needs more returns than its two coefficients, and a benchmark that moves
    let fit: { coef: Float64Array; r2: number } = { coef: Float64Array.of(NaN, NaN), r2: NaN };
    if (b.length > 2 && stdev(b, 1) > 0) {
      try {
        fit = ols(r, [b], true);
      } catch (e) {
        if (!(e instanceof CollinearError)) throw e;
      }
    }
    const a = r.map((x, k) => x - b[k]!);
    const te = a.length > 1 ? stdev(a, 1) : NaN;
    const ir = te > 0 ? mean(a) / te : NaN;
    benchmark = {
      totalReturn: o.benchmark[n - 1]! / o.benchmark[0]! - 1,
      cagrPeriods: (o.benchmark[n - 1]! / o.benchmark[0]!) ** (P / b.length) - 1,
      beta: fit.coef[1]!,
      alpha: fit.coef[0]!,
      alphaAnnual: fit.coef[0]! * P,
      alphaAnnualCompounded: (1 + fit.coef[0]!) ** P - 1,
      r2: fit.r2,
      trackingErrorAnnual: te * Math.sqrt(P),
      informationRatio: ir,
      informationRatioAnnual: ir * Math.sqrt(P),
    };
  }
  return {
    points: n,
    returns: r.length,
    totalReturn: growth - 1,
    calendarYears: years,
    cagrCalendar,
    cagrPeriods,
    annualReturnArithmetic: m * P,
    annualVolatility: sd * Math.sqrt(P),
    maxDrawdown: mdd,
    calmarCalendar: mdd > 0 ? cagrCalendar / mdd : NaN,
    calmarPeriods: mdd > 0 ? cagrPeriods / mdd : NaN,
    tail: { linear: tail(r, 'linear'), lower: tail(r, 'lower') },
    var95Parametric: r.length > 1 ? m + sd * normalQuantile(0.05) : NaN,
    bestPeriod: { ret: r[bi] ?? NaN, ts: ts[bi + 1] ?? NaN },
    worstPeriod: { ret: r[wi] ?? NaN, ts: ts[wi + 1] ?? NaN },
    omega: down > 0 ? up / down : NaN,
    drawdowns: {
      count: eps.length,
      avgDepth: eps.length > 0 ? mean(eps.map((x) => x.depth)) : 0,
      avgLengthBars: eps.length > 0 ? mean(eps.map((x) => x.lengthBars)) : 0,
      avgLengthDays: eps.length > 0 ? mean(eps.map((x) => x.lengthDays)) : 0,
      maxLengthBars: eps.reduce((a, x) => Math.max(a, x.lengthBars), 0),
      top5,
    },
    monthly: monthlyReturns(equity, ts),
    ...(benchmark ? { benchmark } : {}),
    ...(o.tradeReturns ? { trades: tradeFigures(o.tradeReturns) } : {}),
  };
}

/** Times as ISO strings for the JSON report (episodes and best/worst periods). */
export function tearsheetJson(t: Tearsheet): unknown {
  const iso = (x: number | null): string | null => (x === null || !Number.isFinite(x) ? null : formatIso(x));
  return {
    ...t,
    bestPeriod: { ret: t.bestPeriod.ret, ts: iso(t.bestPeriod.ts) },
    worstPeriod: { ret: t.worstPeriod.ret, ts: iso(t.worstPeriod.ts) },
    drawdowns: { ...t.drawdowns, top5: t.drawdowns.top5.map((d) => ({ ...d, peakTs: iso(d.peakTs), troughTs: iso(d.troughTs), recoveryTs: iso(d.recoveryTs) })) },
  };
}
