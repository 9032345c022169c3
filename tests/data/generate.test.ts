import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAIR, generatePair } from '../../src/data/generate.js';
import { loadData } from '../../src/data/load.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describe('data generate', () => {
  it('the bundled samples are exactly what their documented commands produce', async () => {
    const d = tempDir();
    expect((await runCliIn(['data', 'generate', '--out', d])).code).toBe(0);
    expect((await runCliIn(['data', 'generate', '--out', d, '--name', 'sample_pair_break', '--regime-break', '0.6', '--events', '40000', '--no-trades'])).code).toBe(0);
    for (const f of ['sample_pair_quotes.csv', 'sample_pair_trades.csv', 'sample_pair_break_quotes.csv']) {
      expect(readFileSync(join(d, f)).equals(readFileSync(join(ROOT, 'data', f))), f).toBe(true);
    }
  });
  it('another seed gives other data; the same seed the same bytes', () => {
    const d = tempDir();
    const opts = { ...DEFAULT_PAIR, events: 2000 };
    generatePair(opts, join(d, 'a.csv'));
    generatePair(opts, join(d, 'b.csv'));
    generatePair({ ...opts, seed: 7 }, join(d, 'c.csv'));
    expect(readFileSync(join(d, 'a.csv')).equals(readFileSync(join(d, 'b.csv')))).toBe(true);
    expect(readFileSync(join(d, 'a.csv')).equals(readFileSync(join(d, 'c.csv')))).toBe(false);
  });
  it('the pair is cointegrated with the chosen hedge ratio before a break, not after', async () => {
    const d = tempDir();
    const g = generatePair({ ...DEFAULT_PAIR, events: 40_000, regimeBreak: 0.5 }, join(d, 'q.csv'));
    const { table } = await loadData([join(d, 'q.csv')], { cache: false });
    // last mid of each leg on a 1-minute grid
    const mids: [number, number][] = [];
    const last = [NaN, NaN];
    let next = table.ts[0]! + 60e6;
    const split: number[] = [];
    for (let i = 0; i < table.length; i++) {
      while (table.ts[i]! >= next) {
        if (!Number.isNaN(last[0]!) && !Number.isNaN(last[1]!)) mids.push([last[0]!, last[1]!]);
        if (next >= g.breakUs! && split.length === 0) split.push(mids.length);
        next += 60e6;
      }
      last[table.sym[i]!] = (table.f0[i]! + table.f1[i]!) / 2;
    }
    const slope = (rows: [number, number][]): number => {
      const x = rows.map((r) => Math.log(r[0]));
      const y = rows.map((r) => Math.log(r[1]));
      const mx = x.reduce((a, b) => a + b) / x.length;
      const my = y.reduce((a, b) => a + b) / y.length;
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < x.length; i++) {
        sxy += (x[i]! - mx) * (y[i]! - my);
        sxx += (x[i]! - mx) ** 2;
      }
      return sxy / sxx;
    };
    // the differenced relation: Δln B ≈ β Δln A (the spread's OU noise averages out)
    const diffSlope = (rows: [number, number][]): number => {
      const dx: [number, number][] = [];
      for (let i = 1; i < rows.length; i++) dx.push([Math.exp(Math.log(rows[i]![0]) - Math.log(rows[i - 1]![0])), Math.exp(Math.log(rows[i]![1]) - Math.log(rows[i - 1]![1]))]);
      return slope(dx);
    };
    const before = mids.slice(0, split[0]);
    const after = mids.slice(split[0]);
    expect(diffSlope(before)).toBeGreaterThan(0.6);
    expect(diffSlope(before)).toBeLessThan(1.0);
    expect(diffSlope(after)).toBeGreaterThan(1.0);
    expect(slope(before)).toBeGreaterThan(0);
  });
  it('bad options are usage errors', async () => {
    const r = await runCliIn(['data', 'generate', '--out', tempDir(), '--regime-break', '1.5']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("--regime-break '1.5' is not a fraction between 0 and 1");
  });
});
