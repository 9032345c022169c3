/**
 * The factor report as terminal text and as an HTML section (a self-contained page with
 * `factorHtmlPage`): the summary tables, quantile mean returns, IC summary, rank autocorrelation
 * and turnover. The JSON is the report object itself.
 */
import { maxOf } from '../arrays.js';
import type { FactorReport } from './report.js';

const num = (x: number | null, d = 4): string => (x === null ? '-' : x.toFixed(d));
const bps = (x: number | null): string => (x === null ? '-' : (x * 1e4).toFixed(2));
const pad = (s: string, w: number): string => s.padStart(w);

interface Table {
  readonly head: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

function tables(r: FactorReport): { title: string; table: Table }[] {
  const s = r.summary;
  const ks = r.periods.map((k) => `${k}D`);
  const qs = Array.from({ length: r.quantiles }, (_, q) => String(q + 1));
  return [
    {
      title: 'Information coefficient (Spearman, per date)',
      table: {
        head: ['', ...ks],
        rows: [
          ['IC mean', ...ks.map((k) => num(s.information_coefficient[k]!.ic_mean))],
          ['IC std', ...ks.map((k) => num(s.information_coefficient[k]!.ic_std_ddof1))],
          ['risk-adjusted IC', ...ks.map((k) => num(s.information_coefficient[k]!.risk_adjusted_ic_mean_over_std))],
          ['t-stat', ...ks.map((k) => num(s.information_coefficient[k]!.t_stat, 3))],
          ['p-value', ...ks.map((k) => num(s.information_coefficient[k]!.p_value_two_sided_t_n_minus_1_df, 3))],
          ['IC skew', ...ks.map((k) => num(s.information_coefficient[k]!.ic_skew_g1_biased, 3))],
          ['IC excess kurtosis', ...ks.map((k) => num(s.information_coefficient[k]!.ic_excess_kurtosis_g2_biased, 3))],
          ['share IC > 0', ...ks.map((k) => num(s.information_coefficient[k]!.share_positive, 3))],
        ],
      },
    },
    {
      title: 'Mean return by quantile, demeaned, bps per period (mean over dates; ± std error)',
      table: {
        head: ['quantile', ...ks],
        rows: [
          ...qs.map((q, i) => [q, ...ks.map((k) => `${bps(s.mean_return_by_quantile[k]!.demeaned_mean_over_dates[i]!)} ± ${bps(s.mean_return_by_quantile[k]!.demeaned_std_error_over_dates[i]!)}`)]),
          ['top - bottom', ...ks.map((k) => bps(s.mean_return_by_quantile[k]!.top_minus_bottom_spread_mean_over_dates))],
          ['factor-weighted L/S', ...ks.map((k) => bps(s.factor_weighted_long_short_return_mean[k]!))],
        ],
      },
    },
    {
      title: 'Mean return by quantile, raw, bps per period',
      table: { head: ['quantile', ...ks], rows: qs.map((q, i) => [q, ...ks.map((k) => bps(s.mean_return_by_quantile[k]!.raw_mean_over_dates[i]!))]) },
    },
    {
      title: 'Factor rank autocorrelation and quantile turnover (new names / current names)',
      table: {
        head: ['lag', 'rank autocorr', ...qs.map((q) => `turnover Q${q}`)],
        rows: r.periods.map((L) => [String(L), num(s.mean_factor_rank_autocorrelation[`lag_${L}`]!), ...qs.map((q) => num(s.mean_quantile_turnover[`lag_${L}`]![q]!, 3))]),
      },
    },
  ];
}

export function factorText(r: FactorReport): string {
  const s = r.summary;
  const lines = [
    `Factor ${r.factor} (${r.module}${
      Object.keys(r.params).length
        ? `, ${Object.entries(r.params)
            .map(([k, v]) => `${k}=${String(v)}`)
            .join(', ')}`
        : ''
    }), ${r.quantiles} quantiles, horizons ${r.periods.join(', ')} sessions`,
    `  factor dates ${r.requested.first} .. ${r.requested.last} (${r.requested.count} sessions); kept ${s.n_dates} dates (${s.first_date ?? '-'} .. ${s.last_date ?? '-'}), ${s.n_pairs.toLocaleString('en-US')} (date, symbol) pairs`,
    `  a pair is kept when its factor and every forward return are known (no fill of missing closes); alphalens definitions`,
  ];
  if (r.by_date.duplicate_edge_dates.length > 0) lines.push(`  WARNING: ${r.by_date.duplicate_edge_dates.length} dates have equal quantile edges (many equal factor values); their labels put equal values in the lower bin`);
  for (const { title, table } of tables(r)) {
    lines.push('', `  ${title}`);
    const w = table.head.map((h, c) =>
      maxOf(
        table.rows.map((row) => row[c]!.length),
        h.length,
      ),
    );
    lines.push('    ' + table.head.map((h, c) => pad(h, w[c]!)).join('  '));
    for (const row of table.rows) lines.push('    ' + row.map((x, c) => pad(x, w[c]!)).join('  '));
  }
  return lines.join('\n');
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The report as one `<section>` (for a page of several reports). */
export function factorHtmlSection(r: FactorReport): string {
  const s = r.summary;
  const out = [
    `<section class="factor-report">`,
    `<h2>Factor ${esc(r.factor)}</h2>`,
    `<p>${esc(`${r.quantiles} quantiles, horizons ${r.periods.join(', ')} sessions; ${s.n_dates} dates kept (${s.first_date ?? '-'} .. ${s.last_date ?? '-'}), ${s.n_pairs} pairs; alphalens definitions`)}</p>`,
  ];
  for (const { title, table } of tables(r)) {
    out.push(`<h3>${esc(title)}</h3>`, '<table>', `<tr>${table.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`);
    for (const row of table.rows) out.push(`<tr>${row.map((x) => `<td>${esc(x)}</td>`).join('')}</tr>`);
    out.push('</table>');
  }
  out.push('</section>');
  return out.join('\n');
}

export function factorHtmlPage(r: FactorReport): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>tickfold factor ${esc(r.factor)}</title>\n<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>\n${factorHtmlSection(r)}\n</body></html>\n`;
}
