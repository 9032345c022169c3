/**
 * A walk-forward's fold table counts the round trips each fold entered (issue 27, point 13): with
 * --fold-edge close a fold's position is closed at the next fold's first event, so counted by exit
 * the first fold showed "0 trades" beside the fees of its entry, and each later fold its
 * predecessor's trade. buy-and-hold on GOOG, 2-year training, 1-year test windows: each fold buys
 * once and is closed at the next fold's start, so each fold entered exactly one round trip (the
 * last one still open at the end).
 */
import { expect, it } from 'vitest';
import { describeShared, shared } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describeShared('the fold table counts the round trips a fold entered', () => {
  it('buy-and-hold on GOOG with fees: one round trip per fold, in the fold that entered it, and the table says so', async () => {
    const args = ['walk-forward', '--strategy', 'buy-and-hold', '--grid', 'fraction=0.5,1', '--data', shared('goog_daily_2004_2013.csv'), '--train', '2y', '--test', '1y', '--fee', '5', '--no-ledger', '--baselines', 'none', '--no-cache'];
    const r = await runCliIn([...args, '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    const s = j.strategies[0];
    expect(s.foldTradesCountedBy).toEqual({ inSample: 'exit', outOfSample: 'entry' });
    const folds = s.folds as { testStart: string; outOfSample: { trades: number; openTrades: number; feesPaid: number } }[];
    expect(folds.length).toBe(7);
    folds.forEach((f, k) => {
      expect(f.outOfSample.feesPaid).toBeGreaterThan(0);
      // closed trades for every fold but the last, whose trade is open at the end of the data
      expect([f.outOfSample.trades, f.outOfSample.openTrades]).toEqual(k < folds.length - 1 ? [1, 0] : [0, 1]);
    });
    // the folds' round trips are the run's, none lost or counted twice
    expect(folds.reduce((n, f) => n + f.outOfSample.trades, 0)).toBe(s.outOfSample.metrics.trades);
    const text = (await runCliIn(args)).stdout;
    expect(text).toMatch(/fold {2}test window .* OOS fees {2}trades entered/);
    expect(text).toMatch(/\n {2}1 {5}2006-08-20T12:00:00Z \+365d 6h {2}fraction=1 .* 1\n/);
    expect(text).toContain("trades entered: the round trips the fold opened (closed at the next fold's start when still open); OOS return and fees: over the fold's time");
  });
});
