/**
 * One measured phase of the benchmark, in its own process so that its peak RSS is its own:
 * `node child.js <phase> <file> <cacheDir>` prints {"ms", "rows", "maxRssBytes"} as JSON.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { maxOf } from '../src/arrays.js';
import { loadData } from '../src/data/load.js';
import type { TickTable } from '../src/data/table.js';
import { DEFAULT_EXECUTION } from '../src/broker/settings.js';
import { runBacktest } from '../src/engine/engine.js';
import { resolveParams } from '../src/strategy/params.js';
import { BUILTIN_STRATEGIES } from '../strategies/index.js';
import { eachLine, floorMomentumTrades, floorSmaBars, num } from './floors.js';

const [phase, file, cacheDir] = process.argv.slice(2) as [string, string, string];

/** The floor: a plain read of the file, counting lines. */
function plainRead(path: string): number {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  let rows = 0;
  let pos = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    pos += n;
    for (let i = buf.indexOf(10); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) rows++;
  }
  closeSync(fd);
  return rows - 1;
}

/**
 * The floor: the least a hand-written parse of this exact schema must do. No validation, no
 * symbol dictionary beyond a byte compare with the last symbol, ISO time by fixed offsets, a plain
 * mantissa/exponent number parse; preallocated typed arrays.
 */
function minimalParse(path: string): number {
  const size = statSync(path).size;
  const cap = Math.ceil(size / 40);
  const ts = new Float64Array(cap);
  const sym = new Uint16Array(cap);
  const cols = [new Float64Array(cap), new Float64Array(cap), new Float64Array(cap), new Float64Array(cap)];
  const at = new Int32Array(1);
  let n = 0;
  eachLine(path, (buf, pos, nl) => {
    const d2 = (p: number): number => (buf[p]! - 48) * 10 + buf[p + 1]! - 48;
    // 2024-01-02T14:30:00.003521Z
    const y = (buf[pos]! - 48) * 1000 + d2(pos + 1) * 10 + buf[pos + 3]! - 48;
    const days = Math.floor(Date.UTC(y, d2(pos + 5) - 1, d2(pos + 8)) / 86400000);
    let us = ((days * 24 + d2(pos + 11)) * 60 + d2(pos + 14)) * 60e6 + d2(pos + 17) * 1e6;
    let f = 0;
    for (let p = pos + 20; p < pos + 26; p++) f = f * 10 + buf[p]! - 48;
    us += f;
    ts[n] = us;
    sym[n] = buf[pos + 28]!;
    at[0] = buf.indexOf(44, pos + 28) + 1;
    for (let c = 0; c < 4; c++) cols[c]![n] = num(buf, at[0]!, nl, at);
    n++;
  });
  return n;
}

/**
 * The floor for replay: the least an event loop over these arrays must do: per row, update the
 * symbol's bid/ask and mark, and keep a running equity for one position.
 */
function minimalLoop(t: TickTable): number {
  const n = t.length;
  const bid = new Float64Array(t.symbols.length);
  const ask = new Float64Array(t.symbols.length);
  const mark = new Float64Array(t.symbols.length);
  const { sym, f0, f1 } = t;
  let equity = 0;
  for (let i = 0; i < n; i++) {
    const s = sym[i]!;
    bid[s] = f0[i]!;
    ask[s] = f1[i]!;
    const m = (f0[i]! + f1[i]!) / 2;
    equity += m - mark[s]!;
    mark[s] = m;
  }
  return equity === 12345.678 ? 0 : n; // use the result so the loop is not removed
}

function replay(t: TickTable, name: string, params: Record<string, string>): number {
  const m = BUILTIN_STRATEGIES.get(name)!;
  const rec = runBacktest(t, m.create(resolveParams(name, m.params, params)), {
    strategyName: name,
    initialCapital: 1e6,
    execution: DEFAULT_EXECUTION,
    periodUs: 60e6,
    seed: '1',
  });
  return rec.events;
}

/** Strategy and parameters of each replay phase (the bench prints them). */
export const REPLAYS: Record<string, [string, Record<string, string>]> = {
  'replay-flat': ['flat', {}],
  'replay-momentum': ['momentum', { lookback: '50' }],
  'replay-pairs': ['pairs', { every: '1m', lookback: '120' }],
  'replay-pairs-tick': ['pairs', { lookback: '120' }],
  'replay-linreg': ['linreg', { every: '1m', window: '500' }],
};

let t0 = performance.now();
let rows = 0;
/** A phase that times itself (the warm replays: a median) sets this. */
let measured: number | undefined;
switch (phase) {
  case 'baseline':
    rows = 0;
    break;
  case 'read':
    rows = plainRead(file);
    break;
  case 'minimal':
    rows = minimalParse(file);
    break;
  case 'cold':
  case 'parquet-cold':
    rows = (await loadData([file], { cache: false })).table.length;
    break;
  case 'parquet-floor': {
    // the floor of a Parquet load: the decode into Arrow columns alone, no rules, no table
    const pw = await import('parquet-wasm');
    const { tableFromIPC } = await import('apache-arrow');
    const b = readFileSync(file);
    rows = tableFromIPC(pw.readParquet(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).intoIPCStream()).numRows;
    break;
  }
  case 'cold+cache':
    rows = (await loadData([file], { cacheDir })).table.length;
    break;
  case 'cached': {
    const r = await loadData([file], { cacheDir });
    if (r.files[0]!.source !== 'cache') throw new Error('expected a cache hit');
    rows = r.table.length;
    break;
  }
  case 'floor-sma-bars':
  case 'floor-momentum-trades': {
    // a user job's floor: hand parse of that exact file + the same rule (bench/floors.ts); the
    // whole process is timed by the parent, the counts show it made the same trades
    const f = phase === 'floor-sma-bars' ? floorSmaBars(file) : floorMomentumTrades(file);
    process.stdout.write(JSON.stringify({ ...f, ms: performance.now() - t0, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
    process.exit(0);
  }
  // falls through: never (process.exit above ends the process)
  case 'e2e-floor': {
    // minimal parse + minimal loop, no cache: the end-to-end floor
    rows = minimalParse(file);
    break;
  }
  case 'replay-floor':
  case 'replay-flat':
  case 'replay-momentum':
  case 'replay-pairs':
  case 'replay-pairs-tick':
  case 'replay-linreg': {
    const { table } = await loadData([file], { cacheDir });
    const once = (): number => (phase === 'replay-floor' ? minimalLoop(table) : replay(table, ...REPLAYS[phase]!));
    const gc = (globalThis as { gc?: () => void }).gc;
    if (process.env.TICKFOLD_BENCH_WARM === '1') {
      // warm: the throughput of compiled code, as in a grid search's later trials and a
      // walk-forward's folds. Five replays to compile (V8 has settled by then: for pairs,
      // --trace-deopt shows none after the first replay, --trace-opt only small functions after
      // the third), then the median of five timed ones, each from a collected heap.
      for (let k = 0; k < 5; k++) once();
      const times: number[] = [];
      for (let k = 0; k < 5; k++) {
        gc?.();
        const t = performance.now();
        rows = once();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      measured = times[2]!;
      break;
    }
    // cold: the first replay of the process, JIT compilation included; from a collected heap
    // (the bench runs children with --expose-gc), so that a collection owed to the load does not
    // land in the replay's time
    gc?.();
    t0 = performance.now(); // time the replay only
    rows = once();
    break;
  }
  case 'parallel-1':
  case 'parallel-2': {
    // the machine's own parallel floor: N threads each replaying the minimal loop over their own
    // 2M-row arrays, the same work per thread; speed-up = N × t(1) / t(N)
    const n = phase === 'parallel-1' ? 1 : 2;
    const kernel = `
      const { parentPort } = require('node:worker_threads');
      const n = 2_000_000, sym = new Uint16Array(n), f0 = new Float64Array(n), f1 = new Float64Array(n);
      for (let i = 0; i < n; i++) { sym[i] = i & 1; f0[i] = 100 + (i % 97) * 0.01; f1[i] = f0[i] + 0.01; }
      const bid = new Float64Array(2), ask = new Float64Array(2), mark = new Float64Array(2);
      let eq = 0;
      const t0 = performance.now();
      for (let r = 0; r < 20; r++) for (let i = 0; i < n; i++) { const s = sym[i]; bid[s] = f0[i]; ask[s] = f1[i]; const m = (f0[i] + f1[i]) / 2; eq += m - mark[s]; mark[s] = m; }
      parentPort.postMessage([performance.now() - t0, eq]);`;
    const times = await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<number>((res) => {
            const w = new Worker(kernel, { eval: true });
            w.on('message', (m: [number, number]) => {
              res(m[0]);
              void w.terminate();
            });
          }),
      ),
    );
    t0 = performance.now() - maxOf(times);
    rows = 2_000_000 * 20 * n;
    break;
  }
  default:
    throw new Error(`unknown phase ${phase}`);
}
const ms = measured ?? performance.now() - t0;
process.stdout.write(JSON.stringify({ ms, rows, maxRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n');
