/**
 * A validation worker thread (piscina): runs tasks against the table the pool shared with it.
 */
import { workerData } from 'node:worker_threads';
import type { TickTable } from '../data/table.js';
import { executeTask, type Task, type TaskFailure, type TaskResult } from './tasks.js';

const table = (workerData as { table: TickTable }).table;

export default function run(task: Task): Promise<TaskResult | TaskFailure> {
  return executeTask(table, task);
}
