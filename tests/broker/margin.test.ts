/**
 * Margin and liquidation (broker/settings.ts Margin, Venue.marginCall): an account with leverage
 * holds an initial margin to open and a maintenance margin to keep; at the first price where
 * equity falls below maintenance the venue closes the positions (a margin call, in the record and
 * the summary), and equity never stays below zero. A cash account (no leverage) is unchanged.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executionOf } from '../../src/broker/settings.js';
import { runBacktest } from '../../src/engine/engine.js';
import { B, Q, run, scripted, tableOf } from '../engine/harness.js';
import { describeShared, fixture, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describeShared("margin call on backtesting.py's test_wellknown orders (GOOG daily, CLI)", () => {
  it('10x: the short of 2008-11-14 is closed by a margin call no later than the 2009-09-21 close; equity never below zero', async () => {
    // backtesting.py's test_wellknown: capital 10,000, margin 0.1; long 100 by stop 484 / limit 466
    // decided 2006-10-19, closed 2007-10-30; short 200 by stop 300.52 (that day's low) / limit
    // 324.90 decided 2008-11-11. backtesting.py: entries 2006-11-01 and 2008-11-14, the short
    // liquidated at the 2009-09-21 close (equity 0). Here the maintenance margin is 5% (half of
    // the initial 1/10): after the long, cash = 10,000 + 100 × (700.69 − 466) = 33,469; short 200
    // at 324.90: cash 33,469 + 64,980 = 98,449; called where 98,449 − 200 p = 0.05 × 200 p, i.e.
    // p = 98,449 / 210 = 468.80, reached on 2009-08-24 (high 471.8).
    const d = tempDir();
    const orders = {
      '2006-10-19': [{ side: 'buy', qty: 100, type: 'stop-limit', stop: 484, limit: 466 }],
      '2007-10-30': [{ target: 0 }],
      '2008-11-11': [{ side: 'sell', qty: 200, type: 'stop-limit', stop: 300.52, limit: 324.9 }],
    };
    const args = ['run', '--strategy', fixture('good/orders-by-date.mjs'), '--param', `orders=${JSON.stringify(orders)}`, '--data', shared('goog_daily_2004_2013.csv'), '--no-cache', '--capital', '10000'];
    const r = await runCliIn([...args, '--max-leverage', '10', '--json', join(d, 'r.json'), '--trades', join(d, 't.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8')) as { equity: { equity: number[] }; marginCalls: { ts: string; price: number; closed: { qty: number }[]; writtenOff: number }[] };
    expect(rep.marginCalls).toHaveLength(1);
    const call = rep.marginCalls[0]!;
    expect(call.ts <= '2009-09-21T23:59:59Z').toBe(true);
    expect(call.ts.slice(0, 10)).toBe('2009-08-24');
    expect(call.price).toBeCloseTo(98_449 / 210, 6);
    expect(call.closed).toEqual([{ symbol: 'GOOG', qty: 200, price: call.price }]);
    for (const e of rep.equity.equity) expect(e).toBeGreaterThanOrEqual(0);
    const trips = readFileSync(join(d, 't.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(0, 4));
    expect(trips).toEqual([
      ['2006-11-01', '2007-10-31', 'GOOG', 'long'],
      ['2008-11-14', '2009-08-24', 'GOOG', 'short'],
    ]);
    expect(r.stdout).toMatch(/margin call {4}2009-08-24 \(GOOG at 468\.80\): equity 4,688\.05 fell to the maintenance margin 4,688\.05; the venue bought 200 GOOG at 468\.80/);
    expect(r.stdout).toMatch(/margin: initial 0\.1, maintenance 0\.05/);
  });
});

describe('margin and liquidation', () => {
  // A rises from 100; a short of 50 at 100 with capital 1,000 (5x) under --max-leverage 10
  const rising = (bar2: string): string => `${B}\n2024-01-02,A,100,101,99,100,1000\n2024-01-03,A,100,101,99,100,1000\n${bar2}\n2024-01-05,A,112,113,111,112,1000`;
  const short = scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 50 }] });

  it("a short is closed at the first price of the bar's path where equity falls below maintenance", async () => {
    // cash after the short: 1,000 + 50 × 100 = 6,000; maintenance 0.05 (half of 1/10): called at
    // p where 6,000 − 50 p = 0.05 × 50 p → p = 6,000 / 52.5 = 114.2857; bar 2 goes to 120
    const r = run(await tableOf(rising('2024-01-04,A,110,120,109,115,1000')), short, { maxLeverage: 10 }, 1000);
    expect(r.marginCalls).toHaveLength(1);
    const c = r.marginCalls[0]!;
    expect(c.price).toBeCloseTo(6000 / 52.5, 9);
    expect(c.equity).toBeCloseTo(c.requirement, 6);
    expect(c.requirement).toBeCloseTo(0.05 * 50 * (6000 / 52.5), 9);
    expect(c.writtenOff).toBe(0);
    expect(r.fills.rows().map((f) => [f.index, f.side, f.qty])).toEqual([
      [1, 'sell', 50],
      [2, 'buy', 50],
    ]);
    expect(r.orders.rows().at(-1)!.type).toBe('margin-call');
    expect(r.finalEquity).toBeCloseTo(6000 - 50 * (6000 / 52.5), 6); // 285.71
  });
  it('a gap beyond what equity covers: closed at the open, the negative balance written off (equity never below zero)', async () => {
    // bar 2 opens at 130: 6,000 − 50 × 130 = −500, written off
    const seen: number[] = [];
    const r = runBacktest(await tableOf(rising('2024-01-04,A,130,131,129,130,1000')), short, {
      strategyName: 'test',
      initialCapital: 1000,
      execution: executionOf({ maxLeverage: 10 }),
      periodUs: 60e6,
      seed: '1',
      observer: (o) => seen.push(o.portfolio.equity()),
    });
    expect(r.marginCalls[0]!.price).toBe(130);
    expect(r.marginCalls[0]!.writtenOff).toBeCloseTo(500, 9);
    expect(r.finalEquity).toBeCloseTo(0, 9);
    expect(seen.length).toBeGreaterThan(3);
    for (const e of seen) expect(e).toBeGreaterThanOrEqual(-1e-9);
    for (const e of r.equity) expect(e).toBeGreaterThanOrEqual(-1e-9);
  });
  it("a cash account (no leverage) keeps today's rule: no margin call", async () => {
    const r = run(await tableOf(rising('2024-01-04,A,130,131,129,130,1000')), scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 5 }] }), {}, 1000);
    expect(r.marginCalls).toHaveLength(0);
    expect(r.fills).toHaveLength(1);
  });
  it('new orders need the initial margin (--margin initial=0.5: at most 2x)', async () => {
    const t = await tableOf(rising('2024-01-04,A,101,102,100,101,1000'));
    const reasons: string[] = [];
    const s = scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 25 }] }, { onReject: (_c, x) => reasons.push(x.reason) });
    const r = run(t, s, { maxLeverage: 10, margin: { initial: 0.5 } }, 1000);
    expect(r.fills).toHaveLength(0);
    expect(reasons[0]).toMatch(/needs initial margin 0\.5 × gross exposure 2500\.00 = 1250\.00 > equity 1000\.00/);
    const ok = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 20 }] }), { maxLeverage: 10, margin: { initial: 0.5 } }, 1000);
    expect(ok.fills).toHaveLength(1);
  });
  it('on quotes: a long is closed at the first bid at which equity falls below maintenance', async () => {
    // long 100 at the ask 100 with capital 1,000 (10x, maintenance 0.05): cash −9,000; called when
    // 100 b − 9,000 < 0.05 × 100 b → b < 9,000 / 95 = 94.74: the bid 94.5 (not 95)
    const at = (k: number): string => new Date(Date.UTC(2024, 0, 2, 10, 0, k)).toISOString();
    const bids = [99, 99, 97, 95, 94.5, 90];
    const t = await tableOf(`${Q}\n${bids.map((b, k) => `${at(k)},A,${b},${b + 1},10,10`).join('\n')}`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 100 }] }), { maxLeverage: 10 }, 1000);
    expect(r.fills.rows().map((f) => [f.index, f.side, f.price])).toEqual([
      [1, 'buy', 100],
      [4, 'sell', 94.5],
    ]);
    expect(r.marginCalls.map((c) => [c.symbol, c.price])).toEqual([['A', 94.5]]);
    expect(r.finalEquity).toBeCloseTo(1000 - 100 * 5.5, 9);
  });
  it('--margin is checked: fractions, maintenance at most initial', async () => {
    const bad = async (m: string): Promise<string> => (await runCliIn(['run', '--strategy', 'flat', '--data', fixture('good/VEND.csv'), '--margin', m])).stderr;
    expect(await bad('initial=2')).toMatch(/--margin initial.*a fraction > 0 and <= 1/);
    expect(await bad('initial=0.1,maintenance=0.2')).toMatch(/maintenance=0.2 must be a fraction > 0 and <= the initial margin 0.1/);
    expect(await bad('initail=0.1')).toMatch(/must be initial=F or maintenance=F/);
  });
});
