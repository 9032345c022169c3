/**
 * Runs backtest tasks on the main thread or on a pool of worker threads. Results come back in task
 * order whatever the order of completion, so the outcome does not depend on the number of workers.
 *
 * A guarded runner (what the CLI uses) always runs tasks on worker threads, so that the main thread
 * stays free to enforce limits on strategy code it does not trust:
 * - a time limit per backtest (`--timeout`), counted from when its thread takes the task (not the
 *   thread's start, task-clock.ts): a task that overruns has its thread terminated, and
 *   the error names the run and the event it was stuck at (read from shared memory the engine
 *   writes its clock to, see tasks.ts progressFor);
 * - a heap limit per thread (`--max-memory`): a strategy that allocates without bound kills only
 *   its thread, and the error says so;
 * - an interrupt (SIGINT): running tasks are stopped at once.
 * A failed task fails the whole run with the task's description (fold, trial, parameters) in the
 * message; the pool is shut down either way, so nothing hangs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { TickfoldError } from '../errors.js';
import { lowerBound, type TickTable } from '../data/table.js';
import { formatDuration, formatIso } from '../data/time.js';
import { foldAt, progressFor, runsIn, shareTable, unpackResult, type Task, type TaskFailure, type TaskResult } from './tasks.js';
import { permissionArgv, sandboxEnv } from '../strategy/sandbox.js';
import { looksLikePath, loadStrategy } from '../strategy/load.js';
import type { Params, StrategyModule } from '../strategy/types.js';
import { CHECK_RUNS, describedModule, type CheckResult, type DescribeResult, type FactorResult, type FactorTask, type ModuleTask } from './module-tasks.js';
import type { CheckReport } from '../engine/contract-check.js';
import type { BacktestSettings } from '../engine/engine.js';
import { clockFromStart, startedCell } from './task-clock.js';
import { CatalogServer } from './catalog-server.js';
import { catalogHeld, planFiles } from '../data/catalog/window-stream.js';
import { InterruptedError, type Guard, type Labeled, type ResultOf, type StrategyRunner } from './runner.js';
import { workerExecArgv } from '../exec-argv.js';

/** The compiled worker next to this module; from the TypeScript sources (tests), the one in dist. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/pool\.[jt]s$/, 'worker-entry.mjs');
  if (existsSync(js)) return js;
  const dist = js.replace(/([\\/])src([\\/]runtime[\\/]worker-entry\.mjs)$/, '$1dist$1src$2');
  if (existsSync(dist)) return dist;
  throw new TickfoldError('no-worker', `cannot find the worker thread's code (${js}); run 'npm run build'`);
}

/**
 * Create it early (before loading the data): the worker threads start and load their code while
 * the main thread reads the files. Then {@link use} a table and run tasks against it.
 */
export class TaskRunner implements StrategyRunner {
  private pool: Piscina | undefined;
  private catalog: CatalogServer | undefined;
  private table: TickTable | undefined;
  /** Called as each task finishes, with the backtests it ran. */
  onDone: (runs: number) => void = () => {};
  /** The tasks on the threads now: their progress cells, backtests and rows each replays. */
  private readonly inflight = new Set<{ readonly progress: Float64Array; readonly runs: number; readonly rows: number }>();
  constructor(
    readonly workers: number,
    readonly guard?: Guard,
  ) {
    if (workers > 1 || guard) {
      this.pool = new Piscina({
        filename: workerFile(),
        minThreads: workers,
        maxThreads: workers,
        idleTimeout: 1_000,
        // piscina loads the worker file with require() first, and Node 20's require(esm) of our
        // ESM worker, when the thread is terminated while it loads (a command that fails fast
        // while its threads start), aborts the whole process (SIGABRT, "Unexpected status of a
        // module that is imported again after being required"; 2 runs in 40, measured). Without
        // require(esm) in the workers, piscina goes straight to import().
        //
        // With a sandbox the threads run under Node's permission model (strategy/sandbox.ts says
        // why this and not a loader hook); it applies to these threads alone, not to this one.
        execArgv: [...workerExecArgv(), '--no-experimental-require-module', ...(guard?.sandbox ? permissionArgv(guard.sandbox.policy) : [])],
        ...(guard?.sandbox ? { workerData: { tickfoldSandbox: guard.sandbox.policy, tickfoldModules: guard.sandbox.modules }, env: sandboxEnv(guard.sandbox.policy) } : {}),
        ...(guard?.maxMemoryMb !== undefined ? { resourceLimits: { maxOldGenerationSizeMb: guard.maxMemoryMb } } : {}),
      });
    }
  }

  /** Whether tasks run on worker threads (a table loaded with LoadOptions.shared then needs no copy). */
  get pooled(): boolean {
    return this.pool !== undefined;
  }

  /** The table the next tasks run against (shared with the workers, once). */
  use(table: TickTable): void {
    this.table = this.pool ? shareTable(table) : table;
  }

  async runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<ResultOf<T>[]> {
    const one = async (t: Labeled<T>): Promise<TaskResult> => {
      const table = this.table;
      if (!table) throw new Error('TaskRunner.use(table) must come before runAll');
      // without a pool the task runs here; its code (engine, strategies) is loaded then
      const r = this.pool ? await this.runGuarded(this.pool, table, t) : ((await (await import('./task-run.js')).executeTask(table, t.task)) as TaskResult | TaskFailure);
      this.onDone(runsIn(t.task));
      // a plain run's own errors already name the strategy; a validation task's say which trial
      if (r.kind === 'failure') throw new TickfoldError(r.code, t.task.kind === 'run' ? r.message : `${t.label}: ${r.message}`, r.exitCode);
      return r;
    };
    // One lane per thread (one lane, on this thread, without a pool), results in task order. At
    // most one task per thread is in flight (a task's time limit starts when its thread takes it,
    // task-clock.ts; a queue behind others would only hold results back).
    const out: TaskResult[] = new Array(tasks.length);
    let next = 0;
    let failed = false;
    const lane = async (): Promise<void> => {
      while (!failed && next < tasks.length) {
        const k = next++;
        try {
          out[k] = await one(tasks[k]!);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.pool ? this.workers : 1, tasks.length) }, lane));
    return out as never;
  }

  private async runGuarded(pool: Piscina, table: TickTable, t: Labeled<Task>): Promise<TaskResult | TaskFailure> {
    const g = this.guard;
    if (g?.signal?.aborted) throw new InterruptedError(String(g.signal.reason ?? 'interrupted'));
    const progress = progressFor(t.task);
    const mark = { progress, runs: runsIn(t.task), rows: rowsReplayed(table, t.task) };
    this.inflight.add(mark);
    const limitMs = g?.timeoutMs !== undefined ? g.timeoutMs * runsIn(t.task) : undefined;
    const started = startedCell();
    const clock = limitMs !== undefined ? clockFromStart(started, limitMs) : undefined;
    const signal = anyOf(g?.signal, clock?.signal);
    try {
      return await this.guardedRun(pool, table, t, progress, started, signal);
    } finally {
      clock?.stop();
      this.inflight.delete(mark);
    }
  }

  /**
   * How far the tasks on the threads now have come, in backtests (a batch of 8 trials half-way
   * through the table: 4), read from the clock cells the engines write: for a progress bar that
   * moves within a task, not only as tasks finish.
   */
  partial(): number {
    let sum = 0;
    for (const m of this.inflight) {
      for (let j = 0; j < m.runs; j++) sum += Math.min(1, Math.max(0, (m.progress[2 + 2 * j]! + 1) / Math.max(1, m.rows)));
    }
    return sum;
  }

  /** The task on a thread, its failures (time limit, memory, the thread itself) said with the task and the event it was at. */
  private async guardedRun(pool: Piscina, table: TickTable, t: Labeled<Task>, progress: Float64Array, started: Int32Array, signal: AbortSignal | undefined): Promise<TaskResult | TaskFailure> {
    const g = this.guard;
    try {
      // a streamed task's catalog files come from the reader thread (catalog-server.ts says why)
      const st = t.task.stream;
      const reader = st ? this.catalogServer().connect(planFiles(st.plan), catalogHeld(st.plan)) : undefined;
      try {
        return unpackResult(await pool.run({ table, task: t.task, progress, started, ...(reader ? { reader } : {}) }, { ...(signal ? { signal } : {}), ...(reader ? { transferList: [reader.port] as never } : {}) }));
      } finally {
        if (reader) this.catalog?.release(reader);
      }
    } catch (e) {
      if (g?.signal?.aborted) throw new InterruptedError(String(g.signal.reason ?? 'interrupted'));
      const where = stuckAt(t, progress);
      if (signal?.aborted) {
        throw new TickfoldError(
          'timeout',
          `${where.label}: did not finish within ${formatDuration(g!.timeoutMs! * 1000)} (--timeout, per run); it was handling ${where.at}, so the thread was stopped. A strategy that loops forever, or one far slower than expected, does this; raise --timeout if the run is just long`,
          3,
        );
      }
      const code = (e as { code?: string })?.code;
      if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new TickfoldError('out-of-memory', `${where.label}: ran out of memory (${g?.maxMemoryMb !== undefined ? `--max-memory ${g.maxMemoryMb} MB` : 'the heap limit'}) while handling ${where.at}; a strategy that keeps every tick, or a leak, does this`, 3);
      }
      throw new TickfoldError('worker-failed', `${where.label}: its worker thread failed while handling ${where.at}: ${e instanceof Error ? e.message : String(e)}`, 3);
    }
  }

  /**
   * A strategy by name or file, as the main thread needs it (name, description, parameters). A
   * built-in is this install's own code, taken here; a module file is loaded on a worker thread
   * under the guard (its top-level code and create() are strategy code: a loop there meets
   * --timeout and the interrupt, process.exit and file access meet the sandbox), and `creates`
   * are instances made and checked there (parameters refused, misspelt handlers: exit 2).
   */
  async describe(spec: string, builtins: ReadonlyMap<string, StrategyModule>, creates: readonly Params[] = []): Promise<StrategyModule> {
    if (!this.pool || builtins.has(spec) || !looksLikePath(spec)) {
      // a built-in (this install's code), the error for an unknown name, or no threads (this one
      // runs the strategy code then anyway): here
      const m = await loadStrategy(spec, builtins);
      const { createStrategy } = await import('../strategy/instance.js');
      for (const p of creates) createStrategy(m, p);
      return m;
    }
    const task: ModuleTask = { kind: 'describe', strategy: spec, creates: [...creates] };
    const r = (await this.runModuleTask(this.pool, undefined, task, `strategy ${spec}`, 1, 'loading its module or in create()')) as DescribeResult;
    return describedModule(r);
  }

  /** `tickfold check` of a strategy on the table of {@link use}, on a worker thread under the guard. */
  async check(spec: string, params: Params, run: BacktestSettings): Promise<CheckReport> {
    const table = this.table;
    if (!table) throw new Error('TaskRunner.use(table) must come before check');
    if (!this.pool) {
      const r = await (await import('./task-run.js')).executeTask(table, { kind: 'check', strategy: spec, params, run });
      if (r.kind === 'failure') throw new TickfoldError(r.code, r.message, r.exitCode);
      return (r as CheckResult).report;
    }
    return ((await this.runModuleTask(this.pool, table, { kind: 'check', strategy: spec, params, run }, `check of ${spec}`, CHECK_RUNS, 'its checks')) as CheckResult).report;
  }

  /**
   * A factor module file's values over the closes (factor/module-task.ts), on a worker thread
   * under the guard: its top-level code and compute() are a user's, like a strategy's, with one
   * backtest's worth of --timeout. The closes' buffer is moved to the thread (give a copy), the
   * matrix moved back.
   */
  async factor(task: FactorTask): Promise<FactorResult> {
    if (!this.pool) throw new TickfoldError('no-worker', 'a factor module file runs only on a guarded worker thread (TaskRunner with a guard)');
    const buffers = [task.close.values.buffer, task.close.calendar.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    return (await this.runModuleTask(
      this.pool,
      undefined,
      task,
      `factor ${task.factor}`,
      1,
      'loading its module or computing the factor',
      "Code that loops forever, at a module's top level or in compute(), does this; raise --timeout if the factor is just slow",
      buffers,
    )) as FactorResult;
  }

  /** A module task on a thread, under the same limits as a backtest (`runs` backtests' worth of --timeout). */
  private async runModuleTask(
    pool: Piscina,
    table: TickTable | undefined,
    task: ModuleTask,
    label: string,
    runs: number,
    doing: string,
    hint = "Code that loops forever at a module's top level or in create() does this",
    transferList: ArrayBuffer[] = [],
  ): Promise<DescribeResult | CheckResult | FactorResult> {
    const g = this.guard;
    if (g?.signal?.aborted) throw new InterruptedError(String(g.signal.reason ?? 'interrupted'));
    // the thread's own start (its code loaded) is not the strategy's time: the clock starts when
    // the thread takes the task (task-clock.ts)
    const limitMs = g?.timeoutMs !== undefined ? g.timeoutMs * runs : undefined;
    const started = startedCell();
    const clock = limitMs !== undefined ? clockFromStart(started, limitMs) : undefined;
    const signal = anyOf(g?.signal, clock?.signal);
    let r: DescribeResult | CheckResult | FactorResult | TaskFailure;
    try {
      r = (await pool.run({ table, task, progress: new Float64Array(new SharedArrayBuffer(24)).fill(-1), started }, { ...(signal ? { signal } : {}), ...(transferList.length > 0 ? { transferList } : {}) })) as DescribeResult | CheckResult | FactorResult | TaskFailure;
    } catch (e) {
      if (g?.signal?.aborted) throw new InterruptedError(String(g.signal.reason ?? 'interrupted'));
      if (signal?.aborted) {
        throw new TickfoldError('timeout', `${label}: did not finish within ${formatDuration(limitMs! * 1000)} (--timeout${runs > 1 ? `, ${runs} runs' worth` : ''}) ${doing}, so the thread was stopped. ${hint}`, 3);
      }
      if ((e as { code?: string })?.code === 'ERR_WORKER_OUT_OF_MEMORY') throw new TickfoldError('out-of-memory', `${label}: ran out of memory (${g?.maxMemoryMb !== undefined ? `--max-memory ${g.maxMemoryMb} MB` : 'the heap limit'}) ${doing}`, 3);
      throw new TickfoldError('worker-failed', `${label}: its worker thread failed ${doing}: ${e instanceof Error ? e.message : String(e)}`, 3);
    } finally {
      clock?.stop();
    }
    if (r.kind === 'failure') throw new TickfoldError(r.code, r.message, r.exitCode);
    return r;
  }

  /** The catalog's reader thread, started with the first streamed task. */
  private catalogServer(): CatalogServer {
    return (this.catalog ??= new CatalogServer());
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    const c = this.catalog;
    this.catalog = undefined;
    await Promise.all([p?.destroy(), c?.close()]);
  }
}

/** The interrupt and the time limit as one signal (undefined when there is neither). */
function anyOf(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((x): x is AbortSignal => x !== undefined);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
}

/** The rows a task's backtests replay each: the table, or for an out-of-sample run from its first warm-up on (task-run.ts runOos). */
function rowsReplayed(table: TickTable, task: Task): number {
  return task.kind === 'oos' ? table.length - lowerBound(table.ts, task.segments[0]!.warmupStart) : table.length;
}

/** Which backtest of a task was running, and at which event, from the shared progress cells. */
function stuckAt(t: Labeled<Task>, progress: Float64Array): { label: string; at: string } {
  const job = Math.max(0, progress[0]!);
  const task = t.task;
  const now = progress[1 + 2 * job]!;
  const index = progress[2 + 2 * job]!;
  const label = task.kind === 'trial' && task.labels[job] !== undefined ? `${t.label}: ${task.labels[job]}` : task.kind === 'oos' && now >= 0 ? `${t.label}, ${foldAt(task.segments, now)}` : t.label;
  const at = index < 0 || now < 0 ? 'its start (create(), onStart or before the first event)' : `event #${index + 1} at ${formatIso(now)}`;
  return { label, at };
}
