/**
 * A validation worker thread (piscina): runs tasks against the table the pool shares with it. The
 * table arrives with each task as shared memory (no copy in transit, none here).
 */
import type { TickTable } from '../data/table.js';
import { executeTask, type Task, type TaskFailure, type TaskResult } from './tasks.js';

export default function run(msg: { table: TickTable; task: Task; progress: Float64Array }): Promise<TaskResult | TaskFailure> {
  return executeTask(msg.table, msg.task, msg.progress);
}
