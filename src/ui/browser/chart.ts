/**
 * Equity curves overlaid with lightweight-charts: each curve as growth of 1 from its first point,
 * so that runs of different capital compare. Curves on calendar time share one chart; curves
 * indexed by period (the ledger keeps returns per period, not their times) share another, its
 * axis labelled "period N".
 */
import { createChart, createOptionsChart, LineSeries, type IChartApiBase } from 'lightweight-charts';
import { h } from './dom.js';

export interface Curve {
  readonly name: string;
  readonly time: readonly number[];
  readonly value: readonly number[];
}

/** Colours distinguishable from each other and with contrast on white (each ≥ 4.5:1). */
export const PALETTE = ['#1d4ed8', '#b91c1c', '#047857', '#7c3aed', '#b45309', '#0e7490', '#be185d', '#4d7c0f'];

/** Draws the curves into a new element (a chart and its legend); returns it. */
export function equityChart(curves: readonly { curve: Curve; color: string }[], byPeriod: boolean, label: string): HTMLElement {
  const box = h('div', { class: 'chart', role: 'img', 'aria-label': label });
  const legend = h(
    'div',
    { class: 'legend' },
    curves.map((c) => h('span', { style: `--c:${c.color}` }, c.curve.name)),
  );
  const wrap = h('div', {}, legend, box);
  // drawn once the element is in the page (the chart measures its container)
  requestAnimationFrame(() => {
    const common = { autoSize: true, layout: { textColor: '#1b1f24', background: { color: '#ffffff' } }, grid: { vertLines: { color: '#eef1f4' }, horzLines: { color: '#eef1f4' } } };
    const chart: IChartApiBase<number> = byPeriod ? createOptionsChart(box, { ...common, localization: { priceFormatter: (p: number) => p.toFixed(4) } }) : (createChart(box, { ...common, timeScale: { timeVisible: true } }) as unknown as IChartApiBase<number>);
    for (const { curve, color } of curves) {
      const s = chart.addSeries(LineSeries, { color, lineWidth: 2, priceLineVisible: false, title: '' });
      const v0 = curve.value[0] ?? 1;
      const base = v0 !== 0 ? v0 : 1;
      s.setData(curve.time.map((t, i) => ({ time: t, value: curve.value[i]! / base })));
    }
    chart.timeScale().fitContent();
    box.dataset.drawn = '1';
  });
  return wrap;
}
