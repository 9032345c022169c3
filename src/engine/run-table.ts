/**
 * One backtest on this thread, over a loaded table or files: the library's plain entry points
 * (the CLI runs its backtests on a worker thread instead, see runtime/task-run.ts).
 */
import { loadData, type FileSummary, type LeftOut, type LoadOptions } from '../data/load.js';
import type { TickTable } from '../data/table.js';
import { createStrategy } from '../strategy/instance.js';
import { runBacktest } from './engine.js';
import { outcomeOf, prepareRun, type RunOutcome, type RunSpec } from './run-job.js';

/** Runs a strategy over an already loaded table, on this thread. */
export function runOnTable(table: TickTable, spec: RunSpec): RunOutcome {
  const p = prepareRun(table, spec);
  return outcomeOf(p, runBacktest(p.window, createStrategy(spec.strategy, p.params), p.config));
}

/** Loads the files and runs one backtest on them (see {@link runOnTable}). */
export async function runJob(paths: readonly string[], load: LoadOptions, spec: RunSpec): Promise<RunOutcome & { files: readonly FileSummary[]; leftOut: readonly LeftOut[] }> {
  const { table, files, leftOut } = await loadData(paths, load);
  return { ...runOnTable(table, spec), files, leftOut };
}
