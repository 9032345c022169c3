/**
 * Validation: walk-forward (or one split) over a parameter grid, for one or several strategies and
 * the naive baselines, with the overfitting statistics and a verdict for each.
 *
 * 1. Trials: every parameter set of every strategy runs once over the whole data (trial tasks);
 *    its metrics on each fold's training window are what that fold's choice looks at, and its
 *    per-period returns form the trials' return matrix.
 * 2. Choice: per fold, the trial with the best in-sample objective (ties: the lower trial number).
 * 3. Out of sample: one run of the folded strategy (folded.ts) per strategy: fold k trades its
 *    test window with fold k's choice, after a warm-up; baselines run the same way with their
 *    parameters, so every strategy is measured on the same periods.
 *    The candidates' trials run first; the baselines then trade the symbols the candidates traded.
 * 4. Statistics: IS vs OOS degradation, walk-forward efficiency, parameter stability, the DSR of
 *    the in-sample best (its Sharpe over the training windows, N = every candidate configuration
 *    of the command, V = the variance of their in-sample Sharpes), the PSR of the OOS returns,
 *    MinTRL, MinBTL, PBO by CSCV over the trials' return matrix, the binomial test of the hit
 *    rate, and the OOS edge over each naive baseline with a stationary-bootstrap p-value.
 *    Definitions: STATS.md ("Overfitting statistics", "Deflated Sharpe in validation").
 */
import { UsageError } from '../errors.js';
import { strategyProblems } from '../strategy/instance.js';
import { emptyTable, type TickTable } from '../data/table.js';
import type { RunRecord } from '../engine/engine.js';
import { hitRateOfCounts, type HitRate } from '../metrics/hit-rate.js';
import { kurtosisNonExcess, mean, returnsFromEquity, sharpePerPeriod, skewness, sortinoPerPeriod, stdev } from '../metrics/returns.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import { deflatedSharpe, minBacktestLength, minTrackRecordLength } from '../metrics/sharpe-inference.js';
import { stationaryBootstrapMean } from '../stats/bootstrap.js';
import { dataSnooping, type Snooping } from './snooping.js';
import { chooseBySplit, cpcvPaths, pathSharpeSummary, type CpcvOutcome, type CpcvPath } from './cpcv-paths.js';
import { binomial, planCpcv, trainRows, type CpcvPlan } from './cpcv.js';
import { cpcvScheme, foldScheme, type Scheme, type SchemePath } from './scheme.js';
import { probabilityOfBacktestOverfitting, type PboResult } from '../stats/pbo.js';
import type { ParamValue, StrategyModule } from '../strategy/types.js';
import type { FoldEdge, Segment } from './folded.js';
import type { Fold, FoldPlan } from './folds.js';
import { expandGrid, type Grid, type Trial } from './grid.js';
import { TaskRunner } from '../runtime/pool.js';
import type { Labeled, Runner } from '../runtime/runner.js';
import type { OosResult, OosTask, StreamedTask, TrialBatchResult, TrialResult, TrialTask } from '../runtime/tasks.js';
import type { BacktestSettings } from '../engine/engine.js';
import { benchmarkIds, runTearsheet, tearsheetWith, type RunTearsheet } from '../metrics/run-tearsheet.js';
import { holdings, type Holding } from '../metrics/holdings.js';
import { firstSeen, measuredSpan, type MeasuredSpan } from '../metrics/span.js';
import { sampleRange, sliceRecord } from '../metrics/window.js';
import { computeMetrics } from '../metrics/run-metrics.js';
import { maxOf, minOf } from '../arrays.js';
import { resolveParams } from '../strategy/params.js';
import { plannedEvaluations, searchInFolds, type SearchCache, type SearchOutcome, type SearchSpec } from '../search/in-folds.js';
import { searchSpa, type SearchSpa } from '../search/trials-spa.js';

/**
 * Trials replayed together in one task, at most (see engine runBacktests). A bigger batch makes
 * fewer passes over the table (48 pairs trials on 2M quotes, one thread: 8 a batch 2.6 s, 24 2.5 s,
 * 48 2.3 s, measured) but holds that many records at once (peak RSS 300, 343, 389 MB there, more
 * for a strategy that fills often): 32 bounds it.
 */
export const MAX_BATCH = 32;

/** The naive baselines every strategy is measured against. */
export const NAIVE_BASELINES = ['buy-and-hold', 'flat', 'random', 'momentum'] as const;
/**
 * The baselines added beside the naive ones when a run has a point-in-time universe: equal weights
 * of the members (strategies/equal-weight-members.ts) and a random long-short book of the
 * candidates' gross exposure (strategies/random-long-short.ts).
 */
export const UNIVERSE_BASELINES = ['equal-weight-members', 'random-long-short'] as const;

export const OBJECTIVES = {
  sharpe: (m: RunMetrics): number => m.sharpeAnnualized,
  sortino: (m: RunMetrics): number => m.sortinoAnnualized,
  pnl: (m: RunMetrics): number => m.pnlNet,
  return: (m: RunMetrics): number => m.returnFraction,
  'hit-rate': (m: RunMetrics): number => m.hitRate.rate,
  'profit-factor': (m: RunMetrics): number => m.profitFactor,
} as const;
export type Objective = keyof typeof OBJECTIVES;

export interface Entry {
  /** The strategy's name (the module's). */
  readonly name: string;
  /** Built-in name or module path, for the thread that runs its tasks. */
  readonly spec: string;
  readonly module: StrategyModule;
  /** Fixed parameters (`--param`). */
  readonly base: Readonly<Record<string, string>>;
  readonly grid: Grid;
  readonly baseline: boolean;
  /** A search instead of the grid (search/in-folds.ts): its trials come from samplers inside each fold. */
  readonly search?: SearchSpec;
}

export interface ValidationSettings {
  readonly plan: FoldPlan;
  readonly run: BacktestSettings;
  readonly objective: Objective;
  readonly edge: FoldEdge;
  readonly pboPartitions: number;
  readonly bootstrapReps: number;
  /** Mean block length of the stationary bootstrap (default n^(1/3)). */
  readonly bootstrapBlock?: number;
  /** Worker threads; or a runner already started (its threads then load while data loads). */
  readonly workers: number | Runner;
  /** Annual Sharpe for MinBTL. */
  readonly targetSharpe: number;
  /** Called as tasks finish: (backtests done, backtests in all). */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * The trial ledger: records this command's candidate trials and returns every trial it holds on
   * this data for these strategies (their count and in-sample per-period Sharpes), which then set
   * DSR's N and V. Absent: N and V are this command's.
   */
  readonly history?: (trials: readonly HistoryTrial[]) => { readonly trials: number; readonly sharpes: readonly number[] };
  /** Combinatorial purged CV over each candidate's configurations, beside the walk-forward (cpcv-paths.ts). */
  readonly cpcv?: { readonly groups: number; readonly testGroups: number; readonly purgeUs: number; readonly embargoUs: number };
  /** The tearsheet's benchmark symbols (default: the symbols the candidates traded). */
  readonly benchmark?: readonly string[];
  /** A search's stored trial results (the ledger's), so that a search run again resumes. */
  readonly searchCache?: SearchCache;
  /** Told, per searched strategy, how many evaluations came from the cache and how many ran (never in a report). */
  readonly onSearch?: (strategy: string, fromCache: number, ran: number) => void;
  /** Told how long each phase took, ms (the benchmark reads them; never in a report). */
  readonly onPhase?: (phase: 'trials' | 'out-of-sample', ms: number) => void;
}

/**
 * The data of a validation streamed from the catalog (jobs/stream-validate.ts) instead of a table
 * in memory: what the validation reads of the rows, measured in passes over them, and the stream
 * each task reads itself (every trial batch one pass, every out-of-sample run one from its first
 * warm-up).
 */
export interface StreamedData {
  readonly symbols: readonly string[];
  /** The first row's time. */
  readonly firstTs: number;
  /** Each symbol's first time (metrics/span.ts firstSeen). */
  readonly firstSeen: Float64Array;
  /** What each task is given to stream. */
  readonly task: StreamedTask;
  /** Buy-and-hold curves of the data's symbols (metrics/run-tearsheet.ts), one pass for all of them. */
  curves(asked: readonly { readonly ids: readonly number[]; readonly sampleTs: Float64Array; readonly fromTs: number }[]): Float64Array[];
}

/** A candidate trial as the ledger records it. */
export interface HistoryTrial {
  readonly strategy: string;
  readonly label: string;
  readonly values: Readonly<Record<string, ParamValue>>;
  readonly base: Readonly<Record<string, string>>;
  /** In-sample per-period Sharpe (over the command's in-sample windows). */
  readonly isSharpe: number;
  readonly periods: number;
  /** Per-period returns over the whole data (a partial trial's: up to its budget's end). */
  readonly returns: Float64Array;
  /** A search's partial trial (halving's early rungs): its budget and fold, e.g. '1/9 of fold 2'. */
  readonly budget?: string;
}

export interface TrialOutcome {
  readonly index: number;
  readonly label: string;
  readonly values: Readonly<Record<string, ParamValue>>;
  /** Over the whole data. */
  readonly metrics: RunMetrics;
  /** The objective on each fold's training window. */
  readonly isObjective: readonly number[];
  /** Per-period returns over the whole data: this trial's column of the return matrix. */
  readonly returns: Float64Array;
}

export interface FoldOutcome {
  readonly fold: Fold;
  readonly chosen: { readonly trial: number; readonly label: string; readonly values: Readonly<Record<string, ParamValue>> };
  readonly is: RunMetrics;
  readonly oos: RunMetrics;
}

export interface ParamStability {
  readonly key: string;
  /** The value chosen in each fold. */
  readonly chosen: readonly ParamValue[];
  readonly distinct: number;
  readonly mode: ParamValue;
  /** Share of folds that chose the mode: 1 = the same value every time. */
  readonly modeShare: number;
  /** Numeric keys: stdev of the chosen values over the grid's range (0 = stable, ~0.3+ = all over). */
  readonly spread: number;
}

export interface BaselineEdge {
  readonly baseline: string;
  readonly baselineReturnPct: number;
  /** Strategy OOS return − baseline OOS return (compounded over the OOS span). */
  readonly edgeReturnPct: number;
  /** Mean per-period return difference, and its one-sided stationary-bootstrap p-value. */
  readonly meanDiffPerPeriod: number;
  readonly pValue: number;
  readonly meanBlock: number;
  readonly reps: number;
}

export interface Overfitting {
  /** This strategy's configurations (its grid). */
  readonly trials: number;
  /**
   * N of the deflation: every configuration the command evaluated among the candidates (in a
   * comparison, all candidate strategies' grids; the naive baselines are not candidates).
   */
  readonly configurations: number;
  /** The configurations this command evaluated (N is the ledger's count when a ledger is used). */
  readonly commandConfigurations: number;
  /** The trials the ledger holds on this data for these strategies, this command's included (null: no ledger, or --fresh). */
  readonly ledgerConfigurations: number | null;
  /** V: variance (ddof 1) of the in-sample per-period Sharpe ratios of those N configurations. */
  readonly trialSharpeVariance: number;
  /** Return periods in the in-sample windows (the union of the training windows). */
  readonly inSamplePeriods: number;
  /** PSR(0) of the stitched out-of-sample returns (the out-of-sample evidence, not deflated). */
  readonly psr: number;
  /**
   * Deflated Sharpe Ratio as the paper defines it (STATS.md, "Deflated Sharpe in validation"):
   * PSR(SR0) of the best configuration's Sharpe on the sample where the configurations were
   * compared (its returns over the in-sample windows), SR0 = √V × E[max of N]. NaN for a baseline.
   */
  readonly dsr: number;
  readonly sr0: number;
  readonly expectedMaxZ: number;
  /** Out-of-sample periods needed for PSR(0) >= 0.95. */
  readonly minTrl: number;
  readonly minBtlYears: number;
  readonly targetSharpe: number;
  /** The best configuration in sample (the one the DSR deflates): its in-sample annual Sharpe. */
  readonly bestTrial: { readonly index: number; readonly label: string; readonly sharpeAnnualized: number; readonly dsr: number };
  readonly pbo: PboResult | null;
  /** Why PBO is missing, when it is. */
  readonly pboNote: string | null;
  /**
   * With a search: its method, evaluations in all (every fold), of them at partial budgets, the
   * full-budget trials PBO is over, and the Reality Check over those trials (search/trials-spa.ts:
   * SPA of their in-sample returns against the verdict's baseline; null with `spaNote` saying why).
   */
  readonly search?: { readonly method: string; readonly evaluations: number; readonly partial: number; readonly fullBudget: number; readonly spa: SearchSpa | null; readonly spaNote: string | null };
}

export type VerdictClass = 'likely real' | 'likely overfit' | 'no significant edge' | 'loses in sample' | 'baseline';

export interface StrategyOutcome {
  readonly name: string;
  readonly baseline: boolean;
  readonly grid: Grid;
  /** The fixed parameters it ran with (a baseline's `symbol` set to the candidates' symbols). */
  readonly base: Readonly<Record<string, string>>;
  readonly trials: readonly TrialOutcome[];
  /** End times of the trials' return periods (the same for every trial). */
  readonly trialSampleTs: Float64Array;
  readonly folds: readonly FoldOutcome[];
  /** Stitched out-of-sample run and its metrics. */
  readonly oos: { readonly record: RunRecord; readonly metrics: RunMetrics; readonly returns: Float64Array };
  /** Means over folds of the chosen trial's in-sample figures (hit rate: pooled round trips). */
  readonly isAggregate: { readonly sharpeAnnualized: number; readonly annualReturn: number; readonly hitRate: HitRate };
  readonly oosAnnualReturn: number;
  /** OOS annualised return / IS annualised return (arithmetic: mean per-period return × periods a year). */
  readonly walkForwardEfficiency: number;
  readonly degradation: { readonly sharpe: number; readonly hitRate: number };
  readonly stability: readonly ParamStability[];
  readonly overfitting: Overfitting;
  readonly vsBaselines: readonly BaselineEdge[];
  readonly verdictClass: VerdictClass;
  readonly verdict: string;
  /** Combinatorial purged CV over its configurations (with --cpcv). */
  readonly cpcv?: CpcvOutcome;
  /** Its search, when it was searched (the study report reads it). */
  readonly search?: SearchOutcome;
  /** The tearsheet of its out-of-sample run, against the command's benchmark. */
  readonly tearsheet: RunTearsheet;
  /** The fold instances' own diagnostics (`summary()`), per fold. */
  readonly diagnostics: unknown;
  /** The span its out-of-sample figures are measured over (metrics/span.ts). */
  readonly measured: MeasuredSpan;
  /** The buy-and-hold baseline: which symbols it held out of sample, from when (the report says it). */
  readonly holdings?: readonly Holding[];
}

export interface ValidationOutcome {
  readonly plan: FoldPlan;
  readonly objective: Objective;
  readonly edge: FoldEdge;
  readonly strategies: readonly StrategyOutcome[];
  /** Trials run in all. */
  readonly totalTrials: number;
  /** SPA, StepM and MCS of the candidates against each baseline (when there are both). */
  readonly snooping?: Snooping;
}

function stability(grid: Grid, trials: readonly Trial[], chosen: readonly number[]): ParamStability[] {
  return grid.map(({ key }) => {
    const vals = chosen.map((c) => trials[c]!.values[key]!);
    const counts = new Map<ParamValue, number>();
    for (const v of vals) counts.set(v, (counts.get(v) ?? 0) + 1);
    let mode: ParamValue = vals[0]!;
    for (const [v, c] of counts) if (c > counts.get(mode)!) mode = v;
    let spread = NaN;
    if (vals.every((v) => typeof v === 'number')) {
      const all = trials.map((t) => t.values[key] as number);
      const range = maxOf(all) - minOf(all);
      spread = range > 0 && vals.length > 1 ? stdev(vals as number[]) / range : 0;
    }
    return { key, chosen: vals, distinct: counts.size, mode, modeShare: counts.get(mode)! / vals.length, spread };
  });
}

const pct = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%` : 'n/a');
const num = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const pv = (p: number): string => (!Number.isFinite(p) ? 'n/a' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/**
 * The verdict (README, "Verdict"), in this order:
 * - a naive baseline is the yardstick: 'baseline';
 * - the in-sample choice lost (mean in-sample Sharpe of the chosen configurations <= 0): 'loses in
 *   sample' (nothing good was selected, so nothing can be overfit);
 * - PBO >= 0.5 (the in-sample best ranks in the bottom half out of sample more often than not)
 *   and the out-of-sample run failed it (its annual Sharpe below half the in-sample one): 'likely
 *   overfit'; with PBO >= 0.5 but an out-of-sample run that held up, 'no significant edge' (saying
 *   so): the choice is unstable, the one real out-of-sample path was not worse;
 * - the OOS edge over the best naive baseline is positive with bootstrap p < 0.05 and the DSR of
 *   the in-sample best is >= 0.95: 'likely real';
 * - otherwise 'no significant edge'.
 */
export function verdictOf(o: { overfitting: Overfitting; vsBaselines: readonly BaselineEdge[]; baseline: boolean; isSharpe: number; oosSharpe: number }): { cls: VerdictClass; text: string } {
  const of = o.overfitting;
  const best = bestBaseline(o.vsBaselines);
  const edgePart = best ? `OOS edge over best naive baseline (${best.baseline}): ${pct(best.edgeReturnPct)} (p=${pv(best.pValue)})` : 'no naive baseline to compare with';
  const pboPart = of.pbo ? `PBO ${num(of.pbo.pbo)}` : `PBO n/a (${of.pboNote})`;
  const n = of.configurations;
  // with a ledger, N counts its trials on this data: say how many this command ran
  const ledgerPart = of.ledgerConfigurations !== null && of.ledgerConfigurations !== undefined ? ` (ledger; this command ${of.commandConfigurations})` : '';
  const sp = of.search?.spa;
  const spaPart = !of.search ? '' : sp ? `; SPA over its ${sp.trials} full-budget trials' in-sample returns vs ${sp.benchmark} p${sp.consistent === 0 ? `<${pv(1 / sp.reps)}` : `=${pv(sp.consistent)}`}` : `; SPA over its trials n/a (${of.search.spaNote})`;
  const searchPart = of.search
    ? `; the ${of.search.method} search spent ${of.search.evaluations} trial${of.search.evaluations === 1 ? '' : 's'}${of.search.partial > 0 ? ` (${of.search.partial} at partial budgets)` : ''}, PBO over its ${of.search.fullBudget} full-budget ones${spaPart}`
    : '';
  const text = `${edgePart}; DSR ${num(of.dsr)} over ${n} configuration${n === 1 ? '' : 's'}${ledgerPart}; ${pboPart}${searchPart}`;
  if (o.baseline) return { cls: 'baseline', text: `${edgePart}: naive baseline` };
  let cls: VerdictClass;
  const unstable = of.pbo !== null && of.pbo.pbo >= 0.5;
  const failedOos = !(o.oosSharpe >= o.isSharpe / 2);
  if (!(o.isSharpe > 0)) cls = 'loses in sample';
  else if (unstable && failedOos) cls = 'likely overfit';
  else if (!unstable && best && best.edgeReturnPct > 0 && best.pValue < 0.05 && of.dsr >= 0.95) cls = 'likely real';
  else cls = 'no significant edge';
  const why =
    cls === 'loses in sample'
      ? `loses in sample (IS Sharpe ${num(o.isSharpe)}): nothing good was selected`
      : cls === 'no significant edge' && unstable
        ? `no significant edge (PBO ${num(of.pbo!.pbo)}: the in-sample choice is unstable, but the out-of-sample run held up: Sharpe ${num(o.oosSharpe)} vs ${num(o.isSharpe)} in sample)`
        : cls;
  return { cls, text: `${text}: ${why}` };
}

/** The best naive baseline (the highest out-of-sample return; ties: the first): the one the verdict names. */
export function bestBaseline(vs: readonly BaselineEdge[]): BaselineEdge | undefined {
  return vs.length > 0 ? vs.reduce((a, b) => (b.baselineReturnPct > a.baselineReturnPct ? b : a)) : undefined;
}

/**
 * The gross exposure a random long-short baseline is given: the mean, over the candidates' trials
 * (every configuration of every candidate) that held a position, of each one's mean gross
 * exposure / equity (metrics/gross-exposure.ts), as text to 4 decimals (it is a parameter the
 * report shows); undefined when no trial held one (the baseline keeps its default).
 */
function candidatesGross(results: readonly TrialResult[]): string | undefined {
  let sum = 0;
  let n = 0;
  for (const r of results) {
    if (Number.isFinite(r.meanGross)) {
      sum += r.meanGross;
      n++;
    }
  }
  return n > 0 ? String(Number((sum / n).toFixed(4))) : undefined;
}

/** Symbols that some configuration of the candidates traded, in the table's order. */
function tradedByCandidates(symbols: readonly string[], results: readonly TrialResult[]): string[] {
  const seen = new Set(results.flatMap((r) => r.traded));
  return symbols.filter((s) => seen.has(s));
}

/** Index mask of the return periods inside some training window (a window owns the samples ending in (from, to]). */
function inSampleMask(sampleTs: Float64Array, folds: readonly Fold[]): Uint8Array {
  const m = new Uint8Array(sampleTs.length);
  for (const f of folds) {
    const [k0, k1] = sampleRange(sampleTs, f.trainStart, f.trainEnd);
    m.fill(1, k0, k1);
  }
  return m;
}

function masked(r: Float64Array, mask: Uint8Array): Float64Array {
  let n = 0;
  for (let k = 0; k < r.length; k++) n += mask[k]!;
  const out = new Float64Array(n);
  let j = 0;
  for (let k = 0; k < r.length; k++) if (mask[k]) out[j++] = r[k]!;
  return out;
}

/**
 * Combinatorial purged CV beside the walk-forward, through the same pipeline: the CPCV scheme's
 * selections (its splits' purged and embargoed training groups) choose each candidate's best
 * trial by the return-based objective over those periods, and each of its φ paths is replayed as
 * one out-of-sample run (positions closed or carried at group edges as --fold-edge says, every
 * cost of switching paid). The recombination of the trials' returns (AFML's own construction, no
 * replay) is reported beside it.
 */
async function replayCpcv(
  s: ValidationSettings,
  cv: NonNullable<ValidationSettings['cpcv']>,
  runner: Runner,
  entries: readonly Entry[],
  candidates: readonly number[],
  trialsOf: readonly (readonly Trial[])[],
  resultsOf: readonly (readonly TrialResult[])[],
  pathTask: (e: Entry, trials: readonly Trial[], chosen: readonly number[], path: SchemePath, label: string) => Labeled<OosTask>,
  dataStart: number,
  searched: ReadonlyMap<number, CpcvSearch>,
): Promise<Map<number, CpcvOutcome>> {
  const purgePeriods = Math.ceil(cv.purgeUs / s.run.periodUs);
  const embargoPeriods = Math.ceil(cv.embargoUs / s.run.periodUs);
  const score = CPCV_OBJECTIVES[s.objective as keyof typeof CPCV_OBJECTIVES] ?? CPCV_OBJECTIVES.sharpe;
  const out = new Map<number, CpcvOutcome>();
  const jobs: { i: number; plan: CpcvPlan; chosen: readonly number[]; scheme: Scheme }[] = [];
  for (const i of candidates) {
    const rs = resultsOf[i]!;
    const plan = planCpcv(rs[0]!.returns.length, cv.groups, cv.testGroups, purgePeriods, embargoPeriods);
    const scheme = cpcvScheme(plan, rs[0]!.sampleTs, dataStart);
    // a searched candidate: each split chose among its own search's trials; else among all
    const chosen =
      searched.get(i)?.chosen ??
      chooseBySplit(
        plan,
        rs.map((r) => r.returns),
        score,
      );
    jobs.push({ i, plan, chosen, scheme });
  }
  const tasks = jobs.flatMap(({ i, chosen, scheme }) => scheme.paths.map((p) => pathTask(entries[i]!, trialsOf[i]!, chosen, p, `${entries[i]!.name} CPCV path ${p.index + 1}`)));
  const results = (await runner.runAll(tasks)) as OosResult[];
  let at = 0;
  for (const { i, plan, chosen, scheme } of jobs) {
    const trials = trialsOf[i]!;
    const rs = resultsOf[i]!;
    const paths = scheme.paths.map((p): CpcvPath => {
      const r = results[at++]!;
      return { path: p.index, sharpeAnnualized: r.metrics.sharpeAnnualized, returnFraction: r.metrics.returnFraction, trades: r.metrics.trades, chosen: p.segments.map((g) => trials[chosen[g.selection]!]!.label) };
    });
    const recombined = cpcvPaths(
      trials.map((t, j) => ({ label: t.label, returns: rs[j]!.returns })),
      { groups: cv.groups, testGroups: cv.testGroups, purgePeriods, embargoPeriods, periodsPerYear: s.run.periodsPerYear, score, chosen },
    );
    out.set(i, {
      groups: cv.groups,
      testGroups: cv.testGroups,
      purgePeriods,
      embargoPeriods,
      splits: plan.splits.length,
      periods: plan.rows,
      chosenBySplit: chosen.map((j) => trials[j]!.label),
      paths,
      sharpe: pathSharpeSummary(paths),
      replayed: true,
      recombined: { sharpe: recombined.sharpe, paths: recombined.paths },
      ...(searched.has(i) ? { search: searched.get(i)!.summary } : {}),
    });
  }
  return out;
}

/** A searched candidate's CPCV: each split's own search, and the trial each split chose. */
interface CpcvSearch {
  /** The folds' trials and the splits' new ones (a configuration both proposed runs once). */
  readonly outcome: SearchOutcome;
  /** Per split, the trial chosen: the best of the split's own trials on its training groups. */
  readonly chosen: readonly number[];
  readonly summary: NonNullable<CpcvOutcome['search']>;
}

/**
 * CPCV with a search: in each split a sampler of its own (seeded from the run's seed, the strategy
 * and the split) searches the space on the split's training groups (purged and embargoed), scoring
 * each trial by the CPCV objective over those periods of its returns, and the split chooses among
 * its own trials only (as a fold does). Its trials run on all the data like the folds' (one replay
 * each, shared by label with the folds' trials), so every one is a trial of the candidate: counted
 * in DSR's N and V, in PBO's matrix and in the ledger.
 */
async function searchInCpcvSplits(
  s: ValidationSettings,
  cv: NonNullable<ValidationSettings['cpcv']>,
  e: Entry,
  folds: SearchOutcome,
  objective: (m: RunMetrics) => number,
  makeTrial: (values: Readonly<Record<string, string>>, index: number) => Trial,
  run: (tasks: Labeled<TrialTask>[]) => Promise<unknown[]>,
): Promise<CpcvSearch> {
  const score = CPCV_OBJECTIVES[s.objective as keyof typeof CPCV_OBJECTIVES] ?? CPCV_OBJECTIVES.sharpe;
  const plan = planCpcv(folds.results[0]!.returns.length, cv.groups, cv.testGroups, Math.ceil(cv.purgeUs / s.run.periodUs), Math.ceil(cv.embargoUs / s.run.periodUs));
  const rows = plan.splits.map((sp) => trainRows(sp));
  const outcome = await searchInFolds({
    name: e.name,
    spec: e.spec,
    search: e.search!,
    folds: s.plan.folds,
    run: s.run,
    objective,
    makeTrial,
    runTasks: async (tasks) => (await run(tasks)) as TrialBatchResult[],
    batchSize: MAX_BATCH,
    ...(s.searchCache ? { cache: s.searchCache } : {}),
    selections: { count: plan.splits.length, name: 'CPCV split', seed: (k) => `${s.run.seed}:search:${e.name}:cpcv split ${k + 1}`, objective: (r, k) => score(rows[k]!.map((t) => r.returns[t]!)) },
    prior: { trials: folds.trials, results: folds.results },
  });
  // per split, its best trial (NaN objectives lose; ties go to the lower trial number, as a fold's)
  const chosen = outcome.evals.map((ev) => {
    let best = ev[0]!.trial;
    let bestV = -Infinity;
    for (const x of ev)
      if (x.isObjective > bestV || (x.isObjective === bestV && x.trial < best)) {
        bestV = x.isObjective;
        best = x.trial;
      }
    return best;
  });
  return { outcome, chosen, summary: { method: outcome.method, trialsPerSplit: outcome.evals.map((ev) => ev.length), newTrials: outcome.trials.length - folds.trials.length } };
}

/** The objectives CPCV can choose by: computed on the trials' returns over the training groups. */
const CPCV_OBJECTIVES = {
  sharpe: (r: readonly number[]): number => sharpePerPeriod(r),
  sortino: (r: readonly number[]): number => sortinoPerPeriod(r),
  return: (r: readonly number[]): number => r.reduce((g, x) => g * (1 + x), 1) - 1,
} as const;

/** The objectives CPCV accepts (the others need the trades of each training window). */
export const CPCV_OBJECTIVE_NAMES = Object.keys(CPCV_OBJECTIVES) as readonly string[];

/** The tearsheets of streamed data ({@link runTearsheet}'s, with the buy-and-hold curves of every record measured in one pass). */
function streamedTearsheets(data: StreamedData, records: readonly RunRecord[], periodsPerYear: number, benchmark: readonly string[] | undefined, traded: readonly string[]): RunTearsheet[] {
  const ids = records.map((r) => benchmarkIds(r, data.symbols, benchmark, traded));
  const asked = records.flatMap((r, i) => [{ ids: ids[i]!.bench, sampleTs: r.sampleTs, fromTs: r.firstTs }, ...(ids[i]!.traded.length > 0 ? [{ ids: ids[i]!.traded, sampleTs: r.sampleTs, fromTs: r.firstTs }] : [])]);
  const curves = data.curves(asked);
  let at = 0;
  return records.map((r, i) => {
    const bench = curves[at++]!;
    const own = ids[i]!.traded.length > 0 ? curves[at++]! : undefined;
    return tearsheetWith(r, data.symbols, periodsPerYear, ids[i]!, bench, own);
  });
}

/** The validation pipeline (see the module comment): trials, choices per selection, replayed out-of-sample paths, statistics and verdicts. */
export async function validate(data: TickTable | StreamedData, entries: readonly Entry[], s: ValidationSettings): Promise<ValidationOutcome> {
  const folds = s.plan.folds;
  // in memory: the table, read by the tasks on the runner's threads; streamed: each task reads the catalog itself
  const table = 'ts' in data ? data : undefined;
  const streamed = 'ts' in data ? undefined : data;
  const symbols = data.symbols;
  const withData = <T extends TrialTask | OosTask>(l: Labeled<T>): Labeled<T> => (streamed ? { ...l, task: { ...l.task, stream: streamed.task } } : l);
  const objective = OBJECTIVES[s.objective];
  // trials, validated against each schema before anything runs
  const check = (e: Entry, t: Trial): void => {
    let inst: unknown;
    try {
      inst = e.module.create(t.params);
    } catch (err) {
      throw new UsageError(`strategy '${e.name}' refuses the parameters ${t.label === 'defaults' ? '(defaults)' : t.label}: ${(err as Error).message}; change the --grid or --param values`);
    }
    const problems = strategyProblems(inst);
    if (problems.length > 0) throw new UsageError(`strategy '${e.name}': ${problems.join('; ')}`);
  };
  const expand = (e: Entry, base: Readonly<Record<string, string>>): Trial[] => {
    const ts = expandGrid(e.name, e.module.params, base, e.grid);
    for (const t of ts) check(e, t);
    return ts;
  };
  // a search's configuration as a trial, checked the same way
  const searchTrial = (e: Entry, values: Readonly<Record<string, string>>, index: number): Trial => {
    const params = resolveParams(e.name, e.module.params, { ...e.base, ...values });
    const own: Record<string, ParamValue> = {};
    for (const d of e.search!.space) own[d.key] = params[d.key]!;
    const t: Trial = { index, label: e.search!.space.map((d) => `${d.key}=${String(params[d.key])}`).join(','), values: own, params };
    check(e, t);
    return t;
  };
  const bases: Readonly<Record<string, string>>[] = entries.map((e) => e.base);
  const trialsOf: Trial[][] = entries.map((e) => (e.baseline || e.search ? [] : expand(e, e.base)));
  // baselines are checked now too (with their parameters as given), and expanded again below
  for (const e of entries) if (e.baseline) expand(e, e.base);
  const candidates = entries.flatMap((e, i) => (e.baseline ? [] : [i]));
  const baselines = entries.flatMap((e, i) => (e.baseline ? [i] : []));
  let done = 0;
  const runner = typeof s.workers === 'number' ? new TaskRunner(s.workers) : s.workers;
  runner.use(table ?? emptyTable(symbols));
  try {
    // the scheme: a selection per fold (its training window), and one path of the folds' test windows
    const scheme = foldScheme(s.plan);
    const windows = scheme.selections.map((x) => x.train[0]!);
    // trials in batches replayed together (one pass over memory per batch, engine runBacktests):
    // as few batches as give every task slot one, of at most MAX_BATCH trials; trial j goes to
    // batch j mod k, so that each batch mixes the grid's values (a grid's first trials, e.g. its
    // lowest entry thresholds, can trade several times more than its last)
    const batchSize = Math.max(
      1,
      Math.min(
        MAX_BATCH,
        Math.ceil(
          maxOf(
            trialsOf.map((t) => t.length),
            1,
          ) / runner.workers,
        ),
      ),
    );
    const tasksOf = (i: number): Labeled<TrialTask>[] => {
      const e = entries[i]!;
      const ts = trialsOf[i]!;
      const k = Math.ceil(ts.length / batchSize);
      const out: Labeled<TrialTask>[] = [];
      for (let b = 0; b < k; b++) {
        const batch: Trial[] = [];
        for (let j = b; j < ts.length; j += k) batch.push(ts[j]!);
        out.push({
          task: { kind: 'trial' as const, strategy: e.spec, params: batch.map((t) => t.params), labels: batch.map((t) => `trial ${t.index + 1} (${t.label})`), windows, run: s.run },
          label: e.name,
        });
      }
      return out;
    };
    const runTrialsOf = async (idx: readonly number[]): Promise<TrialResult[][]> => {
      const tasks = idx.map((i) => tasksOf(i));
      const done = (await runner.runAll(tasks.flat().map(withData))) as TrialBatchResult[];
      // back in trial order: the m-th trial of batch b is trial b + m·k
      let at = 0;
      return idx.map((i, n) => {
        const k = tasks[n]!.length;
        const out: TrialResult[] = new Array(trialsOf[i]!.length);
        for (let b = 0; b < k; b++) done[at + b]!.trials.forEach((r, m) => (out[b + m * k] = r));
        at += k;
        return out;
      });
    };
    // candidates first, then the baselines, which trade the symbols the candidates traded
    // CPCV beside it: its paths replayed too, one out-of-sample run per path and candidate
    const cpcvPathCount = s.cpcv ? (s.cpcv.testGroups * binomial(s.cpcv.groups, s.cpcv.testGroups)) / s.cpcv.groups : 0;
    // counted in backtests: every trial, each baseline's one, the out-of-sample runs, CPCV's paths
    const total =
      candidates.reduce((n, i) => n + (entries[i]!.search ? plannedEvaluations(entries[i]!.search!, folds.length + (s.cpcv ? binomial(s.cpcv.groups, s.cpcv.testGroups) : 0)) : trialsOf[i]!.length), 0) + baselines.length + entries.length + cpcvPathCount * candidates.length;
    runner.onDone = (runs) => s.onProgress?.((done += runs), total);
    s.onProgress?.(0, total);
    const resultsOf: TrialResult[][] = entries.map(() => []);
    const t0 = performance.now();
    const gridCandidates = candidates.filter((i) => !entries[i]!.search);
    (await runTrialsOf(gridCandidates)).forEach((rs, k) => (resultsOf[gridCandidates[k]!] = rs));
    // searches, one strategy after another: each fold's sampler on its own training window
    const searchOf = new Map<number, SearchOutcome>();
    const cpcvSearchOf = new Map<number, CpcvSearch>();
    for (const i of candidates) {
      const e = entries[i]!;
      if (!e.search) continue;
      const so = await searchInFolds({
        name: e.name,
        spec: e.spec,
        search: e.search,
        folds,
        run: s.run,
        objective,
        makeTrial: (values, index) => searchTrial(e, values, index),
        runTasks: async (tasks) => (await runner.runAll(tasks.map(withData))) as TrialBatchResult[],
        batchSize: MAX_BATCH,
        ...(s.searchCache ? { cache: s.searchCache } : {}),
      });
      searchOf.set(i, so);
      trialsOf[i] = [...so.trials];
      resultsOf[i] = [...so.results];
      let { fromCache, ran } = so;
      // with CPCV: a search in each of its splits too, on the split's training groups (cpcv-search below)
      if (s.cpcv) {
        const cs = await searchInCpcvSplits(
          s,
          s.cpcv,
          e,
          so,
          objective,
          (values, index) => searchTrial(e, values, index),
          (tasks) => runner.runAll(tasks.map(withData)),
        );
        cpcvSearchOf.set(i, cs);
        trialsOf[i] = [...cs.outcome.trials];
        resultsOf[i] = [...cs.outcome.results];
        fromCache += cs.outcome.fromCache;
        ran += cs.outcome.ran;
      }
      s.onSearch?.(e.name, fromCache, ran);
    }
    const traded = tradedByCandidates(
      symbols,
      candidates.flatMap((i) => resultsOf[i]!),
    );
    const restrict = traded.length > 0 && traded.length < symbols.length ? traded.join(',') : undefined;
    const gross = candidatesGross(candidates.flatMap((i) => resultsOf[i]!));
    for (const i of baselines) {
      const e = entries[i]!;
      if (restrict !== undefined && 'symbol' in e.module.params && e.base.symbol === undefined) bases[i] = { ...e.base, symbol: restrict };
      if (gross !== undefined && e.module.name === 'random-long-short' && e.base.gross === undefined) bases[i] = { ...bases[i]!, gross };
      trialsOf[i] = expand(e, bases[i]!);
    }
    (await runTrialsOf(baselines)).forEach((rs, k) => (resultsOf[baselines[k]!] = rs));
    s.onPhase?.('trials', performance.now() - t0);
    const t1 = performance.now();

    // per fold, the best in-sample trial (NaN objectives lose; ties go to the lower trial number)
    // (a searched strategy's fold chooses among the trials its own sampler proposed)
    const chosenOf = resultsOf.map((rs, i) =>
      folds.map((_, k) => {
        const own = searchOf.get(i)?.owners[k];
        let best = own?.[0] ?? 0;
        let bestV = -Infinity;
        rs.forEach((r, j) => {
          if (own && !own.includes(j)) return;
          const v = objective(r.windows[k]!);
          if (v > bestV) {
            bestV = v;
            best = j;
          }
        });
        return best;
      }),
    );
    // one out-of-sample task per path of a scheme: segment k trades with its selection's choice
    const pathTask = (e: Entry, trials: readonly Trial[], chosen: readonly number[], path: SchemePath, label: string): Labeled<OosTask> =>
      withData({
        task: {
          kind: 'oos' as const,
          strategy: e.spec,
          edge: s.edge,
          run: s.run,
          segments: path.segments.map((g): Segment => {
            const t = trials[chosen[g.selection]!]!;
            return { params: t.params, label: t.label, warmupStart: g.warmupStart, testStart: g.testStart, testEnd: g.testEnd };
          }),
        },
        label,
      } as Labeled<OosTask>);
    const oosTasks: Labeled<OosTask>[] = entries.map((e, i) => pathTask(e, trialsOf[i]!, chosenOf[i]!, scheme.paths[0]!, `${e.name} out-of-sample run`));
    const oosPending = runner.runAll(oosTasks);
    // PBO needs only the trials: computed here while worker threads run the out-of-sample tasks
    const pboOf = resultsOf.map((rs): { pbo: PboResult | null; note: string | null } => {
      if (rs.length < 2) return { pbo: null, note: 'one trial: nothing was selected; give a --grid' };
      try {
        return {
          pbo: probabilityOfBacktestOverfitting(
            rs.map((r) => r.returns),
            s.pboPartitions,
          ),
          note: null,
        };
      } catch (err) {
        return { pbo: null, note: `${(err as Error).message}; use a shorter --period or fewer --pbo-partitions` };
      }
    });
    const oosResults = (await oosPending) as OosResult[];
    s.onPhase?.('out-of-sample', performance.now() - t1);
    const cpcvOf = s.cpcv ? await replayCpcv(s, s.cpcv, runner, entries, candidates, trialsOf, resultsOf, pathTask, table ? table.ts[0]! : streamed!.firstTs, cpcvSearchOf) : new Map<number, CpcvOutcome>();

    const oosReturns = oosResults.map((r) => returnsFromEquity(r.record.equity, r.record.initialCapital));
    const baselineIdx = baselines;
    // the Deflated Sharpe: the candidates' configurations compared on the in-sample windows
    const mask = inSampleMask(resultsOf[candidates[0] ?? 0]?.[0]?.sampleTs ?? new Float64Array(0), folds);
    const isReturnsOf = resultsOf.map((rs, i) => (entries[i]!.baseline ? [] : rs.map((r) => masked(r.returns, mask))));
    const isSharpesOf = isReturnsOf.map((rs) => rs.map((r) => sharpePerPeriod(r)));
    const allIs = candidates.flatMap((i) => isSharpesOf[i]!);
    // a search's partial trials count in N (never in V: a Sharpe over a ninth of a window is not comparable)
    const partialOf = candidates.flatMap((i) =>
      (searchOf.get(i)?.partial ?? []).map((p): HistoryTrial => ({
        strategy: entries[i]!.name,
        label: p.trial.label,
        values: p.trial.values,
        base: entries[i]!.base,
        isSharpe: NaN,
        periods: p.result.returns.length,
        returns: p.result.returns,
        budget: `${p.budget} of fold ${p.fold + 1}`,
      })),
    );
    const commandConfigurations = allIs.length + partialOf.length;
    // with a ledger: every trial it holds on this data for these strategies (this command's too)
    const pop = s.history?.([
      ...candidates.flatMap((i) => trialsOf[i]!.map((t, j): HistoryTrial => ({ strategy: entries[i]!.name, label: t.label, values: t.values, base: entries[i]!.base, isSharpe: isSharpesOf[i]![j]!, periods: isReturnsOf[i]![j]!.length, returns: resultsOf[i]![j]!.returns }))),
      ...partialOf,
    ]);
    const configurations = pop ? Math.max(pop.trials, commandConfigurations) : commandConfigurations;
    const finiteIs = pop ? [...pop.sharpes] : allIs.filter(Number.isFinite);
    const V = finiteIs.length > 1 ? stdev(finiteIs) ** 2 : 0;
    const firstSeen_ = table ? firstSeen(table) : streamed!.firstSeen;
    // measured where its symbols have data (metrics/span.ts): the periods before are left out
    // of its Sharpe, CAGR, volatility, PSR and its edges over the baselines
    const measuredOf = oosResults.map((r, i) => measuredSpan(r.record, symbols, firstSeen_, bases[i]!));
    const spanRecords = oosResults.map((r, i) => (measuredOf[i]!.periodsBefore > 0 ? sliceRecord(r.record, measuredOf[i]!.fromUs, Infinity) : r.record));
    // one benchmark for every strategy of the command: the candidates' symbols, or --benchmark
    const tearsheets = table ? spanRecords.map((r) => runTearsheet(r, table, s.run.periodsPerYear, s.benchmark, traded)) : streamedTearsheets(streamed!, spanRecords, s.run.periodsPerYear, s.benchmark, traded);
    // a search's Reality Check: its full-budget trials' in-sample returns against the verdict's baseline (search/trials-spa.ts)
    const spaOf = (i: number, vs: readonly BaselineEdge[]): { spa: SearchSpa | null; spaNote: string | null } => {
      const name = bestBaseline(vs)?.baseline;
      const j = name === undefined ? undefined : baselineIdx.find((x) => entries[x]!.name === name);
      const r = searchSpa(
        trialsOf[i]!.map((t, k) => ({ label: t.label, returns: resultsOf[i]![k]!.returns })),
        j !== undefined ? { name: name!, returns: resultsOf[j]![0]!.returns } : null,
        mask,
        { reps: s.bootstrapReps, ...(s.bootstrapBlock !== undefined ? { block: s.bootstrapBlock } : {}), seed: s.run.seed, strategy: entries[i]!.name, partialExcluded: searchOf.get(i)!.partial.length },
      );
      return { spa: r.spa, spaNote: r.note };
    };
    const strategies = entries.map((e, i): StrategyOutcome => {
      const trials = trialsOf[i]!;
      const rs = resultsOf[i]!;
      const chosen = chosenOf[i]!;
      const oosRun = oosResults[i]!;
      const measured = measuredOf[i]!;
      const k0 = measured.periodsBefore;
      const spanRecord = spanRecords[i]!;
      const oos = k0 > 0 ? { ...oosRun, metrics: computeMetrics(spanRecord, s.run.periodsPerYear) } : oosRun;
      const rets = oosReturns[i]!.subarray(k0);
      const foldOut = folds.map((f, k): FoldOutcome => {
        const t = trials[chosen[k]!]!;
        return { fold: f, chosen: { trial: t.index, label: t.label, values: t.values }, is: rs[chosen[k]!]!.windows[k]!, oos: oos.folds[k]! };
      });
      // in-sample aggregates over the folds' choices
      const isMs = foldOut.map((f) => f.is);
      const isAnnual = mean(isMs.map((m) => (m.periods > 0 ? (m.returnFraction / m.periods) * m.periodsPerYear : NaN)).filter(Number.isFinite));
      const isSharpe = mean(isMs.map((m) => m.sharpeAnnualized).filter(Number.isFinite));
      const pooled = (k: 'wins' | 'losses' | 'breakEven'): number => isMs.reduce((n, m) => n + m.hitRate[k], 0);
      const isHit = hitRateOfCounts(pooled('wins'), pooled('losses'), pooled('breakEven'));
      const oosAnnual = mean(rets) * oos.metrics.periodsPerYear;
      // overfitting statistics
      const n = trials.length;
      const sr = oos.metrics.sharpePerPeriod;
      const g1 = oos.metrics.skewness;
      const b2 = oos.metrics.kurtosisNonExcess;
      // the best configuration in sample (a configuration without an in-sample Sharpe never is)
      const isSr = e.baseline ? [] : isSharpesOf[i]!;
      let bi = -1;
      isSr.forEach((x, j) => {
        if (Number.isFinite(x) && (bi < 0 || x > isSr[bi]!)) bi = j;
      });
      let defl = { sr0: NaN, expectedMaxZ: NaN, dsr: NaN };
      if (bi >= 0) {
        const br = isReturnsOf[i]![bi]!;
        defl = deflatedSharpe(isSr[bi]!, br.length, skewness(br), kurtosisNonExcess(br), configurations, V);
      }
      // against the naive baselines, on the same out-of-sample periods
      const vsBaselines = baselineIdx
        .filter((j) => j !== i)
        .map((j): BaselineEdge => {
          const b = oosReturns[j]!.subarray(k0);
          if (b.length !== rets.length) throw new Error(`internal: ${entries[j]!.name} has ${b.length} OOS periods, ${e.name} ${rets.length}`);
          const d = new Float64Array(rets.length);
          for (let k = 0; k < d.length; k++) d[k] = rets[k]! - b[k]!;
          const boot = stationaryBootstrapMean(d, { reps: s.bootstrapReps, ...(s.bootstrapBlock !== undefined ? { meanBlock: s.bootstrapBlock } : {}), seed: `${s.run.seed}:bootstrap:${e.name}:${entries[j]!.name}` });
          // both compounded over this strategy's span
          let bg = 1;
          for (let k = 0; k < b.length; k++) bg *= 1 + b[k]!;
          const bm = { returnFraction: k0 > 0 ? bg - 1 : oosResults[j]!.metrics.returnFraction };
          return { baseline: entries[j]!.name, baselineReturnPct: bm.returnFraction, edgeReturnPct: oos.metrics.returnFraction - bm.returnFraction, meanDiffPerPeriod: boot.mean, pValue: boot.pValue, meanBlock: boot.meanBlock, reps: boot.reps };
        });
      const { pbo, note: pboNote } = pboOf[i]!;
      const overfitting: Overfitting = {
        trials: n,
        configurations: e.baseline ? 1 : configurations,
        commandConfigurations: e.baseline ? 1 : commandConfigurations,
        ledgerConfigurations: e.baseline || !pop ? null : pop.trials,
        trialSharpeVariance: e.baseline ? NaN : V,
        inSamplePeriods: mask.reduce((a, b) => a + b, 0),
        psr: oos.metrics.probabilisticSharpe,
        dsr: defl.dsr,
        sr0: defl.sr0,
        expectedMaxZ: defl.expectedMaxZ,
        minTrl: minTrackRecordLength(sr, 0, g1, b2, 0.95),
        minBtlYears: e.baseline ? NaN : minBacktestLength(configurations, s.targetSharpe),
        targetSharpe: s.targetSharpe,
        bestTrial: bi >= 0 ? { index: bi, label: trials[bi]!.label, sharpeAnnualized: isSr[bi]! * Math.sqrt(s.run.periodsPerYear), dsr: defl.dsr } : { index: -1, label: 'none', sharpeAnnualized: NaN, dsr: NaN },
        pbo,
        pboNote,
        ...(searchOf.has(i) ? { search: { method: searchOf.get(i)!.method, evaluations: n + searchOf.get(i)!.partial.length, partial: searchOf.get(i)!.partial.length, fullBudget: n, ...spaOf(i, vsBaselines) } } : {}),
      };
      const verdict = verdictOf({ overfitting, vsBaselines, baseline: e.baseline, isSharpe, oosSharpe: oos.metrics.sharpeAnnualized });
      return {
        name: e.name,
        baseline: e.baseline,
        grid: e.grid,
        base: bases[i]!,
        trialSampleTs: rs[0]!.sampleTs,
        trials: trials.map((t, j) => ({ index: t.index, label: t.label, values: t.values, metrics: rs[j]!.metrics, isObjective: rs[j]!.windows.map((w) => objective(w)), returns: rs[j]!.returns })),
        folds: foldOut,
        oos: { record: oos.record, metrics: oos.metrics, returns: rets },
        isAggregate: { sharpeAnnualized: isSharpe, annualReturn: isAnnual, hitRate: isHit },
        oosAnnualReturn: oosAnnual,
        walkForwardEfficiency: isAnnual > 0 ? oosAnnual / isAnnual : NaN,
        degradation: { sharpe: oos.metrics.sharpeAnnualized - isSharpe, hitRate: oos.metrics.hitRate.rate - isHit.rate },
        stability: stability(e.search ? e.search.space.map((d) => ({ key: d.key, values: [] })) : e.grid, trials, chosen),
        overfitting,
        vsBaselines,
        verdictClass: verdict.cls,
        verdict: verdict.text,
        diagnostics: oos.record.strategySummary,
        tearsheet: tearsheets[i]!,
        measured,
        ...(cpcvOf.has(i) ? { cpcv: cpcvOf.get(i)! } : {}),
        ...(searchOf.has(i) ? { search: searchOf.get(i)! } : {}),
        ...(e.baseline && e.module.name === 'buy-and-hold' ? { holdings: holdings(oos.record) } : {}),
      };
    });
    const totalTrials = trialsOf.reduce((a, t) => a + t.length, 0);
    // after all the searching, does any candidate beat the baselines? (SPA, StepM, MCS)
    const snooping = dataSnooping(
      candidates.map((i) => ({ name: entries[i]!.name, returns: oosReturns[i]! })),
      baselines.map((j) => ({ name: entries[j]!.name, returns: oosReturns[j]!, oosReturn: oosResults[j]!.metrics.returnFraction })),
      { reps: s.bootstrapReps, ...(s.bootstrapBlock !== undefined ? { block: s.bootstrapBlock } : {}), seed: s.run.seed },
    );
    const withSnooping = snooping
      ? strategies.map((st) => {
          if (st.baseline) return st;
          const v = snooping.vs.find((x) => x.baseline === snooping.best)!;
          const n = snooping.candidates.length;
          return {
            ...st,
            verdict: `${st.verdict}; SPA p${v.spa.consistent === 0 ? `<${pv(1 / snooping.reps)}` : `=${pv(v.spa.consistent)}`} (${n === 1 ? 'this candidate' : `any of ${n} candidates`} vs ${snooping.best}), ${v.stepM.includes(st.name) ? 'in' : 'not in'} the StepM set`,
          };
        })
      : strategies;
    return { plan: s.plan, objective: s.objective, edge: s.edge, strategies: withSnooping, totalTrials, ...(snooping ? { snooping } : {}) };
  } finally {
    // a runner made here is closed here; one handed in is its owner's
    if (typeof s.workers === 'number') await runner.close();
  }
}
