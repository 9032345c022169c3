/**
 * The buy-and-hold baseline holds equal weights of the traded symbols that have data, each bought
 * when its data starts (issue 27, point 4: on the 12-symbol ETF file it waited for GOOG, 2014,
 * and sat in cash every fold from 2001 to 2013), and the reports say what it held from when.
 */
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeShared, fixture, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describeShared('buy-and-hold: equal weights of the symbols with data', () => {
  it('a symbol whose data starts later: the figure by hand', async () => {
    // tests/fixtures/good/late_start_daily.csv (make_late_start_daily.mjs): daily bars, open = close,
    // A 10 10 12 12 15 15, B 20 20 20 10 10 10, C from day 3: 50 50 40 40. A market order fills
    // at the symbol's next bar's open. Capital 100,000.
    // - day 1: A and B have data (C, traded too, may start at the same time: wait). Day 2 (a later
    //   time): buy 50,000 of each, filled day 3: A 50,000 / 12 = 4,166.67 units, B 50,000 / 20 =
    //   2,500 units.
    // - day 3: C's data starts, every symbol now has data: at once, equity = 4,166.67 × 12 +
    //   2,500 × 20 = 100,000, a third each, 33,333.33: A sells 16,666.67 / 12 = 1,388.89 units,
    //   B 16,666.67 / 20 = 833.33, filled day 4 at 12 and 10: cash 16,666.67 + 8,333.33 = 25,000.
    // - day 4, both sells filled (at B's bar): equity = 2,777.78 × 12 + 1,666.67 × 10 + 25,000 =
    //   75,000; C buys a third, 25,000 (all the cash), filled day 5 at 40: 625 units.
    // - the end (day 6): 2,777.78 × 15 + 1,666.67 × 10 + 625 × 40 + 0 = 41,666.67 + 16,666.67 +
    //   25,000 = 83,333.33: PnL −16,666.67. (The old rule waited for C and bought all three on
    //   day 4 at 12, 10 and 50: 33,333.33 × (15/12 + 10/10 + 40/50) − 100,000 = −6,666.67.)
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', fixture('good/late_start_daily.csv'), '--period', '1d', '--no-cache', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.metrics.pnlNet).toBeCloseTo(-16_666.666_667, 4);
    expect(j.metrics.fills).toBe(5);
    expect(j.holdings.map((h: { symbol: string; from: string }) => `${h.symbol} ${h.from}`)).toEqual(['A 2024-01-03', 'B 2024-01-03', 'C 2024-01-05']);
    const d = tempDir();
    const text = (await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', fixture('good/late_start_daily.csv'), '--period', '1d', '--no-cache', '--report', join(d, 'r.html')])).stdout;
    expect(readFileSync(join(d, 'r.html'), 'utf8')).toContain('holds (equal weights of the symbols with data)</td><td class="wrap">A, B from 2024-01-03; C from 2024-01-05; all held to the end');
    expect(text).toContain('holds          equal weights of the symbols with data: A, B from 2024-01-03; C from 2024-01-05; all held to the end');
  });

  it('walk-forward on the 12-symbol ETF file: the baseline holds what exists from the first out-of-sample day, GOOG and GOOGL from 2014', async () => {
    const d = tempDir();
    const r = await runCliIn(['walk-forward', '--strategy', 'momentum', '--grid', 'lookback=20,60', '--train', '3y', '--test', '1y', '--data', shared('us_equities_etfs_daily_1998_2021.csv'), '--no-ledger', '--no-cache', '--json', join(d, 'wf.json')]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(readFileSync(join(d, 'wf.json'), 'utf8'));
    expect(r.stdout).toMatch(/buy-and-hold holds equal weights of the symbols with data: AAPL, AIG, BAC, IBM, SPY, IWM from 2001-01-03; EEM from 2003-04-\d\d; .*GOOG, GOOGL from 2014-04-\d\d; all held to the end \(sold at each fold edge/);
    const bh = j.strategies.find((s: { name: string }) => s.name === 'buy-and-hold');
    const from = Object.fromEntries(bh.holdings.map((h: { symbol: string; from: string }) => [h.symbol, h.from.slice(0, 10)]));
    for (const s of ['AAPL', 'AIG', 'BAC', 'IBM', 'SPY', 'IWM']) expect(from[s]).toBe('2001-01-03');
    expect(from.GOOG! >= '2014-04-03' && from.GOOG! < '2014-04-15').toBe(true);
    expect(from.GOOGL).toBe(from.GOOG);
    // invested in every fold (it made 0.00% in each fold of 2001-2013 while it waited for GOOG)
    for (const f of bh.folds) expect(Math.abs(f.outOfSample.returnFraction)).toBeGreaterThan(0);
  });
});
