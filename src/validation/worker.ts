/**
 * A validation worker thread (piscina): runs tasks against the table the pool shares with it. The
 * shared table arrives with each task (shared memory: no copy in transit); the first task of a
 * table makes this thread's own copy of it (see localTable), which later tasks reuse.
 */
import type { TickTable } from '../data/table.js';
import { executeTask, localTable, type Task, type TaskFailure, type TaskResult } from './tasks.js';

let cached: { id: number; table: TickTable } | undefined;

export default function run(msg: { tableId: number; table: TickTable; task: Task; progress: Float64Array }): Promise<TaskResult | TaskFailure> {
  if (cached?.id !== msg.tableId) cached = { id: msg.tableId, table: localTable(msg.table) };
  return executeTask(cached.table, msg.task, msg.progress);
}
