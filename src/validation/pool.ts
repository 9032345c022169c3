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

export class TaskRunner {
  private pool: Piscina | undefined;
  private readonly table: TickTable;
  constructor(
    table: TickTable,
    readonly workers: number,
    private readonly onDone: () => void = () => {},
  ) {
    this.table = workers > 1 ? shareTable(table) : table;
    if (workers > 1) {
      this.pool = new Piscina({ filename: workerFile(), minThreads: workers, maxThreads: workers, workerData: { table: this.table }, idleTimeout: 1_000 });
    }
  }

  async runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<(T extends { kind: 'trial' } ? Extract<TaskResult, { kind: 'trial' }> : Extract<TaskResult, { kind: 'oos' }>)[]> {
    const one = async (t: Labeled<T>): Promise<TaskResult> => {
      const r = (this.pool ? await this.pool.run(t.task) : await executeTask(this.table, t.task)) as TaskResult | TaskFailure;
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
