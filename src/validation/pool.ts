/**
 * Runs validation tasks on the main thread (one worker) or on a pool of worker threads. Results
 * come back in task order whatever the order of completion, so the outcome does not depend on the
 * number of workers. A failed task fails the whole validation with the task's description (fold,
 * trial, parameters) in the message; the pool is shut down either way, so nothing hangs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { TickfoldError } from '../errors.js';
import type { TickTable } from '../data/table.js';
import { executeTask, shareTable, type Task, type TaskFailure, type TaskResult } from './tasks.js';

export interface Labeled<T extends Task> {
  readonly task: T;
  /** Says which task this is in an error message, e.g. "pairs trial 7 (entry=2,lookback=60)". */
  readonly label: string;
}

/** The compiled worker next to this module; from the TypeScript sources (tests), the one in dist. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/pool\.[jt]s$/, 'worker.js');
  if (existsSync(js)) return js;
  const dist = js.replace(/([\\/])src([\\/]validation[\\/]worker\.js)$/, '$1dist$1src$2');
  if (existsSync(dist)) return dist;
  throw new TickfoldError('no-worker', `cannot find the validation worker (${js}); run 'npm run build' or use --workers 1`);
}

let nextTableId = 1;

/**
 * Create it early (before loading the data): the worker threads start and load their code while
 * the main thread reads the files. Then {@link use} a table and run tasks against it.
 */
export class TaskRunner {
  private pool: Piscina | undefined;
  private table: TickTable | undefined;
  private tableId = 0;
  onDone: () => void = () => {};
  constructor(readonly workers: number) {
    if (workers > 1) this.pool = new Piscina({ filename: workerFile(), minThreads: workers, maxThreads: workers, idleTimeout: 1_000 });
  }

  /** The table the next tasks run against (shared with the workers, once). */
  use(table: TickTable): void {
    this.table = this.pool ? shareTable(table) : table;
    this.tableId = nextTableId++;
  }

  async runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<(T extends { kind: 'trial' } ? Extract<TaskResult, { kind: 'trial' }> : Extract<TaskResult, { kind: 'oos' }>)[]> {
    const one = async (t: Labeled<T>): Promise<TaskResult> => {
      const table = this.table;
      if (!table) throw new Error('TaskRunner.use(table) must come before runAll');
      const r = (this.pool ? await this.pool.run({ tableId: this.tableId, table, task: t.task }) : await executeTask(table, t.task)) as TaskResult | TaskFailure;
      this.onDone();
      if (r.kind === 'failure') throw new TickfoldError(r.code, `${t.label}: ${r.message}`, r.exitCode);
      return r;
    };
    if (!this.pool) {
      // serial: one after the other, on this thread
      const out: TaskResult[] = [];
      for (const t of tasks) out.push(await one(t));
      return out as never;
    }
    return (await Promise.all(tasks.map(one))) as never;
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    if (p) await p.destroy();
  }
}
