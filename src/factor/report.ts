/**
 * The factor report, with alphalens' definitions (quantopian/alphalens 0.4,
 * alphalens/performance.py and utils.py), as the oracle ../shared/oracles/factor_report_sp500.json
 * spells them out:
 * - forward returns close to close, k sessions of the calendar later (utils.compute_forward_returns,
 *   cumulative_returns=True, no z-score filter), EXCEPT that a missing close makes the pair
 *   missing; alphalens' pandas pct_change pads it with the previous close (fill_method='pad'),
 *   which turns a gap into a stale return. We follow the oracle here, not alphalens;
 * - a (date, symbol) pair is kept only when the factor and every period's forward return are
 *   finite (get_clean_factor: dropna);
 * - quantiles per date by value (quantize_factor -> pandas.qcut), no groups;
 * - mean_return_by_quantile(by_date=False): the mean over dates of the per-date means (each date
 *   weighs the same), std error = stdev over dates (ddof 1) / sqrt(dates); demeaned = each
 *   forward return minus the date's mean over all kept symbols (alphalens' default);
 *   rate_of_return per day = (1 + mean)^(1/k) - 1;
 * - the information coefficient: Spearman per date (factor_information_coefficient), the summary
 *   of plotting.plot_information_table (mean, std, risk-adjusted, t, p, skew, kurtosis);
 * - factor_rank_autocorrelation and quantile_turnover at lag L over the list of KEPT dates;
 * - factor_returns(demeaned=True, equal_weight=False): weights (f - mean f) / sum |f - mean f|.
 * Also the pooled mean over all pairs of a quantile (older alphalens) and the top-minus-bottom
 * spread. Every value is a plain double; missing ones are null in JSON.
 */
import { UsageError } from '../errors.js';
import type { Params } from '../strategy/types.js';
import type { BarMatrix } from '../panel/bar-matrix.js';
import { meanOf, pearson, rank } from '../panel/cross-section.js';
import { studentTwoSidedP } from '../stats/student-t.js';
import type { FactorValues } from './matrix.js';
import { duplicateEdges, quantileEdges, quantileOf } from './quantiles.js';

export interface FactorReportOptions {
  readonly quantiles: number;
  /** Forward-return horizons in sessions, increasing (also the lags of autocorrelation and turnover). */
  readonly periods: readonly number[];
  /** First and last session (calendar rows, inclusive) whose factor is scored. */
  readonly firstRow: number;
  readonly lastRow: number;
}

type Num = number | null;
/** A session as the oracle writes it: ISO-8601 to the second, UTC (2017-02-08T00:00:00Z). */
export const isoSecond = (us: number): string => new Date(Math.floor(us / 1000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
const j = (x: number): Num => (Number.isFinite(x) ? x : null);

export interface IcSummary {
  n_dates: number;
  ic_mean: Num;
  ic_std_ddof1: Num;
  risk_adjusted_ic_mean_over_std: Num;
  t_stat: Num;
  p_value_two_sided_t_n_minus_1_df: Num;
  ic_skew_g1_biased: Num;
  ic_excess_kurtosis_g2_biased: Num;
  share_positive: Num;
}

export interface QuantileReturns {
  raw_mean_over_dates: Num[];
  raw_std_error_over_dates: Num[];
  demeaned_mean_over_dates: Num[];
  demeaned_std_error_over_dates: Num[];
  demeaned_rate_of_return_per_day: Num[];
  top_minus_bottom_spread_mean_over_dates: Num;
  pooled_over_pairs: Record<string, { raw: Num; demeaned: Num; n_pairs: number }>;
}

export interface FactorReport {
  factor: string;
  module: string;
  params: Params;
  quantiles: number;
  periods: number[];
  requested: { first: string; last: string; count: number };
  summary: {
    n_dates: number;
    first_date: string | null;
    last_date: string | null;
    n_pairs: number;
    information_coefficient: Record<string, IcSummary>;
    mean_return_by_quantile: Record<string, QuantileReturns>;
    factor_weighted_long_short_return_mean: Record<string, Num>;
    mean_factor_rank_autocorrelation: Record<string, Num>;
    mean_quantile_turnover: Record<string, Record<string, Num>>;
  };
  by_date: {
    dates: string[];
    n_assets: number[];
    quantile_counts: number[][];
    quantile_edges: number[][];
    /** Dates whose edges coincide (pandas.qcut would refuse them); their labels follow the rule anyway. */
    duplicate_edge_dates: string[];
    information_coefficient: Record<string, Num[]>;
    mean_return_by_quantile_raw: Record<string, Num[][]>;
    mean_return_all_kept_assets: Record<string, Num[]>;
    factor_weighted_long_short_return: Record<string, Num[]>;
    factor_rank_autocorrelation: Record<string, Num[]>;
    quantile_turnover: Record<string, Record<string, Num[]>>;
  };
}

interface Moments {
  mean: number;
  sd: number;
  n: number;
}
function moments(xs: readonly number[]): Moments {
  const v = xs.filter((x) => Number.isFinite(x));
  const n = v.length;
  let s = 0;
  for (const x of v) s += x;
  const mean = n > 0 ? s / n : NaN;
  let ss = 0;
  for (const x of v) ss += (x - mean) * (x - mean);
  return { mean, sd: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, n };
}

function icSummary(ic: readonly number[]): IcSummary {
  const { mean, sd, n } = moments(ic);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let pos = 0;
  for (const x of ic) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
    if (x > 0) pos++;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const t = mean / (sd / Math.sqrt(n));
  return {
    n_dates: n,
    ic_mean: j(mean),
    ic_std_ddof1: j(sd),
    risk_adjusted_ic_mean_over_std: j(mean / sd),
    t_stat: j(t),
    p_value_two_sided_t_n_minus_1_df: j(studentTwoSidedP(t, n - 1)),
    ic_skew_g1_biased: j(m3 / m2 ** 1.5),
    ic_excess_kurtosis_g2_biased: j(m4 / (m2 * m2) - 3),
    share_positive: j(n > 0 ? pos / n : NaN),
  };
}

/** The report of a factor's values (factor/matrix.ts: a built-in's, or a module's computed on a worker thread) against the closes' forward returns. */
export function factorReport(close: BarMatrix, factor: FactorValues, o: FactorReportOptions): FactorReport {
  const Q = o.quantiles;
  const periods = [...o.periods];
  const N = close.cols;
  const T = close.rows;
  const C = close.values;
  if (!(o.firstRow >= 0 && o.lastRow < T && o.firstRow <= o.lastRow)) throw new UsageError('the factor window holds no session of the data');
  const fwd = periods.map(() => new Float64Array(N));

  // per kept date: factor (NaN where not kept), ranks over the kept, labels (0 = not kept)
  const dates: number[] = [];
  const keptF: Float64Array[] = [];
  const keptRank: Float64Array[] = [];
  const labels: Uint16Array[] = [];
  const nAssets: number[] = [];
  const qCounts: number[][] = [];
  const qEdges: number[][] = [];
  const dupDates: string[] = [];
  const ic = periods.map(() => [] as number[]);
  const qRaw = periods.map(() => [] as number[][]);
  const qDem = periods.map(() => [] as number[][]);
  const allMean = periods.map(() => [] as number[]);
  const fwls = periods.map(() => [] as number[]);
  const pooled = periods.map(() => Array.from({ length: Q }, () => ({ raw: 0, dem: 0, n: 0 })));
  let nPairs = 0;
  const rankScratch = new Float64Array(N);
  const rf = new Float64Array(N);
  const rr = new Float64Array(N);
  const fk = new Float64Array(N);
  const edges = new Float64Array(Q + 1);

  for (let t = o.firstRow; t <= o.lastRow; t++) {
    const f = factor.values.subarray(t * N, (t + 1) * N);
    for (let p = 0; p < periods.length; p++) {
      const k = periods[p]!;
      const out = fwd[p]!;
      if (t + k >= T) out.fill(NaN);
      else for (let s = 0; s < N; s++) out[s] = C[(t + k) * N + s]! / C[t * N + s]! - 1.0;
    }
    const kf = new Float64Array(N).fill(NaN);
    let n = 0;
    for (let s = 0; s < N; s++) {
      let ok = Number.isFinite(f[s]!);
      for (let p = 0; ok && p < periods.length; p++) ok = Number.isFinite(fwd[p]![s]!);
      if (ok) {
        kf[s] = f[s]!;
        n++;
      }
    }
    if (n === 0) continue;
    nPairs += n;
    dates.push(t);
    nAssets.push(n);
    // quantiles
    const sorted = new Float64Array(n);
    for (let s = 0, m = 0; s < N; s++) if (Number.isFinite(kf[s]!)) sorted[m++] = kf[s]!;
    sorted.sort();
    quantileEdges(sorted, Q, edges);
    if (duplicateEdges(edges)) dupDates.push(isoSecond(close.calendar[t]!));
    const lab = new Uint16Array(N);
    const counts = new Array<number>(Q).fill(0);
    for (let s = 0; s < N; s++) {
      if (!Number.isFinite(kf[s]!)) continue;
      const q = quantileOf(kf[s]!, edges, Q);
      lab[s] = q;
      counts[q - 1]!++;
    }
    qCounts.push(counts);
    qEdges.push(Array.from(edges));
    keptF.push(kf);
    labels.push(lab);
    const rk = rank(kf, new Float64Array(N), rankScratch);
    keptRank.push(rk);
    // factor weights (demeaned, not equal-weight)
    const fm = meanOf(kf);
    let absSum = 0;
    for (let s = 0; s < N; s++) if (lab[s] !== 0) absSum += Math.abs(kf[s]! - fm);
    for (let p = 0; p < periods.length; p++) {
      const r = fwd[p]!;
      for (let s = 0; s < N; s++) fk[s] = lab[s] !== 0 ? r[s]! : NaN;
      // Spearman = Pearson of average ranks over the kept symbols
      rank(kf, rf, rankScratch);
      rank(fk, rr, rankScratch);
      ic[p]!.push(pearson(rf, rr));
      const m = meanOf(fk);
      allMean[p]!.push(m);
      const raw = new Array<number>(Q).fill(0);
      const dem = new Array<number>(Q).fill(0);
      let ls = 0;
      for (let s = 0; s < N; s++) {
        const q = lab[s]!;
        if (q === 0) continue;
        raw[q - 1]! += r[s]!;
        dem[q - 1]! += r[s]! - m;
        const pq = pooled[p]![q - 1]!;
        pq.raw += r[s]!;
        pq.dem += r[s]! - m;
        pq.n++;
        ls += ((kf[s]! - fm) / absSum) * r[s]!;
      }
      qRaw[p]!.push(raw.map((x, q) => (counts[q]! > 0 ? x / counts[q]! : NaN)));
      qDem[p]!.push(dem.map((x, q) => (counts[q]! > 0 ? x / counts[q]! : NaN)));
      fwls[p]!.push(ls);
    }
  }

  const key = (k: number): string => `${k}D`;
  const D = dates.length;
  // rank autocorrelation and turnover at each lag, over the list of kept dates
  const autocorr: Record<string, Num[]> = {};
  const turnover: Record<string, Record<string, Num[]>> = {};
  const meanAutocorr: Record<string, Num> = {};
  const meanTurnover: Record<string, Record<string, Num>> = {};
  for (const L of periods) {
    const ac: number[] = [];
    const to: number[][] = Array.from({ length: Q }, () => []);
    for (let d = 0; d < D; d++) {
      if (d < L) {
        ac.push(NaN);
        for (const x of to) x.push(NaN);
        continue;
      }
      ac.push(pearson(keptRank[d]!, keptRank[d - L]!));
      const now = labels[d]!;
      const then = labels[d - L]!;
      const size = new Array<number>(Q).fill(0);
      const fresh = new Array<number>(Q).fill(0);
      for (let s = 0; s < N; s++) {
        const q = now[s]!;
        if (q === 0) continue;
        size[q - 1]!++;
        if (then[s] !== q) fresh[q - 1]!++;
      }
      for (let q = 0; q < Q; q++) to[q]!.push(size[q]! > 0 ? fresh[q]! / size[q]! : NaN);
    }
    autocorr[`lag_${L}`] = ac.map(j);
    meanAutocorr[`lag_${L}`] = j(moments(ac).mean);
    turnover[`lag_${L}`] = Object.fromEntries(to.map((x, q) => [String(q + 1), x.map(j)]));
    meanTurnover[`lag_${L}`] = Object.fromEntries(to.map((x, q) => [String(q + 1), j(moments(x).mean)]));
  }

  const quantileReturns = (p: number): QuantileReturns => {
    const k = periods[p]!;
    const col = (rows: number[][], q: number): number[] => rows.map((r) => r[q]!);
    const raw = Array.from({ length: Q }, (_, q) => moments(col(qRaw[p]!, q)));
    const dem = Array.from({ length: Q }, (_, q) => moments(col(qDem[p]!, q)));
    const spread = moments(qRaw[p]!.map((r) => r[Q - 1]! - r[0]!));
    return {
      raw_mean_over_dates: raw.map((m) => j(m.mean)),
      raw_std_error_over_dates: raw.map((m) => j(m.sd / Math.sqrt(m.n))),
      demeaned_mean_over_dates: dem.map((m) => j(m.mean)),
      demeaned_std_error_over_dates: dem.map((m) => j(m.sd / Math.sqrt(m.n))),
      demeaned_rate_of_return_per_day: dem.map((m) => j((1 + m.mean) ** (1 / k) - 1)),
      top_minus_bottom_spread_mean_over_dates: j(spread.mean),
      pooled_over_pairs: Object.fromEntries(pooled[p]!.map((x, q) => [String(q + 1), { raw: j(x.raw / x.n), demeaned: j(x.dem / x.n), n_pairs: x.n }])),
    };
  };

  const iso = (t: number): string => isoSecond(close.calendar[t]!);
  return {
    factor: factor.label,
    module: factor.name,
    params: factor.params,
    quantiles: Q,
    periods,
    requested: { first: iso(o.firstRow), last: iso(o.lastRow), count: o.lastRow - o.firstRow + 1 },
    summary: {
      n_dates: D,
      first_date: D > 0 ? iso(dates[0]!) : null,
      last_date: D > 0 ? iso(dates[D - 1]!) : null,
      n_pairs: nPairs,
      information_coefficient: Object.fromEntries(periods.map((k, p) => [key(k), icSummary(ic[p]!)])),
      mean_return_by_quantile: Object.fromEntries(periods.map((k, p) => [key(k), quantileReturns(p)])),
      factor_weighted_long_short_return_mean: Object.fromEntries(periods.map((k, p) => [key(k), j(moments(fwls[p]!).mean)])),
      mean_factor_rank_autocorrelation: meanAutocorr,
      mean_quantile_turnover: meanTurnover,
    },
    by_date: {
      dates: dates.map(iso),
      n_assets: nAssets,
      quantile_counts: qCounts,
      quantile_edges: qEdges,
      duplicate_edge_dates: dupDates,
      information_coefficient: Object.fromEntries(periods.map((k, p) => [key(k), ic[p]!.map(j)])),
      mean_return_by_quantile_raw: Object.fromEntries(periods.map((k, p) => [key(k), qRaw[p]!.map((r) => r.map(j))])),
      mean_return_all_kept_assets: Object.fromEntries(periods.map((k, p) => [key(k), allMean[p]!.map(j)])),
      factor_weighted_long_short_return: Object.fromEntries(periods.map((k, p) => [key(k), fwls[p]!.map(j)])),
      factor_rank_autocorrelation: autocorr,
      quantile_turnover: turnover,
    },
  };
}
