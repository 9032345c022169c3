// Child process of stream-memory.test.ts (runs the built code in dist/, so that its memory is
// this process's alone). `make <dir> <rows>`: a catalog of one quotes file, two symbols, `rows`
// rows (made in memory here: this process is not measured). `replay <dir> <memory>`: the window
// stream replayed by the engine in blocks sized by --memory; prints peak RSS, heap and events.
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeEntry, readEntry } from '../../dist/src/data/catalog/entry.js';
import { WindowStream } from '../../dist/src/data/catalog/window-stream.js';
import { replayStream } from '../../dist/src/engine/stream-replay.js';
import { blockRowsFor } from '../../dist/src/jobs/stream-run.js';
import { memoryBytes } from '../../dist/src/jobs/settings.js';
import { executionOf } from '../../dist/src/broker/settings.js';

const [cmd, dir, arg] = process.argv.slice(2);
const key = { path: '/synthetic/quotes.csv', size: 1, mtimeNs: '1', fingerprint: 'x', options: 'memory-test' };

if (cmd === 'make') {
  const n = Number(arg);
  const ts = new Float64Array(n);
  const sym = new Uint16Array(n);
  const cols = [0, 1, 2, 3].map(() => new Float64Array(n));
  let p = 100;
  for (let i = 0; i < n; i++) {
    ts[i] = 1_700_000_000_000_000 + i * 1000;
    sym[i] = i & 1;
    p += ((i * 7919) % 13) / 100 - 0.06;
    cols[0][i] = p;
    cols[1][i] = p + 0.01;
    cols[2][i] = 1 + (i % 5);
    cols[3][i] = 1 + (i % 7);
  }
  const ok = writeEntry(dir, key, { table: { kind: 1, length: n, symbols: ['A', 'B'], ts, sym, cols }, header: {}, badRows: 0, badSamples: [], sorted: true, sha1: '' });
  let bytes = 0;
  for (const f of readdirSync(dir)) bytes += statSync(join(dir, f)).size;
  process.stdout.write(JSON.stringify({ ok, bytes }));
} else {
  const read = readEntry(dir, key);
  const plan = { sources: [{ dir, entry: read.hit }], window: { fromUs: -Infinity, toUs: Infinity }, merge: { fromUs: -Infinity, toUs: Infinity } };
  const rows = blockRowsFor(memoryBytes(arg), arg, plan, 2);
  const stream = new WindowStream(plan);
  const cfg = { strategyName: 'flat', initialCapital: 100000, execution: executionOf({}, {}), periodUs: 60e6, seed: '1' };
  // a strategy that sees every tick (the engine's full path, not only its quiet scan)
  let seen = 0;
  const record = replayStream(
    stream,
    {
      onTick() {
        seen++;
      },
    },
    cfg,
    rows,
  );
  const ru = process.resourceUsage();
  process.stdout.write(JSON.stringify({ events: record.events, seen, rows, maxRssBytes: ru.maxRSS * 1024, heapUsed: process.memoryUsage().heapUsed }));
}
