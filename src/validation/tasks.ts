/**
 * The units of work of a validation, each one call of {@link runBacktest}, run alike on the main
 * thread (`--workers 1`) or on worker threads: a task and its result are plain structured-clone
 * data, and the table is shared memory, so where a task runs cannot change what it returns.
 *
 * - A trial task runs a batch of parameter sets over the whole table, in lockstep (one pass over
 *   memory for the batch), and returns for each its per-period returns
 *   (a column of the trials' return matrix, for PBO and DSR) and its metrics over each fold's
 *   training window (for choosing parameters in-sample). Each window's metrics depend only on
 *   data up to the window's end (see metrics/window.ts), so no fold's choice sees its test data.
 * - An out-of-sample task runs the folded strategy (folded.ts) from the first warm-up to the end.
 */
import type { ExecutionConfig } from '../broker/broker.js';
import { BatchJobError, runBacktest, runBacktests, type RunConfig, type RunRecord } from '../engine/engine.js';
import { F_SYM, OrderLog, packRecord, unpackRecord, type PackedRecord } from '../portfolio/record.js';
import { sliceRows, lowerBound, type TickTable } from '../data/table.js';
import { computeMetrics, periodReturns, type RunMetrics } from '../metrics/run-metrics.js';
import { sliceRecord } from '../metrics/window.js';
import { loadStrategy } from '../strategy/load.js';
import type { Params, StrategyModule } from '../strategy/types.js';
import { TickfoldError } from '../errors.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { createStrategy } from '../strategy/instance.js';
import { foldedStrategy, type FoldEdge, type Segment } from './folded.js';

export interface RunSettings {
  readonly execution: ExecutionConfig;
  readonly initialCapital: number;
  readonly periodUs: number;
  readonly periodsPerYear: number;
  readonly seed: string;
}

/** A batch of trials of one strategy, replayed together (see runBacktests). */
export interface TrialTask {
  readonly kind: 'trial';
  /** Built-in name or module path, resolved in the thread that runs the task. */
  readonly strategy: string;
  /** One parameter set per trial, and what to call it in an error message. */
  readonly params: readonly Params[];
  readonly labels: readonly string[];
  /** [from, to) windows to measure (the folds' training windows). */
  readonly windows: readonly (readonly [number, number])[];
  readonly run: RunSettings;
}

export interface TrialBatchResult {
  readonly kind: 'trial';
  readonly trials: readonly TrialResult[];
}

export interface TrialResult {
  readonly sampleTs: Float64Array;
  /** Symbols it filled orders in (the baselines trade those of the candidates). */
  readonly traded: readonly string[];
  readonly returns: Float64Array;
  readonly metrics: RunMetrics;
  readonly windows: readonly RunMetrics[];
}

export interface OosTask {
  readonly kind: 'oos';
  readonly strategy: string;
  readonly segments: readonly Segment[];
  readonly edge: FoldEdge;
  readonly run: RunSettings;
}

export interface OosResult {
  readonly kind: 'oos';
  /** The run restricted to the out-of-sample span (first test start to the end). */
  readonly record: RunRecord;
  readonly metrics: RunMetrics;
  /** Per fold, its test window. */
  readonly folds: readonly RunMetrics[];
}

/** One plain backtest over the whole table (`tickfold run`, guarded on a worker). */
export interface RunTask {
  readonly kind: 'run';
  readonly strategy: string;
  readonly params: Params;
  readonly run: RunSettings;
}

export interface RunResult {
  readonly kind: 'run';
  readonly record: RunRecord;
  /** Absent when the task's periodsPerYear was not known yet (NaN). */
  readonly metrics?: RunMetrics;
}

export type Task = TrialTask | OosTask | RunTask;
export type TaskResult = TrialBatchResult | OosResult | RunResult;

/** Backtests in a task (its time limit is this many times the per-run limit). */
export const runsIn = (t: Task): number => (t.kind === 'trial' ? t.params.length : 1);

/**
 * Shared memory where a task reports where it is: [backtest of the batch running now, then per
 * backtest its clock (now, event index)]. The thread that set the task a time limit reads it when
 * the limit passes, to say which run was stuck where.
 */
export const progressFor = (t: Task): Float64Array => new Float64Array(new SharedArrayBuffer(8 * (1 + 2 * runsIn(t)))).fill(-1);
export const clockOf = (progress: Float64Array | undefined, job: number): Float64Array | undefined => progress?.subarray(1 + 2 * job, 3 + 2 * job);

/** A failure inside a task, as data (errors do not survive the trip back from a worker intact). */
export interface TaskFailure {
  readonly kind: 'failure';
  readonly code: string;
  readonly message: string;
  readonly exitCode: number;
}

const modules = new Map<string, Promise<StrategyModule>>();
const moduleFor = (spec: string): Promise<StrategyModule> => {
  let m = modules.get(spec);
  if (!m) modules.set(spec, (m = loadStrategy(spec, BUILTIN_STRATEGIES)));
  return m;
};

function runTrials(table: TickTable, module: StrategyModule, task: TrialTask, progress: Float64Array | undefined): TrialBatchResult {
  const s = task.run;
  let records: RunRecord[];
  try {
    records = runBacktests(
      table,
      task.params.map((p, j) => ({ strategy: createStrategy(module, p), cfg: configFor(module, s, progress, j) })),
      progress?.subarray(0, 1),
    );
  } catch (e) {
    if (!(e instanceof BatchJobError)) throw e;
    const c = e.cause;
    const label = task.labels[e.job]!;
    if (c instanceof TickfoldError) throw new TickfoldError(c.code, `${label}: ${c.message}`, c.exitCode);
    throw new TickfoldError('task-error', `${label}: ${c instanceof Error ? `${c.name}: ${c.message}` : String(c)}`, 3);
  }
  return {
    kind: 'trial',
    trials: records.map((record) => ({
      sampleTs: record.sampleTs,
      traded: [...new Set(Array.from(record.fills.col(F_SYM), (k) => record.symbols[k]!))].sort(),
      returns: periodReturns(record),
      metrics: computeMetrics(record, s.periodsPerYear),
      windows: task.windows.map(([from, to]) => computeMetrics(sliceRecord(record, from, to), s.periodsPerYear)),
    })),
  };
}

/** The engine's settings for backtest `job` of a task, its clock in the task's progress cells. */
function configFor(module: StrategyModule, s: RunSettings, progress: Float64Array | undefined, job = 0): RunConfig {
  const clock = clockOf(progress, job);
  return { strategyName: module.name, initialCapital: s.initialCapital, execution: s.execution, periodUs: s.periodUs, seed: s.seed, ...(clock ? { clock } : {}) };
}

/**
 * Which fold of an out-of-sample run a time falls in, for error messages: "fold 3 (testing
 * n=2)"; a time in two folds' spans (a warm-up overlaps the fold before) names the fold being
 * tested.
 */
export function foldAt(segments: readonly Segment[], ts: number): string {
  const k = segments.findIndex((g) => ts >= g.testStart && ts < g.testEnd);
  if (k >= 0) return `fold ${k + 1} (testing ${segments[k]!.label})`;
  const w = segments.findIndex((g) => ts >= g.warmupStart && ts < g.testStart);
  return w >= 0 ? `fold ${w + 1} (warming up ${segments[w]!.label})` : 'before the first fold';
}

function runOos(table: TickTable, module: StrategyModule, task: OosTask, progress: Float64Array | undefined): OosResult {
  const s = task.run;
  const first = task.segments[0]!;
  const window = sliceRows(table, lowerBound(table.ts, first.warmupStart), table.length);
  // (the folded strategy's own errors name the fold and instance; foldAt serves the guard)
  const record = runBacktest(window, foldedStrategy(module, task.segments, task.edge), configFor(module, s, progress));
  const oos = sliceRecord(record, first.testStart, Infinity);
  return {
    kind: 'oos',
    record: { ...oos, orders: new OrderLog(oos.symbols) },
    metrics: computeMetrics(oos, s.periodsPerYear),
    folds: task.segments.map((g) => computeMetrics(sliceRecord(record, g.testStart, g.testEnd), s.periodsPerYear)),
  };
}

function runOne(table: TickTable, module: StrategyModule, task: RunTask, progress: Float64Array | undefined): RunResult {
  const record = runBacktest(table, createStrategy(module, task.params), configFor(module, task.run, progress));
  // periods a year not known yet (the caller measures the calendar meanwhile): no metrics here
  return { kind: 'run', record, ...(Number.isFinite(task.run.periodsPerYear) ? { metrics: computeMetrics(record, task.run.periodsPerYear) } : {}) };
}

export async function executeTask(table: TickTable, task: Task, progress?: Float64Array): Promise<TaskResult | TaskFailure> {
  try {
    const module = await moduleFor(task.strategy);
    return task.kind === 'trial' ? runTrials(table, module, task, progress) : task.kind === 'oos' ? runOos(table, module, task, progress) : runOne(table, module, task, progress);
  } catch (e) {
    if (e instanceof TickfoldError) return { kind: 'failure', code: e.code, message: e.message, exitCode: e.exitCode };
    // a strategy's create() refusing its parameters is the strategy's error, not tickfold's
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { kind: 'failure', code: 'task-error', message: msg, exitCode: 3 };
  }
}

/**
 * The table in shared memory, to hand to worker threads without a structured clone: columns
 * already there (a table read from the cache with LoadOptions.shared) are used as they are, the
 * rest copied. Workers replay straight from it (measured: no slower than from their own copy).
 */
export function shareTable(t: TickTable): TickTable {
  const share = <A extends Float64Array | Uint8Array | Uint16Array>(a: A, make: (b: SharedArrayBuffer) => A): A => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const out = make(new SharedArrayBuffer(a.byteLength));
    out.set(a);
    return out;
  };
  return {
    length: t.length,
    symbols: t.symbols,
    ts: share(t.ts, (b) => new Float64Array(b)),
    kind: share(t.kind, (b) => new Uint8Array(b)),
    sym: share(t.sym, (b) => new Uint16Array(b)),
    f0: share(t.f0, (b) => new Float64Array(b)),
    f1: share(t.f1, (b) => new Float64Array(b)),
    f2: share(t.f2, (b) => new Float64Array(b)),
    f3: share(t.f3, (b) => new Float64Array(b)),
    f4: share(t.f4, (b) => new Float64Array(b)),
    barStart: share(t.barStart, (b) => new Float64Array(b)),
    symbolKinds: share(t.symbolKinds, (b) => new Uint8Array(b)),
  };
}

/**
 * A task's result as it leaves a worker thread: a record as plain columns, and the buffers that
 * can be moved rather than copied (the record's columns, the trial returns). {@link unpackResult}
 * undoes it on the other side.
 */
export function packResult(r: TaskResult | TaskFailure): { value: unknown; transfer: ArrayBuffer[] } {
  if (r.kind === 'oos' || r.kind === 'run') {
    const { packed, transfer } = packRecord(r.record);
    return { value: { ...r, record: packed }, transfer };
  }
  if (r.kind === 'trial') {
    const transfer = new Set<ArrayBuffer>();
    for (const t of r.trials) for (const a of [t.returns, t.sampleTs]) if (a.buffer instanceof ArrayBuffer) transfer.add(a.buffer);
    return { value: r, transfer: [...transfer] };
  }
  return { value: r, transfer: [] };
}

export function unpackResult(v: unknown): TaskResult | TaskFailure {
  const r = v as TaskResult | TaskFailure;
  if (r.kind === 'oos' || r.kind === 'run') return { ...r, record: unpackRecord(r.record as unknown as PackedRecord) };
  return r;
}
