/**
 * The replay alone, on one thread: `planWindow` over a catalog, then (1) the merge by itself (the
 * window's stream written block by block into one reused block, nothing else) and (2) the merge
 * and the engine (`replayStream` with a built-in strategy), (3) the same with the facts the report
 * needs measured over each block (engine/stream-facts.ts, as `run` does), each timed in user CPU of this process
 * (process.cpuUsage: the figure to read on a shared machine; wall time beside it). No worker, no
 * report, no facts pass: what issue 31's replay-throughput target measures.
 *
 *   node dist/bench/replay.js <catalog dir | data files...> [--strategy flat|pairs] [--param k=v]... [--symbols A,B] [--runs n] [--reader thread]
 *
 * `--reader thread`: the catalog's files read by the reader thread (runtime/catalog-server.ts), as
 * a run's worker thread gets them, instead of by this thread. Prints one line per measure: rows,
 * user CPU s of this thread (the replay's; from /proc/self/task, Linux) and of the whole process
 * (with the reader thread), wall s, rows per user-CPU second of this thread.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { planWindow } from '../src/data/catalog/load-window.js';
import { catalogHeld, planFiles, WindowStream } from '../src/data/catalog/window-stream.js';
import { CatalogServer, RemoteReader } from '../src/runtime/catalog-server.js';
import { replayStream } from '../src/engine/stream-replay.js';
import { factsBefore, ReplayFacts } from '../src/engine/stream-facts.js';
import { samplingPeriodOf } from '../src/metrics/period.js';
import { executionOf } from '../src/broker/settings.js';
import { createStrategy } from '../src/strategy/instance.js';
import { BUILTIN_STRATEGIES } from '../strategies/index.js';
import { resolveParams } from '../src/strategy/params.js';
import { parseSymbolSelection } from '../src/data/symbol-selection.js';

const args = process.argv.slice(2);
const paths: string[] = [];
let strategy = 'flat';
let runs = 3;
let symbols: string[] | undefined;
let readerThread = false;
const params: Record<string, string> = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--strategy') strategy = args[++i]!;
  else if (a === '--runs') runs = Number(args[++i]);
  else if (a === '--symbols') symbols = parseSymbolSelection(args[++i]!);
  else if (a === '--reader') readerThread = args[++i] === 'thread';
  else if (a === '--param') {
    const [k, v] = args[++i]!.split('=') as [string, string];
    params[k] = v;
  } else paths.push(a);
}
// a folder of indexes (a generated catalog): its .tfi files
const data = paths.flatMap((p) =>
  statSync(p).isDirectory()
    ? readdirSync(p)
        .filter((n) => n.endsWith('.tfi'))
        .map((n) => join(p, n))
    : [p],
);
const module = BUILTIN_STRATEGIES.get(strategy);
if (!module) throw new Error(`no built-in strategy ${strategy}`);

const planned = await planWindow(data, symbols ? { symbolSelection: symbols } : {}, { fromUs: -Infinity, toUs: Infinity });
if (!planned) throw new Error('these files are not streamed (see load-window.ts)');
const plan = planned.plan;
const BLOCK = 1 << 16;

/** User CPU seconds of this thread (Linux: /proc/self/task/<pid>/stat, field 14, in clock ticks of 1/100 s). */
const threadUser = (): number => {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[11]) / 100;
};
const server = readerThread ? new CatalogServer() : undefined;
/** A stream of the plan, its files read by this thread or asked of the reader thread. */
const stream = (): WindowStream => {
  if (!server) return new WindowStream(plan);
  const c = server.connect(planFiles(plan), catalogHeld(plan));
  return new WindowStream(plan, new RemoteReader(c.port, c.signal));
};

const timed = (what: string, f: () => number): void => {
  let best: { user: number; all: number; wall: number; rows: number } | undefined;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const u0 = threadUser();
    const t0 = performance.now();
    const rows = f();
    const user = threadUser() - u0;
    const all = process.cpuUsage(c0).user / 1e6;
    const wall = (performance.now() - t0) / 1000;
    if (!best || user < best.user) best = { user, all, wall, rows };
  }
  const b = best!;
  console.log(`${what.padEnd(34)} ${String(b.rows).padStart(11)} rows  user ${b.user.toFixed(2)} s (process ${b.all.toFixed(2)})  wall ${b.wall.toFixed(2)} s  ${(b.rows / b.user / 1e6).toFixed(2)}M rows/user-s`);
};

timed('merge alone', () => {
  const s = stream();
  const block = s.block(BLOCK);
  let rows = 0;
  for (let n; (n = s.fill(block, 0, BLOCK)) > 0;) rows += n;
  return rows;
});
const before = factsBefore(plan);
// the sampling period `run` would choose for the data's span
const periodUs = samplingPeriodOf(before.lastTs - before.firstTs).periodUs;
const cfg = { strategyName: module.name, initialCapital: 100000, execution: executionOf({}, {}), periodUs, seed: '1' };
const strategyNow = () => createStrategy(module, resolveParams(module.name, module.params, params));
timed(`merge + engine, ${strategy}`, () => replayStream(stream(), strategyNow(), cfg, BLOCK).events);
// as `run` replays (runtime/task-run.ts): the report's facts measured over each block too
timed(`merge + engine + facts, ${strategy}`, () => {
  const facts = new ReplayFacts(before.symbols.length, { hasBars: before.hasBars, spanUs: before.lastTs - before.firstTs, periodUs });
  return replayStream(stream(), strategyNow(), cfg, BLOCK, (t, from, to) => facts.scan(t, from, to)).events;
});
await server?.close();
