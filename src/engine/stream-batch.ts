/**
 * Several backtests over one stream, in lockstep (a trial batch of a validation streamed from the
 * catalog): the stream is read once for the batch, as {@link runBacktests} reads a table in
 * memory once for it.
 *
 * Each backtest replays a block of its own (engine/stream-replay.ts: a block is rebased by its
 * own run, which keeps the rows its books point at). One block more stages the stream's next
 * rows, which are appended to every run's block: as many as the fullest block has room for, so
 * that every run has seen the same rows of the stream at each step. Each record is the one
 * {@link replayStream} gives (and so the one of a replay of the whole table in memory): a run
 * does not depend on where its blocks are cut (tests/jobs/stream-validate.test.ts).
 *
 * Memory: `jobs + 1` blocks and the stream's partitions; never the data's size.
 */
import type { TickTable } from '../data/table.js';
import type { Strategy } from '../strategy/types.js';
import { BatchJobError } from './batch.js';
import { startBlockBacktest, type BlockBacktest, type RunConfig, type RunRecord } from './engine.js';
import { minBlockRows, type BlockSource } from './stream-replay.js';

/** A block's columns that a stream fills. */
const COLUMNS = ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3', 'f4', 'barStart'] as const;

/** Rows [0, n) of `from` written to `to` from row `at`. */
function appendRows(from: TickTable, n: number, to: TickTable, at: number): void {
  for (const c of COLUMNS) {
    const a = from[c];
    if (a.length > 0) (to[c] as typeof a).set(a.subarray(0, n) as never, at);
  }
}

/**
 * Replays the stream through every job in lockstep, blocks of `rows` rows each; their records, in
 * order. A job that throws is named by a {@link BatchJobError}; `current[0]` is the job running
 * now (for a guard on another thread, see RunConfig.clock).
 */
export function replayStreamBatch(src: BlockSource, jobs: readonly { readonly strategy: Strategy; readonly cfg: RunConfig }[], rows: number, current?: Float64Array): RunRecord[] {
  const cap = Math.max(rows, minBlockRows(src.symbols.length));
  const keep = cap >> 2;
  const at = current ?? new Float64Array(1);
  const stage = src.block(cap);
  const blocks = jobs.map(() => src.block(cap));
  // each run's rows held in its block
  const held = new Int32Array(jobs.length);
  let job = 0;
  try {
    let n = src.fill(stage, 0, cap);
    const runs: BlockBacktest[] = [];
    for (; job < jobs.length; job++) {
      at[0] = job;
      appendRows(stage, n, blocks[job]!, 0);
      held[job] = n;
      runs.push(startBlockBacktest({ ...blocks[job]!, length: n }, jobs[job]!.strategy, jobs[job]!.cfg));
    }
    // a full read: the stream may go on; each run replays all but its last row, then makes room
    let more = n === cap;
    while (more) {
      let room = cap;
      for (job = 0; job < runs.length; job++) {
        at[0] = job;
        const r = runs[job]!;
        r.advance(held[job]! - 1);
        held[job] = r.rebase(keep);
        room = Math.min(room, cap - held[job]!);
      }
      n = src.fill(stage, 0, room);
      more = n === room;
      for (job = 0; job < runs.length; job++) {
        appendRows(stage, n, blocks[job]!, held[job]!);
        held[job] = held[job]! + n;
        runs[job]!.setLength(held[job]!);
      }
    }
    const out: RunRecord[] = [];
    for (job = 0; job < runs.length; job++) {
      at[0] = job;
      runs[job]!.advance(held[job]!);
      out.push(runs[job]!.finish());
    }
    return out;
  } catch (e) {
    throw new BatchJobError(job, e);
  }
}
