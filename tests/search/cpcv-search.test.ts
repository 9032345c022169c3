/**
 * CPCV with a search (issue 33): in each CPCV split a sampler of its own, seeded from the run's
 * seed, the strategy and the split, searches on the split's training groups, and the split chooses
 * among its own trials only; every trial (the folds' and the splits') is counted: DSR's N, PBO's
 * columns, the ledger; the same bytes on 1 and 2 threads; halving (shares of one window) refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { twoSymbolBars } from '../validation/truth.js';
import { RandomSampler } from '../../src/search/random.js';
import { parseSpace, pointValues, snap } from '../../src/search/space.js';
import { planCpcv, trainRows } from '../../src/validation/cpcv.js';
import { sharpePerPeriod } from '../../src/metrics/returns.js';

const dir = tempDir();
const data = join(dir, 'planted.csv');
const SPACE = ['entry=float:0.8..3', 'lookback=int:10..200:log'];
const TRIALS = 6;
const args = (out: string, ...extra: string[]): string[] => [
  'walk-forward',
  '--strategy',
  'pairs',
  '--data',
  data,
  '--train',
  '600rows',
  '--test',
  '600rows',
  '--period',
  '15m',
  '--no-cache',
  '--baselines',
  'flat',
  '--bootstrap',
  '200',
  '--search',
  'random',
  '--trials',
  String(TRIALS),
  ...SPACE.flatMap((s) => ['--space', s]),
  '--cpcv',
  '4:2',
  '--seed',
  '7',
  '--quiet',
  '--json',
  out,
  ...extra,
];
const body = (p: string): string => readFileSync(p, 'utf8').replace(/"argv": \[[^\]]*\]/, '');

interface Report {
  strategies: {
    name: string;
    verdict: string;
    overfitting: { trials: number; configurations: number; ledgerConfigurations?: number; inSamplePeriods: number; search?: { evaluations: number; fullBudget: number; spa: { trials: number; periods: number } | null }; pbo: { rankCounts: number[] } | null };
    trials: { label: string; returns: number[] }[];
    cpcv: { splits: number; chosenBySplit: string[]; search?: { method: string; trialsPerSplit: number[]; newTrials: number } };
    study: { evaluations: { label: string }[] };
  }[];
}

beforeAll(() => writeFileSync(data, twoSymbolBars('planted', 1800, 'cpcv-search')));

describe('CPCV with a search', () => {
  it('each split searches on its own training groups with its own seeded sampler and chooses among its own trials; every trial counted in DSR, PBO and the ledger; 1 and 2 threads give the same bytes', async () => {
    const one = join(dir, 'one.json');
    const two = join(dir, 'two.json');
    const ledger = join(dir, 'ledger.sqlite');
    const r1 = await runCliIn([...args(one, '--workers', '1', '--ledger', ledger)], ROOT);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    const ledger2 = join(dir, 'ledger2.sqlite');
    const r2 = await runCliIn([...args(two, '--workers', '2', '--ledger', ledger2)], ROOT);
    expect(r2.code).toBe(0);
    const rep = JSON.parse(readFileSync(one, 'utf8')) as Report;
    const p = rep.strategies.find((s) => s.name === 'pairs')!;
    const space = parseSpace(SPACE);
    const labelOf = (v: Record<string, string>): string => space.map((d) => `${d.key}=${String(Number(v[d.key]))}`).join(',');
    const T = p.trials[0]!.returns.length;
    const plan = planCpcv(T, 4, 2, 0, 0);
    expect(p.cpcv.splits).toBe(6);
    expect(p.cpcv.search).toMatchObject({ method: 'random', trialsPerSplit: new Array(6).fill(TRIALS) });
    const byLabel = new Map(p.trials.map((t) => [t.label, t]));
    let restricted = 0;
    plan.splits.forEach((sp, k) => {
      // split k's own trials: its sampler's draws, seeded from the run's seed, the strategy and the split
      const sampler = new RandomSampler(space, `7:search:pairs:cpcv split ${k + 1}`);
      const own = Array.from({ length: TRIALS }, () => labelOf(pointValues(space, snap(space, sampler.propose()))));
      for (const l of own) expect(byLabel.has(l)).toBe(true);
      const rows = trainRows(sp);
      // NaN (a trial that never traded) loses
      const score = (l: string): number => {
        const v = sharpePerPeriod(rows.map((i) => byLabel.get(l)!.returns[i]!));
        return Number.isNaN(v) ? -Infinity : v;
      };
      const best = (labels: string[]): string => labels.reduce((a, b) => (score(b) > score(a) ? b : a));
      // chosen among its own, by the Sharpe over its training groups
      expect(p.cpcv.chosenBySplit[k]).toBe(best(own));
      if (best([...byLabel.keys()]) !== best(own)) restricted++;
    });
    // on at least one split the best of all trials is not among the split's own (else this test could not tell)
    expect(restricted).toBeGreaterThan(0);
    // every trial counted: the folds' and the splits' new ones, in DSR's N, PBO's columns and the ledger
    const foldLabels = new Set(p.study.evaluations.map((e) => e.label));
    expect(p.trials.length).toBe(foldLabels.size + p.cpcv.search!.newTrials);
    expect(p.cpcv.search!.newTrials).toBeGreaterThan(0);
    expect(p.overfitting.trials).toBe(p.trials.length);
    expect(p.overfitting.ledgerConfigurations).toBe(p.trials.length);
    expect(p.overfitting.search!.fullBudget).toBe(p.trials.length);
    // the Reality Check over the search is over them all too, on DSR's in-sample periods (search/trials-spa.ts)
    expect(p.overfitting.search!.spa!.trials).toBe(p.trials.length);
    expect(p.overfitting.search!.spa!.periods).toBe(p.overfitting.inSamplePeriods);
    expect(p.overfitting.pbo!.rankCounts.length).toBe(p.trials.length);
    expect(p.verdict).toContain(`the random search spent ${p.trials.length} trials`);
    // the same bytes on 2 threads (each with its own ledger: its path aside)
    expect(body(two).replaceAll(ledger2, 'LEDGER')).toBe(body(one).replaceAll(ledger, 'LEDGER'));
    // a search of an earlier command on the same data counts (the ledger): another seed, the same ledger
    const three = join(dir, 'three.json');
    const r3 = await runCliIn(
      [...args(three, '--workers', '1', '--ledger', ledger)].map((a) => (a === '7' ? '8' : a)),
      ROOT,
    );
    expect(r3.code, r3.stderr).toBe(0);
    const q = (JSON.parse(readFileSync(three, 'utf8')) as Report).strategies.find((s) => s.name === 'pairs')!;
    const both = new Set([...p.trials.map((t) => t.label), ...q.trials.map((t) => t.label)]).size;
    expect(q.overfitting.ledgerConfigurations).toBe(both);
    expect(q.overfitting.configurations).toBe(both);
    expect(q.verdict).toContain(`DSR ${q.verdict.match(/DSR (\S+)/)![1]} over ${both} configurations (ledger; this command ${q.trials.length})`);
  });

  it('refuses halving with --cpcv: its budgets are shares of one contiguous training window', async () => {
    const r = await runCliIn(
      args(join(dir, 'h.json'), '--workers', '1', '--no-ledger').map((a) => (a === 'random' ? 'halving' : a === String(TRIALS) ? '9' : a)),
      ROOT,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/halving search chooses on shares \(1\/9, 1\/3\) of one training window; CPCV splits' training sets are not one window: use --search tpe or random/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
