/**
 * A bar's path (broker/bar-path.ts, Venue.matchBar): the orders working on a bar are tried in the
 * order the bar reaches their prices, and the legs a fill attaches are tried on the rest of the
 * bar. D1 and D2 of issue 28, by hand on GOOG's daily bars, through the CLI (the real file) and on
 * the same rows inline (runs without ../shared).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { B, run, scripted, tableOf } from '../engine/harness.js';
import { describeShared, fixture, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import type { OrderRequest } from '../../src/strategy/types.js';

const STRATEGY = fixture('good/orders-by-date.mjs');
const GOOG = shared('goog_daily_2004_2013.csv');

/** `tickfold run` of orders-by-date on GOOG: the round trips of --trades, as [entry, exit, entry price, exit price, net pnl]. */
async function trips(orders: Record<string, unknown[]>, ...more: string[]): Promise<(string | number)[][]> {
  const d = tempDir();
  const r = await runCliIn(['run', '--strategy', STRATEGY, '--param', `orders=${JSON.stringify(orders)}`, '--data', GOOG, '--no-cache', '--trades', join(d, 't.csv'), ...more]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(join(d, 't.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map((c) => [c[0]!, c[1]!, Number(c[5]), Number(c[6]), Number(Number(c[9]).toFixed(2))]);
}

describeShared('D1 and D2 on GOOG daily bars, by hand (CLI)', () => {
  it("D1: a bracket's stop-loss is tried on the rest of the bar where its entry filled", async () => {
    // bought 13 at the 2012-10-18 open 755.54 (decided at the 10-17 close) with a stop-loss at
    // 720; that bar's low is 676, so the stop is reached on the same bar: sold at 720.
    // PnL = 13 × (720 − 755.54) = 13 × −35.54 = −462.02 (it was held overnight and sold at the
    // 10-19 open 705.58: 13 × −49.96 = −649.48)
    expect(await trips({ '2012-10-17': [{ side: 'buy', qty: 13, stopLoss: 720 }] })).toEqual([['2012-10-18', '2012-10-18', 755.54, 720, -462.02]]);
  });
  it('D2: a stop the open is beyond fills at the open, before a take-profit reached later in the bar', async () => {
    // bought 34 at the 2005-09-06 open 289 with take-profit 291.89 and stop-loss 286.11 (bar of
    // 09-06: 286.8-289.39, neither reached). 2005-09-07 opens at 285.89, below the stop: sold at
    // the open, PnL = 34 × (285.89 − 289) = 34 × −3.11 = −105.74 (the take-profit, sent first,
    // filled at 291.89 later in the bar: 34 × 2.89 = +98.26)
    expect(await trips({ '2005-09-02': [{ side: 'buy', qty: 34, takeProfit: 291.89, stopLoss: 286.11 }] })).toEqual([['2005-09-06', '2005-09-07', 289, 285.89, -105.74]]);
  });
  it('D2: two plain reduce-only orders give the same result whichever was sent first', async () => {
    const tp = { side: 'sell', qty: 34, type: 'limit', limit: 291.89, reduceOnly: true };
    const sl = { side: 'sell', qty: 34, type: 'stop', stop: 286.11, reduceOnly: true };
    const a = await trips({ '2005-09-02': [{ side: 'buy', qty: 34 }], '2005-09-06': [tp, sl] });
    const b = await trips({ '2005-09-02': [{ side: 'buy', qty: 34 }], '2005-09-06': [sl, tp] });
    // the stop at the 09-07 open 285.89: 34 × (285.89 − 289) = −105.74, in both orders
    expect(a).toEqual([['2005-09-06', '2005-09-07', 289, 285.89, -105.74]]);
    expect(b).toEqual(a);
  });
  it('fill.barPath=nearer-extreme: open, the nearer extreme, the other, the close', async () => {
    // 2012-10-18: open 755.54, high 759.42 (3.88 away), low 676 (79.54 away): the high first; a
    // take-profit at 759 is reached before the stop-loss at 720: 13 × (759 − 755.54) = +44.98.
    // The conservative default goes to the low first (against the long): the stop, −462.02.
    const o = { '2012-10-17': [{ side: 'buy', qty: 13, takeProfit: 759, stopLoss: 720 }] };
    expect(await trips(o, '--exec', 'fill.barPath=nearer-extreme')).toEqual([['2012-10-18', '2012-10-18', 755.54, 759, 44.98]]);
    expect(await trips(o)).toEqual([['2012-10-18', '2012-10-18', 755.54, 720, -462.02]]);
  });
});

describe("a bar's path (inline bars)", () => {
  // GOOG's rows of 2012-10-17..19 and 2005-09-02..08, as in the shared file
  const goog2012 = `${B}\n2012-10-17,GOOG,743.95,756.34,740.26,755.49,2292900\n2012-10-18,GOOG,755.54,759.42,676,695,12442400\n2012-10-19,GOOG,705.58,706.7,672,681.79,11482200`;
  const goog2005 = `${B}\n2005-09-02,GOOG,286.51,289.99,286.44,288.45,3434500\n2005-09-06,GOOG,289,289.39,286.8,287.11,4212300\n2005-09-07,GOOG,285.89,295.5,285.28,294.87,7499500\n2005-09-08,GOOG,294.83,299.28,293.36,295.39,6613300`;
  const pnl = (r: ReturnType<typeof run>): number[] => r.trades.rows().map((t) => Number(t.netPnl.toFixed(2)));
  const prices = (r: ReturnType<typeof run>): number[][] => r.fills.rows().map((f) => [f.index, f.price]);

  it('D1: the stop-loss of an entry filled at the open is tried on the rest of that bar', async () => {
    // 13 × (720 − 755.54) = −462.02 on bar 1 (not 705.58 at the next open: −649.48)
    const r = run(await tableOf(goog2012), scripted({ 0: [{ symbol: 'GOOG', side: 'buy', qty: 13, stopLoss: 720 }] }));
    expect(prices(r)).toEqual([
      [1, 755.54],
      [1, 720],
    ]);
    expect(pnl(r)).toEqual([-462.02]);
  });
  it('D2: a stop the open is beyond fills at the open before a take-profit reached later (sent first)', async () => {
    // 34 × (285.89 − 289) = −105.74 (the take-profit at 291.89 gave +98.26)
    const r = run(await tableOf(goog2005), scripted({ 0: [{ symbol: 'GOOG', side: 'buy', qty: 34, takeProfit: 291.89, stopLoss: 286.11 }] }));
    expect(prices(r)).toEqual([
      [1, 289],
      [2, 285.89],
    ]);
    expect(pnl(r)).toEqual([-105.74]);
  });
  it('D2: plain reduce-only orders are reached in price order, not in the order they were sent', async () => {
    const tp: OrderRequest = { symbol: 'GOOG', side: 'sell', qty: 34, type: 'limit', limit: 291.89, reduceOnly: true };
    const sl: OrderRequest = { symbol: 'GOOG', side: 'sell', qty: 34, type: 'stop', stop: 286.11, reduceOnly: true };
    const buy: OrderRequest = { symbol: 'GOOG', side: 'buy', qty: 34 };
    const a = run(await tableOf(goog2005), scripted({ 0: [buy], 1: [tp, sl] }));
    const b = run(await tableOf(goog2005), scripted({ 0: [buy], 1: [sl, tp] }));
    expect(pnl(a)).toEqual([-105.74]);
    expect(pnl(b)).toEqual([-105.74]);
  });
  it('conservative (default): with both legs inside one bar, the stop-loss first; nearer-extreme: the nearer extreme first', async () => {
    const o = { 0: [{ symbol: 'GOOG', side: 'buy' as const, qty: 13, takeProfit: 759, stopLoss: 720 }] };
    expect(prices(run(await tableOf(goog2012), scripted(o)))).toEqual([
      [1, 755.54],
      [1, 720],
    ]);
    // the high (3.88 from the open) is nearer than the low (79.54): the take-profit first
    expect(prices(run(await tableOf(goog2012), scripted(o), {}, 1e6, { 'fill.barPath': 'nearer-extreme' }))).toEqual([
      [1, 755.54],
      [1, 759],
    ]);
    // a short's stop-loss is above: the conservative path goes to the high first
    const short = { 0: [{ symbol: 'GOOG', side: 'sell' as const, qty: 13, takeProfit: 680, stopLoss: 759 }] };
    expect(prices(run(await tableOf(goog2012), scripted(short), { maxLeverage: 2 }))).toEqual([
      [1, 755.54],
      [1, 759],
    ]);
  });
  it('conservative: an entry filled on the way up turns the path down before the high', async () => {
    // bar 1: open 100, high 110 (10 away), low 95 (5 away): flat, the nearer low first; the buy
    // stop at 104 is reached on the way from 95 to 110; the low is behind, the high comes next:
    // the take-profit 108 fills, never the stop-loss 96
    const t = await tableOf(`${B}\n2024-01-02,A,100,101,99,100,1000\n2024-01-03,A,100,110,95,105,1000\n2024-01-04,A,105,106,104,105,1000`);
    const entry = { 0: [{ symbol: 'A', side: 'buy' as const, qty: 1, type: 'stop' as const, stop: 104, takeProfit: 108, stopLoss: 96 }] };
    expect(prices(run(t, scripted(entry)))).toEqual([
      [1, 104],
      [1, 108],
    ]);
    // with the high nearer (open 100, high 104.5, low 90), flat: up first; the stop entry at 104 makes
    // a long, and the path turns to the low before going on to the high: the stop-loss at 96
    const t2 = await tableOf(`${B}\n2024-01-02,A,100,101,99,100,1000\n2024-01-03,A,100,108.5,90,105,1000\n2024-01-04,A,105,106,104,105,1000`);
    expect(prices(run(t2, scripted(entry)))).toEqual([
      [1, 104],
      [1, 96],
    ]);
    // nearer-extreme keeps going up: the take-profit at 108
    expect(prices(run(t2, scripted(entry), {}, 1e6, { 'fill.barPath': 'nearer-extreme' }))).toEqual([
      [1, 104],
      [1, 108],
    ]);
  });
  it('stop-limit: triggered inside a bar, its limit is tried on the rest of the path', async () => {
    // sell stop 99 limit 100: bar 1 opens 101, the low (97) is nearer than the high (106): the stop
    // triggers at 99 on the way down, 99 is below the limit so it rests; the path goes on to 106,
    // beyond 100: filled at its limit 100 on the same bar
    const t = await tableOf(`${B}\n2024-01-02,A,101,102,100,101,1000\n2024-01-03,A,101,106,97,105,1000\n2024-01-04,A,105,106,104,105,1000`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'stop-limit', stop: 99, limit: 100 }] }), { maxLeverage: 2 });
    expect(prices(r)).toEqual([[1, 100]]);
  });
  it('market orders and stops the open is beyond fill at the open in the order they were sent', async () => {
    const t = await tableOf(`${B}\n2024-01-02,A,100,101,99,100,1000\n2024-01-03,A,95,110,94,105,1000`);
    const r = run(
      t,
      scripted({
        0: [
          { symbol: 'A', side: 'sell', qty: 1, type: 'stop', stop: 98 },
          { symbol: 'A', side: 'buy', qty: 2 },
          { symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 99 },
        ],
      }),
      { maxLeverage: 2 },
    );
    expect(r.fills.rows().map((f) => [f.orderId, f.price])).toEqual([
      [1, 95],
      [2, 95],
      [3, 95],
    ]);
  });
  it('refuses an unknown bar path with the ones there are', async () => {
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', fixture('good/VEND.csv'), '--exec', 'fill.barPath=optimistic']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/barPath/);
    expect(r.stderr).toMatch(/conservative, nearer-extreme/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
});
