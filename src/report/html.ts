/**
 * The HTML report: one self-contained file (no network at view time) that a researcher opens to
 * look at a run or a validation. The summary is rendered here, as HTML with the exact values in
 * `data-value` attributes (a browser test compares them with the JSON report); the charts are
 * drawn in the page, by its script (src/report/browser/page.ts, bundled), from an inlined JSON
 * payload (src/report/browser/payload.ts): equity curves, shading and fold markers, drawdown and
 * the strategies' own charts with TradingView's lightweight-charts (inlined, standalone build);
 * the PBO histogram and the IS/OOS scatter on plain canvases. Series are downsampled for display to at most
 * {@link MAX_POINTS} points per chart, keeping each bucket's extremes, so large runs stay small.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIso } from '../data/time.js';
import { maxOf, minOf } from '../arrays.js';
import type { DiagnosticChart } from '../strategy/diagnostics.js';
import type { ChartPayload, Payload, Points } from './browser/payload.js';
import { PAGE_JS } from './browser/page.generated.js';

/** Points per displayed series, at most (each bucket keeps its first, min, max and last). */
export const MAX_POINTS = 2000;

export interface SummaryItem {
  readonly key: string;
  readonly label: string;
  /** The exact value (also in the JSON report). */
  readonly value: number | string | null;
  readonly text: string;
}

export interface Series {
  readonly name: string;
  readonly ts: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly color?: string;
}

export interface HtmlReport {
  readonly title: string;
  readonly subtitle: string;
  readonly verdict?: string;
  readonly summary: readonly SummaryItem[];
  /** The first is the main one (its drawdown is drawn underneath). */
  readonly equity: readonly Series[];
  /** In-sample / out-of-sample stretches to shade, and fold boundaries to mark. */
  readonly periods?: readonly { readonly from: number; readonly to: number; readonly kind: 'is' | 'oos' }[];
  readonly foldMarks?: readonly { readonly ts: number; readonly label: string }[];
  readonly folds?: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[]; readonly ts: readonly number[]; readonly isSharpe: readonly number[]; readonly oosSharpe: readonly number[] };
  readonly pbo?: { readonly pbo: number; readonly logits: ArrayLike<number>; readonly isSharpe: ArrayLike<number>; readonly oosSharpe: ArrayLike<number> };
  /** The strategies' own charts (`Strategy.diagnostics()`), drawn after the PBO section. */
  readonly diagnostics?: readonly DiagnosticChart[];
  readonly trades: { readonly columns: readonly string[]; readonly rows: readonly (readonly (string | number)[])[]; readonly total: number };
  readonly tables?: readonly { readonly title: string; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] }[];
  /** Figures drawn as SVG by their builder (a search's study: search/study.ts). */
  readonly figures?: readonly { readonly title: string; readonly note: string; readonly svg: string }[];
  /** Prices of the traded symbols with the strategy's fills as markers. */
  readonly prices?: readonly PriceChart[];
  /** The main equity's rolling annualised Sharpe. */
  readonly rollingSharpe?: { readonly window: number; readonly ts: ArrayLike<number>; readonly values: ArrayLike<number> };
  /** Per strategy (the first is the main one): its figures, monthly returns and deepest drawdowns, shown as tabs. */
  readonly strategies?: readonly StrategyPanel[];
  readonly manifest: unknown;
}

export interface PriceChart {
  readonly symbol: string;
  readonly ts: ArrayLike<number>;
  readonly px: ArrayLike<number>;
  /** Fills: µs, buy or sell. */
  readonly fills: readonly { readonly ts: number; readonly side: 'buy' | 'sell' }[];
}

export interface StrategyPanel {
  readonly name: string;
  readonly summary: readonly SummaryItem[];
  /** year → month (1..12 or 'year') → return. */
  readonly monthly: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly drawdowns: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
  readonly figures: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

/** A strategy's chart for the page: each series downsampled, each marker at the nearest point of the first series at or before it. */
function chartPayload(c: DiagnosticChart): ChartPayload {
  const series = c.series.map((x) => ({ name: x.name, color: x.color ?? null, width: x.width ?? 1, points: downsample(x.ts, x.values) }));
  const markers = snapped(series[0]?.points ?? [], c.markers ?? []).map((m) => ({ time: m.time, label: m.label, direction: m.direction, color: m.color ?? null }));
  return { id: c.id, series, levels: (c.levels ?? []).map((l) => ({ value: l.value, label: l.label, color: l.color ?? null })), markers };
}

/** Downsamples to at most `max` points (seconds, value), keeping each bucket's first, min, max and last point. */
export function downsample(ts: ArrayLike<number>, v: ArrayLike<number>, max = MAX_POINTS): Points {
  const n = ts.length;
  const raw: Points = [];
  // one point per second (the chart's resolution): the last value of each second
  for (let i = 0; i < n; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x) || !Number.isFinite(ts[i]!)) continue;
    const s = Math.floor(ts[i]! / 1e6);
    if (raw.length > 0 && raw[raw.length - 1]![0] === s) raw[raw.length - 1]![1] = x;
    else raw.push([s, x]);
  }
  if (raw.length <= max) return raw;
  const buckets = Math.floor(max / 4);
  const size = raw.length / buckets;
  const out: Points = [];
  for (let b = 0; b < buckets; b++) {
    const a = Math.floor(b * size);
    const e = Math.min(raw.length, Math.floor((b + 1) * size));
    let lo = a;
    let hi = a;
    for (let i = a; i < e; i++) {
      if (raw[i]![1] < raw[lo]![1]) lo = i;
      if (raw[i]![1] > raw[hi]![1]) hi = i;
    }
    for (const i of [...new Set([a, lo, hi, e - 1])].sort((x, y) => x - y)) out.push(raw[i]!);
  }
  return out;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside a <script> element. */
const scriptJson = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)).replace(/</g, '\\u003c');

let chartsLib: string | undefined;
function chartsSource(): string {
  if (chartsLib === undefined) {
    // the package exports ES modules only; its standalone IIFE build sits next to the entry point
    const main = fileURLToPath(import.meta.resolve('lightweight-charts'));
    chartsLib = readFileSync(join(dirname(main), 'lightweight-charts.standalone.production.js'), 'utf8');
  }
  return chartsLib;
}

/** A text cell longer than this wraps (a list of configurations, a long verdict) so that its table fits its card. */
const WRAP_AT = 48;

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => (typeof c === 'number' ? `<td class="num" data-sort="${c}">${esc(fmtCell(c))}</td>` : c.length > WRAP_AT ? `<td class="wrap">${esc(c)}</td>` : `<td>${esc(c)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}
const fmtCell = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 1000 || Number.isInteger(x) ? x.toLocaleString('en-US', { maximumFractionDigits: 2 }) : x.toPrecision(6).replace(/\.?0+$/, '')) : 'n/a');

/** Fills drawn as markers, at most this many per chart (thinned evenly beyond: the note says so). */
const MAX_MARKERS = 400;

/**
 * A marker needs a point of its series: each event (µs, in time order) at the last chart point at
 * or before it (the first point when it comes before them all).
 */
function snapped<E extends { readonly ts: number }>(points: Points, events: readonly E[]): (E & { time: number })[] {
  if (points.length === 0) return [];
  let k = 0;
  return events.map((e) => {
    const t = Math.floor(e.ts / 1e6);
    while (k + 1 < points.length && points[k + 1]![0] <= t) k++;
    return { ...e, time: points[k]![0] };
  });
}

/** How many markers of each label a chart shows (they may come from several folds: the strategy cannot count them). */
function markerNote(c: DiagnosticChart): string {
  const n = new Map<string, number>();
  for (const m of c.markers ?? []) n.set(m.label, (n.get(m.label) ?? 0) + 1);
  return n.size > 0 ? ` Markers: ${[...n].map(([label, k]) => `${esc(label)} ×${k}`).join(', ')}.` : '';
}

function pricePayload(pc: PriceChart): Payload['prices'][number] {
  const points = downsample(pc.ts, pc.px);
  const step = Math.max(1, Math.ceil(pc.fills.length / MAX_MARKERS));
  const shown = pc.fills.filter((_, i) => i % step === 0);
  return { symbol: pc.symbol, points, marks: snapped(points, shown).map((f) => ({ time: f.time, side: f.side })), thinned: step };
}

/** A month's return as a cell of the heatmap: green up, red down, stronger with size (±10% full). */
function heatCell(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '<td class="heat"></td>';
  const a = Math.min(1, Math.abs(v) / 0.1);
  const bg = v >= 0 ? `rgba(46,158,87,${(0.08 + 0.6 * a).toFixed(2)})` : `rgba(194,59,59,${(0.08 + 0.6 * a).toFixed(2)})`;
  return `<td class="heat num" data-value="${v}" style="background:${bg}">${(v * 100).toFixed(1)}%</td>`;
}

function heatmap(monthly: StrategyPanel['monthly']): string {
  const years = Object.keys(monthly).sort();
  if (years.length === 0) return '';
  const head = ['year', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec', 'year'];
  const rows = years.map((y) => `<tr><th>${esc(y)}</th>${Array.from({ length: 12 }, (_, m) => heatCell(monthly[y]![String(m + 1)])).join('')}${heatCell(monthly[y]!.year)}</tr>`);
  return `<table class="heatmap"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function strategyTabs(panels: readonly StrategyPanel[]): string {
  const buttons = panels.map((p, i) => `<button class="tab${i === 0 ? ' on' : ''}" data-tab="${i}">${esc(p.name)}</button>`).join('');
  const bodies = panels
    .map(
      (p, i) =>
        `<div class="tabpanel" data-panel="${i}"${i === 0 ? '' : ' hidden'}><div class="summary">${p.summary.map((s) => `<div class="kpi" data-strategy="${esc(p.name)}" data-key="${esc(s.key)}" data-value="${esc(String(s.value ?? ''))}"><div class="label">${esc(s.label)}</div><div class="value">${esc(s.text)}</div></div>`).join('')}</div>` +
        `<h3>Tearsheet</h3><div class="tablewrap">${table(p.figures.header, p.figures.rows, 'figures')}</div>` +
        `<h3>Monthly returns</h3><div class="tablewrap">${heatmap(p.monthly) || '<p class="note">no full period</p>'}</div>` +
        `<h3>Deepest drawdowns</h3><div class="tablewrap">${p.drawdowns.rows.length ? table(p.drawdowns.header, p.drawdowns.rows, 'drawdowns') : '<p class="note">none</p>'}</div></div>`,
    )
    .join('');
  return `<section><h2>${panels.length > 1 ? 'Every strategy' : 'Tearsheet'}</h2>${panels.length > 1 ? `<p class="note">One tab per strategy: its out-of-sample figures, monthly returns and deepest drawdowns.</p><div class="tabs">${buttons}</div>` : ''}${bodies}</section>`;
}

export function renderHtmlReport(r: HtmlReport): string {
  const payload: Payload = {
    equity: r.equity.map((s) => ({ name: s.name, color: s.color ?? null, points: downsample(s.ts, s.values) })),
    drawdown: r.equity.length > 0 ? drawdownPoints(r.equity[0]!) : [],
    periods: (r.periods ?? []).map((p) => ({ from: Math.floor(p.from / 1e6), to: Number.isFinite(p.to) ? Math.floor(p.to / 1e6) : null, kind: p.kind })),
    foldMarks: (r.foldMarks ?? []).map((m) => ({ time: Math.floor(m.ts / 1e6), label: m.label })),
    folds: r.folds ? { ts: r.folds.ts.map((t) => Math.floor(t / 1e6)), is: r.folds.isSharpe, oos: r.folds.oosSharpe } : null,
    pbo: r.pbo ? { hist: logitHistogram(r.pbo.logits), is: thin(r.pbo.isSharpe), oos: thin(r.pbo.oosSharpe) } : null,
    charts: (r.diagnostics ?? []).map(chartPayload),
    prices: (r.prices ?? []).map(pricePayload),
    rolling: r.rollingSharpe ? { window: r.rollingSharpe.window, points: downsample(r.rollingSharpe.ts, r.rollingSharpe.values) } : null,
  };
  const summary = r.summary.map((s) => `<div class="kpi" data-key="${esc(s.key)}" data-value="${esc(String(s.value ?? ''))}"><div class="label">${esc(s.label)}</div><div class="value">${esc(s.text)}</div></div>`).join('');
  const sections: string[] = [];
  sections.push(
    `<section><h2>Equity</h2><p class="note">Equity sampled per period (currency). ${r.periods?.length ? 'Shaded: grey = in-sample, green = out-of-sample; arrows mark fold starts (labelled where there is room). ' : ''}Drawdown of ${esc(r.equity[0]?.name ?? '')} in the lower pane (% below the running peak), on the same time axis. <label class="switch"><input type="checkbox" id="log-equity"> log scale</label></p><div id="chart-equity" class="chart tall"></div></section>`,
  );
  if (r.rollingSharpe) sections.push(`<section><h2>Rolling Sharpe</h2><p class="note">Annualised Sharpe of ${esc(r.equity[0]?.name ?? '')} over the last ${r.rollingSharpe.window} periods.</p><div id="chart-rolling" class="chart small"></div></section>`);
  for (const [k, pc] of (r.prices ?? []).entries()) {
    sections.push(`<section><h2>${esc(pc.symbol)}: price and fills</h2><p class="note">The mark (quote mid, trade or bar close); green arrows buys, red arrows sells.</p><div id="chart-price-${k}" class="chart small"></div></section>`);
  }
  if (r.strategies?.length) sections.push(strategyTabs(r.strategies));
  if (r.folds) {
    sections.push(
      `<section><h2>Folds</h2><p class="note">Annualised Sharpe per fold: in-sample of the chosen parameters (line) and out-of-sample (bars).</p><div id="chart-folds" class="chart small"></div><div class="tablewrap">${table(r.folds.header, r.folds.rows, 'folds')}</div></section>`,
    );
  }
  if (r.pbo) {
    sections.push(
      `<section><h2>Probability of Backtest Overfitting: ${esc(r.pbo.pbo.toFixed(3))}</h2><p class="note">Left: histogram of the logits λ of the out-of-sample rank of the in-sample best trial over the CSCV splits (λ ≤ 0: it ranked in the worse half out of sample). Right: out-of-sample vs in-sample Sharpe (per period) of the selected trial in each split.</p><div class="row"><canvas id="canvas-logits" class="plot" width="560" height="300"></canvas><canvas id="canvas-scatter" class="plot" width="560" height="300"></canvas></div></section>`,
    );
  }
  for (const c of r.diagnostics ?? []) sections.push(`<section><h2>${esc(c.title)}</h2><p class="note">${esc(c.note ?? '')}${markerNote(c)}</p><div id="chart-${esc(c.id)}" class="chart small"></div></section>`);
  for (const t of r.tables ?? []) sections.push(`<section><h2>${esc(t.title)}</h2><div class="tablewrap">${table(t.header, t.rows)}</div></section>`);
  for (const g of r.figures ?? []) sections.push(`<section><h2>${esc(g.title)}</h2><p class="note">${esc(g.note)}</p>${g.svg}</section>`);
  const shown = r.trades.rows.length;
  sections.push(
    `<section><h2>Trades</h2><p class="note">${shown < r.trades.total ? `First ${shown} of ${r.trades.total} round trips (the JSON/CSV outputs have all). ` : `${r.trades.total} round trips. `}Click a column header to sort.</p>${table(r.trades.columns, r.trades.rows, 'sortable trades')}</section>`,
  );
  sections.push(`<section><h2>Manifest</h2><p class="note">Everything needed to rerun this exactly.</p><pre>${esc(JSON.stringify(r.manifest, null, 2))}</pre></section>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(r.title)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>${esc(r.title)}</h1><p>${esc(r.subtitle)}</p>${r.verdict ? `<p class="verdict" data-key="verdict">${esc(r.verdict)}</p>` : ''}</header>
<section class="summary">${summary}</section>
${sections.join('\n')}
<footer>Charts: <a href="https://www.tradingview.com/">TradingView</a> Lightweight Charts™ (Apache-2.0), inlined. Generated by tickfold.</footer>
<script>${chartsSource()}</script>
<script id="payload" type="application/json">${scriptJson(payload)}</script>
<script>${PAGE_JS}</script>
</body></html>
`;
}

/** Exact counts of the logits in 24 equal bins over their range (widened to include ±1). */
function logitHistogram(l: ArrayLike<number>): { lo: number; hi: number; counts: number[] } {
  const xs = Array.from(l).filter(Number.isFinite);
  const lo = minOf(xs, -1);
  const hi = maxOf(xs, 1);
  const counts = new Array<number>(24).fill(0);
  for (const x of xs) counts[Math.min(23, Math.floor(((x - lo) / (hi - lo)) * 24))]!++;
  return { lo, hi, counts };
}

/** At most MAX_POINTS values, evenly spaced by index (the scatter's points, in CSCV split order). */
function thin(a: ArrayLike<number>): number[] {
  const step = Math.max(1, Math.ceil(a.length / MAX_POINTS));
  const out: number[] = [];
  for (let i = 0; i < a.length; i += step) out.push(a[i]!);
  return out;
}

function drawdownPoints(s: Series): Points {
  const dd = new Float64Array(s.values.length);
  let peak = -Infinity;
  for (let i = 0; i < dd.length; i++) {
    peak = Math.max(peak, s.values[i]!);
    dd[i] = peak > 0 ? (s.values[i]! / peak - 1) * 100 : 0;
  }
  return downsample(s.ts, dd);
}

export const isoOrNa = (us: number): string => (Number.isFinite(us) ? formatIso(us) : 'n/a');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1d2330;background:#fafbfc}
h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:0 0 6px}header p{margin:2px 0;color:#4a5568}
.verdict{font-weight:600;color:#1d2330!important;background:#eef3ff;border-left:4px solid #3860d9;padding:6px 10px}
section{background:#fff;border:1px solid #e2e6ec;border-radius:6px;padding:12px 14px;margin:12px 0}
.summary{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.kpi{border:1px solid #e8ebf0;border-radius:4px;padding:6px 8px}.kpi .label{font-size:12px;color:#5a6475}.kpi .value{font-size:17px;font-weight:600}
.chart{height:340px}.chart.tall{height:460px}.chart.small{height:220px;margin-top:6px}
.tablewrap{overflow-x:auto;max-width:100%}table.folds td{white-space:normal}td.wrap{white-space:normal;min-width:180px}h3{font-size:14px;margin:12px 0 4px}
table.heatmap td.heat{text-align:right;min-width:44px}table.heatmap th{text-align:center}
.tabs{display:flex;flex-wrap:wrap;gap:4px;margin:6px 0}.tab{border:1px solid #cfd6e0;background:#f4f6f9;border-radius:4px;padding:4px 10px;cursor:pointer;font:inherit}
.tab.on{background:#3860d9;color:#fff;border-color:#3860d9}.switch{margin-left:8px;white-space:nowrap;color:#2d3748}.note{color:#5a6475;font-size:12.5px;margin:0 0 6px}
.row{display:flex;gap:12px;flex-wrap:wrap}.plot{border:1px solid #e8ebf0;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin-top:6px}th,td{padding:3px 6px;border-bottom:1px solid #eef0f3;text-align:left;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f6f9;position:sticky;top:0}
table.sortable th{cursor:pointer}table.sortable th:hover{background:#e8edf5}
section:has(table.trades){max-height:520px;overflow:auto}
pre{font-size:12px;background:#f6f8fa;padding:8px;overflow:auto;max-height:360px}footer{color:#8a93a3;font-size:12px;margin:16px 0}
`;
