/**
 * A validation worker thread (piscina): runs tasks against the table the pool shared with it.
 */
import { workerData } from 'node:worker_threads';
import type { TickTable } from '../data/table.js';
import { executeTask, localTable, type Task, type TaskFailure, type TaskResult } from './tasks.js';

// shared memory crosses to the thread for free; a local copy is faster to replay (see localTable)
const table = localTable((workerData as { table: TickTable }).table);

export default function run(task: Task): Promise<TaskResult | TaskFailure> {
  return executeTask(table, task);
}
