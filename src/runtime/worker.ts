/**
 * A worker thread of the pool (piscina): runs tasks against the table the pool shares with it. The
 * table arrives with each task as shared memory (no copy in transit, none here); the result goes
 * back with its column buffers moved, not copied (task-run.ts packResult), and is unpacked by the pool.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import type { TickTable } from '../data/table.js';
import { executeTask, packResult } from './task-run.js';
import type { Task } from './tasks.js';
import { markStarted } from './task-clock.js';

export default async function run(msg: { table: TickTable; task: Task; progress: Float64Array; started?: Int32Array }): Promise<unknown> {
  markStarted(msg.started); // the task's time limit counts from here (task-clock.ts)
  const { value, transfer } = packResult(await executeTask(msg.table, msg.task, msg.progress));
  if (transfer.length === 0) return value;
  return move({ [transferableSymbol]: transfer, [valueSymbol]: value } as never);
}
