/** Several backtests over one table, replayed together a chunk of events at a time. */
import type { TickTable } from '../data/table.js';
import type { Strategy } from '../strategy/types.js';
import { CHUNK, startBacktest, type Backtest, type RunConfig, type RunRecord } from './engine.js';

/**
 * Runs several backtests over one table in lockstep, a chunk of events at a time: each chunk of
 * the table's columns is read from memory once and replayed from cache by every backtest. On a
 * large table a replay is bound by memory bandwidth rather than by computation (two threads each
 * streaming their own 2M-row replay ran 1.5-2.5x slower each than one alone, on this 2-core
 * machine), so a grid's trials are run in batches this way. Results are exactly those of
 * {@link runBacktest} for each (the backtests share nothing but the read-only table).
 */
export function runBacktests(table: TickTable, jobs: readonly { readonly strategy: Strategy; readonly cfg: RunConfig }[], current?: Float64Array): RunRecord[] {
  let job = 0;
  // `current[0]`: the job running now, for a guard on another thread (see RunConfig.clock)
  const at = current ?? new Float64Array(1);
  try {
    const runs: Backtest[] = [];
    for (; job < jobs.length; job++) {
      at[0] = job;
      runs.push(startBacktest(table, jobs[job]!.strategy, jobs[job]!.cfg));
    }
    for (let to = Math.min(table.length, CHUNK); ; to = Math.min(table.length, to + CHUNK)) {
      for (job = 0; job < runs.length; job++) {
        at[0] = job;
        runs[job]!.advance(to);
      }
      if (to === table.length) break;
    }
    const out: RunRecord[] = [];
    for (job = 0; job < runs.length; job++) {
      at[0] = job;
      out.push(runs[job]!.finish());
    }
    return out;
  } catch (e) {
    throw new BatchJobError(job, e);
  }
}

/** What {@link runBacktests} throws: which job failed, and how. */
export class BatchJobError extends Error {
  constructor(
    readonly job: number,
    override readonly cause: unknown,
  ) {
    super(`backtest ${job + 1} of the batch failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'BatchJobError';
  }
}
