/**
 * Running a task (tasks.ts describes them): on a worker thread (worker.ts), or on the calling
 * thread when no pool is used. This is the heavy side, with the engine, the strategies and the
 * metrics; the main thread of a command that runs its tasks on workers never loads it.
 */
import { meanGrossLeverage } from '../metrics/gross-exposure.js';
import { dataEndSession, Membership } from '../universe/membership.js';
import { dataMembership } from '../universe/data-spans.js';
import { runBacktest, StrategyError, type BacktestSettings, type RunConfig, type RunRecord } from '../engine/engine.js';
import { sourceLine } from '../strategy/source-line.js';
import { BatchJobError, runBacktests } from '../engine/batch.js';
import { F_SYM, OrderLog, packRecord } from '../portfolio/record.js';
import { sliceRows, lowerBound, type TickTable } from '../data/table.js';
import { computeMetrics, periodReturns } from '../metrics/run-metrics.js';
import { sliceRecord } from '../metrics/window.js';
import { loadStrategy, loadStrategyCode } from '../strategy/load.js';
import { replayStream } from '../engine/stream-replay.js';
import { replayStreamBatch } from '../engine/stream-batch.js';
import { WindowStream } from '../data/catalog/window-stream.js';
import { LOCAL_READER, type CatalogReader } from '../data/catalog/checked-read.js';
import { PartitionDamaged } from '../data/catalog/partition.js';
import { ReplayFacts } from '../engine/stream-facts.js';
import { PARTITION_DAMAGED } from './tasks.js';
import type { StrategyModule } from '../strategy/types.js';
import { TickfoldError } from '../errors.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { createStrategy } from '../strategy/instance.js';
import { foldedStrategy } from '../validation/folded.js';
import { isMainThread, workerData } from 'node:worker_threads';
import { lockThread, type SandboxPolicy } from '../strategy/sandbox.js';
import { checkStrategy } from '../engine/contract-check.js';
import type { CheckResult, DescribeResult, FactorResult, ModuleTask } from './module-tasks.js';
import { computeFactorTask } from '../factor/module-task.js';
import { clockOf, type OosResult, type OosTask, type RunResult, type RunTask, type StreamedTask, type Task, type TaskFailure, type TaskResult, type TrialBatchResult, type TrialTask } from './tasks.js';

/** The sandbox of this thread and the strategy modules it runs, from the pool that started it (pool.ts). */
const given = isMainThread ? undefined : (workerData as { tickfoldSandbox?: SandboxPolicy; tickfoldModules?: Readonly<Record<string, string>> } | undefined);
const sandbox = given?.tickfoldSandbox;

const modules = new Map<string, Promise<StrategyModule>>();

/**
 * Makes a strategy object (the library's `walkForward({ strategies: [{ strategy: module }] })`)
 * the module of tasks whose strategy is `spec`: such tasks run on this thread (a function cannot
 * be sent to a worker thread or another machine).
 */
export function registerStrategyModule(spec: string, module: StrategyModule): void {
  modules.set(spec, Promise.resolve(module));
}
const moduleFor = (spec: string): Promise<StrategyModule> => {
  let m = modules.get(spec);
  if (!m) {
    // a module file bundled on the main thread (a sandboxed thread reads no file), or loaded here
    const code = given?.tickfoldModules?.[spec];
    modules.set(spec, (m = code !== undefined && !BUILTIN_STRATEGIES.has(spec) ? loadStrategyCode(spec, code) : loadStrategy(spec, BUILTIN_STRATEGIES)));
  }
  return m;
};

/**
 * A strategy's error naming the line of the user's file it came from: the first frame of the
 * module's bundle in the stack of what its code threw (or, for a refusal of tickfold's such as a
 * NaN target, of the error itself, whose stack passes through the user's call), mapped back through
 * the bundle's source map (strategy/source-line.ts). Built-ins and modules loaded unbundled are
 * left as they are.
 */
function located(e: unknown, spec: string): unknown {
  if (!(e instanceof StrategyError)) return e;
  const code = given?.tickfoldModules?.[spec];
  if (code === undefined) return e;
  // what the code threw, what that wrapped (validation/folded.ts names the fold), the error itself
  const thrown = e.thrown as { cause?: unknown } | undefined;
  let at: string | undefined;
  for (const x of [thrown, thrown?.cause, e]) if (at === undefined && x !== undefined) at = sourceLine(x, code, spec);
  return at === undefined ? e : new StrategyError(e.strategy, e.ts, `${e.reason} (at ${at})`, e.thrown);
}

/** A streamed task's stream: its window's rows, from `fromUs` (a first warm-up) and before `untilUs` (a search's partial budget) when given. */
function streamOf(st: StreamedTask, reader: CatalogReader, fromUs = -Infinity, untilUs = Infinity): WindowStream {
  const { plan } = st;
  const from = Math.max(plan.window.fromUs, fromUs);
  const to = Math.min(plan.window.toUs, untilUs);
  return new WindowStream({ ...plan, window: { fromUs: from, toUs: to }, merge: { fromUs: Math.max(plan.merge.fromUs, from), toUs: Math.min(plan.merge.toUs, to) } }, reader);
}

function runTrials(all: TickTable, module: StrategyModule, task: TrialTask, progress: Float64Array | undefined, reader: CatalogReader): TrialBatchResult {
  const s = task.run;
  const st = task.stream;
  const table = task.until !== undefined && !st ? sliceRows(all, 0, lowerBound(all.ts, task.until)) : all;
  let records: RunRecord[];
  try {
    // streamed: the batch in lockstep over one pass of the window's partitions, read by this thread
    records = st
      ? replayStreamBatch(
          streamOf(st, reader, -Infinity, task.until),
          task.params.map((p, j) => ({ strategy: createStrategy(module, p), cfg: streamConfig(module, s, st, progress, j) })),
          st.rows,
          progress?.subarray(0, 1),
        )
      : runBacktests(
          table,
          task.params.map((p, j) => ({ strategy: createStrategy(module, p), cfg: configFor(module, s, table, progress, j) })),
          progress?.subarray(0, 1),
        );
  } catch (e) {
    if (!(e instanceof BatchJobError)) throw e;
    const c = located(e.cause, task.strategy);
    const label = task.labels[e.job]!;
    if (c instanceof TickfoldError) throw new TickfoldError(c.code, `${label}: ${c.message}`, c.exitCode);
    throw new TickfoldError('task-error', `${label}: ${c instanceof Error ? `${c.name}: ${c.message}` : String(c)}`, 3);
  }
  return {
    kind: 'trial',
    trials: records.map((record) => ({
      sampleTs: record.sampleTs,
      traded: tradedSymbols(record),
      meanGross: meanGrossLeverage(record),
      returns: periodReturns(record),
      metrics: computeMetrics(record, s.periodsPerYear),
      windows: task.windows.map(([from, to]) => computeMetrics(sliceRecord(record, from, to), s.periodsPerYear)),
    })),
  };
}

/** The symbols a run filled orders in, sorted (a flag per symbol: no array per fill). */
function tradedSymbols(record: RunRecord): string[] {
  const seen = symbolsSeen(record.fills.col(F_SYM), record.symbols.length);
  return record.symbols.filter((_, k) => seen[k] === 1).sort();
}

/** 1 for each symbol id in `syms` (the loop alone: see computeMetrics on loops and compile time). */
function symbolsSeen(syms: ArrayLike<number>, n: number): Uint8Array {
  const seen = new Uint8Array(n);
  for (let i = 0; i < syms.length; i++) seen[syms[i]!] = 1;
  return seen;
}

/** The engine's settings for backtest `job` of a task, its clock in the task's progress cells. */
function configFor(module: StrategyModule, s: BacktestSettings, table: TickTable, progress: Float64Array | undefined, job = 0): RunConfig {
  // without --universe, each symbol is a member from its first to its last bar (data-spans.ts)
  const universe = s.universe ? new Membership(table.symbols, s.universe, dataEndSession(table)) : dataMembership(table);
  return configWith(module, s, universe, progress, job);
}

/** A streamed run's engine settings: the membership from what the pass before the replay measured (engine/stream-facts.ts). */
function streamConfig(module: StrategyModule, s: BacktestSettings, st: StreamedTask, progress: Float64Array | undefined, job = 0): RunConfig {
  const universe = s.universe ? new Membership(st.symbols, s.universe, st.endSession) : st.spans ? new Membership(st.symbols, st.spans, st.endSession) : undefined;
  return configWith(module, s, universe, progress, job);
}

function configWith(module: StrategyModule, s: BacktestSettings, universe: Membership | undefined, progress: Float64Array | undefined, job: number): RunConfig {
  const clock = clockOf(progress, job);
  return { strategyName: module.name, initialCapital: s.initialCapital, execution: s.execution, periodUs: s.periodUs, seed: s.seed, ...(clock ? { clock } : {}), ...(universe ? { universe } : {}) };
}

function runOos(table: TickTable, module: StrategyModule, task: OosTask, progress: Float64Array | undefined, reader: CatalogReader): OosResult {
  const s = task.run;
  const first = task.segments[0]!;
  const st = task.stream;
  const folded = foldedStrategy(module, task.segments, task.edge);
  // (the folded strategy's own errors name the fold and instance; foldAt serves the guard)
  let record: RunRecord;
  if (st) record = replayStream(streamOf(st, reader, first.warmupStart), folded, streamConfig(module, s, st, progress), st.rows);
  else {
    const window = sliceRows(table, lowerBound(table.ts, first.warmupStart), table.length);
    record = runBacktest(window, folded, configFor(module, s, window, progress));
  }
  const oos = sliceRecord(record, first.testStart, Infinity);
  return {
    kind: 'oos',
    record: { ...oos, orders: new OrderLog(oos.symbols) },
    metrics: computeMetrics(oos, s.periodsPerYear),
    // a fold's round trips are those it entered (the fold table says so), its fees those paid in it
    folds: task.segments.map((g) => computeMetrics(sliceRecord(record, g.testStart, g.testEnd, 'entry'), s.periodsPerYear)),
  };
}

function runOne(table: TickTable, module: StrategyModule, task: RunTask, progress: Float64Array | undefined, reader: CatalogReader): RunResult {
  const st = task.stream;
  // streamed: this thread reads the window's partitions itself, block by block
  // (engine/stream-replay.ts), and measures what the report needs of them on the way
  const facts = st ? new ReplayFacts(st.symbols.length, st.facts) : undefined;
  const record = st
    ? replayStream(new WindowStream(st.plan, reader), createStrategy(module, task.params), streamConfig(module, task.run, st, progress), st.rows, (t, from, to) => facts!.scan(t, from, to))
    : runBacktest(table, createStrategy(module, task.params), configFor(module, task.run, table, progress));
  // periods a year not known yet (the caller measures the calendar meanwhile): no metrics here
  return { kind: 'run', record, ...(facts ? { facts: facts.result() } : {}), ...(Number.isFinite(task.run.periodsPerYear) ? { metrics: computeMetrics(record, task.run.periodsPerYear) } : {}) };
}

/**
 * One task. `reader`: who reads a streamed task's catalog files (a thread under the sandbox may
 * not read them itself: runtime/catalog-server.ts serves them).
 */
export async function executeTask(table: TickTable, task: Task | ModuleTask, progress?: Float64Array, reader: CatalogReader = LOCAL_READER): Promise<TaskResult | TaskFailure | DescribeResult | CheckResult | FactorResult> {
  try {
    if (sandbox) lockThread(sandbox); // before any strategy code runs on this thread
    if (task.kind === 'factor') return await computeFactorTask(task, given?.tickfoldModules?.[task.factor]);
    const module = await moduleFor(task.strategy);
    switch (task.kind) {
      case 'describe':
        // each instance made and checked here (create() may loop: it is under the guard here)
        for (const p of task.creates) createStrategy(module, p);
        return { kind: 'describe', name: module.name, description: module.description, params: module.params };
      case 'check':
        return { kind: 'check', report: checkStrategy(table, module, task.params, task.run) };
      case 'trial':
        return runTrials(table, module, task, progress, reader);
      case 'oos':
        return runOos(table, module, task, progress, reader);
      case 'run':
        return runOne(table, module, task, progress, reader);
    }
  } catch (thrown) {
    const e = task.kind === 'factor' ? thrown : located(thrown, task.strategy);
    if (e instanceof TickfoldError) return { kind: 'failure', code: e.code, message: e.message, exitCode: e.exitCode };
    // a streamed replay met a damaged partition: the caller rebuilds the catalog (jobs/stream-run.ts)
    if (e instanceof PartitionDamaged) return { kind: 'failure', code: PARTITION_DAMAGED, message: e.message, exitCode: 3 };
    // a strategy's create() refusing its parameters is the strategy's error, not tickfold's
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { kind: 'failure', code: 'task-error', message: msg, exitCode: 3 };
  }
}

/**
 * A task's result as it leaves a worker thread: a record as plain columns, and the buffers that
 * can be moved rather than copied (the record's columns, the trial returns). {@link unpackResult}
 * undoes it on the other side.
 */
export function packResult(r: TaskResult | TaskFailure | DescribeResult | CheckResult | FactorResult): { value: unknown; transfer: ArrayBuffer[] } {
  if (r.kind === 'factor') return { value: r, transfer: r.values.buffer instanceof ArrayBuffer ? [r.values.buffer] : [] };
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
