/**
 * The worker threads' side of a parallel parse (data/parallel-read.ts): read a byte range that
 * starts at a line's start through the byte reader, its lines numbered from `firstLine` (the
 * caller renumbers them once the lines before the range are known). The columns are built in
 * shared memory: they come back without a copy. `write`: one catalog partition of a table in
 * shared memory (the catalog write on every core, catalog/entry.ts). (`count`, the lines of a range, is the ingest
 * bench's floor: bench/ingest-floors.ts.)
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { DataError } from '../errors.js';
import { CHUNK, NeedsCsvReader, readBytes, type ByteReadResult } from './byte-reader.js';
import { writePartition, writePartitionColumns, type PartitionInfo } from './catalog/partition.js';
import type { RowOptions } from './rows.js';
import type { ResolvedHeader, TickKind } from './schema.js';

export type ChunkTask =
  | { readonly op: 'count'; readonly file: string; readonly start: number; readonly end: number }
  /**
   * `move`: the columns in this thread's memory, moved to the caller (catalog/ingest.ts, which
   * drops each chunk once written); else in shared memory (parallel-read.ts joins them). Shared
   * columns stay this thread's too until its garbage collector lets them go, which with little
   * else allocated here is seldom: a 1 GB file parsed in 16 MB chunks held ~600 MB of chunks
   * already written (measured), where moved ones are freed as the caller drops them.
   */
  | { readonly op: 'parse'; readonly file: string; readonly start: number; readonly end: number; readonly firstLine: number; readonly header: ResolvedHeader; readonly opts: RowOptions & { readonly keepLines?: boolean }; readonly move?: boolean }
  /** One catalog partition written from columns already gathered, moved here (catalog/entry-writer.ts): its first `n` rows. */
  | { readonly op: 'write-columns'; readonly path: string; readonly name: string; readonly kind: TickKind; readonly sym: number; readonly n: number; readonly ts: Float64Array; readonly cols: readonly Float64Array[]; readonly row: Uint32Array }
  /** One catalog partition written from a table in shared memory (catalog/entry.ts). */
  | { readonly op: 'write'; readonly path: string; readonly name: string; readonly kind: TickKind; readonly sym: number; readonly ts: Float64Array; readonly cols: readonly Float64Array[]; readonly rows: Uint32Array };

/** A parse's outcome: the rows, or why the chunk cannot stand alone (the caller then parses the file on one thread). */
export type ChunkResult = { readonly lines: number } | { readonly read: ByteReadResult } | { readonly failed: 'data-error' | 'quoted' } | { readonly partition: PartitionInfo };

/** Reads `end - start` bytes from `start` (or fewer at the file's end). */
function readRange(fd: number, buf: Buffer, start: number, len: number): number {
  let got = 0;
  while (got < len) {
    const n = readSync(fd, buf, got, len - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export default function runChunk(task: ChunkTask): ChunkResult {
  if (task.op === 'write') return { partition: writePartition(task.path, task.name, task.kind, task.sym, task.ts, task.cols, task.rows) };
  if (task.op === 'write-columns') return { partition: writePartitionColumns(task.path, task.name, task.kind, task.sym, task.n, task.ts, task.cols, task.row) };
  const fd = openSync(task.file, 'r');
  try {
    if (task.op === 'count') {
      const buf = Buffer.allocUnsafe(CHUNK);
      let lines = 0;
      for (let pos = task.start; pos < task.end; ) {
        const got = readRange(fd, buf, pos, Math.min(CHUNK, task.end - pos));
        if (got === 0) break;
        for (let i = buf.indexOf(10); i >= 0 && i < got; i = buf.indexOf(10, i + 1)) lines++;
        pos += got;
      }
      return { lines };
    }
    const head = Buffer.allocUnsafe(Math.min(CHUNK, task.end - task.start));
    const got = readRange(fd, head, task.start, head.length);
    try {
      const read = readBytes(task.file, fd, task.end, head.subarray(0, got), 0, task.firstLine, task.header, { ...task.opts, shared: task.move !== true }, undefined, task.start);
      if (task.move !== true) return { read };
      const t = read.table;
      const buffers = new Set([t.ts, t.sym, ...t.cols, ...(t.lines ? [t.lines] : [])].map((a) => a.buffer as ArrayBuffer));
      // (piscina unwraps the value on the caller's side: a ChunkResult arrives)
      return move({ [transferableSymbol]: [...buffers], [valueSymbol]: { read } } as never) as unknown as ChunkResult;
    } catch (e) {
      if (e instanceof NeedsCsvReader) return { failed: 'quoted' };
      if (e instanceof DataError) return { failed: 'data-error' };
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}
