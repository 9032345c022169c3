/**
 * The verdict after a search (issue 33): on noise data (two independent random walks: no edge)
 * a search must rarely end in "likely real"; on planted data (a cointegrated pair) it must find
 * the edge. Each data set is its own seed; each search runs through the CLI (one split, 60/40,
 * 15m periods, the flat baseline, one worker thread), with its own ledger (every trial counted).
 * Reported: the share of each verdict, and the wall time.
 *
 * The data sets run `TICKFOLD_VERDICT_JOBS` at a time (default 2: this machine's cores), noise
 * and planted alternating, so a run stopped early has both kinds. Each finished search is a line
 * of `TICKFOLD_VERDICT_LOG` (JSON lines); run again with the same log, the bench skips the data
 * sets it holds (resume), and with `TICKFOLD_VERDICT_SUMMARY=1` only prints the summary of it.
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/search-verdicts.ts
 *   (TICKFOLD_VERDICT_NOISE=20 TICKFOLD_VERDICT_PLANTED=10 TICKFOLD_VERDICT_TRIALS=100 TICKFOLD_VERDICT_METHOD=tpe
 *    TICKFOLD_VERDICT_MINUTES=1500 TICKFOLD_VERDICT_JOBS=2 TICKFOLD_VERDICT_LOG=<tmp>/verdicts.jsonl
 *    TICKFOLD_VERDICT_BIN=<a copy of bin/tickfold with its dist/>)
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoSymbolBars } from '../tests/validation/truth.js';

const NOISE = Number(process.env.TICKFOLD_VERDICT_NOISE ?? 20);
const PLANTED = Number(process.env.TICKFOLD_VERDICT_PLANTED ?? 10);
const TRIALS = Number(process.env.TICKFOLD_VERDICT_TRIALS ?? 100);
const METHOD = process.env.TICKFOLD_VERDICT_METHOD ?? 'tpe';
const ROWS = Number(process.env.TICKFOLD_VERDICT_MINUTES ?? 1500);
const JOBS = Number(process.env.TICKFOLD_VERDICT_JOBS ?? 2);
// TICKFOLD_VERDICT_BIN: a copy of bin/ and dist/ to run while the tree is rebuilt
const bin = process.env.TICKFOLD_VERDICT_BIN ?? join(import.meta.dirname, '../bin/tickfold');
const dir = mkdtempSync(join(tmpdir(), 'tickfold-verdicts-'));
const LOG = process.env.TICKFOLD_VERDICT_LOG ?? join(dir, 'verdicts.jsonl');

type Kind = 'noise' | 'planted';
interface Line {
  kind: Kind;
  i: number;
  trials: number;
  method: string;
  minutes: number;
  verdict: string;
  dsrTrials: number;
  seconds: number;
}

const held = (): Line[] =>
  existsSync(LOG)
    ? readFileSync(LOG, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line)
        .filter((l) => l.trials === TRIALS && l.method === METHOD && l.minutes === ROWS)
    : [];

function search(kind: Kind, i: number): Promise<Line> {
  const data = join(dir, `${kind}-${i}.csv`);
  writeFileSync(data, twoSymbolBars(kind, ROWS, `verdicts-${kind}-${i}`));
  const out = join(dir, `${kind}-${i}.json`);
  const ledger = join(dir, `${kind}-${i}.sqlite`);
  const args = [
    'walk-forward',
    '--strategy',
    'pairs',
    '--data',
    data,
    '--split',
    '0.6',
    '--period',
    '15m',
    '--no-cache',
    '--baselines',
    'flat',
    '--bootstrap',
    '1000',
    '--search',
    METHOD,
    '--trials',
    String(TRIALS),
    '--space',
    'entry=float:0.8..3',
    '--space',
    'lookback=int:10..200:log',
    '--space',
    'exit=float:0..0.6',
    '--space',
    'hedge=choice:rolling,kalman',
    '--workers',
    '1',
    '--ledger',
    ledger,
    '--json',
    out,
    '--quiet',
  ];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${kind} ${i}: exit ${code}: ${err}`));
      const s = (JSON.parse(readFileSync(out, 'utf8')) as { strategies: { verdictClass: string; overfitting: { trials: number } }[] }).strategies[0]!;
      for (const f of [data, out, ledger]) rmSync(f, { force: true });
      resolve({ kind, i, trials: TRIALS, method: METHOD, minutes: ROWS, verdict: s.verdictClass, dsrTrials: s.overfitting.trials, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

function summary(lines: readonly Line[], wall?: number): void {
  for (const kind of ['noise', 'planted'] as const) {
    const mine = lines.filter((l) => l.kind === kind);
    const n = mine.length;
    if (n === 0) continue;
    const counts = new Map<string, number>();
    for (const l of mine) counts.set(l.verdict, (counts.get(l.verdict) ?? 0) + 1);
    const real = counts.get('likely real') ?? 0;
    const cpu = mine.reduce((a, l) => a + l.seconds, 0);
    const counted = mine.every((l) => l.dsrTrials === TRIALS) ? `DSR over ${TRIALS} trials in each` : `DSR over ${Math.min(...mine.map((l) => l.dsrTrials))}-${Math.max(...mine.map((l) => l.dsrTrials))} trials`;
    console.log(
      `${kind}: ${n} data sets of ${ROWS} minutes, ${METHOD} search of ${TRIALS} trials each (${counted}): likely real ${real}/${n} (${((100 * real) / n).toFixed(1)}%); ${[...counts]
        .sort()
        .map(([k, c]) => `${k} ${c}`)
        .join(', ')}; ${(cpu / n).toFixed(1)} s a search`,
    );
  }
  if (wall !== undefined) console.log(`wall time ${(wall / 60_000).toFixed(1)} min, ${JOBS} at a time; log ${LOG}`);
}

if (process.env.TICKFOLD_VERDICT_SUMMARY === '1') summary(held());
else {
  const done = new Set(held().map((l) => `${l.kind}-${l.i}`));
  const queue: [Kind, number][] = [];
  for (let i = 0; i < Math.max(NOISE, PLANTED); i++) {
    if (i < NOISE && !done.has(`noise-${i}`)) queue.push(['noise', i]);
    if (i < PLANTED && !done.has(`planted-${i}`)) queue.push(['planted', i]);
  }
  const t0 = performance.now();
  const lane = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) appendFileSync(LOG, JSON.stringify(await search(...next)) + '\n');
  };
  await Promise.all(Array.from({ length: JOBS }, lane));
  summary(held(), performance.now() - t0);
}
