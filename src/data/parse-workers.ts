/**
 * The worker threads of a large file's ingest: one pool, started as soon as the file is known to
 * be large (so the threads start while this thread reads the header), used by the parallel parse
 * (data/parallel-read.ts) and then by the catalog write (catalog/entry.ts: the partitions gathered,
 * checksummed and written on every core), and closed by whoever started it (data/load.ts).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ChunkResult, ChunkTask } from './parse-chunk.js';
import { workerExecArgv } from '../exec-argv.js';

function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const js = here.replace(/parse-workers\.[jt]s$/, 'parse-worker.mjs');
  if (existsSync(js)) return js;
  return js.replace(/([\\/])src([\\/]data[\\/]parse-worker\.mjs)$/, '$1dist$1src$2');
}

export class ParseWorkers {
  readonly threads: number;
  private readonly pool: Piscina;

  constructor(threads = availableParallelism()) {
    this.threads = threads;
    this.pool = new Piscina({ filename: workerFile(), minThreads: threads, maxThreads: threads, execArgv: [...workerExecArgv(), '--no-experimental-require-module'] });
  }

  /** `transfer`: buffers of the task moved to the thread (not copied; unusable here after). */
  run(task: ChunkTask, transfer?: readonly ArrayBuffer[]): Promise<ChunkResult> {
    return this.pool.run(task, transfer ? { transferList: [...transfer] } : {}) as Promise<ChunkResult>;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
