/**
 * The HTML report's own script, run in the page: draws the charts from the inlined payload
 * (./payload.ts) with TradingView's lightweight-charts (inlined before it as the global
 * `LightweightCharts`) and on plain canvases; wires the tabs, the log-scale switch and the
 * sortable tables. Type-checked with the DOM library (./tsconfig.json, `npm run typecheck`) and
 * bundled into src/report/browser/page.generated.ts by scripts/bundle-page.mjs (`npm run build`).
 * Errors are not caught: they reach the console, where the browser test sees them.
 */
import type * as LWC from 'lightweight-charts';
import type { IChartApi, ISeriesApi, SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import type { Payload, Points } from './payload.js';

/** What the page drew where, for the browser test (tests/report/browser.test.ts). */
interface Layout {
  foldLabels: { x: number; w: number; text: string }[];
  canvasLabels: Record<string, { minX: number; margin: number }>;
  drawdownSeries?: ISeriesApi<'Area'>;
  equityChart?: IChartApi;
  drawdownTop?: number | null;
}

declare global {
  interface Window {
    LightweightCharts: typeof LWC;
    __layout: Layout;
  }
}

const P = JSON.parse(document.getElementById('payload')!.textContent!) as Payload;
const LC = window.LightweightCharts;
const LAYOUT: Layout = (window.__layout = { foldLabels: [], canvasLabels: {} });
const COLORS = ['#3860d9', '#e07b00', '#2e9e57', '#c23b3b', '#7e57c2', '#00897b', '#6d4c41'];

/** Seconds since the epoch, as the charting library names them. */
const sec = (t: number): UTCTimestamp => t as UTCTimestamp;
const pts = (a: Points): { time: UTCTimestamp; value: number }[] => a.map((p) => ({ time: sec(p[0]), value: p[1] }));
const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function chart(id: string): IChartApi {
  return LC.createChart(byId(id), {
    autoSize: true,
    layout: { background: { type: LC.ColorType.Solid, color: '#ffffff' }, textColor: '#2d3748', attributionLogo: false },
    grid: { vertLines: { color: '#f0f2f5' }, horzLines: { color: '#f0f2f5' } },
    timeScale: { timeVisible: true, secondsVisible: false },
    rightPriceScale: { borderVisible: false },
  });
}

// equity, with IS/OOS shading (a histogram on its own hidden scale) and fold marks
if (P.equity.length) {
  const c = chart('chart-equity');
  if (P.periods.length) {
    const shade = c.addSeries(LC.HistogramSeries, { priceScaleId: 'shade', lastValueVisible: false, priceLineVisible: false });
    c.priceScale('shade').applyOptions({ scaleMargins: { top: 0, bottom: 0 }, visible: false });
    const times = new Set<number>();
    for (const s of P.equity) for (const p of s.points) times.add(p[0]);
    const data = [...times]
      .sort((a, b) => a - b)
      .map((t) => {
        let k: 'is' | 'oos' | null = null;
        for (const p of P.periods) if (t >= p.from && (p.to === null || t < p.to)) k = p.kind;
        return { time: sec(t), value: 1, color: k === 'oos' ? 'rgba(46,158,87,0.10)' : k === 'is' ? 'rgba(120,130,150,0.10)' : 'rgba(0,0,0,0)' };
      });
    shade.setData(data);
  }
  let main: ISeriesApi<'Line'> | null = null;
  P.equity.forEach((s, i) => {
    const line = c.addSeries(LC.LineSeries, { color: s.color ?? COLORS[i % COLORS.length]!, lineWidth: i === 0 ? 2 : 1, title: s.name, priceLineVisible: false });
    line.setData(pts(s.points));
    if (i === 0) main = line;
  });
  // the drawdown in a second pane of the same chart: one time axis for both
  const dd = c.addSeries(
    LC.AreaSeries,
    {
      lineColor: '#c23b3b',
      topColor: 'rgba(194,59,59,0.05)',
      bottomColor: 'rgba(194,59,59,0.35)',
      lineWidth: 1,
      title: 'drawdown %',
      priceLineVisible: false,
      invertFilledArea: true,
      // a drawdown is never above 0: the axis stops there
      autoscaleInfoProvider: (orig: () => LWC.AutoscaleInfo | null) => {
        const r = orig();
        if (r && r.priceRange) {
          r.priceRange.maxValue = 0;
          if (r.priceRange.minValue >= 0) r.priceRange.minValue = -1;
        }
        return r;
      },
    },
    1,
  );
  dd.setData(pts(P.drawdown));
  c.priceScale('right', 1).applyOptions({ scaleMargins: { top: 0, bottom: 0.05 } });
  const panes = c.panes();
  if (panes.length > 1) {
    panes[0]!.setStretchFactor(0.72);
    panes[1]!.setStretchFactor(0.28);
  }
  c.timeScale().fitContent();
  LAYOUT.drawdownSeries = dd;
  LAYOUT.equityChart = c;
  // fold marks: an arrow at every fold start, a label where it does not run into the previous one
  const mainLine = main as ISeriesApi<'Line'> | null;
  if (P.foldMarks.length && mainLine) {
    const fm = LC.createSeriesMarkers<Time>(mainLine, []);
    const placeFolds = (): void => {
      const ts = c.timeScale();
      const meas = document.createElement('canvas').getContext('2d')!;
      meas.font = '12px ' + getComputedStyle(document.body).fontFamily;
      let lastRight = -Infinity;
      const labels: Layout['foldLabels'] = [];
      const marks = P.foldMarks.map((m): SeriesMarker<Time> => {
        const x = ts.timeToCoordinate(sec(m.time));
        const w = meas.measureText(m.label).width;
        let text = '';
        if (x !== null && x - w / 2 > lastRight + 6) {
          text = m.label;
          lastRight = x + w / 2;
          labels.push({ x, w, text: m.label });
        }
        return { time: sec(m.time), position: 'belowBar', shape: 'arrowUp', color: '#5a6475', text };
      });
      fm.setMarkers(marks);
      LAYOUT.foldLabels = labels;
    };
    placeFolds();
    c.timeScale().subscribeVisibleLogicalRangeChange(() => placeFolds());
  }
  byId<HTMLInputElement>('log-equity').addEventListener('change', (e) => {
    c.priceScale('right', 0).applyOptions({ mode: (e.target as HTMLInputElement).checked ? LC.PriceScaleMode.Logarithmic : LC.PriceScaleMode.Normal });
  });
}

if (P.rolling) {
  const rs = chart('chart-rolling');
  const rl = rs.addSeries(LC.LineSeries, { color: '#3860d9', lineWidth: 1, title: `Sharpe (${P.rolling.window})`, priceLineVisible: false });
  rl.setData(pts(P.rolling.points));
  rl.createPriceLine({ price: 0, color: '#9aa3b2', lineWidth: 1, lineStyle: LC.LineStyle.Dashed, axisLabelVisible: false, title: '' });
  rs.timeScale().fitContent();
}

P.prices.forEach((pc, k) => {
  const pch = chart(`chart-price-${k}`);
  const pl = pch.addSeries(LC.LineSeries, { color: '#2d3748', lineWidth: 1, title: pc.symbol, priceLineVisible: false });
  pl.setData(pts(pc.points));
  if (pc.marks.length) {
    LC.createSeriesMarkers<Time>(
      pl,
      pc.marks.map((m): SeriesMarker<Time> => (m.side === 'buy' ? { time: sec(m.time), position: 'belowBar', shape: 'arrowUp', color: '#2e9e57' } : { time: sec(m.time), position: 'aboveBar', shape: 'arrowDown', color: '#c23b3b' })),
    );
  }
  pch.timeScale().fitContent();
});

// tabs
const tabs = document.querySelectorAll<HTMLButtonElement>('.tabs .tab');
tabs.forEach((b) => {
  b.addEventListener('click', () => {
    tabs.forEach((x) => x.classList.toggle('on', x === b));
    document.querySelectorAll<HTMLElement>('.tabpanel').forEach((p) => (p.hidden = p.dataset.panel !== b.dataset.tab));
  });
});

if (P.folds) {
  const { ts, is, oos } = P.folds;
  const f = chart('chart-folds');
  const bars = f.addSeries(LC.HistogramSeries, { color: '#2e9e57', title: 'OOS Sharpe', priceLineVisible: false });
  bars.setData(
    ts.map((t, i) => {
      const v = oos[i] ?? null;
      return v === null ? { time: sec(t) } : { time: sec(t), value: v, color: v >= 0 ? '#2e9e57' : '#c23b3b' };
    }),
  );
  const line = f.addSeries(LC.LineSeries, { color: '#5a6475', title: 'IS Sharpe', lineWidth: 1, pointMarkersVisible: true, priceLineVisible: false });
  line.setData(
    ts.map((t, i) => {
      const v = is[i] ?? null;
      return v === null ? { time: sec(t) } : { time: sec(t), value: v };
    }),
  );
  f.timeScale().fitContent();
}

/** An autoscaled range widened to take in the levels. */
function withLevels(r: LWC.AutoscaleInfo | null, levels: readonly number[]): LWC.AutoscaleInfo | null {
  if (!r || !r.priceRange) return r;
  const [lo, hi] = range(levels, r.priceRange.minValue, r.priceRange.maxValue);
  return { ...r, priceRange: { minValue: lo, maxValue: hi } };
}

// the strategies' own charts: lines, dashed levels, markers on the first line
for (const d of P.charts) {
  const g = chart(`chart-${d.id}`);
  const levels = d.levels.map((l) => l.value);
  const lines = d.series.map((s, i) => {
    const line = g.addSeries(LC.LineSeries, {
      color: s.color ?? COLORS[i % COLORS.length]!,
      lineWidth: s.width as LWC.LineWidth,
      title: s.name,
      priceLineVisible: false,
      // the axis takes in the levels too: a threshold the data never reaches is still seen
      ...(i === 0 && levels.length ? { autoscaleInfoProvider: (orig: () => LWC.AutoscaleInfo | null) => withLevels(orig(), levels) } : {}),
    });
    line.setData(pts(s.points));
    return line;
  });
  const first = lines[0];
  if (first) {
    for (const l of d.levels) first.createPriceLine({ price: l.value, color: l.color ?? '#9aa3b2', lineWidth: 1, lineStyle: LC.LineStyle.Dashed, axisLabelVisible: true, title: l.label });
    if (d.markers.length) {
      LC.createSeriesMarkers<Time>(
        first,
        d.markers.map((m): SeriesMarker<Time> => ({
          time: sec(m.time),
          position: m.direction === 'up' ? 'belowBar' : 'aboveBar',
          shape: m.direction === 'up' ? 'arrowUp' : 'arrowDown',
          color: m.color ?? (m.direction === 'up' ? '#2e9e57' : '#c23b3b'),
          text: m.label,
        })),
      );
    }
  }
  g.timeScale().fitContent();
}

// plain canvases: axes, labels, bars or points
function axisText(v: number): string {
  const a = Math.abs(v);
  return a >= 1000 ? Math.round(v).toLocaleString('en-US') : a >= 100 || Math.round(v) === v ? String(Math.round(v)) : v.toFixed(2);
}

/** Axes and their labels; the left margin fits the widest y label (a label must never run off the canvas). Returns the margin. */
function frame(ctx: CanvasRenderingContext2D, id: string, w: number, h: number, xl: string, yl: string, x0: number, x1: number, y0: number, y1: number): number {
  ctx.font = '12px system-ui, sans-serif';
  const t0 = axisText(y0);
  const t1 = axisText(y1);
  const widest = Math.max(ctx.measureText(t0).width, ctx.measureText(t1).width);
  const m = Math.max(50, Math.ceil(widest) + 24);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.strokeStyle = '#9aa3b2';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(m, 10);
  ctx.lineTo(m, h - 40);
  ctx.lineTo(w - 10, h - 40);
  ctx.stroke();
  ctx.fillStyle = '#2d3748';
  ctx.textAlign = 'center';
  ctx.fillText(xl, (w + m) / 2, h - 8);
  ctx.fillText(axisText(x0), m, h - 26);
  ctx.fillText(axisText(x1), w - 20, h - 26);
  ctx.save();
  ctx.translate(12, (h - 40) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(yl, 0, 0);
  ctx.restore();
  ctx.textAlign = 'right';
  ctx.fillText(t1, m - 4, 18);
  ctx.fillText(t0, m - 4, h - 42);
  LAYOUT.canvasLabels[id] = { minX: m - 4 - widest, margin: m };
  return m;
}

/** The smallest and largest of values and a floor/ceiling (a loop: a spread of a large array into Math.min overflows the stack). */
function range(xs: readonly number[], lo: number, hi: number): [number, number] {
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

if (P.pbo) {
  const cv = byId<HTMLCanvasElement>('canvas-logits');
  const cx = cv.getContext('2d')!;
  const W = cv.width;
  const H = cv.height;
  const { lo, hi, counts: bins } = P.pbo.hist;
  const nb = bins.length;
  const top = range(bins, 1, 1)[1];
  const ml = frame(cx, 'canvas-logits', W, H, "logit λ of the selected trial's OOS rank", 'splits', lo, hi, 0, top);
  const bw = (W - ml - 10) / nb;
  bins.forEach((b, i) => {
    const x0 = lo + (i * (hi - lo)) / nb;
    cx.fillStyle = x0 + (hi - lo) / nb <= 0 ? '#c23b3b' : '#3860d9';
    const bh = (b / top) * (H - 60);
    cx.fillRect(ml + i * bw + 1, H - 40 - bh, bw - 2, bh);
  });
  const zx = ml + ((0 - lo) / (hi - lo)) * (W - ml - 10);
  cx.strokeStyle = '#1d2330';
  cx.setLineDash([4, 3]);
  cx.beginPath();
  cx.moveTo(zx, 10);
  cx.lineTo(zx, H - 40);
  cx.stroke();
  cx.setLineDash([]);
  const sv = byId<HTMLCanvasElement>('canvas-scatter');
  const sx = sv.getContext('2d')!;
  const X: number[] = [];
  const Y: number[] = [];
  P.pbo.is.forEach((x, i) => {
    const y = P.pbo!.oos[i] ?? null;
    if (x !== null && y !== null && Number.isFinite(x) && Number.isFinite(y)) {
      X.push(x);
      Y.push(y);
    }
  });
  const [xa, xb] = range(X, 0, 0.01);
  const [ya, yb] = range(Y, 0, 0.01);
  const ms = frame(sx, 'canvas-scatter', W, H, 'in-sample Sharpe (per period)', 'out-of-sample Sharpe', xa, xb, ya, yb);
  const py0 = H - 40 - ((0 - ya) / (yb - ya)) * (H - 50);
  sx.strokeStyle = '#d0d5dd';
  sx.beginPath();
  sx.moveTo(ms, py0);
  sx.lineTo(W - 10, py0);
  sx.stroke();
  sx.fillStyle = 'rgba(56,96,217,0.35)';
  for (let i = 0; i < X.length; i++) {
    const px = ms + ((X[i]! - xa) / (xb - xa)) * (W - ms - 10);
    const py = H - 40 - ((Y[i]! - ya) / (yb - ya)) * (H - 50);
    sx.beginPath();
    sx.arc(px, py, 2, 0, 6.2832);
    sx.fill();
  }
}

// sortable tables: a click on a header sorts by its column, again reverses
document.querySelectorAll<HTMLTableElement>('table.sortable').forEach((t) => {
  t.querySelectorAll<HTMLTableCellElement>('th').forEach((th, col) => {
    th.addEventListener('click', () => {
      const body = t.tBodies[0]!;
      const rows = Array.from(body.rows);
      const asc = th.dataset.dir !== 'asc';
      const key = (r: HTMLTableRowElement): number | string => {
        const cell = r.cells[col]!;
        return cell.dataset.sort !== undefined ? Number(cell.dataset.sort) : (cell.textContent ?? '');
      };
      rows.sort((a, b) => {
        const u = key(a);
        const v = key(b);
        return (u < v ? -1 : u > v ? 1 : 0) * (asc ? 1 : -1);
      });
      for (const r of rows) body.appendChild(r);
      th.dataset.dir = asc ? 'asc' : 'desc';
    });
  });
});

// the drawdown axis's top, once drawn (the browser test reads it)
requestAnimationFrame(() => {
  if (LAYOUT.drawdownSeries) LAYOUT.drawdownTop = LAYOUT.drawdownSeries.coordinateToPrice(0);
  document.body.dataset.rendered = '1';
});
