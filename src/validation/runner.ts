/**
 * Where a validation's tasks run: worker threads here ({@link TaskRunner}, pool.ts) or a queue of
 * other machines ({@link QueueRunner}, queue.ts). Results come back in task order either way.
 */
import type { TickTable } from '../data/table.js';
import type { Labeled } from './pool.js';
import type { Task } from './tasks.js';

export interface Runner {
  /** Tasks in flight at most. */
  readonly workers: number;
  /** Whether tasks run on this machine's worker threads (a table in shared memory then needs no copy). */
  readonly pooled: boolean;
  /** Called as each task finishes, with the backtests it ran. */
  onDone: (runs: number) => void;
  /** How far the tasks running now have come, in backtests (where the runner can see it). */
  partial?(): number;
  use(table: TickTable): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<any[]>;
  close(): Promise<void>;
}
