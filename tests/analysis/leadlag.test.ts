import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

/**
 * Quotes of two symbols on one latent log price W: A quotes W, B quotes W as it was `lagMs`
 * earlier (B follows A), each at its own random times, with its own microstructure noise.
 */
function quotes(lagMs: number, seed: string, seconds = 1200): string {
  const rng = seedrandom(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const stepMs = 10;
  const W = [0];
  for (let k = 1; k < (seconds * 1000) / stepMs; k++) W.push(W[k - 1]! + 2e-5 * g());
  const at = (ms: number): number => W[Math.max(0, Math.min(W.length - 1, Math.floor(ms / stepMs)))]!;
  const rows: [number, string][] = [];
  const t0 = Date.UTC(2024, 0, 2, 14, 30);
  for (const [sym, rate, shift, base] of [
    ['AAA', 8, 0, 100],
    ['BBB', 5, lagMs, 50],
  ] as const) {
    for (let ms = 0; ms < seconds * 1000; ms += (-Math.log(1 - rng()) / rate) * 1000) {
      const mid = base * Math.exp(at(ms - shift) + 2e-6 * g());
      const bid = (Math.round(mid * 100) / 100 - 0.01).toFixed(2);
      const ask = (Math.round(mid * 100) / 100 + 0.01).toFixed(2);
      rows.push([t0 * 1000 + Math.round(ms * 1000), `${sym},${bid},${ask},1,1`]);
    }
  }
  rows.sort((x, y) => x[0] - y[0]);
  const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString().replace('Z', '') + String(us % 1000).padStart(3, '0') + 'Z';
  return 'ts,symbol,bid,ask,bid_size,ask_size\n' + rows.map(([us, r]) => `${iso(us)},${r}`).join('\n') + '\n';
}

describe('tickfold leadlag', () => {
  it('finds a planted 300 ms lead of AAA over BBB, by both estimators, with the bootstrap interval around it', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'q.csv'), quotes(300, 'lead'));
    const r = await runCliIn(['leadlag', '--data', join(d, 'q.csv'), '--symbols', 'AAA,BBB', '--grid', '100ms..2s', '--no-cache', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.hy.best.lagUs).toBe(300_000);
    expect(j.grid.best.lagUs).toBe(300_000);
    expect(j.hy.pNoLead).toBeLessThan(0.05);
    expect(j.hy.lagInterval[0]).toBeGreaterThan(0);
    expect(j.leader).toBe('AAA');
    expect(j.leadUs).toBe(300_000);
    // the other way round: BBB follows, so the lag is negative and AAA still leads
    const back = JSON.parse((await runCliIn(['leadlag', '--data', join(d, 'q.csv'), '--symbols', 'BBB,AAA', '--grid', '100ms..2s', '--no-cache', '--json', '-'])).stdout);
    expect(back.hy.best.lagUs).toBe(-300_000);
    expect(back.leader).toBe('AAA');
    const text = await runCliIn(['leadlag', '--data', join(d, 'q.csv'), '--symbols', 'AAA,BBB', '--grid', '100ms..2s', '--no-cache']);
    expect(text.stdout).toMatch(/verdict {2}AAA leads BBB by about 300ms/);
  });

  it('names no leader when the two move together, and is deterministic under its seed', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'q.csv'), quotes(0, 'together'));
    const args = ['leadlag', '--data', join(d, 'q.csv'), '--symbols', 'AAA,BBB', '--grid', '100ms..2s', '--no-cache', '--json', '-'];
    const a = await runCliIn(args);
    expect(a.code, a.stderr).toBe(0);
    const j = JSON.parse(a.stdout);
    expect(j.leader).toBeNull();
    expect(j.hy.best.lagUs).toBe(0);
    expect((await runCliIn(args)).stdout).toBe(a.stdout);
    expect((await runCliIn([...args, '--seed', '2'])).stdout).not.toBe(a.stdout);
  });

  it('refuses what it cannot do, saying why', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'q.csv'), quotes(0, 'x', 60));
    const cases: [string[], RegExp][] = [
      [['--symbols', 'AAA'], /must name two different symbols/],
      [['--symbols', 'AAA,BBB', '--grid', 'fast'], /--grid .*STEP\.\.LARGEST_LAG/],
      [['--symbols', 'AAA,BBB', '--grid', '1s..100ms'], /largest lag is shorter than the step/],
      [['--symbols', 'AAA,BBB', '--grid', '1ms..10s'], /10,000 lags a side, more than 1000/],
      [['--symbols', 'AAA,BBB', '--grid', '10s..5m'], /too few for lags of ±30 steps/],
      [['--symbols', 'AAA,BBC'], /symbol 'BBC' is not in the data; did you mean 'BBB'\?/],
      [['--symbols', 'AAA,BBB', '--bootstrap', '10'], /--bootstrap '10' is not a whole number from 100/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliIn(['leadlag', '--data', join(d, 'q.csv'), '--no-cache', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describeShared('tickfold leadlag on the Binance quotes', () => {
  it('BTCUSDT and ETHUSDT move together at 100 ms: no lead', async () => {
    const r = await runCliIn(['leadlag', '--data', shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv'), '--symbols', 'BTCUSDT,ETHUSDT', '--grid', '100ms..5s', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.hy.best.lagUs).toBe(0);
    expect(j.hy.best.corr).toBeGreaterThan(0.3);
    expect(j.leader).toBeNull();
  });
});
