/**
 * Tasks about a user's module rather than a backtest, run where strategy code runs (a guarded
 * worker thread, under the sandbox): loading a module to learn its name and parameters, making
 * instances to check parameters, `tickfold check`, and a factor module's values (`tickfold factor`). The main thread never loads a strategy
 * file: its top-level code or create() could loop forever (out of reach of --timeout and of the
 * interrupt while the main thread is stuck in it), call process.exit, or read the data itself.
 */
import type { CheckReport } from '../engine/contract-check.js';
import type { BacktestSettings } from '../engine/engine.js';
import type { Params, ParamSchema, StrategyModule } from '../strategy/types.js';
import type { FactorTask } from '../factor/module-task.js';

/** Load a module; make (and check) an instance for each parameter set. */
export interface DescribeTask {
  readonly kind: 'describe';
  readonly strategy: string;
  readonly creates: readonly Params[];
}

export interface DescribeResult {
  readonly kind: 'describe';
  readonly name: string;
  readonly description: string;
  readonly params: ParamSchema;
}

/** `tickfold check` of a module with these parameters on the shared table. */
export interface CheckTask {
  readonly kind: 'check';
  readonly strategy: string;
  readonly params: Params;
  /** The settings of every replay of the check (jobs/check.ts). */
  readonly run: BacktestSettings;
}

export interface CheckResult {
  readonly kind: 'check';
  readonly report: CheckReport;
}

/** Nothing: a thread answers once its code is loaded (so that a time limit then counts the strategy's code only). */
export interface PingTask {
  readonly kind: 'ping';
  readonly strategy: string;
}

// a factor module file's values (`tickfold factor --factor PATH`): the task is the factor's (factor/module-task.ts)
export type { FactorResult, FactorTask } from '../factor/module-task.js';

export type ModuleTask = DescribeTask | CheckTask | PingTask | FactorTask;

/** The backtests a check replays (for its time limit): two for determinism, three cuts, four for isolation, two for warm-up, one watched, two empty. */
export const CHECK_RUNS = 14;

/**
 * A module as the main thread knows it: its name, description and parameter schema. Its instances
 * are made on the worker threads; here `create` gives an empty strategy (nothing on the main thread
 * calls strategy code), and the real instance is checked on the thread that runs it.
 */
export function describedModule(d: DescribeResult): StrategyModule {
  return { name: d.name, description: d.description, params: d.params, create: () => ({}) };
}
