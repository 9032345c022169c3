import { parseDuration } from '../../src/data/time.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { runJob } from '../../src/jobs/run.js';
import type { BasketDiagnostics } from '../../strategies/basket.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

/**
 * Daily bars of three symbols: A and B random walks (2% a day), C = exp(0.6 ln A + 0.5 ln B + u) with u an
 * AR(1) (phi 0.9): the basket (C, A, B) is cointegrated with vector (1, −0.6, −0.5).
 */
function basketCsv(days: number, seed: string, tied = true): string {
  const rng = seedrandom(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  let la = Math.log(100);
  let lb = Math.log(50);
  let u = 0;
  let lc = Math.log(80);
  const rows = ['ts,symbol,open,high,low,close,volume'];
  for (let d = 0; d < days; d++) {
    la += 0.02 * g();
    lb += 0.02 * g();
    u = 0.9 * u + 0.004 * g();
    lc += 0.01 * g();
    const ts = new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    for (const [s, lp] of [
      ['A', la],
      ['B', lb],
      ['C', tied ? 0.6 * la + 0.5 * lb + u + 1 : lc],
    ] as const) {
      const p = Math.exp(lp).toFixed(4);
      rows.push(`${ts},${s},${p},${p},${p},${p},1000000`);
    }
  }
  return rows.join('\n') + '\n';
}

/** No fees or slippage (the default execution): the test is of the signal, not of costs. */
const job = (file: string, params: Record<string, string>) => runJob([file], { cache: false }, { strategy: BUILTIN_STRATEGIES.get('basket')!, params, execution: DEFAULT_EXECUTION, initialCapital: 100_000, seed: '1', periodUs: parseDuration('1d') });

describe('basket (Johansen spread of two or more symbols)', () => {
  it('on a planted three-symbol relation: finds the vector, and trades its mean reversion at a profit', async () => {
    const d = tempDir();
    const file = join(d, 'basket.csv');
    writeFileSync(file, basketCsv(1200, 'basket'));
    const o = await job(file, { symbols: 'C,A,B', formation: '500', refit: '20' });
    const s = o.record.strategySummary as BasketDiagnostics;
    expect(s.symbols).toEqual(['C', 'A', 'B']);
    expect(s.weights.C).toBe(1);
    // estimated on the last 500 days only: within sampling error of the planted (1, -0.6, -0.5)
    expect(Math.abs(s.weights.A! + 0.6)).toBeLessThan(0.08);
    expect(Math.abs(s.weights.B! + 0.5)).toBeLessThan(0.08);
    expect(s.lastRank).toBeGreaterThanOrEqual(1);
    expect(s.entries).toBeGreaterThan(10);
    expect(o.metrics.pnlNet).toBeGreaterThan(0);
    // legs sized by the vector: at an entry, C's notional is about 1/2.1 of the gross, opposite in sign to A's and B's
    const fills = o.record.fills.rows();
    const first = fills.filter((f) => f.ts === fills[0]!.ts);
    const notional = Object.fromEntries(first.map((f) => [f.symbol, (f.side === 'buy' ? 1 : -1) * f.qty * f.price]));
    const gross = Object.values(notional).reduce((a, v) => a + Math.abs(v), 0);
    expect(Math.abs(notional.C!) / gross).toBeCloseTo(1 / 2.1, 1);
    expect(Math.sign(notional.C!)).toBe(-Math.sign(notional.A!));
    expect(Math.sign(notional.A!)).toBe(Math.sign(notional.B!));
  });

  it('with the rank gate, stays out of independent random walks', async () => {
    const d = tempDir();
    const file = join(d, 'walks.csv');
    const csv = basketCsv(1000, 'walks', false);
    writeFileSync(file, csv);
    const gated = (await job(file, { symbols: 'C,A,B', formation: '250', rankGate: 'true' })).record.strategySummary as BasketDiagnostics;
    const open = (await job(file, { symbols: 'C,A,B', formation: '250' })).record.strategySummary as BasketDiagnostics;
    expect(gated.gateOpenShare).toBeLessThan(0.5);
    expect(gated.entries).toBeLessThan(open.entries);
  });

  it('refuses a basket of one symbol, a symbol not in the data, and exit >= entry', async () => {
    const eu = join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv');
    for (const [params, re] of [
      [['symbols=DAX'], /basket needs 2 to 12 different symbols/],
      [['symbols=DAX,CAX'], /symbol 'CAX' is not in the data/],
      [['exit=2', 'entry=1'], /need exit < entry < stop/],
    ] as const) {
      const r = await runCliIn(['run', '--data', eu, '--strategy', 'basket', ...params.flatMap((p) => ['--param', p])]);
      expect(r.code, r.stderr).not.toBe(0);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
