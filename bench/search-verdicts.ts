/**
 * The verdict after a search (issue 33): on noise data (two independent random walks: no edge)
 * a search must rarely end in "likely real"; on planted data (a cointegrated pair) it must find
 * the edge. Each data set is its own seed; each search runs through the CLI (one split, 60/40,
 * 15m periods, the flat baseline), with its own ledger. Reported: the share of each verdict.
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/search-verdicts.ts
 *   (TICKFOLD_VERDICT_NOISE=20 TICKFOLD_VERDICT_PLANTED=10 TICKFOLD_VERDICT_TRIALS=100 TICKFOLD_VERDICT_METHOD=tpe)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { twoSymbolBars } from '../tests/validation/truth.js';

const NOISE = Number(process.env.TICKFOLD_VERDICT_NOISE ?? 20);
const PLANTED = Number(process.env.TICKFOLD_VERDICT_PLANTED ?? 10);
const TRIALS = Number(process.env.TICKFOLD_VERDICT_TRIALS ?? 100);
const METHOD = process.env.TICKFOLD_VERDICT_METHOD ?? 'tpe';
const ROWS = Number(process.env.TICKFOLD_VERDICT_MINUTES ?? 1500);
const bin = join(import.meta.dirname, '../bin/tickfold');
const dir = mkdtempSync(join(tmpdir(), 'tickfold-verdicts-'));

function verdict(kind: 'noise' | 'planted', i: number): string {
  const data = join(dir, `${kind}-${i}.csv`);
  writeFileSync(data, twoSymbolBars(kind, ROWS, `verdicts-${kind}-${i}`));
  const out = join(dir, `${kind}-${i}.json`);
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
    '--ledger',
    join(dir, `${kind}-${i}.sqlite`),
    '--json',
    out,
    '--quiet',
  ];
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return (JSON.parse(readFileSync(out, 'utf8')) as { strategies: { verdictClass: string }[] }).strategies[0]!.verdictClass;
}

for (const [kind, n] of [
  ['noise', NOISE],
  ['planted', PLANTED],
] as const) {
  const counts = new Map<string, number>();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const v = verdict(kind, i);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const real = counts.get('likely real') ?? 0;
  console.log(
    `${kind}: ${n} data sets, ${METHOD} search of ${TRIALS} trials each: likely real ${real}/${n} (${((100 * real) / n).toFixed(1)}%); ${[...counts]
      .sort()
      .map(([k, c]) => `${k} ${c}`)
      .join(', ')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`,
  );
}
