/**
 * Where backtests run, behind one interface: this machine's worker threads ({@link TaskRunner},
 * pool.ts) or a queue of other machines ({@link QueueRunner}, queue.ts). Callers (the commands,
 * the validation) hold a {@link Runner} and do not know which; results come back in task order
 * either way. Also here: what a runner is told about a task ({@link Labeled}), the limits it
 * enforces on strategy code ({@link Guard}), and the error of an interrupted run.
 */
import type { TickTable } from '../data/table.js';
import { TickfoldError } from '../errors.js';
import type { SandboxPolicy } from '../strategy/sandbox.js';
import type { Params, StrategyModule } from '../strategy/types.js';
import type { CheckReport } from '../engine/contract-check.js';
import type { BacktestSettings } from '../engine/engine.js';
import type { Task, TaskResult } from './tasks.js';

export interface Labeled<T extends Task> {
  readonly task: T;
  /** Says which task this is in an error message, e.g. "pairs trial 7 (entry=2,lookback=60)". */
  readonly label: string;
}

/** What a task of kind T gives back. */
export type ResultOf<T extends Task> = T extends { kind: 'trial' } ? Extract<TaskResult, { kind: 'trial' }> : T extends { kind: 'oos' } ? Extract<TaskResult, { kind: 'oos' }> : Extract<TaskResult, { kind: 'run' }>;

export interface Guard {
  /** Time limit per backtest, ms (a task of k backtests gets k times this). */
  readonly timeoutMs?: number;
  /** Old-generation heap limit of each worker thread, MB. */
  readonly maxMemoryMb?: number;
  /** Aborting it stops every running task (SIGINT). */
  readonly signal?: AbortSignal;
  /**
   * What strategy code on the threads may touch (sandbox.ts), and the strategy module files the
   * threads run, each bundled into one text (bundle.ts; by the spec as given). Without it the
   * threads have the process's access and load module files themselves.
   */
  readonly sandbox?: { readonly policy: SandboxPolicy; readonly modules: Readonly<Record<string, string>> };
}

/** The run was interrupted (SIGINT/SIGTERM): nothing was written. Exit code 130, as a shell expects. */
export class InterruptedError extends TickfoldError {
  constructor(what: string) {
    super('interrupted', `interrupted (${what}); no output files were written`, what === 'SIGTERM' ? 143 : 130);
    this.name = 'InterruptedError';
  }
}

/** Runs backtest tasks against one table. */
export interface Runner {
  /** Tasks in flight at most. */
  readonly workers: number;
  /** Whether tasks run on this machine's worker threads (a table in shared memory then needs no copy). */
  readonly pooled: boolean;
  /** Called as each task finishes, with the backtests it ran. */
  onDone: (runs: number) => void;
  /** How far the tasks running now have come, in backtests (where the runner can see it). */
  partial?(): number;
  /** The table the next tasks run against. */
  use(table: TickTable): void;
  runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<ResultOf<T>[]>;
  close(): Promise<void>;
}

/**
 * A runner that also runs a strategy module's own code where it runs backtests, under the same
 * guard (this machine's threads: a queue's workers load modules of their own): learning a module's
 * name and parameters, and `tickfold check`.
 */
export interface StrategyRunner extends Runner {
  /** A strategy by name or file, as the main thread needs it; `creates` are instances made and checked where strategy code runs. */
  describe(spec: string, builtins: ReadonlyMap<string, StrategyModule>, creates?: readonly Params[]): Promise<StrategyModule>;
  /** `tickfold check` of a strategy on the table of {@link use}, every replay with the settings `run`. */
  check(spec: string, params: Params, run: BacktestSettings): Promise<CheckReport>;
}
