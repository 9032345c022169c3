/**
 * The validation job (`walk-forward`, `compare`, with CPCV beside them): the window of the data,
 * the period, the fold plan, the trial ledger, the validation itself (validation/validate.ts), the
 * cost sweep (jobs/sweep.ts) and what the report is built from. The CLI's `tickfold walk-forward`
 * and `tickfold compare` and the library's `walkForward()` call it with typed settings.
 */
import { checkSizingSymbols, plainExecution, type ExecutionSettings } from '../broker/settings.js';
import type { FileSummary, LeftOut } from '../data/load.js';
import { rowTime, type TickTable } from '../data/table.js';
import { dataHash, moduleHash } from '../ledger/keys.js';
import { ledgerSearchCache } from './search-cache.js';
import { choosePeriod, type PeriodChoice } from '../metrics/period.js';
import { dataEndSession } from '../universe/membership.js';
import { startStreamed, type ValidationStream } from './stream-validate.js';
import type { ValidationContext } from '../report/validation-report.js';
import { resolveParams } from '../strategy/params.js';
import type { CostSweep } from '../validation/cost-sweep.js';
import type { FoldEdge } from '../validation/folded.js';
import { planFolds, type FoldOptions, type FoldPlan, type TimeAxis } from '../validation/folds.js';
import type { Runner } from '../runtime/runner.js';
import { validate, type StreamedData, type Entry, type Objective, type ValidationOutcome, type ValidationSettings } from '../validation/validate.js';
import { VERSION } from '../version.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { useLedger, type LedgerChoice } from './ledger.js';
import { checkBenchmark, windowOf } from './run.js';
import { backtestSettings, DEFAULTS, type RunSettings } from './settings.js';
import { runSweep, sweepSettings, type SweepSpec } from './sweep.js';

/** The statistics' settings of a validation; each default in {@link DEFAULTS}. */
export interface ValidationOptions {
  readonly objective: Objective;
  readonly edge: FoldEdge;
  readonly pboPartitions: number;
  readonly bootstrapReps: number;
  /** Mean block length of the stationary bootstrap, in periods (undefined: n^(1/3)). */
  readonly bootstrapBlock?: number;
  readonly targetSharpe: number;
  /** Combinatorial purged CV beside the walk-forward: N groups, k tested per split, purge and embargo in µs. */
  readonly cpcv?: ValidationSettings['cpcv'];
}

/** {@link ValidationOptions} from what was given, each default from {@link DEFAULTS}. */
export function validationOptions(given: { readonly [K in keyof ValidationOptions]?: ValidationOptions[K] | undefined } = {}): ValidationOptions {
  return {
    objective: given.objective ?? DEFAULTS.objective,
    edge: given.edge ?? DEFAULTS.foldEdge,
    pboPartitions: given.pboPartitions ?? DEFAULTS.pboPartitions,
    bootstrapReps: given.bootstrapReps ?? DEFAULTS.bootstrapReps,
    ...(given.bootstrapBlock !== undefined ? { bootstrapBlock: given.bootstrapBlock } : {}),
    targetSharpe: given.targetSharpe ?? DEFAULTS.targetSharpe,
    ...(given.cpcv !== undefined ? { cpcv: given.cpcv } : {}),
  };
}

/** Loaded data: the table and what the report says of its files. */
export interface DataSet {
  readonly table: TickTable;
  readonly files: readonly FileSummary[];
  readonly leftOut: readonly LeftOut[];
}

export interface ValidationJob {
  readonly command: 'walk-forward' | 'compare';
  /** The data, loaded; or loaded by the job (`shared`: into shared memory for the runner's threads). */
  readonly data: DataSet | ((shared: boolean) => Promise<DataSet>);
  /** Streamed from the catalog when it can be (jobs/stream-validate.ts); else `data` is loaded. */
  readonly stream?: ValidationStream;
  /** The strategies that run (candidates and baselines), given the period's label (the baselines decide once a period). */
  readonly entries: (periodLabel: string) => Entry[];
  readonly settings: RunSettings;
  readonly folds: FoldOptions;
  readonly options: ValidationOptions;
  /** Where the tasks run: a runner already started, or a number of worker threads. */
  readonly workers: number | Runner;
  /** Where each level of a cost sweep runs (fresh threads each: a number; a queue: its runner). */
  readonly sweepWorkers?: number | Runner;
  readonly sweep?: SweepSpec;
  /** The trial ledger (undefined: none; DSR counts this job's trials). */
  readonly ledger?: LedgerChoice;
  /** The command line recorded in the report (the library's: empty). */
  readonly argv: readonly string[];
  /** Told the plan before any work. */
  readonly onPlan?: (plan: FoldPlan, entries: readonly Entry[]) => void;
  readonly onProgress?: ValidationSettings['onProgress'];
  readonly onPhase?: ValidationSettings['onPhase'];
  /** Told, per searching strategy, how many of its trials the ledger held and how many ran. */
  readonly onSearch?: (strategy: string, cached: number, ran: number) => void;
  /** Called between steps; throws to stop (an interrupt). */
  readonly checkpoint?: () => Promise<void>;
}

/** What a validation job gives: the outcome, what its report is built from, and the table validated (absent when it was streamed). */
export interface ValidationResult {
  readonly outcome: ValidationOutcome;
  readonly context: ValidationContext;
  readonly table?: TickTable;
  /** The data's symbols and last session (universe/membership.ts dataEndSession). */
  readonly symbols: readonly string[];
  readonly endSession: number;
}

/** The data as the validation reads it: a table in memory, or streamed from the catalog. */
async function dataOf(job: ValidationJob): Promise<{ data: TickTable | StreamedData; period: PeriodChoice; axis: TickTable | TimeAxis; files: readonly FileSummary[]; leftOut: readonly LeftOut[]; rows: { events: number; first: number; last: number; endSession: number } }> {
  const { settings } = job;
  const runner = typeof job.workers === 'number' ? { workers: job.workers, pooled: true } : job.workers;
  const streamed = job.stream ? await startStreamed(job.stream, settings, job.folds, runner.workers) : undefined;
  if (streamed) {
    const f = streamed.facts;
    return {
      data: streamed.data,
      period: streamed.period,
      axis: streamed.axis,
      files: streamed.files,
      leftOut: streamed.leftOut,
      rows: { events: streamed.rows, first: f.firstRowTime, last: f.lastRowTime, endSession: f.endSession },
    };
  }
  const { table: full, files, leftOut } = typeof job.data === 'function' ? await job.data(typeof job.workers !== 'number' && job.workers.pooled) : job.data;
  checkSizingSymbols(settings.execution, full.symbols);
  const table = windowOf(full, settings);
  const period = choosePeriod(table, settings.periodUs, settings.periodsPerYear, settings.calendar);
  return { data: table, period, axis: table, files, leftOut, rows: { events: table.length, first: rowTime(table, 0), last: rowTime(table, table.length - 1), endSession: dataEndSession(table) } };
}

/** Runs a validation job (see {@link ValidationJob}). */
export async function runValidationJob(job: ValidationJob): Promise<ValidationResult> {
  const { settings, options } = job;
  // the sweep's levels checked before any work
  const sweepLevels = job.sweep ? sweepSettings(settings.execution, job.sweep) : undefined;
  const { data, period, axis, files, leftOut, rows } = await dataOf(job);
  const plan = planFolds(axis, job.folds);
  if (settings.benchmark) checkBenchmark(settings.benchmark, data.symbols);
  const entries = job.entries(period.label);
  job.onPlan?.(plan, entries);
  // the settings of every validation this job runs (the main one, and each cost level)
  const common = (exec: ExecutionSettings): Omit<ValidationSettings, 'workers'> => ({
    plan,
    run: backtestSettings({ ...settings, execution: exec }, period),
    objective: options.objective,
    edge: options.edge,
    pboPartitions: options.pboPartitions,
    bootstrapReps: options.bootstrapReps,
    ...(options.bootstrapBlock !== undefined ? { bootstrapBlock: options.bootstrapBlock } : {}),
    targetSharpe: options.targetSharpe,
    ...(settings.benchmark ? { benchmark: settings.benchmark } : {}),
  });
  const execution = plainExecution(settings.execution);
  // the trial ledger: this job's trials recorded, DSR's N and V from all of them on this data
  const use = job.ledger
    ? useLedger(job.ledger, {
        dataHash: dataHash(files, settings.fromUs, settings.toUs),
        command: job.command,
        scheme: { mode: plan.mode, anchored: plan.anchored, spec: plan.spec, objective: options.objective, edge: options.edge },
        execution,
        periodUs: period.periodUs,
        version: VERSION,
        specs: new Map(entries.map((e) => [e.name, { spec: e.spec, builtin: BUILTIN_STRATEGIES.has(e.spec) }])),
      })
    : undefined;
  let outcome: ValidationOutcome;
  try {
    outcome = await validate(data, entries, {
      ...common(settings.execution),
      ...(use ? { history: use.history } : {}),
      // a search resumes from the results the ledger holds (search/in-folds.ts)
      ...(use && entries.some((e) => e.search)
        ? {
            searchCache: ledgerSearchCache(use.ledger, {
              dataHash: dataHash(files, settings.fromUs, settings.toUs),
              execution,
              periodUs: period.periodUs,
              periodsPerYear: period.periodsPerYear,
              initialCapital: settings.initialCapital,
              seed: settings.seed,
              version: VERSION,
              moduleHash: (n) => {
                const spec = entries.find((e) => e.name === n)!.spec;
                return moduleHash(spec, BUILTIN_STRATEGIES.has(spec), VERSION);
              },
            }),
          }
        : {}),
      ...(job.onSearch ? { onSearch: job.onSearch } : {}),
      ...(options.cpcv ? { cpcv: options.cpcv } : {}),
      ...(job.onPhase ? { onPhase: job.onPhase } : {}),
      ...(job.onProgress ? { onProgress: job.onProgress } : {}),
      workers: job.workers,
    });
  } finally {
    use?.ledger.close();
  }
  // cost sensitivity: the same validation at each level, on fresh worker threads each
  let sweep: CostSweep | undefined;
  if (job.sweep && sweepLevels) {
    const candidates = outcome.strategies.filter((x) => !x.baseline).map((x) => x.name);
    const at = job.sweepWorkers ?? (typeof job.workers === 'number' ? job.workers : job.workers.workers);
    sweep = await runSweep(job.sweep, sweepLevels, candidates, (exec) => validate(data, entries, { ...common(exec), workers: at }), job.checkpoint);
  }
  const context: ValidationContext = {
    sweep: sweep ?? null,
    ledger: use ? { path: use.ledger.path, added: use.recorded.added, held: use.recorded.held, fresh: job.ledger!.fresh } : null,
    command: job.command,
    version: VERSION,
    argv: job.argv,
    files,
    leftOut,
    events: rows.events,
    firstRowTs: rows.first,
    lastRowTs: rows.last,
    symbols: data.symbols,
    execution,
    initialCapital: settings.initialCapital,
    seed: settings.seed,
    period,
    params: Object.fromEntries(outcome.strategies.map((o, i) => [o.name, resolveParams(o.name, entries[i]!.module.params, o.base)])),
    bootstrap: { reps: options.bootstrapReps, block: options.bootstrapBlock ?? null },
    pboPartitions: options.pboPartitions,
    warmup: job.folds.warmup ?? (plan.mode === 'split' ? 'the in-sample window' : plan.anchored ? `the last ${job.folds.train}` : 'the training window'),
  };
  return { outcome, context, ...('ts' in data ? { table: data } : {}), symbols: data.symbols, endSession: rows.endSession };
}
