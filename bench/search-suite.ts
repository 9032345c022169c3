/**
 * The search suite (issue 33): 6 problems on planted-signal data (tests/validation/truth.ts: a
 * cointegrated pair), each a grid of 2 to 6 pairs parameters. The grid is replayed in full once
 * (the in-sample Sharpe of every point on the training window, the first 70% of the data), then
 * tpe and random search the same points (each grid key an ordered int index, a choice key a
 * choice) with 10% of the grid's evaluations, in the rounds the validation uses (tpe: 10 random,
 * then rounds of TPE_ROUND from the same observations), on 11 seeds. Reported: the median over
 * seeds of the best found / the grid's best; the target is tpe >= 0.99.
 *
 *   npx tsx bench/search-suite.ts        (TICKFOLD_SUITE_SEEDS=11)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DEFAULT_EXECUTION } from '../src/broker/settings.js';
import { loadData } from '../src/data/load.js';
import { resolveParams } from '../src/strategy/params.js';
import { executeTask } from '../src/runtime/task-run.js';
import type { TrialBatchResult } from '../src/runtime/tasks.js';
import { RandomSampler } from '../src/search/random.js';
import { TpeSampler, TPE_DEFAULTS } from '../src/search/tpe.js';
import { TPE_ROUND } from '../src/search/in-folds.js';
import type { Observation, Sampler } from '../src/search/sampler.js';
import { snap, type Space } from '../src/search/space.js';
import pairs from '../strategies/pairs.js';
import { twoSymbolBars } from '../tests/validation/truth.js';

const SEEDS = Number(process.env.TICKFOLD_SUITE_SEEDS ?? 11);
/** Proposals per tpe round after its start (the validation's TPE_ROUND; 1 = the paper's sequential loop). */
const ROUND = Number(process.env.TICKFOLD_SUITE_ROUND ?? TPE_ROUND);

interface Problem {
  readonly name: string;
  readonly data: string;
  readonly grid: Readonly<Record<string, readonly string[]>>;
}
const range = (a: number, b: number, step: number): string[] => Array.from({ length: Math.round((b - a) / step) + 1 }, (_, i) => String(Number((a + i * step).toFixed(4))));
const PROBLEMS: Problem[] = [
  { name: '2-d entry × lookback', data: 's1', grid: { entry: range(0.625, 3, 0.125), lookback: ['10', '12', '15', '20', '25', '30', '40', '50', '60', '80', '100', '120', '160', '200', '250', '300'] } },
  { name: '3-d entry × exit × lookback', data: 's2', grid: { entry: range(0.75, 3, 0.25), exit: range(0, 0.6, 0.1), lookback: ['10', '15', '20', '30', '40', '60', '80', '120', '160', '200'] } },
  { name: '3-d entry × lookback × every', data: 's3', grid: { entry: range(0.75, 3, 0.25), lookback: ['10', '15', '20', '30', '40', '60', '80', '120', '160', '200'], every: ['', '2m', '5m'] } },
  { name: '4-d + hedge', data: 's4', grid: { entry: range(0.75, 2.5, 0.25), exit: range(0, 0.6, 0.15), lookback: ['10', '20', '30', '40', '60', '80', '120', '200'], hedge: ['rolling', 'kalman'] } },
  { name: '5-d + stop', data: 's5', grid: { entry: range(0.75, 2.5, 0.35), exit: range(0, 0.6, 0.2), lookback: ['10', '20', '40', '80', '120', '200'], hedge: ['rolling', 'kalman'], stop: ['3', '4', '6'] } },
  { name: '6-d + gate', data: 's6', grid: { entry: range(0.75, 2.5, 0.35), exit: range(0, 0.6, 0.2), lookback: ['10', '20', '40', '80', '160'], hedge: ['rolling', 'kalman'], stop: ['3', '5'], maxPValue: ['1', '0.5', '0.2'] } },
];

const ORDINAL = new Set(['entry', 'exit', 'lookback', 'stop', 'maxPValue']);

async function gridObjective(p: Problem, dir: string): Promise<{ keys: string[]; sizes: number[]; values: Float64Array }> {
  const file = join(dir, `${p.data}.csv`);
  writeFileSync(file, twoSymbolBars('planted', 3000, `suite-${p.data}`));
  const { table } = await loadData([file], { cacheDir: dir });
  const keys = Object.keys(p.grid).sort();
  const sizes = keys.map((k) => p.grid[k]!.length);
  const total = sizes.reduce((a, b) => a * b, 1);
  const split = table.ts[Math.floor(table.length * 0.7)]!;
  const values = new Float64Array(total);
  const params = [];
  for (let i = 0; i < total; i++) {
    const raw: Record<string, string> = {};
    let rest = i;
    for (let g = keys.length - 1; g >= 0; g--) {
      raw[keys[g]!] = p.grid[keys[g]!]![rest % sizes[g]!]!;
      rest = Math.floor(rest / sizes[g]!);
    }
    params.push(resolveParams('pairs', pairs.params, raw));
  }
  for (let b = 0; b < total; b += 32) {
    const batch = params.slice(b, b + 32);
    const r = (await executeTask(table, {
      kind: 'trial',
      strategy: 'pairs',
      params: batch,
      labels: batch.map((_, j) => `point ${b + j}`),
      windows: [[table.ts[0]!, split]],
      run: { execution: DEFAULT_EXECUTION, initialCapital: 100_000, periodUs: 15 * 60e6, periodsPerYear: 24_960, seed: 'suite' },
    })) as TrialBatchResult;
    if ((r as { kind: string }).kind !== 'trial') throw new Error(JSON.stringify(r));
    r.trials.forEach((t, j) => (values[b + j] = t.windows[0]!.sharpeAnnualized));
  }
  return { keys, sizes, values };
}

/** One study as the validation runs it (search/in-folds.ts): distinct proposals, tpe in rounds. */
function study(sampler: Sampler, space: Space, budget: number, f: (pt: number[]) => number, tpe: boolean): number {
  const history: Observation[] = [];
  const seen = new Set<string>();
  let best = -Infinity;
  let done = 0;
  while (done < budget) {
    const count = done === 0 ? (tpe ? Math.min(budget, TPE_DEFAULTS.startup) : budget) : Math.min(ROUND, budget - done);
    const round: { point: number[]; value: number }[] = [];
    let repeats = 0;
    while (round.length < count && repeats < 100) {
      const point = snap(space, sampler.propose(history));
      const key = point.join(',');
      if (seen.has(key)) {
        repeats++;
        continue;
      }
      seen.add(key);
      round.push({ point, value: f(point) });
    }
    for (const r of round) {
      history.push(r);
      if (r.value > best) best = r.value;
    }
    done += count;
    if (round.length === 0) break;
  }
  return best;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'tickfold-suite-'));
console.log(`search suite: ${PROBLEMS.length} problems, ${SEEDS} seeds, tpe rounds of ${ROUND}, budget 10% of the grid; ratio = best found / grid best (in-sample annual Sharpe)`);
console.log('problem                          grid  budget  grid best  tpe median  random median  tpe >= 0.99');
let passed = 0;
for (const p of PROBLEMS) {
  const t0 = performance.now();
  const { keys, sizes, values } = await gridObjective(p, dir);
  let gridBest = -Infinity;
  for (const v of values) if (v > gridBest) gridBest = v;
  const space: Space = keys.map((k, g) => (ORDINAL.has(k) ? { key: k, kind: 'int' as const, low: 0, high: sizes[g]! - 1, log: false } : { key: k, kind: 'choice' as const, choices: p.grid[k]!.map((_, i) => String(i)) }));
  const f = (pt: number[]): number => {
    let idx = 0;
    for (let g = 0; g < keys.length; g++) idx = idx * sizes[g]! + pt[g]!;
    const v = values[idx]!;
    return Number.isFinite(v) ? v : NaN;
  };
  const budget = Math.floor(values.length / 10);
  const tpe: number[] = [];
  const rnd: number[] = [];
  for (let s = 0; s < SEEDS; s++) {
    tpe.push(study(new TpeSampler(space, `suite:${p.name}:${s}`), space, budget, f, true) / gridBest);
    rnd.push(study(new RandomSampler(space, `suite:${p.name}:${s}`), space, budget, f, false) / gridBest);
  }
  const ok = median(tpe) >= 0.99;
  if (ok) passed++;
  console.log(
    `${p.name.padEnd(30)} ${String(values.length).padStart(6)}  ${String(budget).padStart(6)}  ${gridBest.toFixed(2).padStart(9)}  ${median(tpe).toFixed(4).padStart(10)}  ${median(rnd).toFixed(4).padStart(13)}  ${ok ? 'yes' : 'NO'}   (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
console.log(`${passed} of ${PROBLEMS.length} problems: tpe reaches 99% of the grid's best with 10% of its evaluations (median over ${SEEDS} seeds)`);
