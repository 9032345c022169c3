/**
 * The report of a validation (`walk-forward`, `compare`): a JSON-serialisable object and its
 * terminal rendering. Like the run report it holds nothing but functions of the inputs,
 * parameters and seed: no wall-clock times, no worker count, so it is byte-identical across runs
 * and across `--workers`.
 */
import { buildStudy, studyJson, studyText } from '../search/study.js';
import type { PlainExecution } from '../broker/settings.js';
import type { CostSweep } from '../validation/cost-sweep.js';
import type { FileSummary, LeftOut } from '../data/load.js';
import { dataNoteLines, dataNotesJson } from './data-notes.js';
import { formatDuration, formatIso } from '../data/time.js';
import { sampleLabels } from '../metrics/period.js';
import { fewPeriodsWarning, timestampsOf, zoneWarning } from './run-report.js';
import type { PeriodChoice } from '../metrics/period.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { Fold } from '../validation/folds.js';
import type { StrategyOutcome, ValidationOutcome } from '../validation/validate.js';
import { tearsheetJson } from '../metrics/tearsheet.js';
import { tearsheetLines } from './tearsheet-text.js';
import { holdingsJson, holdingsText } from '../metrics/holdings.js';
import { spanText } from '../metrics/span.js';

const dayOf = (us: number): string => formatIso(us);
import { fmtNum, fmtP, fmtPct, toJson } from './format.js';
import { maxOf, pushAll } from '../arrays.js';

export interface ValidationContext {
  /** The cost sweep (--fee-sweep, --slippage-sweep), or null. */
  readonly sweep: CostSweep | null;
  /** The trial ledger used (null: --no-ledger): its file, the trials this command added, the trials it holds on this data for these strategies. */
  readonly ledger: { readonly path: string; readonly added: number; readonly held: number; readonly fresh: boolean } | null;
  readonly command: 'walk-forward' | 'compare';
  readonly version: string;
  readonly argv: readonly string[];
  readonly files: readonly FileSummary[];
  /** Files left out because their data was already loaded (data/load.ts). */
  readonly leftOut?: readonly LeftOut[];
  readonly events: number;
  /** First and last row as the data names them (a bar by its start). */
  readonly firstRowTs: number;
  readonly lastRowTs: number;
  readonly symbols: readonly string[];
  readonly execution: PlainExecution;
  readonly initialCapital: number;
  readonly seed: string;
  readonly period: PeriodChoice;
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly bootstrap: { readonly reps: number; readonly block: number | null };
  readonly pboPartitions: number;
  readonly warmup: string;
}

const iso = (x: number): string | null => (Number.isFinite(x) ? formatIso(x) : null);

/** The figures of a window shown per fold and per strategy. */
function brief(m: RunMetrics): Record<string, unknown> {
  return {
    pnlNet: m.pnlNet,
    returnFraction: m.returnFraction,
    sharpeAnnualized: m.sharpeAnnualized,
    hitRate: m.hitRate.rate,
    wins: m.hitRate.wins,
    losses: m.hitRate.losses,
    hitRatePValue: m.hitRate.pValue,
    trades: m.trades,
    /** Round trips still open at the end of the data (marked to market), in the last window. */
    openTrades: m.openTrades,
    maxDrawdownFraction: m.maxDrawdownFraction,
    feesPaid: m.feesPaid,
    periods: m.periods,
  };
}

const foldJson = (f: Fold, dataEnd: number): Record<string, unknown> => ({
  index: f.index,
  trainStart: iso(f.trainStart),
  trainEnd: iso(f.trainEnd),
  warmupStart: iso(f.warmupStart),
  testStart: iso(f.testStart),
  testEnd: iso(Number.isFinite(f.testEnd) ? f.testEnd : dataEnd),
  partial: f.partial,
});

function strategyJson(s: StrategyOutcome, dataEnd: number): Record<string, unknown> {
  const m = s.oos.metrics;
  const of = s.overfitting;
  return {
    name: s.name,
    baseline: s.baseline,
    verdict: s.verdict,
    verdictClass: s.verdictClass,
    grid: s.grid,
    outOfSample: {
      metrics: { ...m, maxDrawdownPeakTs: iso(m.maxDrawdownPeakTs), maxDrawdownTroughTs: iso(m.maxDrawdownTroughTs) },
      annualReturn: s.oosAnnualReturn,
      equity: { ts: Array.from(sampleLabels(s.oos.record.sampleTs, s.oos.record.periodUs), (t) => formatIso(t)), equity: s.oos.record.equity },
    },
    inSample: { sharpeAnnualized: s.isAggregate.sharpeAnnualized, annualReturn: s.isAggregate.annualReturn, hitRate: s.isAggregate.hitRate },
    walkForwardEfficiency: s.walkForwardEfficiency,
    degradation: s.degradation,
    parameterStability: s.stability,
    overfitting: {
      ...of,
      pbo: of.pbo && {
        pbo: of.pbo.pbo,
        partitions: of.pbo.partitions,
        combinations: of.pbo.combinations,
        rowsUsed: of.pbo.rowsUsed,
        rowsDropped: of.pbo.rowsDropped,
        rankCounts: of.pbo.rankCounts,
        logitMean: of.pbo.logitMean,
        logitMedian: of.pbo.logitMedian,
        degradationSlope: of.pbo.degradationSlope,
        probOosLoss: of.pbo.probOosLoss,
        logits: of.pbo.logits,
        isSharpe: of.pbo.isSharpe,
        oosSharpe: of.pbo.oosSharpe,
      },
    },
    vsBaselines: s.vsBaselines,
    // out of sample, a fold's trades are the round trips it entered; in sample, those closed in the window
    foldTradesCountedBy: { inSample: 'exit', outOfSample: 'entry' },
    folds: s.folds.map((f) => ({ ...foldJson(f.fold, dataEnd), chosen: f.chosen, inSample: brief(f.is), outOfSample: brief(f.oos) })),
    trials: s.trials.map((t) => ({ index: t.index, label: t.label, values: t.values, wholeData: brief(t.metrics), isObjective: t.isObjective, returns: t.returns })),
    ...(s.diagnostics !== undefined ? { diagnostics: s.diagnostics } : {}),
    ...(s.cpcv ? { cpcv: s.cpcv } : {}),
    ...(s.search ? { study: studyJson(buildStudy(s.search)) } : {}),
    ...(s.holdings ? { holdings: holdingsJson(s.holdings) } : {}),
    measured: { from: formatIso(s.measured.periodsBefore > 0 ? s.measured.fromLabelUs : s.oos.record.firstTs), symbols: s.measured.symbols, basis: s.measured.basis, periods: s.oos.metrics.periods, periodsBefore: s.measured.periodsBefore },
    tearsheet: tearsheetJson(s.tearsheet),
  };
}

export function buildValidationReport(v: ValidationOutcome, c: ValidationContext): Record<string, unknown> {
  return {
    tickfold: { version: c.version, command: c.command, argv: c.argv },
    manifest: {
      strategies: v.strategies.map((s) => ({ name: s.name, baseline: s.baseline, params: c.params[s.name] ?? {}, grid: s.grid, trials: s.trials.length })),
      totalTrials: v.totalTrials,
      objective: v.objective,
      foldEdge: v.edge,
      validation: { mode: v.plan.mode, anchored: v.plan.anchored, ...v.plan.spec, warmup: c.warmup },
      seed: c.seed,
      initialCapital: c.initialCapital,
      execution: c.execution,
      period: { label: c.period.label, us: c.period.periodUs, periodsPerYear: c.period.periodsPerYear, calendar: c.period.calendar, basis: c.period.basis },
      bootstrap: c.bootstrap,
      pboPartitions: c.pboPartitions,
      // what the ledger held after this command: not how many it added (a rerun adds none, and
      // must give the same bytes), nor where it is (the text says so)
      ledger: c.ledger ? { trialsOnThisData: c.ledger.held, fresh: c.ledger.fresh } : null,
      data: c.files.map((f) => ({ file: f.file, kind: f.kind, rows: f.rows, bytes: f.bytes, sha1: f.sha1 ?? null, symbols: f.symbols, badRows: f.badRows })),
      ...dataNotesJson(c.files, c.leftOut ?? []),
      window: { from: iso(v.plan.dataStart), to: iso(v.plan.dataEnd), events: c.events },
    },
    folds: v.plan.folds.map((f) => foldJson(f, v.plan.dataEnd)),
    table: v.strategies.map((s) => ({
      strategy: s.name,
      baseline: s.baseline,
      trials: s.trials.length,
      isSharpe: s.isAggregate.sharpeAnnualized,
      oosSharpe: s.oos.metrics.sharpeAnnualized,
      isHitRate: s.isAggregate.hitRate.rate,
      oosHitRate: s.oos.metrics.hitRate.rate,
      oosReturnPct: s.oos.metrics.returnFraction,
      oosPnl: s.oos.metrics.pnlNet,
      oosTrades: s.oos.metrics.trades,
      oosMaxDrawdownPct: s.oos.metrics.maxDrawdownFraction,
      dsr: s.overfitting.dsr,
      pbo: s.overfitting.pbo?.pbo ?? null,
      verdictClass: s.verdictClass,
    })),
    ...(v.snooping ? { dataSnooping: v.snooping } : {}),
    ...(c.sweep ? { costSweep: c.sweep } : {}),
    strategies: v.strategies.map((s) => strategyJson(s, v.plan.dataEnd)),
  };
}

export const renderValidationJson = (r: Record<string, unknown>): string => toJson(r);

function pad(cells: readonly string[], widths: readonly number[], right: readonly boolean[]): string {
  return cells
    .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
    .join('  ')
    .trimEnd();
}

function table(header: readonly string[], rows: readonly (readonly string[])[], right: readonly boolean[]): string[] {
  const widths = header.map((h, i) =>
    maxOf(
      rows.map((r) => r[i]!.length),
      h.length,
    ),
  );
  return [pad(header, widths, right), ...rows.map((r) => pad(r, widths, right))];
}

const signedPct = (x: number, d = 2): string => (Number.isFinite(x) ? `${x > 0 ? '+' : ''}${fmtPct(x, d)}` : 'n/a');

export function renderValidationText(v: ValidationOutcome, c: ValidationContext): string {
  const out: string[] = [];
  const plan = v.plan;
  const nf = plan.folds.length;
  const last = plan.folds[nf - 1]!;
  const syms = c.symbols.length <= 6 ? c.symbols.join(', ') : `${c.symbols.length} symbols`;
  out.push(
    `tickfold ${c.command}: ${
      v.strategies
        .filter((s) => !s.baseline)
        .map((s) => s.name)
        .join(', ') || v.strategies.map((s) => s.name).join(', ')
    }`,
  );
  out.push(`  data       ${c.events.toLocaleString('en-US')} events (${syms}), ${formatIso(c.firstRowTs)} → ${formatIso(c.lastRowTs)}`);
  const zoneNote = zoneWarning(c.files.map((f) => ({ file: f.file, timestamps: timestampsOf(f) })));
  if (zoneNote) out.push(`  note       ${zoneNote}`);
  pushAll(
    out,
    dataNoteLines(dataNotesJson(c.files, c.leftOut ?? []), 11).map((l) => `  ${l}`),
  );
  const spec = plan.spec;
  out.push(
    plan.mode === 'split'
      ? `  split      in-sample until ${formatIso(last.trainEnd)}, out-of-sample from ${formatIso(last.testStart)}${spec.embargo ? ` (embargo ${spec.embargo})` : ''}`
      : `  folds      ${nf} ${plan.anchored ? 'anchored' : 'rolling'} walk-forward folds: train ${spec.train}, test ${spec.test}${spec.embargo ? `, embargo ${spec.embargo}` : ''}${last.partial ? ' (the last one partial)' : ''}`,
  );
  out.push(`  policy     parameters chosen in-sample by ${v.objective}; warm-up ${c.warmup} before each test window; positions at fold edges: ${v.edge}`);
  const commandTrials = v.strategies.filter((s) => !s.baseline).reduce((n, s) => n + s.trials.length, 0);
  out.push(
    `  trials     ${v.strategies.map((s) => `${s.name} ${s.trials.length}`).join(', ')} (${v.totalTrials} in all)` +
      (c.ledger ? `; this command: ${commandTrials} candidate trials; ledger: ${c.ledger.held} on this data (${c.ledger.added} new; ${c.ledger.path})${c.ledger.fresh ? ", --fresh: DSR counts this command's" : ', DSR counts them all'}` : '; no ledger'),
  );
  out.push(`  returns    ${c.period.label} periods, ${fmtNum(c.period.periodsPerYear, 0)} a year (calendar ${c.period.calendar}); bootstrap ${c.bootstrap.reps} resamples`);
  out.push(`  calendar   ${c.period.basis}`);
  out.push('');
  pushAll(
    out,
    table(
      ['strategy', 'trials', 'IS Sharpe', 'OOS Sharpe', 'IS hit', 'OOS hit', 'OOS return', 'OOS PnL', 'trades', 'max DD', 'DSR', 'PBO', 'verdict'],
      v.strategies.map((s) => {
        const m = s.oos.metrics;
        return [
          s.name,
          String(s.trials.length),
          fmtNum(s.isAggregate.sharpeAnnualized),
          fmtNum(m.sharpeAnnualized),
          fmtPct(s.isAggregate.hitRate.rate, 1),
          fmtPct(m.hitRate.rate, 1),
          signedPct(m.returnFraction),
          fmtNum(m.pnlNet),
          `${m.trades}${m.openTrades ? ` +${m.openTrades} open` : ''}`,
          fmtPct(m.maxDrawdownFraction),
          fmtNum(s.overfitting.dsr),
          s.overfitting.pbo ? fmtNum(s.overfitting.pbo.pbo) : 'n/a',
          s.verdictClass,
        ];
      }),
      [false, true, true, true, true, true, true, true, true, true, true, true, false],
    ).map((l) => `  ${l}`),
  );
  for (const s of v.strategies) {
    if (s.measured.periodsBefore > 0) out.push(`  measured   ${s.name} ${spanText(s.measured, s.oos.metrics.periods, dayOf)}`);
  }
  for (const s of v.strategies) {
    if (s.holdings) out.push(`  ${s.name} holds equal weights of the symbols with data: ${holdingsText(s.holdings)}${v.edge === 'close' ? ' (sold at each fold edge, bought again at the next fold start)' : ''}`);
  }
  const sn = v.snooping;
  if (sn) {
    const b = sn.vs.find((x) => x.baseline === sn.best)!;
    out.push('');
    out.push(`data snooping (${sn.candidates.length} candidate${sn.candidates.length === 1 ? '' : 's'} against the best naive baseline, ${sn.best}, over ${sn.periods} out-of-sample periods; ${sn.reps} stationary-bootstrap resamples, mean block ${fmtNum(sn.meanBlock, 0)})`);
    out.push(
      `  SPA          p ${b.spa.consistent === 0 ? `< ${fmtP(1 / sn.reps)} (none of ${sn.reps} resamples beat it; ` : `= ${fmtP(b.spa.consistent)} (`}consistent; lower ${fmtP(b.spa.lower)}, upper = White's Reality Check ${fmtP(b.realityCheck)}; studentized ${fmtP(b.spaStudentized)}): ${b.spa.consistent < sn.alpha ? 'some candidate beats it after the search' : 'no candidate beats it after the search'}`,
    );
    out.push(`  StepM (${fmtPct(sn.alpha, 0)})   ${b.stepM.length > 0 ? b.stepM.join(', ') : 'none'} beat${b.stepM.length === 1 ? 's' : ''} ${sn.best} with family-wise error control`);
    out.push(`  MCS (${fmtPct(1 - sn.mcsAlpha, 0)})    ${b.mcs.included.map((n) => `${n} (p ${fmtP(b.mcs.pValues[n]!)})`).join(', ')}`);
    const others = sn.vs.filter((x) => x.baseline !== sn.best);
    const w =
      maxOf(
        others.map((o) => o.baseline.length),
        0,
      ) + 2;
    for (const o of others) out.push(`  vs ${o.baseline.padEnd(w)}SPA p = ${fmtP(o.spa.consistent)}; StepM ${o.stepM.length > 0 ? o.stepM.join(', ') : 'none'}`);
  }
  const sw = c.sweep;
  if (sw) {
    const names = Object.keys(sw.candidates);
    out.push('');
    out.push(`cost sensitivity (${sw.key}: the same validation at each level; OOS edge over the best naive baseline, bootstrap p)`);
    pushAll(
      out,
      table(
        ['bps', ...names],
        sw.levels.map((l, k) => [
          String(l),
          ...names.map((n) => {
            const p = sw.candidates[n]![k]!;
            return `${signedPct(p.edge)} (p=${fmtP(p.pValue)}, vs ${p.baseline})`;
          }),
        ]),
        [true, ...names.map(() => true)],
      ).map((l) => `  ${l}`),
    );
    out.push(`  break-even   ${names.map((n) => `${n}: ${sw.breakEvenText[n]}`).join('; ')}`);
  }
  for (const s of v.strategies.filter((x) => !x.baseline)) {
    const m = s.oos.metrics;
    const of = s.overfitting;
    out.push('');
    out.push(`${s.name}: ${s.verdict}`);
    out.push(`  measured     ${spanText(s.measured, m.periods, dayOf)}`);
    out.push(
      `  PnL OOS      ${fmtNum(m.pnlNet)} (${signedPct(m.returnFraction)}), fees ${fmtNum(m.feesPaid)}; hit rate ${fmtPct(m.hitRate.rate, 1)} of ${m.hitRate.wins + m.hitRate.losses} round trips${m.openTrades ? ` (+${m.openTrades} open at the end of the data, marked to market)` : ''} (95% CI ${fmtPct(m.hitRate.wilson95.low, 1)}–${fmtPct(m.hitRate.wilson95.high, 1)}, p = ${fmtP(m.hitRate.pValue)} vs 50%)`,
    );
    pushAll(
      out,
      tearsheetLines(s.tearsheet, '  ', 13).map((l) => l.replace(/^  returns {6}/, '  OOS returns  ')),
    );
    out.push(
      `  IS → OOS     Sharpe ${fmtNum(s.isAggregate.sharpeAnnualized)} → ${fmtNum(m.sharpeAnnualized)} (${signedNum(s.degradation.sharpe)}); hit rate ${fmtPct(s.isAggregate.hitRate.rate, 1)} → ${fmtPct(m.hitRate.rate, 1)}; walk-forward efficiency ${fmtNum(s.walkForwardEfficiency)}`,
    );
    out.push(
      `  DSR          ${fmtNum(of.dsr, 3)}: in-sample best ${of.bestTrial.label} (IS Sharpe ${fmtNum(of.bestTrial.sharpeAnnualized)} a year over ${of.inSamplePeriods} periods) against SR0 ${fmtNum(of.sr0, 4)} per period, the best of ${of.configurations} configuration${of.configurations === 1 ? '' : 's'} by luck (V ${Number.isFinite(of.trialSharpeVariance) ? of.trialSharpeVariance.toExponential(2) : 'n/a'})`,
    );
    out.push(`  OOS Sharpe   PSR(0) ${fmtNum(of.psr, 3)} over ${m.periods} periods; MinTRL ${fmtNum(of.minTrl, 0)} periods; MinBTL ${fmtNum(of.minBtlYears, 2)} years for ${of.configurations} configurations`);
    const few = fewPeriodsWarning(m.periods, c.period.label);
    if (few) out.push(`  warning      out of sample: ${few}`);
    out.push(of.pbo ? `  PBO          ${fmtNum(of.pbo.pbo, 3)} (${of.pbo.combinations} CSCV splits of ${of.pbo.partitions} blocks); degradation slope ${fmtNum(of.pbo.degradationSlope, 3)}; P(OOS loss) ${fmtPct(of.pbo.probOosLoss, 1)}` : `  PBO          n/a: ${of.pboNote}`);
    if (s.vsBaselines.length > 0) {
      out.push(`  vs baselines ${s.vsBaselines.map((b) => `${b.baseline} ${signedPct(b.edgeReturnPct)} (p=${fmtP(b.pValue)})`).join('; ')}`);
    }
    if (s.cpcv) {
      const cv = s.cpcv;
      const below = Math.round(cv.sharpe.shareBelowZero * cv.paths.length);
      out.push(
        `  CPCV         ${cv.groups} groups, ${cv.testGroups} tested: ${cv.splits} splits, ${cv.paths.length} paths over ${cv.periods} periods (purge ${cv.purgePeriods}, embargo ${cv.embargoPeriods} periods), ${cv.replayed ? 'each path replayed' : 'recombined from the trials'}; OOS Sharpe over the paths: mean ${fmtNum(cv.sharpe.mean)}, sd ${fmtNum(cv.sharpe.sd)}, ${below} of ${cv.paths.length} below 0 (min ${fmtNum(cv.sharpe.min)}, max ${fmtNum(cv.sharpe.max)})` +
          (cv.recombined ? `; recombined from the trials' returns (no replay, no switching costs): mean ${fmtNum(cv.recombined.sharpe.mean)}, sd ${fmtNum(cv.recombined.sharpe.sd)}` : ''),
      );
      if (cv.search) {
        const n = cv.search.trialsPerSplit.reduce((a, b) => a + b, 0);
        out.push(`  CPCV search  ${cv.search.method} in each of the ${cv.splits} splits on its training groups, each choosing among its own: ${n} evaluations (${cv.search.newTrials} configurations the folds' search had not run), counted in DSR, PBO and the ledger`);
      }
    }
    if (s.search)
      pushAll(
        out,
        studyText(buildStudy(s.search), v.objective, of.search).map((l) => `  ${l}`),
      );
    if (s.stability.length > 0) {
      out.push(`  stability    ${s.stability.map((p) => `${p.key}: ${String(p.mode)} in ${Math.round(p.modeShare * nf)}/${nf} folds${Number.isFinite(p.spread) ? `, spread ${fmtNum(p.spread)}` : ''}`).join('; ')}`);
    }
    if (nf > 1 || s.trials.length > 1) {
      pushAll(
        out,
        table(
          ['fold', 'test window', 'chosen', 'IS Sharpe', 'OOS Sharpe', 'OOS return', 'OOS fees', 'trades entered'],
          s.folds.map((f) => [
            `${f.fold.index + 1}${f.fold.partial ? '*' : ''}`,
            `${formatIso(f.fold.testStart)} +${formatDuration((Number.isFinite(f.fold.testEnd) ? f.fold.testEnd : plan.dataEnd) - f.fold.testStart)}`,
            f.chosen.label,
            fmtNum(f.is.sharpeAnnualized),
            fmtNum(f.oos.sharpeAnnualized),
            signedPct(f.oos.returnFraction),
            fmtNum(f.oos.feesPaid),
            `${f.oos.trades}${f.oos.openTrades ? ` +${f.oos.openTrades} open` : ''}`,
          ]),
          [false, false, false, true, true, true, true, true],
        ).map((l) => `  ${l}`),
      );
      out.push(`  trades entered: the round trips the fold opened (${v.edge === 'close' ? "closed at the next fold's start when still open" : 'handed on to the next fold when still open'}); OOS return and fees: over the fold's time`);
      if (last.partial) out.push('  * partial fold: shorter than a full test window');
    }
  }
  return out.join('\n');
}

const signedNum = (x: number): string => (Number.isFinite(x) ? `${x > 0 ? '+' : ''}${fmtNum(x)}` : 'n/a');
