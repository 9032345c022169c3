/**
 * What goes into the HTML report of a run and of a validation: the same numbers as the JSON
 * report (the summary's `data-value`s are the JSON values, checked by the browser test).
 */
import { buildStudy, studyFigures } from '../search/study.js';
import { shortSpan } from './tearsheet-text.js';
import { holdings, holdingsText, type Holding } from '../metrics/holdings.js';
import type { TripLog } from '../portfolio/record.js';
import type { RunOutcome } from '../engine/run-outcome.js';
import { formatDuration, formatIso } from '../data/time.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { ValidationOutcome } from '../validation/validate.js';
import type { DiagnosticChart } from '../strategy/diagnostics.js';
import { fmtNum, fmtP, fmtPct } from './format.js';
import { sampleLabels } from '../metrics/period.js';
import type { HtmlReport, PriceChart, StrategyPanel, SummaryItem } from './html.js';
import type { RunTearsheet } from '../metrics/run-tearsheet.js';
import { markAt, type TickTable } from '../data/table.js';
import { F_SIDE, F_SYM, F_TS, type RunRecord } from '../portfolio/record.js';
import type { RunReport } from './run-report.js';

/** Trades shown in the table at most (the CSV and JSON outputs have them all). */
export const MAX_TRADE_ROWS = 1000;

const TRADE_COLUMNS = ['entry', 'exit', 'symbol', 'side', 'max qty', 'entry price', 'exit price', 'gross PnL', 'fees', 'net PnL', 'return %', 'held'];

function tradeRows(trades: TripLog): (string | number)[][] {
  return Array.from({ length: Math.min(trades.length, MAX_TRADE_ROWS) }, (_, i) => trades.at(i)).map((t) => [
    formatIso(t.entryTs),
    formatIso(t.exitTs),
    t.symbol,
    t.side,
    t.maxQty,
    t.entryPrice,
    t.exitPrice,
    t.grossPnl,
    t.fees,
    t.netPnl,
    t.returnFraction * 100,
    formatDuration(t.holdingUs),
  ]);
}

/**
 * A time as the tables show it: "2024-01-02 14:30", with seconds when they are not zero, a date
 * alone at midnight; fractions of a second are dropped (the JSON report has every time exactly).
 */
export function shortTime(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  const iso = formatIso(Math.floor(us / 1e6) * 1e6);
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2})(:\d{2})?(?:\.\d+)?Z)?$/.exec(iso);
  if (!m) return iso;
  if (!m[2] || (m[2] === '00:00' && (!m[3] || m[3] === ':00'))) return m[1]!;
  return `${m[1]} ${m[2]}${m[3] && m[3] !== ':00' ? m[3] : ''}`;
}

/** Symbols charted with their fills, at most. */
const MAX_PRICE_CHARTS = 4;

/** Price charts of the symbols a record traded (its fills as markers), from the table it ran on. */
export function priceCharts(t: TickTable, r: RunRecord, from = -Infinity, to = Infinity): PriceChart[] {
  const symCol = r.fills.col(F_SYM);
  const tsCol = r.fills.col(F_TS);
  const sideCol = r.fills.col(F_SIDE);
  const traded = [...new Set(Array.from(symCol))]
    .map((k) => r.symbols[k]!)
    .sort()
    .slice(0, MAX_PRICE_CHARTS);
  return traded.map((name) => {
    const id = t.symbols.indexOf(name);
    const ts: number[] = [];
    const px: number[] = [];
    for (let i = 0; i < t.length; i++) {
      if (t.sym[i] !== id) continue;
      const at = t.ts[i]!;
      if (at < from || at > to) continue;
      const m = markAt(t, i);
      if (m > 0) {
        ts.push(at);
        px.push(m);
      }
    }
    const fills: { ts: number; side: 'buy' | 'sell' }[] = [];
    for (let j = 0; j < r.fills.length; j++) if (r.symbols[symCol[j]!] === name) fills.push({ ts: tsCol[j]!, side: sideCol[j]! > 0 ? 'buy' : 'sell' });
    return { symbol: name, ts: Float64Array.from(ts), px: Float64Array.from(px), fills };
  });
}

/** Annualised Sharpe of the equity's returns over a trailing window of periods. */
export function rollingSharpe(r: RunRecord, periodsPerYear: number): { window: number; ts: Float64Array; values: Float64Array } | undefined {
  const n = r.equity.length;
  const w = Math.max(20, Math.min(Math.round(periodsPerYear / 4), Math.floor(n / 3)));
  if (n < w + 2) return undefined;
  const rets = new Float64Array(n);
  for (let k = 0; k < n; k++) rets[k] = r.equity[k]! / (k > 0 ? r.equity[k - 1]! : r.initialCapital) - 1;
  const labels = sampleLabels(r.sampleTs, r.periodUs);
  const ts = new Float64Array(n - w + 1);
  const values = new Float64Array(n - w + 1);
  // running sums over the window: O(n), whatever the window (a year of minutes has a window of
  // 131,400 periods; a sum per window would be 10^10 operations)
  let s1 = 0;
  let s2 = 0;
  for (let k = 0; k < n; k++) {
    s1 += rets[k]!;
    s2 += rets[k]! ** 2;
    if (k >= w) {
      s1 -= rets[k - w]!;
      s2 -= rets[k - w]! ** 2;
    }
    if (k < w - 1) continue;
    const m = s1 / w;
    const sd = Math.sqrt(Math.max(0, (s2 - w * m * m) / (w - 1)));
    ts[k - w + 1] = labels[k]!;
    values[k - w + 1] = sd > 0 ? (m / sd) * Math.sqrt(periodsPerYear) : NaN;
  }
  return { window: w, ts, values };
}

/** A strategy's tab: its headline figures, the tearsheet as a table, monthly returns, deepest drawdowns. */
export function strategyPanel(name: string, m: RunMetrics, t: RunTearsheet, holds?: readonly Holding[]): StrategyPanel {
  const b = t.benchmark;
  const tl = t.tail.linear;
  const tr = t.trades;
  const row = (k: string, v: string): string[] => [k, v];
  const short = shortSpan(t);
  return {
    name,
    summary: [
      ...headline(m),
      // compounded to a year from a few weeks a growth rate means nothing (the JSON has it)
      { key: 'cagrCalendar', label: 'CAGR (calendar)', value: t.cagrCalendar, text: !short ? fmtPct(t.cagrCalendar) : `n/a over ${formatDuration(t.calendarYears * 365.25 * 86_400e6)}` },
      { key: 'annualVolatility', label: 'volatility (annual)', value: t.annualVolatility, text: fmtPct(t.annualVolatility) },
      { key: 'var95', label: 'VaR 95% (a period)', value: tl.var95, text: fmtPct(tl.var95) },
      { key: 'beta', label: `beta vs ${t.benchmarkSymbols.join('+')}`, value: b ? b.beta : null, text: b ? fmtNum(b.beta) : 'n/a' },
    ],
    figures: {
      header: ['figure', 'value'],
      rows: [
        ...(holds ? [row('holds (equal weights of the symbols with data)', holdingsText(holds))] : []),
        row('total return', fmtPct(t.totalReturn)),
        row('CAGR (calendar span / periods)', !short ? `${fmtPct(t.cagrCalendar)} / ${fmtPct(t.cagrPeriods)}` : `not shown: ${formatDuration(t.calendarYears * 365.25 * 86_400e6)} of data`),
        // as the text: scaled to a year from a short span, the mean, alpha and IR mean nothing
        short ? row('volatility (annual)', fmtPct(t.annualVolatility)) : row('annualised mean, volatility', `${fmtPct(t.annualReturnArithmetic)}, ${fmtPct(t.annualVolatility)}`),
        ...(!short ? [row('Calmar (calendar / periods)', `${fmtNum(t.calmarCalendar)} / ${fmtNum(t.calmarPeriods)}`)] : []),
        row('VaR / CVaR 95% (historical, a period)', `${fmtPct(tl.var95)} / ${fmtPct(0 - tl.cvar95)}`),
        row('best / worst period', `${fmtPct(t.bestPeriod.ret)} (${shortTime(t.bestPeriod.ts)}) / ${fmtPct(t.worstPeriod.ret)} (${shortTime(t.worstPeriod.ts)})`),
        row('Omega (0), tail ratio', `${fmtNum(t.omega)}, ${fmtNum(tl.tailRatio)}`),
        row('drawdowns: count, avg depth, avg length', `${t.drawdowns.count}, ${fmtPct(t.drawdowns.avgDepth)}, ${fmtNum(t.drawdowns.avgLengthBars, 1)} periods`),
        ...(tr && tr.n > 0 ? [row('SQN, Kelly, payoff', `${fmtNum(tr.sqn)}, ${fmtNum(tr.kelly)}, ${fmtNum(tr.payoff)}`), row('best / worst trade', `${fmtPct(tr.best)} / ${fmtPct(tr.worst)}`)] : []),
        ...(b
          ? [
              row(`buy-and-hold of ${t.benchmarkSymbols.join('+')} (${t.benchmarkIs})`, fmtPct(b.totalReturn)),
              short
                ? row('beta, alpha (a period), information ratio (a period)', `${fmtNum(b.beta)}, ${fmtPct(b.alpha)}, ${fmtNum(b.informationRatio)}`)
                : row('beta, alpha (annual), information ratio (annual)', `${fmtNum(b.beta)}, ${fmtPct(b.alphaAnnual)}, ${fmtNum(b.informationRatioAnnual)}`),
            ]
          : []),
      ],
    },
    monthly: t.monthly,
    drawdowns: {
      header: ['depth', 'peak', 'trough', 'recovery', 'length (periods)', 'days'],
      rows: t.drawdowns.top5.map((d) => [fmtPct(d.depth), shortTime(d.peakTs), shortTime(d.troughTs), d.recoveryTs === null ? 'not recovered' : shortTime(d.recoveryTs), String(d.lengthBars), String(d.lengthDays)]),
    },
  };
}

/** The figures every report opens with: PnL and hit rate first. */
function headline(m: RunMetrics): SummaryItem[] {
  const h = m.hitRate;
  return [
    { key: 'pnlNet', label: 'PnL (net)', value: m.pnlNet, text: fmtNum(m.pnlNet) },
    { key: 'returnFraction', label: 'return', value: m.returnFraction, text: fmtPct(m.returnFraction) },
    { key: 'hitRate', label: `hit rate (95% CI ${fmtPct(h.wilson95.low, 1)}–${fmtPct(h.wilson95.high, 1)}, p ${fmtP(h.pValue)})`, value: h.rate, text: `${fmtPct(h.rate, 1)} of ${h.wins + h.losses}` },
    { key: 'sharpeAnnualized', label: 'Sharpe (annualised)', value: m.sharpeAnnualized, text: fmtNum(m.sharpeAnnualized) },
    { key: 'maxDrawdownFraction', label: 'max drawdown', value: m.maxDrawdownFraction, text: fmtPct(m.maxDrawdownFraction) },
    { key: 'trades', label: 'round trips', value: m.trades, text: String(m.trades) },
    { key: 'feesPaid', label: 'fees', value: m.feesPaid, text: fmtNum(m.feesPaid) },
  ];
}

export function runHtml(rep: RunReport, out: RunOutcome, table?: TickTable): HtmlReport {
  const r = out.record;
  const m = out.metrics;
  const p = out.params;
  return {
    title: `tickfold run: ${r.strategy}`,
    subtitle: `${Object.entries(p)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')} · ${r.events.toLocaleString('en-US')} events (${r.symbols.join(', ')}) · ${rep.manifest.window.from} → ${rep.manifest.window.to}`,
    verdict: `One run: no trials to deflate (PSR(0) ${fmtNum(m.probabilisticSharpe, 3)}; trials 1; DSR and PBO need a grid: use tickfold walk-forward)`,
    summary: [...headline(m), { key: 'probabilisticSharpe', label: 'PSR(0)', value: m.probabilisticSharpe, text: fmtNum(m.probabilisticSharpe, 3) }, { key: 'trials', label: 'trials', value: 1, text: '1' }],
    equity: [{ name: r.strategy, ts: sampleLabels(r.sampleTs, r.periodUs), values: r.equity }],
    ...chartsOf([r]),
    ...(table ? { prices: priceCharts(table, r) } : {}),
    ...rollingOf(r, m.periodsPerYear),
    // the JSON report's holdings (a strategy that holds equal weights) shown in its tearsheet too
    strategies: [strategyPanel(r.strategy, m, out.tearsheet, rep.holdings ? holdings(out.record) : undefined)],
    trades: { columns: TRADE_COLUMNS, rows: tradeRows(r.trades), total: r.trades.length },
    manifest: { tickfold: rep.tickfold, ...rep.manifest },
  };
}

const rollingOf = (r: RunRecord, P: number): { rollingSharpe?: NonNullable<ReturnType<typeof rollingSharpe>> } => {
  const x = rollingSharpe(r, P);
  return x ? { rollingSharpe: x } : {};
};

/**
 * The strategies' own charts (`diagnostics()`, src/strategy/diagnostics.ts), each id once: from
 * the first record that has it (the main strategy's first).
 */
function chartsOf(records: readonly RunRecord[]): { diagnostics?: DiagnosticChart[] } {
  const out = new Map<string, DiagnosticChart>();
  for (const r of records) for (const c of r.strategyDiagnostics?.charts ?? []) if (!out.has(c.id)) out.set(c.id, c);
  return out.size > 0 ? { diagnostics: [...out.values()] } : {};
}

export function validationHtml(v: ValidationOutcome, report: Record<string, unknown>, command: string, table?: TickTable): HtmlReport {
  const main = v.strategies.find((s) => !s.baseline) ?? v.strategies[0]!;
  const m = main.oos.metrics;
  const of = main.overfitting;
  const folds = v.plan.folds;
  const first = folds[0]!;
  // the candidates' own charts, the main strategy's first
  const candidates = [main, ...v.strategies.filter((s) => !s.baseline && s !== main)];
  // the in-sample stretch of the first fold: its chosen trial's equity over its training window
  const t0 = main.folds[0]!;
  const isRets = main.trials[t0.chosen.trial]!.returns;
  const isTs: number[] = [];
  const isEq: number[] = [];
  let eq = main.oos.record.initialCapital;
  for (let k = 0; k < isRets.length; k++) {
    const t = main.trialSampleTs[k]!;
    eq *= 1 + isRets[k]!;
    if (t > first.trainStart && t <= first.testStart) {
      isTs.push(t);
      isEq.push(eq);
    }
  }
  const scale = isEq.length > 0 ? main.oos.record.initialCapital / isEq[0]! : 1;
  const colors = ['#3860d9', '#e07b00', '#2e9e57', '#c23b3b', '#7e57c2', '#00897b', '#6d4c41', '#8a93a3'];
  return {
    title: `tickfold ${command}: ${
      v.strategies
        .filter((s) => !s.baseline)
        .map((s) => s.name)
        .join(', ') || main.name
    }`,
    subtitle: `${v.plan.mode === 'split' ? 'one in-sample/out-of-sample split' : `${folds.length} ${v.plan.anchored ? 'anchored' : 'rolling'} walk-forward folds`} · parameters chosen in-sample by ${v.objective} · fold edge: ${v.edge} · out-of-sample figures of ${main.name}`,
    verdict: `${main.name}: ${main.verdict}`,
    summary: [
      ...headline(m),
      { key: 'dsr', label: `DSR of the in-sample best (over ${of.configurations} configurations)`, value: of.dsr, text: fmtNum(of.dsr, 3) },
      { key: 'pbo', label: 'PBO (CSCV)', value: of.pbo?.pbo ?? null, text: of.pbo ? fmtNum(of.pbo.pbo, 3) : 'n/a' },
      { key: 'trials', label: 'trials', value: of.trials, text: String(of.trials) },
      { key: 'verdictClass', label: 'verdict', value: main.verdictClass, text: main.verdictClass },
    ],
    equity: [
      ...[main, ...v.strategies.filter((s) => s !== main)].map((s, i) => ({ name: `${s.name}${s.baseline ? ' (baseline)' : ''}`, ts: sampleLabels(s.oos.record.sampleTs, s.oos.record.periodUs), values: s.oos.record.equity, color: colors[i % colors.length]! })),
      ...(isTs.length > 1 ? [{ name: `${main.name} in-sample (fold 1's choice)`, ts: isTs, values: isEq.map((x) => x * scale), color: '#8a93a3' }] : []),
    ],
    periods: [
      { from: first.trainStart, to: first.testStart, kind: 'is' },
      { from: first.testStart, to: Infinity, kind: 'oos' },
    ],
    foldMarks: folds.length > 1 ? folds.map((f) => ({ ts: f.testStart, label: `fold ${f.index + 1}` })) : [],
    folds: {
      header: ['fold', 'train', 'test', 'chosen', 'IS Sharpe', 'OOS Sharpe', 'OOS return', 'OOS fees', 'trades entered'],
      rows: main.folds.map((f) => [
        `${f.fold.index + 1}${f.fold.partial ? ' (partial)' : ''}`,
        `${shortTime(f.fold.trainStart)} → ${shortTime(f.fold.trainEnd)}`,
        `${shortTime(f.fold.testStart)} → ${Number.isFinite(f.fold.testEnd) ? shortTime(f.fold.testEnd) : shortTime(v.plan.dataEnd)}`,
        f.chosen.label,
        fmtNum(f.is.sharpeAnnualized),
        fmtNum(f.oos.sharpeAnnualized),
        fmtPct(f.oos.returnFraction),
        fmtNum(f.oos.feesPaid),
        `${f.oos.trades}${f.oos.openTrades ? ` +${f.oos.openTrades} open` : ''}`,
      ]),
      ts: main.folds.map((f) => f.fold.testStart),
      isSharpe: main.folds.map((f) => f.is.sharpeAnnualized),
      oosSharpe: main.folds.map((f) => f.oos.sharpeAnnualized),
    },
    ...(of.pbo ? { pbo: { pbo: of.pbo.pbo, logits: of.pbo.logits, isSharpe: of.pbo.isSharpe, oosSharpe: of.pbo.oosSharpe } } : {}),
    ...chartsOf(candidates.map((s) => s.oos.record)),
    ...(table ? { prices: priceCharts(table, main.oos.record, main.folds[0]!.fold.testStart) } : {}),
    ...rollingOf(main.oos.record, m.periodsPerYear),
    // every strategy, candidates first, then the baselines: one tab each
    strategies: [...v.strategies.filter((x) => !x.baseline), ...v.strategies.filter((x) => x.baseline)].map((x) => strategyPanel(x.baseline ? `${x.name} (baseline)` : x.name, x.oos.metrics, x.tearsheet, x.holdings)),
    tables: [
      {
        title: 'All strategies, out of sample',
        header: ['strategy', 'trials', 'IS Sharpe', 'OOS Sharpe', 'OOS return', 'OOS hit rate', 'trades', 'max DD', 'DSR', 'PBO', 'verdict'],
        rows: v.strategies.map((s) => [
          s.name + (s.baseline ? ' (baseline)' : ''),
          String(s.trials.length),
          fmtNum(s.isAggregate.sharpeAnnualized),
          fmtNum(s.oos.metrics.sharpeAnnualized),
          fmtPct(s.oos.metrics.returnFraction),
          fmtPct(s.oos.metrics.hitRate.rate, 1),
          String(s.oos.metrics.trades),
          fmtPct(s.oos.metrics.maxDrawdownFraction),
          fmtNum(s.overfitting.dsr, 3),
          s.overfitting.pbo ? fmtNum(s.overfitting.pbo.pbo, 3) : 'n/a',
          s.verdictClass,
        ]),
      },
      ...(v.snooping
        ? [
            {
              title: `Data snooping: ${v.snooping.candidates.length} candidate${v.snooping.candidates.length === 1 ? '' : 's'} against each naive baseline (SPA, StepM at ${fmtPct(v.snooping.alpha, 0)}, MCS at ${fmtPct(1 - v.snooping.mcsAlpha, 0)}; ${v.snooping.reps} resamples over ${v.snooping.periods} OOS periods)`,
              header: ['baseline', 'SPA p (consistent)', 'lower', "upper (White's RC)", 'studentized', 'StepM set', 'MCS'],
              rows: v.snooping.vs.map((b) => [b.baseline + (b.baseline === v.snooping!.best ? ' (best)' : ''), fmtP(b.spa.consistent), fmtP(b.spa.lower), fmtP(b.realityCheck), fmtP(b.spaStudentized), b.stepM.join(', ') || 'none', b.mcs.included.join(', ')]),
            },
          ]
        : []),
      ...v.strategies
        .filter((s) => s.cpcv)
        .map((s) => {
          const cv = s.cpcv!;
          return {
            title: `CPCV of ${s.name}: ${cv.groups} groups, ${cv.testGroups} tested, ${cv.splits} splits, ${cv.paths.length} paths; OOS Sharpe mean ${fmtNum(cv.sharpe.mean)}, sd ${fmtNum(cv.sharpe.sd)}, ${Math.round(cv.sharpe.shareBelowZero * cv.paths.length)} of ${cv.paths.length} below 0`,
            header: ['path', 'OOS Sharpe (replayed)', 'OOS return', 'trades', 'recombined Sharpe', 'configurations by group'],
            rows: cv.paths.map((p, k) => [String(p.path + 1), fmtNum(p.sharpeAnnualized), fmtPct(p.returnFraction), p.trades === undefined ? 'n/a' : String(p.trades), cv.recombined ? fmtNum(cv.recombined.paths[k]!.sharpeAnnualized) : 'n/a', p.chosen.join(' | ')]),
          };
        }),
    ],
    figures: v.strategies.flatMap((s) => (s.search ? studyFigures(s.name, buildStudy(s.search), v.objective, s.overfitting.search) : [])),
    trades: { columns: TRADE_COLUMNS, rows: tradeRows(main.oos.record.trades), total: main.oos.record.trades.length },
    manifest: { tickfold: report.tickfold, ...(report.manifest as object) },
  };
}
