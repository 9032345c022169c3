/**
 * The streamed replay: the engine runs over one block of rows that the window's stream
 * (data/catalog/window-stream.ts) refills, never over the whole table.
 *
 * The block is a table of `rows` rows (typed columns, made once). The engine replays it up to its
 * last row (kept back: a bar's handler looks one row ahead, to know whether it is the last bar of
 * its time); then the block is rebased (engine.ts BlockBacktest.rebase): the rows the books still
 * point at (each symbol's latest quote, trade and mark), the last quarter block of replayed rows
 * (ctx.history looks back over them; asking further back than the block holds, when rows of that
 * symbol were released, is an error that names --memory) and the row kept back move to its start,
 * and the stream fills the rest. The record's event indices are those of the whole stream, so
 * the record is the one a replay of the whole table in memory gives, byte for byte
 * (tests/engine/stream-replay.test.ts).
 *
 * Memory: the block plus one partition per stream of the merge; never the data's size.
 */
import type { RunRecord } from '../portfolio/record.js';
import type { Strategy } from '../strategy/types.js';
import type { TickTable } from '../data/table.js';
import { startBlockBacktest, type RunConfig } from './engine.js';

/** What the replay reads: a stream that fills a block (data/catalog/window-stream.ts WindowStream). */
export interface BlockSource {
  readonly symbols: readonly string[];
  /** A block of `rows` rows with the stream's columns. */
  block(rows: number): TickTable;
  /** Writes up to `max` next rows into `out` from row `at`; fewer only at the end. */
  fill(out: TickTable, at: number, max: number): number;
}

/** Rows a block needs at least for `nSym` symbols: room for the rows kept (three per symbol, a quarter block) and as many new ones. */
export const minBlockRows = (nSym: number): number => 8 * nSym + 64;

/**
 * Replays the stream through a strategy in blocks of `rows` rows; the record of the whole replay.
 * `onRows`: told of each stretch of new rows as the stream writes them (every row once, in
 * order), before they are replayed (engine/stream-facts.ts measures the data there).
 */
export function replayStream(src: BlockSource, strategy: Strategy, cfg: RunConfig, rows: number, onRows?: (t: TickTable, from: number, to: number) => void): RunRecord {
  const cap = Math.max(rows, minBlockRows(src.symbols.length));
  const block = src.block(cap);
  const keep = cap >> 2;
  let n = src.fill(block, 0, cap);
  onRows?.(block, 0, n);
  const run = startBlockBacktest({ ...block, length: n }, strategy, cfg);
  while (n === cap) {
    run.advance(n - 1);
    const held = run.rebase(keep);
    n = held + src.fill(block, held, cap - held);
    onRows?.(block, held, n);
    run.setLength(n);
  }
  run.advance(n);
  return run.finish();
}
