/**
 * The HTML report: one self-contained file (no network at view time) that a researcher opens to
 * look at a run or a validation. The summary is rendered here, as HTML with the exact values in
 * `data-value` attributes (a browser test compares them with the JSON report); the charts are
 * drawn in the page from an inlined JSON payload: equity curves, shading and fold markers, and
 * drawdown with TradingView's lightweight-charts (inlined, standalone build); the PBO histogram
 * and the IS/OOS scatter on plain canvases. Series are downsampled for display to at most
 * {@link MAX_POINTS} points per chart, keeping each bucket's extremes, so large runs stay small.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatIso } from '../data/time.js';
import { maxOf, minOf } from '../arrays.js';

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
  readonly spread?: {
    readonly ts: ArrayLike<number>;
    readonly z: ArrayLike<number>;
    readonly entry: number;
    readonly exit: number;
    readonly stop: number;
    /** The relationship monitor's breaks and resumptions (µs), drawn as markers. */
    readonly monitor?: readonly { readonly ts: number; readonly what: 'break' | 'resume' }[];
  };
  readonly forecast?: { readonly ts: ArrayLike<number>; readonly predicted: ArrayLike<number>; readonly realised: ArrayLike<number> };
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
  /** A second line (e.g. the other leg's price, rescaled), optional. */
  readonly note?: string;
}

export interface StrategyPanel {
  readonly name: string;
  readonly summary: readonly SummaryItem[];
  /** year → month (1..12 or 'year') → return. */
  readonly monthly: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly drawdowns: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
  readonly figures: { readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };
}

/** Chart points: seconds since epoch, strictly increasing (the charting library's time unit). */
type Points = [number, number][];

/** Downsamples to at most `max` points, keeping each bucket's first, min, max and last point. */
/** The spread chart's points, and the monitor's events at the chart time nearest each (a marker needs a point of the series). */
function spreadPayload(sp: NonNullable<HtmlReport['spread']>): { points: Points; entry: number; exit: number; stop: number; monitor: { time: number; what: string }[] } {
  const points = downsample(sp.ts, sp.z);
  const monitor = snapped(points, sp.monitor ?? []).map((e) => ({ time: e.time, what: e.what }));
  return { points, entry: sp.entry, exit: sp.exit, stop: sp.stop, monitor };
}

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
const scriptJson = (x: unknown): string =>
  JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)).replace(/</g, '\\u003c');

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

function pricePayload(pc: PriceChart): { symbol: string; points: Points; marks: { time: number; side: string }[]; thinned: number } {
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
  const payload = {
    equity: r.equity.map((s) => ({ name: s.name, color: s.color ?? null, points: downsample(s.ts, s.values) })),
    drawdown: r.equity.length > 0 ? drawdownPoints(r.equity[0]!) : [],
    periods: (r.periods ?? []).map((p) => ({ from: Math.floor(p.from / 1e6), to: Number.isFinite(p.to) ? Math.floor(p.to / 1e6) : null, kind: p.kind })),
    foldMarks: (r.foldMarks ?? []).map((m) => ({ time: Math.floor(m.ts / 1e6), label: m.label })),
    folds: r.folds ? { ts: r.folds.ts.map((t) => Math.floor(t / 1e6)), is: r.folds.isSharpe, oos: r.folds.oosSharpe } : null,
    pbo: r.pbo ? { hist: logitHistogram(r.pbo.logits), is: thin(r.pbo.isSharpe), oos: thin(r.pbo.oosSharpe) } : null,
    spread: r.spread ? spreadPayload(r.spread) : null,
    forecast: r.forecast ? { predicted: downsample(r.forecast.ts, r.forecast.predicted), realised: downsample(r.forecast.ts, r.forecast.realised) } : null,
    prices: (r.prices ?? []).map(pricePayload),
    rolling: r.rollingSharpe ? { window: r.rollingSharpe.window, points: downsample(r.rollingSharpe.ts, r.rollingSharpe.values) } : null,
  };
  const summary = r.summary
    .map((s) => `<div class="kpi" data-key="${esc(s.key)}" data-value="${esc(String(s.value ?? ''))}"><div class="label">${esc(s.label)}</div><div class="value">${esc(s.text)}</div></div>`)
    .join('');
  const sections: string[] = [];
  sections.push(
    `<section><h2>Equity</h2><p class="note">Equity sampled per period (currency). ${r.periods?.length ? 'Shaded: grey = in-sample, green = out-of-sample; arrows mark fold starts (labelled where there is room). ' : ''}Drawdown of ${esc(r.equity[0]?.name ?? '')} in the lower pane (% below the running peak), on the same time axis. <label class="switch"><input type="checkbox" id="log-equity"> log scale</label></p><div id="chart-equity" class="chart tall"></div></section>`,
  );
  if (r.rollingSharpe) sections.push(`<section><h2>Rolling Sharpe</h2><p class="note">Annualised Sharpe of ${esc(r.equity[0]?.name ?? '')} over the last ${r.rollingSharpe.window} periods.</p><div id="chart-rolling" class="chart small"></div></section>`);
  for (const [k, pc] of (r.prices ?? []).entries()) {
    sections.push(`<section><h2>${esc(pc.symbol)}: price and fills</h2><p class="note">The mark (quote mid, trade or bar close); green arrows buys, red arrows sells${pc.note ? `; ${esc(pc.note)}` : ''}.</p><div id="chart-price-${k}" class="chart small"></div></section>`);
  }
  if (r.strategies?.length) sections.push(strategyTabs(r.strategies));
  if (r.folds) {
    sections.push(`<section><h2>Folds</h2><p class="note">Annualised Sharpe per fold: in-sample of the chosen parameters (line) and out-of-sample (bars).</p><div id="chart-folds" class="chart small"></div><div class="tablewrap">${table(r.folds.header, r.folds.rows, 'folds')}</div></section>`);
  }
  if (r.pbo) {
    sections.push(
      `<section><h2>Probability of Backtest Overfitting: ${esc(r.pbo.pbo.toFixed(3))}</h2><p class="note">Left: histogram of the logits λ of the out-of-sample rank of the in-sample best trial over the CSCV splits (λ ≤ 0: it ranked in the worse half out of sample). Right: out-of-sample vs in-sample Sharpe (per period) of the selected trial in each split.</p><div class="row"><canvas id="canvas-logits" class="plot" width="560" height="300"></canvas><canvas id="canvas-scatter" class="plot" width="560" height="300"></canvas></div></section>`,
    );
  }
  if (r.spread) {
    const mon = r.spread.monitor ?? [];
    const monNote = mon.length > 0 ? ` The relationship monitor broke ${mon.filter((e) => e.what === 'break').length} time(s) (red markers: flattened and out) and resumed ${mon.filter((e) => e.what === 'resume').length} time(s) (green).` : '';
    sections.push(`<section><h2>Spread z-score</h2><p class="note">z of the hedged spread at each decision, with entry (±${r.spread.entry}), exit (±${r.spread.exit}) and stop (±${r.spread.stop}) bands.${monNote}</p><div id="chart-spread" class="chart small"></div></section>`);
  }
  if (r.forecast) sections.push(`<section><h2>Forecast vs realised return</h2><p class="note">The regression's predicted forward return (blue) and the return that followed (orange), per decision, in fractions.</p><div id="chart-forecast" class="chart small"></div></section>`);
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

/** The page's own script: builds the charts from the payload; fails loudly (console.error) on errors. */
const PAGE_JS = `
(function(){
'use strict';
var P = JSON.parse(document.getElementById('payload').textContent);
var LC = window.LightweightCharts;
// what the page drew where, for the browser test (label boxes, axis ranges)
var LAYOUT = window.__layout = { foldLabels: [], canvasLabels: {} };
var COLORS = ['#3860d9','#e07b00','#2e9e57','#c23b3b','#7e57c2','#00897b','#6d4c41'];
function pts(a){ return a.map(function(p){ return { time: p[0], value: p[1] }; }); }
function chart(id, opts){
  var el = document.getElementById(id);
  return LC.createChart(el, Object.assign({ autoSize: true, layout: { background: { type: 'solid', color: '#ffffff' }, textColor: '#2d3748', attributionLogo: false },
    grid: { vertLines: { color: '#f0f2f5' }, horzLines: { color: '#f0f2f5' } }, timeScale: { timeVisible: true, secondsVisible: false }, rightPriceScale: { borderVisible: false } }, opts || {}));
}
// equity, with IS/OOS shading (a histogram on its own hidden scale) and fold marks
if (P.equity.length) {
  var c = chart('chart-equity');
  if (P.periods.length) {
    var shade = c.addSeries(LC.HistogramSeries, { priceScaleId: 'shade', lastValueVisible: false, priceLineVisible: false });
    c.priceScale('shade').applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
    var times = {}; P.equity.forEach(function(s){ s.points.forEach(function(p){ times[p[0]] = 1; }); });
    var data = Object.keys(times).map(Number).sort(function(a,b){return a-b;}).map(function(t){
      var k = null; P.periods.forEach(function(p){ if (t >= p.from && (p.to === null || t < p.to)) k = p.kind; });
      return { time: t, value: 1, color: k === 'oos' ? 'rgba(46,158,87,0.10)' : k === 'is' ? 'rgba(120,130,150,0.10)' : 'rgba(0,0,0,0)' };
    });
    shade.setData(data);
  }
  var main = null;
  P.equity.forEach(function(s, i){
    var line = c.addSeries(LC.LineSeries, { color: s.color || COLORS[i % COLORS.length], lineWidth: i === 0 ? 2 : 1, title: s.name, priceLineVisible: false });
    line.setData(pts(s.points));
    if (i === 0) main = line;
  });
  // the drawdown in a second pane of the same chart: one time axis for both
  var dd = c.addSeries(LC.AreaSeries, { lineColor: '#c23b3b', topColor: 'rgba(194,59,59,0.05)', bottomColor: 'rgba(194,59,59,0.35)', lineWidth: 1, title: 'drawdown %', priceLineVisible: false, invertFilledArea: true,
    // a drawdown is never above 0: the axis stops there
    autoscaleInfoProvider: function(orig){ var r = orig(); if (r && r.priceRange) { r.priceRange.maxValue = 0; if (r.priceRange.minValue >= 0) r.priceRange.minValue = -1; } return r; } }, 1);
  dd.setData(pts(P.drawdown));
  c.priceScale('right', 1).applyOptions({ scaleMargins: { top: 0, bottom: 0.05 } });
  var panes = c.panes(); if (panes.length > 1) { panes[0].setStretchFactor(0.72); panes[1].setStretchFactor(0.28); }
  c.timeScale().fitContent();
  LAYOUT.drawdownSeries = dd;
  LAYOUT.equityChart = c;
  // fold marks: an arrow at every fold start, a label where it does not run into the previous one
  if (P.foldMarks.length && main && LC.createSeriesMarkers) {
    var fm = LC.createSeriesMarkers(main, []);
    var placeFolds = function(){
      var ts = c.timeScale(), meas = document.createElement('canvas').getContext('2d');
      meas.font = '12px ' + getComputedStyle(document.body).fontFamily;
      var lastRight = -Infinity, labels = [];
      var marks = P.foldMarks.map(function(m){
        var x = ts.timeToCoordinate(m.time), w = meas.measureText(m.label).width, text = '';
        if (x !== null && x - w / 2 > lastRight + 6) { text = m.label; lastRight = x + w / 2; labels.push({ x: x, w: w, text: m.label }); }
        return { time: m.time, position: 'belowBar', shape: 'arrowUp', color: '#5a6475', text: text };
      });
      fm.setMarkers(marks);
      LAYOUT.foldLabels = labels;
    };
    placeFolds();
    c.timeScale().subscribeVisibleLogicalRangeChange(function(){ placeFolds(); });
  }
  document.getElementById('log-equity').addEventListener('change', function(e){ c.priceScale('right', 0).applyOptions({ mode: e.target.checked ? 1 : 0 }); });
}
if (P.rolling) {
  var rs = chart('chart-rolling');
  var rl = rs.addSeries(LC.LineSeries, { color: '#3860d9', lineWidth: 1, title: 'Sharpe (' + P.rolling.window + ')', priceLineVisible: false });
  rl.setData(pts(P.rolling.points));
  rl.createPriceLine({ price: 0, color: '#9aa3b2', lineWidth: 1, lineStyle: 2, axisLabelVisible: false, title: '' });
  rs.timeScale().fitContent();
}
P.prices.forEach(function(pc, k){
  var pch = chart('chart-price-' + k);
  var pl = pch.addSeries(LC.LineSeries, { color: '#2d3748', lineWidth: 1, title: pc.symbol, priceLineVisible: false });
  pl.setData(pts(pc.points));
  if (pc.marks.length && LC.createSeriesMarkers) LC.createSeriesMarkers(pl, pc.marks.map(function(m){ return m.side === 'buy' ? { time: m.time, position: 'belowBar', shape: 'arrowUp', color: '#2e9e57' } : { time: m.time, position: 'aboveBar', shape: 'arrowDown', color: '#c23b3b' }; }));
  pch.timeScale().fitContent();
});
// tabs
Array.prototype.forEach.call(document.querySelectorAll('.tabs .tab'), function(b){
  b.addEventListener('click', function(){
    Array.prototype.forEach.call(document.querySelectorAll('.tabs .tab'), function(x){ x.classList.toggle('on', x === b); });
    Array.prototype.forEach.call(document.querySelectorAll('.tabpanel'), function(p){ p.hidden = p.dataset.panel !== b.dataset.tab; });
  });
});
if (P.folds) {
  var f = chart('chart-folds');
  var oos = f.addSeries(LC.HistogramSeries, { color: '#2e9e57', title: 'OOS Sharpe', priceLineVisible: false });
  oos.setData(P.folds.ts.map(function(t,i){ var v = P.folds.oos[i]; return v === null ? { time: t } : { time: t, value: v, color: v >= 0 ? '#2e9e57' : '#c23b3b' }; }));
  var is = f.addSeries(LC.LineSeries, { color: '#5a6475', title: 'IS Sharpe', lineWidth: 1, pointMarkersVisible: true, priceLineVisible: false });
  is.setData(P.folds.ts.map(function(t,i){ var v = P.folds.is[i]; return v === null ? { time: t } : { time: t, value: v }; }));
  f.timeScale().fitContent();
}
if (P.spread) {
  var s = chart('chart-spread');
  var z = s.addSeries(LC.LineSeries, { color: '#3860d9', lineWidth: 1, title: 'z', priceLineVisible: false });
  z.setData(pts(P.spread.points));
  [[P.spread.entry,'#e07b00','entry'],[-P.spread.entry,'#e07b00','entry'],[P.spread.exit,'#2e9e57','exit'],[-P.spread.exit,'#2e9e57','exit'],[P.spread.stop,'#c23b3b','stop'],[-P.spread.stop,'#c23b3b','stop']].forEach(function(b){
    z.createPriceLine({ price: b[0], color: b[1], lineWidth: 1, lineStyle: 2, axisLabelVisible: true, title: b[2] });
  });
  if (P.spread.monitor.length && LC.createSeriesMarkers) {
    LC.createSeriesMarkers(z, P.spread.monitor.map(function(m){ return m.what === 'break' ? { time: m.time, position: 'aboveBar', shape: 'arrowDown', color: '#c23b3b', text: 'break' } : { time: m.time, position: 'belowBar', shape: 'arrowUp', color: '#2e9e57', text: 'resume' }; }));
  }
  s.timeScale().fitContent();
}
if (P.forecast) {
  var g = chart('chart-forecast');
  g.addSeries(LC.LineSeries, { color: '#e07b00', lineWidth: 1, title: 'realised', priceLineVisible: false }).setData(pts(P.forecast.realised));
  g.addSeries(LC.LineSeries, { color: '#3860d9', lineWidth: 2, title: 'predicted', priceLineVisible: false }).setData(pts(P.forecast.predicted));
  g.timeScale().fitContent();
}
// plain canvases: axes, labels, bars or points
function axisText(v){ var a = Math.abs(v); return a >= 1000 ? Math.round(v).toLocaleString('en-US') : a >= 100 || Math.round(v) === v ? String(Math.round(v)) : v.toFixed(2); }
// the left margin fits the widest y label (a label must never run off the canvas)
function frame(ctx, id, w, h, xl, yl, x0, x1, y0, y1){
  ctx.font = '12px system-ui, sans-serif';
  var t0 = axisText(y0), t1 = axisText(y1);
  var m = Math.max(50, Math.ceil(Math.max(ctx.measureText(t0).width, ctx.measureText(t1).width)) + 24);
  ctx.fillStyle = '#fff'; ctx.fillRect(0,0,w,h);
  ctx.strokeStyle = '#9aa3b2'; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(m,10); ctx.lineTo(m,h-40); ctx.lineTo(w-10,h-40); ctx.stroke();
  ctx.fillStyle = '#2d3748'; ctx.textAlign = 'center';
  ctx.fillText(xl, (w+m)/2, h-8); ctx.fillText(axisText(x0), m, h-26); ctx.fillText(axisText(x1), w-20, h-26);
  ctx.save(); ctx.translate(12,(h-40)/2); ctx.rotate(-Math.PI/2); ctx.fillText(yl,0,0); ctx.restore();
  ctx.textAlign = 'right'; ctx.fillText(t1, m-4, 18); ctx.fillText(t0, m-4, h-42);
  LAYOUT.canvasLabels[id] = { minX: m - 4 - Math.max(ctx.measureText(t0).width, ctx.measureText(t1).width), margin: m };
  return m;
}
if (P.pbo) {
  var cv = document.getElementById('canvas-logits'), cx = cv.getContext('2d'), W = cv.width, H = cv.height;
  var lo = P.pbo.hist.lo, hi = P.pbo.hist.hi, bins = P.pbo.hist.counts, nb = bins.length;
  var top = Math.max.apply(null, bins.concat([1]));
  var ml = frame(cx, 'canvas-logits', W, H, 'logit λ of the selected trial\\'s OOS rank', 'splits', lo, hi, 0, top);
  var bw = (W-ml-10)/nb;
  bins.forEach(function(b,i){ var x0 = lo + i*(hi-lo)/nb; cx.fillStyle = x0 + (hi-lo)/nb <= 0 ? '#c23b3b' : '#3860d9'; var bh = b/top*(H-60); cx.fillRect(ml+i*bw+1, H-40-bh, bw-2, bh); });
  var zx = ml + (0-lo)/(hi-lo)*(W-ml-10); cx.strokeStyle = '#1d2330'; cx.setLineDash([4,3]); cx.beginPath(); cx.moveTo(zx,10); cx.lineTo(zx,H-40); cx.stroke(); cx.setLineDash([]);
  var sv = document.getElementById('canvas-scatter'), sx = sv.getContext('2d');
  var xs = P.pbo.is, ys = P.pbo.oos, ok = xs.map(function(x,i){ return x !== null && ys[i] !== null && isFinite(x) && isFinite(ys[i]); });
  var X = xs.filter(function(_,i){return ok[i];}), Y = ys.filter(function(_,i){return ok[i];});
  var xa = Math.min.apply(null, X.concat([0])), xb = Math.max.apply(null, X.concat([0.01])), ya = Math.min.apply(null, Y.concat([0])), yb = Math.max.apply(null, Y.concat([0.01]));
  var ms = frame(sx, 'canvas-scatter', W, H, 'in-sample Sharpe (per period)', 'out-of-sample Sharpe', xa, xb, ya, yb);
  var py0 = H-40-(0-ya)/(yb-ya)*(H-50); sx.strokeStyle = '#d0d5dd'; sx.beginPath(); sx.moveTo(ms,py0); sx.lineTo(W-10,py0); sx.stroke();
  sx.fillStyle = 'rgba(56,96,217,0.35)';
  for (var i = 0; i < X.length; i++) { var px = ms+(X[i]-xa)/(xb-xa)*(W-ms-10), py = H-40-(Y[i]-ya)/(yb-ya)*(H-50); sx.beginPath(); sx.arc(px,py,2,0,6.2832); sx.fill(); }
}
// sortable tables
Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function(t){
  Array.prototype.forEach.call(t.querySelectorAll('th'), function(th, col){
    th.addEventListener('click', function(){
      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows), asc = th.dataset.dir !== 'asc';
      rows.sort(function(a,b){ var x = a.cells[col], y = b.cells[col];
        var u = x.dataset.sort !== undefined ? Number(x.dataset.sort) : x.textContent, v = y.dataset.sort !== undefined ? Number(y.dataset.sort) : y.textContent;
        return (u < v ? -1 : u > v ? 1 : 0) * (asc ? 1 : -1); });
      rows.forEach(function(r){ body.appendChild(r); }); th.dataset.dir = asc ? 'asc' : 'desc';
    });
  });
});
// the drawdown axis's top, once drawn (the browser test reads it)
requestAnimationFrame(function(){ if (LAYOUT.drawdownSeries) LAYOUT.drawdownTop = LAYOUT.drawdownSeries.coordinateToPrice(0); document.body.dataset.rendered = '1'; });
})();
`;
