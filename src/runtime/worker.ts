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
import { RemoteReader, type CatalogConnection } from './catalog-server.js';

export default async function run(msg: { table: TickTable; task: Task; progress: Float64Array; started?: Int32Array; reader?: CatalogConnection }): Promise<unknown> {
  markStarted(msg.started); // the task's time limit counts from here (task-clock.ts)
  // a streamed task's catalog files, from the reader thread (this thread may not read them)
  const reader = msg.reader ? new RemoteReader(msg.reader.port, msg.reader.signal) : undefined;
  let result;
  try {
    result = await executeTask(msg.table, msg.task, msg.progress, reader);
  } finally {
    reader?.close();
  }
  const { value, transfer } = packResult(result);
  if (transfer.length === 0) return value;
  return move({ [transferableSymbol]: transfer, [valueSymbol]: value } as never);
}
