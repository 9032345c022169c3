/**
 * The verdict after a search (issue 33): on noise data (two independent random walks: no edge)
 * a search must rarely end in "likely real" (at most 5% of 200 data sets); on planted data (a
 * cointegrated pair) it must find the edge (at least 90%). Each data set is its own seed; each
 * search runs through the CLI (one split, 60/40, 15m periods, the flat baseline, one worker
 * thread), with its own ledger (every trial counted). Noise and planted data sets have the same
 * length, search space, method and number of trials. Reported: the share of each verdict, the
 * DSR inputs (N, V, T, the best in-sample Sharpe, SR0) and the time a search took.
 *
 * The planted edge (stated, and modest for 1-minute bars): ln B = 0.8 ln A + s, with s an AR(1)
 * of phi 0.9 (a half-life of 6.6 minutes) and innovations of 0.1452% (a stationary spread of
 * 0.333%), beside ln A's random walk of 0.1% a minute. The default spread of the test helper
 * (phi 0.8, half-life 3 minutes) is a much larger edge (a 15m Sharpe of 1.2 per period).
 *
 * Why 9,000 minutes (600 periods of 15m; T = 360 in sample): DSR = Φ((SR − SR0)·√(T−1) / σ),
 * SR0 = √V·E[max_N], E[max_1000] = 3.255, σ = √(1 − g1·SR + (b2−1)/4·SR²). V is the trials'
 * spread of true Sharpes plus the noise of a Sharpe over T periods (≈ 1/T): V ≈ V* + 1/T.
 * Measured on this spread (6,000 minutes, T = 240, a tpe search of 1,000 trials): best
 * in-sample SR 0.686 per period, V 0.0275 (so V* ≈ 0.0233), SR0 0.540, DSR 0.967 (σ ≈ 1.23).
 * DSR ≥ 0.95 needs (0.686 − 3.255·√(0.0233 + 1/T))·√(T−1) ≥ 1.645·1.23 = 2.02: T = 150 gives
 * 1.49, T = 200 gives 1.95, T = 210 gives 2.03 (the smallest length: 350 periods, 5,250
 * minutes), T = 360 gives 3.04 (z 2.47, DSR 0.993): the margin that a data set's own luck (the
 * best SR and V vary between seeds) needs for 90% of them to pass. At 1,500 minutes (T = 60), a
 * clear out-of-sample edge was called "no significant edge" by DSR 0.89: too short for a
 * 1,000-trial search, as a researcher who searched 1,000 configurations would need more data.
 *
 * The data sets run `TICKFOLD_VERDICT_JOBS` at a time (default 2: this machine's cores), noise
 * and planted alternating until the planted are done, so a run stopped early has both kinds. Each finished search is a line of `TICKFOLD_VERDICT_LOG` (JSON
 * lines); run again with the same log, the bench skips the data sets it holds (resume), and with
 * `TICKFOLD_VERDICT_SUMMARY=1` only prints the summary of it.
 *
 *   npx tsc -p tsconfig.build.json && npx tsx bench/search-verdicts.ts
 *   (TICKFOLD_VERDICT_NOISE=200 TICKFOLD_VERDICT_PLANTED=20 TICKFOLD_VERDICT_TRIALS=1000 TICKFOLD_VERDICT_METHOD=tpe
 *    TICKFOLD_VERDICT_MINUTES=6000 TICKFOLD_VERDICT_JOBS=2 TICKFOLD_VERDICT_LOG=<folder>/verdicts.jsonl
 *    TICKFOLD_VERDICT_BIN=<a copy of bin/tickfold with its dist/>)
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEST_SPREAD, twoSymbolBars } from '../tests/validation/truth.js';

const NOISE = Number(process.env.TICKFOLD_VERDICT_NOISE ?? 200);
const PLANTED = Number(process.env.TICKFOLD_VERDICT_PLANTED ?? 20);
const TRIALS = Number(process.env.TICKFOLD_VERDICT_TRIALS ?? 1000);
const METHOD = process.env.TICKFOLD_VERDICT_METHOD ?? 'tpe';
const ROWS = Number(process.env.TICKFOLD_VERDICT_MINUTES ?? 9000);
/** The planted spread (see above): phi 0.9, a stationary standard deviation of 0.333%. */
const SPREAD = MODEST_SPREAD;
const JOBS = Number(process.env.TICKFOLD_VERDICT_JOBS ?? 2);
// TICKFOLD_VERDICT_BIN: a copy of bin/ and dist/ to run while the tree is rebuilt
const bin = process.env.TICKFOLD_VERDICT_BIN ?? join(import.meta.dirname, '../bin/tickfold');
const summaryOnly = process.env.TICKFOLD_VERDICT_SUMMARY === '1';
const dir = summaryOnly ? '' : mkdtempSync(join(tmpdir(), 'tickfold-verdicts-'));
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
  /** The planted spread's phi (noise: the same, unused), so a log of another spread is not mixed in. */
  phi: number;
  /** The ledger's trial count on this data (DSR's N comes from it). */
  ledgerTrials: number | null;
  dsr: number;
  sr0: number;
  variance: number;
  inSamplePeriods: number;
  bestIsSharpe: number;
  oosEdge: number;
  oosP: number;
  pbo: number | null;
  seconds: number;
}

const held = (): Line[] =>
  existsSync(LOG)
    ? readFileSync(LOG, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Line)
        .filter((l) => l.trials === TRIALS && l.method === METHOD && l.minutes === ROWS && l.phi === SPREAD.phi)
    : [];

function search(kind: Kind, i: number): Promise<Line> {
  const data = join(dir, `${kind}-${i}.csv`);
  writeFileSync(data, twoSymbolBars(kind, ROWS, `verdicts-${kind}-${i}`, SPREAD));
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
      interface Out {
        verdictClass: string;
        overfitting: { configurations: number; ledgerConfigurations: number | null; dsr: number; sr0: number; trialSharpeVariance: number; inSamplePeriods: number; bestTrial: { sharpeAnnualized: number }; pbo: { pbo: number } | null };
        outOfSample: { metrics: { periodsPerYear: number } };
        vsBaselines: { edgeReturnPct: number; pValue: number }[];
      }
      const s = (JSON.parse(readFileSync(out, 'utf8')) as { strategies: Out[] }).strategies[0]!;
      const o = s.overfitting;
      for (const f of [data, out, ledger]) rmSync(f, { force: true });
      resolve({
        kind,
        i,
        trials: TRIALS,
        method: METHOD,
        minutes: ROWS,
        verdict: s.verdictClass,
        dsrTrials: o.configurations,
        phi: SPREAD.phi,
        ledgerTrials: o.ledgerConfigurations,
        dsr: o.dsr,
        sr0: o.sr0,
        variance: o.trialSharpeVariance,
        inSamplePeriods: o.inSamplePeriods,
        bestIsSharpe: o.bestTrial.sharpeAnnualized / Math.sqrt(s.outOfSample.metrics.periodsPerYear),
        oosEdge: s.vsBaselines[0]?.edgeReturnPct ?? NaN,
        oosP: s.vsBaselines[0]?.pValue ?? NaN,
        pbo: o.pbo?.pbo ?? null,
        seconds: (performance.now() - t0) / 1000,
      });
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
    const lo = (xs: readonly number[]): number => xs.reduce((a, b) => Math.min(a, b), Infinity);
    const hi = (xs: readonly number[]): number => xs.reduce((a, b) => Math.max(a, b), -Infinity);
    const med = (xs: readonly number[]): number => {
      const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
      return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
    };
    const ns = mine.map((l) => l.dsrTrials);
    const counted = lo(ns) === TRIALS && hi(ns) === TRIALS ? `DSR over ${TRIALS} trials in each` : `DSR over ${lo(ns)}-${hi(ns)} trials`;
    const fromLedger = mine.filter((l) => l.ledgerTrials === l.dsrTrials).length;
    console.log(
      `${kind}: ${n} data sets of ${ROWS} minutes, ${METHOD} search of ${TRIALS} trials each (${counted}; DSR's N = the ledger's count in ${fromLedger}/${n}): likely real ${real}/${n} (${((100 * real) / n).toFixed(1)}%); ${[...counts]
        .sort()
        .map(([k, c]) => `${k} ${c}`)
        .join(', ')}; ${(cpu / n).toFixed(1)} s a search`,
    );
    const m = (f: (l: Line) => number, d: number): string => med(mine.map(f)).toFixed(d);
    console.log(
      `  medians: DSR ${m((l) => l.dsr, 3)}, best in-sample Sharpe ${m((l) => l.bestIsSharpe, 3)} per period vs SR0 ${m((l) => l.sr0, 3)} (V ${m((l) => l.variance, 4)}, T ${m((l) => l.inSamplePeriods, 0)}), OOS edge ${m((l) => 100 * l.oosEdge, 2)}% (p ${m((l) => l.oosP, 3)}), PBO ${m((l) => l.pbo ?? NaN, 2)}`,
    );
  }
  if (wall !== undefined) console.log(`wall time ${(wall / 60_000).toFixed(1)} min, ${JOBS} at a time; log ${LOG}`);
}

if (summaryOnly) summary(held());
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
  rmSync(dir, { recursive: true, force: true });
  summary(held(), performance.now() - t0);
}
