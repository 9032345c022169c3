/**
 * The tearsheet in the terminal: a few lines beside the headline figures (the full tables,
 * monthly returns and the five deepest drawdowns, are in the JSON and the HTML report).
 */
import { formatDuration, formatIso } from '../data/time.js';
import type { RunTearsheet } from '../metrics/run-tearsheet.js';
import { fmtNum, fmtPct } from './format.js';

/**
 * Spans shorter than this (in years: about 3 months) get no CAGR, Calmar or annualised mean, and
 * alpha and the information ratio a period instead of a year, in the text and in the HTML report.
 */
export const SHORT_YEARS = 0.25;

/** Whether a tearsheet's span is too short for figures scaled to a year (see {@link SHORT_YEARS}). */
export const shortSpan = (t: { readonly calendarYears: number }): boolean => !(t.calendarYears >= SHORT_YEARS);

const signed = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${fmtPct(x)}` : 'n/a');
const day = (us: number | null): string => (us === null || !Number.isFinite(us) ? 'n/a' : formatIso(us).replace(/T00:00:00(\.0+)?Z$/, ''));

/** The tearsheet lines, each starting with `indent` and a label padded to `width`. */
export function tearsheetLines(t: RunTearsheet, indent = '  ', width = 15): string[] {
  const L = (label: string, text: string): string => `${indent}${label.padEnd(width)}${text}`;
  const tl = t.tail.linear;
  const dd = t.drawdowns;
  const deep = dd.top5.slice(0, 3).map((e) => `${fmtPct(e.depth)} ${day(e.peakTs)} → ${day(e.troughTs)}${e.recovered ? `, back ${day(e.recoveryTs)}` : ', not back'}`);
  // every year (a 23-year run lists 23)
  const years = Object.entries(t.monthly).map(([y, row]) => `${y} ${signed(row.year!)}`);
  const b = t.benchmark;
  const benchName = t.benchmarkSymbols.length <= 4 ? t.benchmarkSymbols.join('+') : `${t.benchmarkSymbols.length} symbols`;
  const tr = t.trades;
  // compounded over a year from a few weeks, a growth rate means nothing: said, not printed
  const short = shortSpan(t);
  const span = formatDuration(t.calendarYears * 365.25 * 86_400e6);
  const growth = short
    ? `CAGR, Calmar and the annual mean not shown (${span} of data: scaled to a year they mean nothing; in the JSON)`
    : `CAGR ${fmtPct(t.cagrCalendar)} (calendar) / ${fmtPct(t.cagrPeriods)} (periods); Calmar ${fmtNum(t.calmarCalendar)}; annual mean ${fmtPct(t.annualReturnArithmetic)}`;
  return [
    L('returns', `total ${signed(t.totalReturn)}; ${growth}; volatility ${fmtPct(t.annualVolatility)} a year`),
    L(
      'tail',
      `VaR 95% ${fmtPct(tl.var95)} a period, CVaR ${fmtPct(0 - tl.cvar95)} (historical); best period ${signed(t.bestPeriod.ret)} (${day(t.bestPeriod.ts)}), worst ${signed(t.worstPeriod.ret)} (${day(t.worstPeriod.ts)}); Omega ${fmtNum(t.omega)}; tail ratio ${fmtNum(tl.tailRatio)}`,
    ),
    L('drawdowns', dd.count === 0 ? 'none' : `${dd.count} episodes, avg depth ${fmtPct(dd.avgDepth)}, avg length ${fmtNum(dd.avgLengthBars, 1)} periods; deepest ${deep.join('; ')}`),
    ...(years.length > 1 ? [L('by year', years.join(', '))] : []),
    ...(tr && tr.n > 0 ? [L('trade stats', `SQN ${fmtNum(tr.sqn)}; Kelly ${fmtNum(tr.kelly)}; payoff ${fmtNum(tr.payoff)}; best trade ${signed(tr.best)}, worst ${signed(tr.worst)}`)] : []),
    ...(b
      ? [
          L(
            'vs benchmark',
            `buy-and-hold of ${benchName} (${t.benchmarkIs}) ${signed(b.totalReturn)}; beta ${fmtNum(b.beta)}, ${short ? `alpha ${fmtPct(b.alpha)} a period, information ratio ${fmtNum(b.informationRatio)} a period` : `alpha ${fmtPct(b.alphaAnnual)} a year, information ratio ${fmtNum(b.informationRatioAnnual)}`}` +
              (t.benchmarkIs === 'given' && Number.isFinite(t.buyAndHoldTraded) ? `; buy-and-hold of the traded symbols ${signed(t.buyAndHoldTraded)}` : ''),
          ),
        ]
      : []),
  ];
}
