/**
 * The verdict after a search, at a small trial count through the command the benchmark runs
 * (bench/search-verdicts.ts: one 60/40 split, 15m periods, the flat baseline, a tpe search, its
 * own ledger): on planted data (the benchmark's modest spread) it calls the edge "likely real",
 * on noise it does not; and every input of the Deflated Sharpe comes from the ledger: N is the
 * ledger's count of trials on this data, V the variance of the Sharpes it holds, T the in-sample
 * periods each trial was recorded with, and the DSR recomputed from those (STATS.md) is the
 * report's. A second search on the same data and ledger counts the first one's trials too; one
 * at another period has the first one's Sharpes in its own period (a 15m Sharpe is half an
 * hourly one: V of a mix of the two was inflated).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { MODEST_SPREAD, twoSymbolBars } from '../validation/truth.js';
import { deflatedSharpe, expectedMaxZ } from '../../src/metrics/sharpe-inference.js';
import { kurtosisNonExcess, sharpePerPeriod, skewness, stdev } from '../../src/metrics/returns.js';

const dir = tempDir();
const TRIALS = 24;
const SPACE = ['--space', 'entry=float:0.8..3', '--space', 'lookback=int:10..200:log', '--space', 'exit=float:0..0.6', '--space', 'hedge=choice:rolling,kalman'];
const search = (data: string, ledger: string, json: string, ...extra: string[]): string[] => [
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
  'tpe',
  '--trials',
  String(TRIALS),
  ...SPACE,
  '--workers',
  '1',
  '--ledger',
  ledger,
  '--json',
  json,
  ...extra,
];

interface Strategy {
  verdict: string;
  verdictClass: string;
  overfitting: {
    configurations: number;
    commandConfigurations: number;
    ledgerConfigurations: number | null;
    trialSharpeVariance: number;
    inSamplePeriods: number;
    dsr: number;
    sr0: number;
    expectedMaxZ: number;
    bestTrial: { index: number; sharpeAnnualized: number; dsr: number };
  };
  outOfSample: { metrics: { periodsPerYear: number } };
  trials: { index: number; returns: number[] }[];
}
const first = (p: string): Strategy => (JSON.parse(readFileSync(p, 'utf8')) as { strategies: Strategy[] }).strategies[0]!;

type Db = { prepare(q: string): { all(): { s: number | null; periods: number }[] }; close(): void };
const ledgerRows = (path: string): { s: number | null; periods: number }[] => {
  const Database = createRequire(import.meta.url)('better-sqlite3') as new (p: string, o: object) => Db;
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT is_sharpe AS s, periods FROM trials').all();
  db.close();
  return rows;
};

/** Every DSR input of the report is the ledger's, and the DSR recomputed from them is the report's. */
function expectDsrFromLedger(s: Strategy, ledger: string): void {
  const rows = ledgerRows(ledger);
  const of = s.overfitting;
  // N: the ledger's count, named in the verdict
  expect(of.configurations).toBe(rows.length);
  expect(of.ledgerConfigurations).toBe(rows.length);
  expect(s.verdict).toContain(`over ${rows.length} configurations (ledger; this command ${of.commandConfigurations})`);
  // V: the variance (ddof 1) of the ledger's in-sample Sharpes per period
  const sharpes = rows.map((r) => r.s).filter((x): x is number => x !== null);
  expect(sharpes.length).toBeGreaterThan(rows.length / 2);
  expect(of.trialSharpeVariance).toBeCloseTo(stdev(sharpes) ** 2, 12);
  // T: every trial was recorded over the report's in-sample periods (60% of 200 periods of 15m)
  expect(of.inSamplePeriods).toBe(120);
  for (const r of rows) expect(r.periods).toBe(120);
  // SR0 = √V · E[max_N] at the ledger's N (expectedMaxZ is checked against the papers' examples in tests/metrics)
  expect(of.expectedMaxZ).toBe(expectedMaxZ(rows.length));
  expect(of.sr0).toBeCloseTo(stdev(sharpes) * of.expectedMaxZ, 12);
  // the best trial's in-sample returns: its Sharpe, skewness and kurtosis give the report's DSR
  const best = s.trials.find((t) => t.index === of.bestTrial.index)!;
  const is = Float64Array.from(best.returns.slice(0, of.inSamplePeriods));
  const sr = sharpePerPeriod(is);
  expect(sr * Math.sqrt(s.outOfSample.metrics.periodsPerYear)).toBeCloseTo(of.bestTrial.sharpeAnnualized, 9);
  const d = deflatedSharpe(sr, is.length, skewness(is), kurtosisNonExcess(is), rows.length, stdev(sharpes) ** 2);
  expect(of.dsr).toBeCloseTo(d.dsr, 9);
}

const planted = join(dir, 'planted.csv');
const noise = join(dir, 'noise.csv');
beforeAll(() => {
  // 3,000 minutes: 200 periods of 15m, 120 in sample
  writeFileSync(planted, twoSymbolBars('planted', 3000, 'verdict-test-planted', MODEST_SPREAD));
  writeFileSync(noise, twoSymbolBars('noise', 3000, 'verdict-test-noise'));
});

describe('the verdict after a search, its DSR inputs from the ledger', () => {
  it(`planted data: "likely real" after ${TRIALS} tpe trials, N, V, T and the DSR from the ledger; a second search on the same ledger counts both`, async () => {
    const ledger = join(dir, 'planted.sqlite');
    const r = await runCliIn(search(planted, ledger, join(dir, 'planted.json')));
    expect(r.code, r.stderr).toBe(0);
    const s = first(join(dir, 'planted.json'));
    expect(s.verdictClass).toBe('likely real');
    expect(s.overfitting.commandConfigurations).toBe(TRIALS);
    expect(s.verdict).toContain(`the tpe search spent ${TRIALS} trials`);
    expectDsrFromLedger(s, ledger);
    // another seed, the same data and ledger: N and V over both searches' trials
    const again = await runCliIn(search(planted, ledger, join(dir, 'planted2.json'), '--seed', 'another'));
    expect(again.code, again.stderr).toBe(0);
    const s2 = first(join(dir, 'planted2.json'));
    expect(s2.overfitting.commandConfigurations).toBe(TRIALS);
    expect(s2.overfitting.configurations).toBeGreaterThan(TRIALS);
    expectDsrFromLedger(s2, ledger);
  });

  it(`noise data: not "likely real" after ${TRIALS} tpe trials, with the same DSR inputs from the ledger`, async () => {
    const ledger = join(dir, 'noise.sqlite');
    const r = await runCliIn(search(noise, ledger, join(dir, 'noise.json')));
    expect(r.code, r.stderr).toBe(0);
    const s = first(join(dir, 'noise.json'));
    expect(s.verdictClass).not.toBe('likely real');
    expect(s.overfitting.dsr).toBeLessThan(0.95);
    expect(s.overfitting.configurations).toBe(TRIALS);
    expectDsrFromLedger(s, ledger);
  });

  it('a search at 1h after one at 15m on the same ledger: N counts both, V is over Sharpes per hour (the 15m ones x 2)', async () => {
    const ledger = join(dir, 'periods.sqlite');
    const set: Record<string, string> = { '--search': 'random', '--trials': '12' };
    const at = (period: string, json: string): string[] => search(planted, ledger, json).map((a, i, all) => (all[i - 1] === '--period' ? period : (set[all[i - 1]!] ?? a)));
    const a = await runCliIn(at('15m', join(dir, 'p15.json')));
    expect(a.code, a.stderr).toBe(0);
    const b = await runCliIn(at('1h', join(dir, 'p60.json')));
    expect(b.code, b.stderr).toBe(0);
    const first15 = first(join(dir, 'p15.json'));
    const s = first(join(dir, 'p60.json'));
    const rows = ledgerRows(ledger);
    expect(s.overfitting.configurations).toBe(rows.length);
    expect(rows.filter((r) => r.periods === 120)).toHaveLength(first15.overfitting.commandConfigurations);
    const perHour = rows.filter((r) => r.s !== null).map((r) => (r.periods === 120 ? r.s! * 2 : r.s!));
    expect(s.overfitting.trialSharpeVariance).toBeCloseTo(stdev(perHour) ** 2, 12);
  });
});
