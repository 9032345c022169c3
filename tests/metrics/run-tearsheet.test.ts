import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const EU = join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv');

/** Closes of a symbol in the EuStockMarkets file, in time order (read by hand, not by tickfold). */
function closes(symbol: string): number[] {
  return readFileSync(EU, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[1] === symbol)
    .map((c) => Number(c[5]));
}

describe('the tearsheet in run and walk-forward reports', () => {
  it('run: the figures agree with the report itself and with the data read by hand; --benchmark is a buy-and-hold from the first close', async () => {
    const r = await runCliIn(['run', '--data', EU, '--strategy', 'buy-and-hold', '--param', 'symbol=DAX', '--benchmark', 'CAC', '--no-cache', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const t = j.tearsheet;
    expect(t.totalReturn).toBeCloseTo(j.metrics.returnFraction, 12);
    expect(t.maxDrawdown).toBeCloseTo(j.metrics.maxDrawdownFraction, 12);
    const cac = closes('CAC');
    const dax = closes('DAX');
    expect(t.benchmarkSymbols).toEqual(['CAC']);
    expect(t.benchmarkIs).toBe('given');
    expect(t.benchmark.totalReturn).toBeCloseTo(cac.at(-1)! / cac[0]! - 1, 12);
    expect(t.buyAndHoldTraded).toBeCloseTo(dax.at(-1)! / dax[0]! - 1, 12);
    // equity: the initial capital, then one point per period
    expect(t.points).toBe(j.equity.equity.length + 1);
    const e = [100_000, ...j.equity.equity];
    const rets = e.slice(1).map((v: number, k: number) => v / e[k]! - 1);
    expect(t.bestPeriod.ret).toBe(Math.max(...rets));
    expect(t.worstPeriod.ret).toBe(Math.min(...rets));
    expect(t.drawdowns.top5[0].depth).toBeCloseTo(j.metrics.maxDrawdownFraction, 12);
    // a year's return from its months
    const months = Object.entries(t.monthly['1995'] as Record<string, number>).filter(([k]) => k !== 'year');
    expect(months).toHaveLength(12);
    expect(months.reduce((g, [, v]) => g * (1 + v), 1) - 1).toBeCloseTo(t.monthly['1995'].year, 12);
    // and the text says it
    const text = (await runCliIn(['run', '--data', EU, '--strategy', 'buy-and-hold', '--param', 'symbol=DAX', '--benchmark', 'CAC', '--no-cache'])).stdout;
    expect(text).toMatch(/returns {8}total \+239\.22%; CAGR 18\.\d\d% \(calendar\)/);
    expect(text).toMatch(/vs benchmark {3}buy-and-hold of CAC \(given\) \+125\.35%; beta 0\.68/);
  });

  it('the default benchmark is the traded symbols; a wrong --benchmark is refused with "did you mean"', async () => {
    const ok = await runCliIn(['run', '--data', EU, '--strategy', 'momentum', '--param', 'symbol=DAX,CAC', '--no-cache', '--json', '-']);
    expect(ok.code, ok.stderr).toBe(0);
    const t = JSON.parse(ok.stdout).tearsheet;
    expect(t.benchmarkSymbols).toEqual(['CAC', 'DAX']);
    expect(t.benchmarkIs).toBe('traded symbols');
    for (const args of [
      ['run', '--strategy', 'flat'],
      ['walk-forward', '--strategy', 'momentum', '--grid', 'lookback=10,20', '--train', '2y', '--test', '1y', '--no-ledger'],
    ]) {
      const bad = await runCliIn([...args, '--data', EU, '--benchmark', 'CAX', '--no-cache']);
      expect(bad.code, args[0]).toBe(2);
      expect(bad.stderr).toMatch(/--benchmark CAX: not a symbol of the data; did you mean 'CAC'\?/);
    }
  });

  it('is robust on tiny data: two trades of one symbol give a report, with n/a where a figure cannot be had', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'two.csv'), 'ts,symbol,price,size\n2024-01-15T09:30:00Z,A,1,1\n2024-07-15T09:30:00Z,A,2,1\n');
    for (const s of ['flat', 'buy-and-hold']) {
      const r = await runCliIn(['run', '--strategy', s, '--data', join(d, 'two.csv'), '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/vs benchmark {3}buy-and-hold of A \((traded|all) symbols\) \+100\.00%; beta n\/a/);
    }
  });

  it('walk-forward: every strategy out of sample has a tearsheet against one benchmark', async () => {
    const r = await runCliIn(['walk-forward', '--data', EU, '--strategy', 'momentum', '--param', 'symbol=DAX', '--grid', 'lookback=10,20', '--train', '2y', '--test', '1y', '--no-cache', '--no-ledger', '--workers', '1', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const s of j.strategies) {
      expect(s.tearsheet.benchmarkSymbols, s.name).toEqual(['DAX']);
      expect(s.tearsheet.totalReturn, s.name).toBeCloseTo(s.outOfSample.metrics?.returnFraction ?? s.tearsheet.totalReturn, 12);
    }
    const bh = j.strategies.find((s: { name: string }) => s.name === 'buy-and-hold');
    expect(bh.tearsheet.benchmark.beta).toBeGreaterThan(0.9);
  });
});
