/**
 * The ingest section of `npm run bench` (`TICKFOLD_BENCH_ONLY=ingest`): getting quotes and trades
 * into the catalog and out again, each a whole process against a floor of the same run
 * (bench/ingest-floors.ts):
 * - first run of `run --strategy flat` on a generated pair (quotes + trades CSVs; the catalog
 *   written) against scanning the CSVs' bytes for line ends on all cores: target within 4x;
 * - the cached rerun against reading the catalog's bytes: target within 1.5x;
 * - one hour (`--from/--to`) of that data, cached, against a run on the bundled sample: within 2x;
 * - `data generate --catalog` of 50 symbols: events/s, peak RSS, bytes per event.
 * Sizes: TICKFOLD_BENCH_INGEST_EVENTS quote updates (default 2,000,000; issue 31 measures 20,000,000,
 * 23M rows with the trades), TICKFOLD_BENCH_GENERATE_EVENTS for the catalog generator (default the same).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { minOf } from '../src/arrays.js';
import { DEFAULT_PAIR, generatePair } from '../src/data/generate.js';

const fmt = (x: number, d = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const pad = (s: string, n: number): string => s.padEnd(n);
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Fastest of `runs` wall times of a process (`before` run untimed ahead of each). */
function wall(argv: string[], runs: number, before?: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const t0 = performance.now();
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 24 });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
  }
  return minOf(times);
}

/** Runs the section in `dir`; returns how many targets were missed. */
export function ingestSection(dir: string, runs: number): number {
  const bin = join(import.meta.dirname, '../../bin/tickfold');
  const floors = join(import.meta.dirname, 'ingest-floors.js');
  const events = Number(process.env.TICKFOLD_BENCH_INGEST_EVENTS ?? 2_000_000);
  const genEvents = Number(process.env.TICKFOLD_BENCH_GENERATE_EVENTS ?? events);
  const sub = join(dir, 'ingest');
  mkdirSync(sub, { recursive: true });
  const q = join(sub, 'quotes.csv');
  const t = join(sub, 'trades.csv');
  const g = generatePair({ ...DEFAULT_PAIR, events }, q, t);
  const rows = g.quotes + g.trades;
  const csvBytes = statSync(q).size + statSync(t).size;
  const cache = join(sub, 'cache');
  const runArgs = (extra: string[] = []): string[] => [bin, 'run', '--strategy', 'flat', '--data', q, t, '--cache-dir', cache, '--quiet', ...extra];
  console.log(`ingest: ${fmt(rows, 0)} rows (${fmt(g.quotes, 0)} quotes + ${fmt(g.trades, 0)} trades, ${fmt(csvBytes / 1e6, 1)} MB of CSV); fastest of ${runs}; load average ${load()}`);
  const scan = wall([floors, 'scan', q, t], runs);
  const first = wall(runArgs(), runs, () => rmSync(cache, { recursive: true, force: true }));
  const catBytes = readdirSync(cache).reduce((a, f) => a + statSync(join(cache, f)).size, 0);
  const readFloor = wall([floors, 'read', cache], runs);
  const cached = wall(runArgs(), runs);
  // one hour in the middle of the data, from the catalog
  const from = new Date(DEFAULT_PAIR.startUs / 1000 + 3_600_000 * Math.max(0, Math.floor((events * DEFAULT_PAIR.meanIntervalS) / 3600 / 2))).toISOString();
  const to = new Date(Date.parse(from) + 3_600_000).toISOString();
  const hour = wall(runArgs(['--from', from, '--to', to]), runs);
  const sample = join(import.meta.dirname, '../../data');
  const sampleCache = join(sub, 'sample-cache');
  const sampleArgs = [bin, 'run', '--strategy', 'flat', '--data', join(sample, 'sample_pair_quotes.csv'), join(sample, 'sample_pair_trades.csv'), '--cache-dir', sampleCache, '--quiet'];
  execFileSync(process.execPath, sampleArgs, { stdio: 'ignore' });
  const bundled = wall(sampleArgs, runs);
  console.log(`${pad('phase (whole process, wall)', 58)}${pad('ms', 10)}note`);
  console.log(`${pad('floor: scan the CSV bytes for line ends, all cores', 58)}${pad(fmt(scan, 0), 10)}${fmt(csvBytes / 1e6 / (scan / 1000), 0)} MB/s`);
  console.log(`${pad('run --strategy flat, first run (parse, catalog written)', 58)}${pad(fmt(first, 0), 10)}${fmt(rows / (first / 1000) / 1e6)} M rows/s`);
  console.log(`${pad('floor: read the catalog bytes', 58)}${pad(fmt(readFloor, 0), 10)}${fmt(catBytes / 1e6, 1)} MB, ${fmt(catBytes / rows, 1)} B/row`);
  console.log(`${pad('run --strategy flat, cached', 58)}${pad(fmt(cached, 0), 10)}`);
  console.log(`${pad(`run, one hour (--from ${from.slice(11, 16)} --to ${to.slice(11, 16)}), cached`, 58)}${pad(fmt(hour, 0), 10)}`);
  console.log(`${pad('run on the bundled sample (45,904 rows), cached', 58)}${pad(fmt(bundled, 0), 10)}`);
  // the generator straight into a catalog: 50 symbols
  const cat = join(sub, 'generated');
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, 'data', 'generate', '--events', String(genEvents), '--symbols', '50', '--catalog', cat], { encoding: 'utf8' });
  const genMs = performance.now() - t0;
  const genRssKb = Number(r.stderr.trim().split('\n').at(-1));
  const genBytes = readdirSync(cat).reduce((a, f) => a + statSync(join(cat, f)).size, 0);
  console.log(
    `${pad(`data generate --catalog, ${fmt(genEvents, 0)} events, 50 symbols`, 58)}${pad(fmt(genMs, 0), 10)}${fmt(genEvents / (genMs / 1000) / 1e6)} M events/s, peak RSS ${fmt(genRssKb / 1e3, 0)} MB, ${fmt(genBytes / 1e6, 1)} MB (${fmt(genBytes / genEvents, 1)} B/event)`,
  );
  rmSync(sub, { recursive: true, force: true });
  let failed = 0;
  const checks: [string, number, number][] = [
    ['first run / scan floor', first / scan, 4],
    ['cached run / read floor', cached / readFloor, 1.5],
    ['one hour / bundled sample run', hour / bundled, 2],
  ];
  for (const [name, v, target] of checks) {
    const ok = v <= target;
    if (!ok) failed++;
    console.log(`${pad(name, 58)}${pad(fmt(v), 10)}<= ${target}  ${ok ? 'ok' : 'MISSED'}`);
  }
  console.log(`load average after: ${load()}`);
  console.log('');
  return failed;
}
