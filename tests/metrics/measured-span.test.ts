/**
 * Statistics over the span where the strategy's symbols have data (issue 27, point 5): pairs on
 * GOOGL/GOOG of the 12-symbol ETF file (both from 2014-04-03) had Sharpe 0.27 over 5,849 daily
 * periods from 1998, of which 4,088 before either symbol existed; measured where they have data it
 * is 0.49 over 1,761. The run says what span that was.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const ETF = shared('us_equities_etfs_daily_1998_2021.csv');

/** Annualised Sharpe of simple returns (mean / sd with n − 1, × √252), by hand. */
function sharpe(eq: readonly number[], start: number): number {
  const r: number[] = [];
  for (let k = 0; k < eq.length; k++) r.push(eq[k]! / (k === 0 ? start : eq[k - 1]!) - 1);
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / (r.length - 1));
  return (m / sd) * Math.sqrt(252);
}

describeShared('statistics where the strategy has data', () => {
  it('run: pairs GOOGL/GOOG measured from 2014-04-03 over 1,761 periods, and says so', async () => {
    const d = tempDir();
    const r = await runCliIn(['run', '--strategy', 'pairs', '--param', 'symbols=GOOGL,GOOG', '--data', ETF, '--no-cache', '--json', join(d, 'r.json')]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
    expect(j.measured).toMatchObject({ from: '2014-04-03', symbols: ['GOOGL', 'GOOG'], basis: 'named', periods: 1761, periodsBefore: 4088 });
    expect(j.metrics.periods).toBe(1761);
    // the equity the JSON gives (every period from 1998): the Sharpe of the span's returns, by hand
    const ts: string[] = j.equity.ts;
    const eq: number[] = j.equity.equity;
    const k0 = ts.indexOf('2014-04-03');
    expect(k0).toBe(4088);
    expect(j.metrics.sharpeAnnualized).toBeCloseTo(sharpe(eq.slice(k0), eq[k0 - 1]!), 10);
    expect(j.metrics.sharpeAnnualized).toBeCloseTo(0.49, 2);
    // over the whole run it would have been diluted by 4,088 flat periods
    expect(sharpe(eq, 100_000)).toBeCloseTo(0.27, 2);
    expect(r.stdout).toContain('  measured       from 2014-04-03 (when the symbols it names (GOOGL, GOOG) have data, or its first fill): 1,761 of 5,849 periods; Sharpe, CAGR, volatility and PSR over this span');
    expect(r.stdout).toMatch(/Sharpe {9}0\.49 annualised .*; 1761 periods; PSR/);
    // a strategy that names no symbols and trades from the start: the whole run
    const m = await runCliIn(['run', '--strategy', 'momentum', '--data', ETF, '--no-cache']);
    expect(m.stdout).toContain('  measured       the whole run, 5,849 periods (the symbols it traded (12 symbols) have data from its start)');
  });

  it('walk-forward: the out-of-sample Sharpe, PSR and the edges over the baselines are measured from 2014-04-03', async () => {
    const d = tempDir();
    const r = await runCliIn(['walk-forward', '--strategy', 'pairs', '--param', 'symbols=GOOGL,GOOG', '--grid', 'entry=1.5,2', '--train', '3y', '--test', '1y', '--data', ETF, '--no-ledger', '--no-cache', '--json', join(d, 'wf.json')]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(d, 'wf.json'), 'utf8'));
    const byName = (
      n: string,
    ): {
      measured: { from: string; periods: number; periodsBefore: number };
      outOfSample: { metrics: { periods: number; returnFraction: number }; equity: { ts: string[]; equity: number[] } };
      vsBaselines: { baseline: string; baselineReturnPct: number; edgeReturnPct: number }[];
    } => j.strategies.find((s: { name: string }) => s.name === n);
    const pairs = byName('pairs');
    expect(pairs.measured).toMatchObject({ from: '2014-04-03', periods: 1761, periodsBefore: 3332 });
    expect(pairs.outOfSample.metrics.periods).toBe(1761);
    // the edge over buy-and-hold: both compounded over the span (buy-and-hold of GOOG, GOOGL from its start)
    const bh = byName('buy-and-hold');
    const e = bh.outOfSample.equity;
    const k0 = e.ts.indexOf('2014-04-03');
    const bhSpan = e.equity[e.equity.length - 1]! / e.equity[k0 - 1]! - 1;
    const edge = pairs.vsBaselines.find((b) => b.baseline === 'buy-and-hold')!;
    expect(edge.baselineReturnPct).toBeCloseTo(bhSpan, 10);
    expect(edge.edgeReturnPct).toBeCloseTo(pairs.outOfSample.metrics.returnFraction - bhSpan, 10);
    expect(r.stdout).toContain('  measured   pairs from 2014-04-03 (when the symbols it names (GOOGL, GOOG) have data, or its first fill): 1,761 of 5,093 periods');
  });
});
