/**
 * Floors of the ingest section (bench/ingest.ts), each a whole process like the runs it is
 * compared with:
 * - `scan FILE...`: every byte of the CSVs scanned for line ends on all cores (the files cut in
 *   chunks, each counted on a worker thread: the parse worker's own count, data/parse-chunk.ts);
 * - `read DIR`: every byte of the files in a folder (the catalog's partitions and indexes) read
 *   into memory, as a replay must at least.
 * Prints the lines (or bytes) found as JSON.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';

const [op, ...args] = process.argv.slice(2);
if (op === 'scan') {
  const threads = availableParallelism();
  const worker = fileURLToPath(new URL('../src/data/parse-worker.mjs', import.meta.url));
  const pool = new Piscina({ filename: worker, minThreads: threads, maxThreads: threads, execArgv: ['--no-experimental-require-module'] });
  const tasks: Promise<{ lines: number }>[] = [];
  for (const file of args) {
    const size = statSync(file).size;
    const per = Math.ceil(size / (2 * threads));
    for (let s = 0; s < size; s += per) tasks.push(pool.run({ op: 'count', file, start: s, end: Math.min(size, s + per) }) as Promise<{ lines: number }>);
  }
  const lines = (await Promise.all(tasks)).reduce((a, r) => a + r.lines, 0);
  await pool.destroy();
  process.stdout.write(JSON.stringify({ lines }));
} else if (op === 'read') {
  const dir = args[0]!;
  const buf = Buffer.allocUnsafe(1 << 24);
  let bytes = 0;
  for (const f of readdirSync(dir)) {
    const fd = openSync(join(dir, f), 'r');
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) bytes += n;
    closeSync(fd);
  }
  process.stdout.write(JSON.stringify({ bytes }));
} else throw new Error(`ingest-floors: scan FILE... | read DIR, not ${op}`);
