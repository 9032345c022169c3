/**
 * Market-on-close (Venue.matchClose): an order decided in onBar fills at that bar's close, marked
 * as such (backtesting.py's trade_on_close, per order); anywhere else it is refused.
 */
import { describe, expect, it } from 'vitest';
import { B, Q, run, scripted, tableOf } from '../engine/harness.js';
import { fixture } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import type { Fill } from '../../src/strategy/types.js';

const bars = `${B}\n2024-01-02,A,10,12,9,11,100\n2024-01-03,A,11.5,13,11,12,100\n2024-01-04,A,12.5,14,12,13,100`;

describe('market-on-close', () => {
  it('fills at the close of the bar it was decided on, stamped at its end, before the next bar', async () => {
    const heard: Fill[] = [];
    const s = scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 2, type: 'market-on-close' }], 1: [{ symbol: 'A', side: 'sell', qty: 2, type: 'market-on-close' }] }, { onFill: (_c, f) => heard.push(f) });
    const r = run(await tableOf(bars), s);
    // bar 0 closes at 11 (released 2024-01-03T00:00Z), bar 1 at 12
    expect(r.fills.rows().map((f) => [f.index, f.side, f.price, f.ts])).toEqual([
      [0, 'buy', 11, Date.UTC(2024, 0, 3) * 1000],
      [1, 'sell', 12, Date.UTC(2024, 0, 4) * 1000],
    ]);
    expect(r.orders.rows().map((o) => o.type)).toEqual(['market-on-close', 'market-on-close']);
    expect(heard.map((f) => f.price)).toEqual([11, 12]);
    expect(r.trades.rows().map((t) => t.netPnl)).toEqual([2]);
    // a plain market order decided on bar 0 fills at bar 1's open
    expect(run(await tableOf(bars), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 2 }] })).fills.at(0).price).toBe(11.5);
  });
  it('is refused when not decided on a bar of its symbol, or with an entry latency', async () => {
    const reasons: string[] = [];
    const q = await tableOf(`${Q}\n2024-01-02T10:00:00Z,A,100,101,10,10\n2024-01-02T10:00:01Z,A,100,101,10,10`);
    const r = run(q, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'market-on-close' }] }, { onReject: (_c, x) => reasons.push(x.reason) }));
    expect(r.fills).toHaveLength(0);
    const late = run(await tableOf(bars), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'market-on-close' }] }, { onReject: (_c, x) => reasons.push(x.reason) }), { latencyUs: 1000 });
    expect(late.fills).toHaveLength(0);
    expect(reasons).toEqual(['market-on-close fills at the close of the bar it is decided on: decide it in onBar of a bar of A (a symbol whose orders fill on bars)', 'market-on-close cannot reach the close it was decided at with an entry latency of 1000 µs']);
  });
  it('the summary says how many orders filled at the close (CLI)', async () => {
    const r = await runCliIn(['run', '--strategy', fixture('good/orders-by-date.mjs'), '--param', 'orders={"2024-01-02":[{"side":"buy","qty":1,"type":"market-on-close"}]}', '--data', fixture('good/VEND.csv'), '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/on close {7}1 market-on-close orders, filled at the close of the bar they were decided on/);
  });
});
