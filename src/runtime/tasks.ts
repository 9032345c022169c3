/**
 * The units of work of a run or a validation, each one call of {@link runBacktest}, run alike on the main
 * thread (`--workers 1`) or on worker threads: a task and its result are plain structured-clone
 * data, and the table is shared memory, so where a task runs cannot change what it returns.
 *
 * - A trial task runs a batch of parameter sets over the whole table, in lockstep (one pass over
 *   memory for the batch), and returns for each its per-period returns
 *   (a column of the trials' return matrix, for PBO and DSR) and its metrics over each fold's
 *   training window (for choosing parameters in-sample). Each window's metrics depend only on
 *   data up to the window's end (see metrics/window.ts), so no fold's choice sees its test data.
 * - An out-of-sample task runs the folded strategy (validation/folded.ts) from the first warm-up to the end.
 */
import type { StreamPlan } from '../data/catalog/window-stream.js';
import type { FactsAsked, FactsMeasured } from '../engine/stream-facts.js';
import type { MembersFile } from '../universe/members.js';
import type { BacktestSettings } from '../engine/engine.js';
import { unpackRecord, type PackedRecord, type RunRecord } from '../portfolio/record.js';
import type { TickTable } from '../data/table.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { Params } from '../strategy/types.js';
import type { FoldEdge, Segment } from '../validation/folded.js';

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
  /** Replay only the events before this time (a search's partial budget, search/halving.ts); absent: all of them. */
  readonly until?: number;
  readonly run: BacktestSettings;
  /** Streamed from the catalog instead of the table, the batch in lockstep over one pass (engine/stream-batch.ts). */
  readonly stream?: StreamedTask;
}

export interface TrialBatchResult {
  readonly kind: 'trial';
  readonly trials: readonly TrialResult[];
}

export interface TrialResult {
  readonly sampleTs: Float64Array;
  /** Symbols it filled orders in (the baselines trade those of the candidates). */
  readonly traded: readonly string[];
  /** Mean gross exposure / equity over the samples holding a position (metrics/gross-exposure.ts): what random-long-short is sized to. */
  readonly meanGross: number;
  readonly returns: Float64Array;
  readonly metrics: RunMetrics;
  readonly windows: readonly RunMetrics[];
}

export interface OosTask {
  readonly kind: 'oos';
  readonly strategy: string;
  readonly segments: readonly Segment[];
  readonly edge: FoldEdge;
  readonly run: BacktestSettings;
  /** Streamed from the catalog instead of the table, from the first warm-up on. */
  readonly stream?: StreamedTask;
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
  readonly run: BacktestSettings;
  /** Streamed from the catalog instead of the table (jobs/stream-run.ts). */
  readonly stream?: StreamedTask;
}

/** A streamed run's data: the window's plan, the block's rows, and what the membership needs (measured before, engine/stream-facts.ts). */
export interface StreamedTask {
  readonly plan: StreamPlan;
  readonly rows: number;
  readonly symbols: readonly string[];
  readonly spans: MembersFile | null;
  readonly endSession: number;
  /** What the replay measures of the rows for the report on the way (engine/stream-facts.ts ReplayFacts). */
  readonly facts: FactsAsked;
}

/** A failure's code when a streamed replay met a damaged partition of the catalog (the caller rebuilds it). */
export const PARTITION_DAMAGED = 'partition-damaged';

export interface RunResult {
  readonly kind: 'run';
  readonly record: RunRecord;
  /** A streamed run's facts of the rows (engine/stream-facts.ts ReplayFacts). */
  readonly facts?: FactsMeasured;
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

export function unpackResult(v: unknown): TaskResult | TaskFailure {
  const r = v as TaskResult | TaskFailure;
  if (r.kind === 'oos' || r.kind === 'run') return { ...r, record: unpackRecord(r.record as unknown as PackedRecord) };
  return r;
}
