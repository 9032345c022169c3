/**
 * Order types, time in force, reduce-only, brackets and sizing rules: one named test per rule
 * (broker/venue.ts).
 */
import { describe, expect, it } from 'vitest';
import { B, Q, run, scripted, tableOf } from '../engine/harness.js';
import { executionOf } from '../../src/broker/settings.js';
import { runBacktest } from '../../src/engine/engine.js';
import type { Cancellation, OrderRequest, Strategy } from '../../src/strategy/types.js';

const at = (s: number): string => new Date(Date.UTC(2024, 0, 2, 10, 0, s)).toISOString();
/** Quotes of A with the given bids (ask = bid + 1, sizes 10). */
const quotes = (...bids: number[]): Promise<Awaited<ReturnType<typeof tableOf>>> => tableOf(`${Q}\n${bids.map((b, k) => `${at(k)},A,${b},${b + 1},10,10`).join('\n')}`);

describe('order types', () => {
  it('stop-limit: the stop triggers a limit, which fills at the quote when marketable, else rests at its limit', async () => {
    // buy stop 103 limit 104.5: the ask reaches 104 (>= 103, within 104.5) → fills at 104
    const a = run(await quotes(100, 101, 103, 104), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'stop-limit', stop: 103, limit: 104.5 }] }));
    expect(a.fills.rows().map((f) => [f.index, f.price])).toEqual([[2, 104]]);
    // a gap to 106 (ask 107) is beyond the limit: it rests, and fills at 104.5 when the ask comes back
    const b = run(await quotes(100, 106, 105, 103), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'stop-limit', stop: 103, limit: 104.5 }] }));
    expect(b.fills.rows().map((f) => [f.index, f.price])).toEqual([[3, 104.5]]);
  });
  it('trailing stop: a sell trails the best bid by `trail` and fills at the first bid at or below it', async () => {
    const r = run(await quotes(100, 102, 105, 104, 103.5, 102.9, 102), scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'trailing-stop', trail: 2 }] }), { maxLeverage: 10 });
    // best bid 105 → trigger 103; 104 and 103.5 hold; 102.9 <= 103 fills at 102.9 (the worse of stop and bid)
    expect(r.fills.rows().map((f) => [f.index, f.price])).toEqual([[5, 102.9]]);
    const pct = run(await quotes(100, 110, 108, 104), scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'trailing-stop', trailPercent: 0.05 }] }), { maxLeverage: 10 });
    // best 110 → trigger 104.5; 108 holds, 104 fills
    expect(pct.fills.rows().map((f) => [f.index, f.price])).toEqual([[3, 104]]);
  });
  it('bracket: each entry fill attaches a take-profit and a stop-loss; one filling cancels the other', async () => {
    const cancels: Cancellation[] = [];
    const s = { ...scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 2, takeProfit: 104, stopLoss: 98 }] }), onCancel: (_: unknown, c: Cancellation) => cancels.push(c) } as Strategy;
    const r = run(await quotes(100, 100, 102, 104, 99, 97), s);
    // entry at the ask 101 (event 1); the take-profit sells at 104 when the bid reaches it (event 3)
    expect(r.fills.rows().map((f) => [f.index, f.side, f.price, f.qty])).toEqual([
      [1, 'buy', 101, 2],
      [3, 'sell', 104, 2],
    ]);
    expect(cancels.map((c) => c.reason)).toEqual(['one cancels other: the other leg filled']);
    expect(r.openTrades.length).toBe(0);
    const stopped = run(await quotes(100, 100, 99, 97.5), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 2, takeProfit: 104, stopLoss: 98 }] }));
    expect(stopped.fills.rows().map((f) => [f.side, f.price])).toEqual([
      ['buy', 101],
      ['sell', 97.5],
    ]);
  });
  it('bad order fields are errors naming the strategy and the rule', async () => {
    const t = await quotes(100, 101);
    const bad =
      (o: OrderRequest): (() => unknown) =>
      () =>
        run(t, scripted({ 0: [o] }));
    expect(bad({ symbol: 'A', side: 'buy', qty: 1, type: 'trailing-stop' })).toThrow(/needs exactly one of trail .* or trailPercent/);
    expect(bad({ symbol: 'A', side: 'buy', qty: 1, type: 'stop', tif: 'ioc', stop: 102 })).toThrow(/tif 'ioc' applies to market and limit orders/);
    expect(bad({ symbol: 'A', side: 'buy', qty: 1, tif: 'gtt' })).toThrow(/tif 'gtt' needs expireAt/);
    expect(bad({ symbol: 'A', side: 'buy', qty: 1, takeProfit: 95, stopLoss: 99 })).toThrow(/a buy bracket needs stopLoss below takeProfit/);
    expect(bad({ symbol: 'A', side: 'buy', qty: 1, limit: 99 })).toThrow(/a market order takes no limit price/);
  });
});

describe('time in force and reduce-only', () => {
  it('IOC: what its first eligible event fills, the rest cancelled', async () => {
    const cancels: Cancellation[] = [];
    const s = { ...scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 25, type: 'limit', limit: 102, tif: 'ioc' }] }), onCancel: (_: unknown, c: Cancellation) => cancels.push(c) } as Strategy;
    const r = run(await quotes(100, 100, 100), s, { capToQuoteSize: true });
    expect(r.fills.rows().map((f) => f.qty)).toEqual([10]);
    expect(cancels).toMatchObject([{ remaining: 15, reason: 'immediate or cancel: 10 filled, the rest cancelled' }]);
  });
  it('FOK: filled whole on its first eligible event, or not at all', async () => {
    const r = run(await quotes(100, 100, 100), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 25, tif: 'fok' }] }), { capToQuoteSize: true });
    expect(r.fills).toHaveLength(0);
    expect(r.cancellations[0]!.reason).toBe('fill or kill: only 10 of 25 available');
    const ok = run(await quotes(100, 100), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 5, tif: 'fok' }] }), { capToQuoteSize: true });
    expect(ok.fills.rows().map((f) => f.qty)).toEqual([5]);
  });
  it('GTT: cancelled at the first event of its symbol at or after expireAt', async () => {
    const t = await quotes(100, 100, 100, 96);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 98, tif: 'gtt', expireAt: Date.parse(at(2)) * 1000 }] }));
    expect(r.fills).toHaveLength(0);
    expect(r.cancellations).toMatchObject([{ reason: 'expired (good till time)', ts: Date.parse(at(2)) * 1000 }]);
  });
  it('reduce-only: capped to the position; cancelled when there is none to reduce', async () => {
    const t = await quotes(100, 100, 100, 100);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 3 }], 1: [{ symbol: 'A', side: 'sell', qty: 5, reduceOnly: true }], 2: [{ symbol: 'A', side: 'sell', qty: 1, reduceOnly: true }] }));
    expect(r.fills.rows().map((f) => [f.side, f.qty])).toEqual([
      ['buy', 3],
      ['sell', 3],
    ]);
    expect(r.cancellations.map((c) => c.reason)).toEqual(['reduce-only: 3 filled closed the position, the rest cancelled', 'reduce-only: no position to reduce']);
  });
});

describe('sizing rules', () => {
  const withRules = (exec: Parameters<typeof executionOf>[2]) => executionOf({}, {}, exec);
  it('an explicit quantity off the lot or below the minimum, a price off the tick, is refused with the reason', async () => {
    const t = await quotes(100, 100);
    const r = runBacktest(
      t,
      scripted({
        0: [
          { symbol: 'A', side: 'buy', qty: 1.5 },
          { symbol: 'A', side: 'buy', qty: 2, type: 'limit', limit: 99.995 },
          { symbol: 'A', side: 'buy', qty: 1 },
        ],
      }),
      { strategyName: 't', initialCapital: 1e6, execution: withRules({ A: { lot: 1, minQty: 2, tick: 0.01 } }), periodUs: 60e6, seed: '1' },
    );
    expect(r.rejections.map((x) => x.reason)).toEqual(['qty 1.5 is not a whole number of lots of 1', 'limit 99.995 is not on the tick size 0.01', 'qty 1 is below the minimum quantity 2']);
  });
  it('targets round toward zero to whole lots; notional orders are sized at the fill price in whole lots', async () => {
    const t = await quotes(100, 100, 100);
    const r = runBacktest(
      t,
      {
        onTick(ctx, tk) {
          if (tk.index === 0) ctx.targetPosition('A', 10.7);
          if (tk.index === 1) ctx.submit({ symbol: 'A', side: 'buy', notional: 550 });
        },
      },
      { strategyName: 't', initialCapital: 1e6, execution: withRules({ '*': { lot: 1 } }), periodUs: 60e6, seed: '1' },
    );
    // 10.7 → 10; 550 at the ask 101 buys 5.44... → 5
    expect(r.fills.rows().map((f) => f.qty)).toEqual([10, 5]);
  });
  it('buy-and-hold with --lot-size *=1 holds whole shares ("all cash, whole shares")', async () => {
    const { BUILTIN_STRATEGIES } = await import('../../strategies/index.js');
    const { resolveParams } = await import('../../src/strategy/params.js');
    const m = BUILTIN_STRATEGIES.get('buy-and-hold')!;
    const t = await tableOf(`${B}\n2024-01-02,A,101,102,100,101,1000\n2024-01-03,A,101,103,100,102,1000\n2024-01-04,A,102,104,101,103,1000`);
    const go = (execution: ReturnType<typeof executionOf>) => runBacktest(t, m.create(resolveParams(m.name, m.params, {})), { strategyName: m.name, initialCapital: 100_000, execution, periodUs: 86_400e6, seed: '1' });
    const frac = go(executionOf({}));
    const whole = go(withRules({ '*': { lot: 1 } }));
    expect(Number.isInteger(frac.fills.at(0).qty)).toBe(false);
    expect(whole.fills.at(0).qty).toBe(Math.floor(frac.fills.at(0).qty));
  });
});

describe('a symbols file of sizing rules', () => {
  it('--symbols-file gives lot, minimum and tick per symbol (* for the rest); flags override it; a bad cell names file, line and column', async () => {
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { toExecutionSettings } = await import('../../src/cli/execution-options.js');
    const { tempDir } = await import('../helpers.js');
    const d = tempDir();
    const f = join(d, 'symbols.csv');
    writeFileSync(f, 'symbol,lot_size,min_qty,tick_size\nGOOG,1,,0.01\n*,10,20,\n');
    const base = { maxLeverage: '1', exec: [], lotSize: [], minQty: [], tickSize: [] };
    const s = toExecutionSettings({ ...base, symbolsFile: f, lotSize: ['GOOG=5'] });
    expect(s.sizing.GOOG).toEqual({ lot: 5, minQty: 20, tick: 0.01 });
    expect(s.sizing['*']).toEqual({ lot: 10, minQty: 20, tick: 0 });
    writeFileSync(f, 'symbol,lot_size\nGOOG,one\n');
    expect(() => toExecutionSettings({ ...base, symbolsFile: f })).toThrow(/symbols\.csv:2:2: not a number > 0[\s\S]*value "one"[\s\S]*fix:/);
    writeFileSync(f, 'symbol,lots\nGOOG,1\n');
    expect(() => toExecutionSettings({ ...base, symbolsFile: f })).toThrow(/unknown column 'lots'/);
  });
});

describe('a quote that jumps through several orders', () => {
  it('fills them in the order the price reaches them, each at its own price, not in the order they were sent', async () => {
    // long 10 (ask 101 at event 1); two reduce-only sell stops of 10: at 97 (sent first) and 99.
    // The bid jumps from 100 to 95: the price reaches 99 before 97, so the stop at 99 fills (at
    // the bid 95, the worse of stop and bid) and the one at 97 has nothing left to reduce
    const s = scripted({
      0: [{ symbol: 'A', side: 'buy', qty: 10 }],
      1: [
        { symbol: 'A', side: 'sell', qty: 10, type: 'stop', stop: 97, reduceOnly: true },
        { symbol: 'A', side: 'sell', qty: 10, type: 'stop', stop: 99, reduceOnly: true },
      ],
    });
    const r = run(await quotes(100, 100, 100, 95), s);
    expect(r.fills.rows().map((f) => [f.orderId, f.index, f.price])).toEqual([
      [1, 1, 101],
      [3, 3, 95],
    ]);
    expect(r.cancellations.map((c) => [c.orderId, c.reason])).toEqual([[2, 'reduce-only: no position to reduce']]);
  });
});
