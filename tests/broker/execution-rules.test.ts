import { describe, expect, it } from 'vitest';
import { StrategyError } from '../../src/engine/engine.js';
import { B, Q, run, scripted, T, tableOf } from '../engine/harness.js';

const quotes = `${Q}
2024-01-02T10:00:00Z,A,100,101,10,10
2024-01-02T10:00:01Z,A,102,103,10,10
2024-01-02T10:00:02Z,A,104,105,10,10
2024-01-02T10:00:03Z,A,98,99,10,10
2024-01-02T10:00:04Z,A,97,98,10,10`;

describe('market orders', () => {
  it('a market buy fills at the ask of the next quote, never the tick that triggered it', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 2 }] }));
    expect(r.fills).toHaveLength(1);
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 103, qty: 2, side: 'buy' });
  });
  it('a market sell fills at the bid', async () => {
    const r = run(await tableOf(quotes), scripted({ 1: [{ symbol: 'A', side: 'sell', qty: 1 }] }), { maxLeverage: 10 });
    expect(r.fills.at(0)).toMatchObject({ index: 2, price: 104 });
  });
  it('with latency it fills at the first quote at or after t + latency', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }] }), { latencyUs: 1_500_000 });
    expect(r.fills.at(0)).toMatchObject({ index: 2, price: 105 });
    const exact = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }] }), { latencyUs: 2_000_000 });
    expect(exact.fills.at(0)).toMatchObject({ index: 2, price: 105 });
  });
  it('on trade-only data it fills at the next trade plus/minus the half-spread', async () => {
    const t = await tableOf(`${T}\n2024-01-02T10:00:00Z,A,100,1\n2024-01-02T10:00:01Z,A,200,1\n2024-01-02T10:00:02Z,A,300,1`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }], 1: [{ symbol: 'A', side: 'sell', qty: 1 }] }), { halfSpreadBps: 10 });
    expect(r.fills.rows().map((f) => f.price)).toEqual([200 * 1.001, 300 * 0.999]);
  });
  it("on bars it fills at the next bar's open", async () => {
    const t = await tableOf(`${B}\n2024-01-02,A,10,12,9,11,100\n2024-01-03,A,11.5,13,11,12,100\n2024-01-04,A,12.5,14,12,13,100`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }] }));
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 11.5 });
  });
  it("a fill at a bar's open is stamped at that bar's start, not at its close (the event's time)", async () => {
    // Friday 2024-01-05's bar is released on Saturday at midnight; the order decided then fills
    // at Monday's open and is stamped Monday, as the data says
    const t = await tableOf(`${B}\n2024-01-04,A,10,12,9,11,100\n2024-01-05,A,11,12,10,11.5,100\n2024-01-08,A,12.5,14,12,13,100`);
    const r = run(t, scripted({ 1: [{ symbol: 'A', side: 'buy', qty: 1 }] }));
    expect(r.fills.at(0)).toMatchObject({ index: 2, price: 12.5, ts: Date.UTC(2024, 0, 8) * 1000 });
    expect(r.openTrades.at(0).entryTs).toBe(Date.UTC(2024, 0, 8) * 1000);
  });
  it('slippage moves market fills against the order', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }] }), { slippageBps: 100 });
    expect(r.fills.at(0).price).toBeCloseTo(103 * 1.01, 12);
  });
  it('a trade print does not fill a market order on a symbol that has quotes', async () => {
    const t = await tableOf(quotes, `${T}\n2024-01-02T10:00:00.5Z,A,50,1`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }] }));
    expect(r.fills.at(0).price).toBe(103);
  });
});

describe('limit orders', () => {
  it('a resting buy limit fills only when the ask reaches it, at the limit', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 99.5 }] }));
    expect(r.fills).toHaveLength(1);
    expect(r.fills.at(0)).toMatchObject({ index: 3, price: 99.5 }); // ask 99 crossed 99.5: filled at the limit, not better
  });
  it('a marketable limit fills at the first eligible quote', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 110 }] }));
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 103 });
  });
  it('on trades a resting limit needs a trade strictly beyond it', async () => {
    const t = await tableOf(`${T}\n2024-01-02T10:00:00Z,A,100,1\n2024-01-02T10:00:01Z,A,99.5,1\n2024-01-02T10:00:02Z,A,99,1\n2024-01-02T10:00:03Z,A,98.99,1`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 99 }] }));
    expect(r.fills.at(0)).toMatchObject({ index: 3, price: 99 });
  });
  it('a marketable limit on trade-only data fills at the trade price, as on quotes and bars', async () => {
    const t = await tableOf(`${T}\n2024-01-02T10:00:00Z,A,100,1\n2024-01-02T10:00:01Z,A,98,1\n2024-01-02T10:00:02Z,A,97,1`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 99 }] }));
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 98 });
    // with a half-spread the marketable price is the trade plus the half-spread, still within the limit
    const h = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', limit: 99 }] }), { halfSpreadBps: 50 });
    expect(h.fills.at(0).index).toBe(1);
    expect(h.fills.at(0).price).toBeCloseTo(98 * 1.005, 10);
    // and a sell limit above the market is not marketable: it rests until a trade goes beyond it
    const s = run(t, scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'limit', limit: 101 }] }), { maxLeverage: 10 });
    expect(s.fills).toHaveLength(0);
  });
  it('--cap-to-quote-size holds when a trade crosses a limit on a quoted symbol (at most the trade size)', async () => {
    const mixed = `ts,symbol,bid,ask,bid_size,ask_size\n2024-01-02T10:00:00Z,A,100,101,5,5\n2024-01-02T10:00:01Z,A,100,101,5,5`;
    const trades = `${T}\n2024-01-02T10:00:02Z,A,98.5,2\n2024-01-02T10:00:03Z,A,98.5,10`;
    const t = await tableOf(mixed, trades);
    const order = { symbol: 'A', side: 'buy' as const, qty: 5, type: 'limit' as const, limit: 99 };
    const capped = run(t, scripted({ 0: [order] }), { capToQuoteSize: true });
    expect(capped.fills.rows().map((f) => [f.index, f.qty, f.price])).toEqual([
      [2, 2, 99],
      [3, 3, 99],
    ]);
    const uncapped = run(t, scripted({ 0: [order] }));
    expect(uncapped.fills.rows().map((f) => [f.index, f.qty, f.price])).toEqual([[2, 5, 99]]);
  });
  it('a sell limit on bars fills at the limit when the high goes beyond it', async () => {
    const t = await tableOf(`${B}\n2024-01-02,A,10,12,9,11,100\n2024-01-03,A,11,11.9,10,11,100\n2024-01-04,A,11,12.5,10,12,100`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'limit', limit: 12 }] }), { maxLeverage: 10 });
    expect(r.fills.at(0)).toMatchObject({ index: 2, price: 12 });
  });
});

describe('stop orders', () => {
  it('a buy stop triggers at the first ask at or above the stop and fills at the worse of stop and ask', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1, type: 'stop', stop: 102 }] }));
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 103 }); // gapped through 102: fills at 103
  });
  it('a sell stop fills at the worse price after a gap down (gaps are not forgiven)', async () => {
    const r = run(await tableOf(quotes), scripted({ 2: [{ symbol: 'A', side: 'sell', qty: 1, type: 'stop', stop: 100 }] }), { maxLeverage: 10 });
    expect(r.fills.at(0)).toMatchObject({ index: 3, price: 98 });
  });
  it('fills a gapped-through stop at the gap price on bars (the open)', async () => {
    const t = await tableOf(`${B}\n2024-01-02,A,10,12,9,11,100\n2024-01-03,A,11,11.5,10,11,100\n2024-01-04,A,9,9.5,8,9,100`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'stop', stop: 10.5 }] }), { maxLeverage: 10 });
    expect(r.fills.at(0)).toMatchObject({ index: 1, price: 10.5 }); // bar 2 trades down to 10: stop price
    const gap = run(t, scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 1, type: 'stop', stop: 9.8 }] }), { maxLeverage: 10 });
    expect(gap.fills.at(0)).toMatchObject({ index: 2, price: 9 }); // bar 3 opens at 9 below the stop
  });
});

describe('size, fees, buying power, borrow', () => {
  it('fees: per unit plus bps of notional, at least the minimum per fill', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 10 }], 1: [{ symbol: 'A', side: 'buy', qty: 1 }] }), { feePerUnit: 0.01, feeBps: 10, feeMinimum: 1 });
    expect(r.fills.at(0).fee).toBeCloseTo(10 * 0.01 + 10 * 103 * 0.001, 12); // 1.13
    expect(r.fills.at(1).fee).toBe(1); // 0.01 + 0.105 < 1
    expect(r.feesPaid).toBeCloseTo(2.13, 12);
  });
  it('with capToQuoteSize a fill takes at most the displayed size and the rest stays working', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 25 }] }), { capToQuoteSize: true });
    expect(r.fills.rows().map((f) => [f.index, f.qty])).toEqual([
      [1, 10],
      [2, 10],
      [3, 5],
    ]);
  });
  it('an order that needs more buying power than allowed is rejected as an event, not an exception', async () => {
    const rejected: string[] = [];
    const s = scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 20_000 }] }, { onReject: (_c, r) => rejected.push(r.reason) });
    const r = run(await tableOf(quotes), s, {}, 1_000_000);
    expect(r.fills).toHaveLength(0);
    expect(r.rejections).toHaveLength(1);
    expect(rejected[0]).toMatch(/max leverage 1/);
    const ok = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 20_000 }] }), { maxLeverage: 3 });
    expect(ok.fills).toHaveLength(1);
  });
  it('a notional order is sized at the fill price', async () => {
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', notional: 10_300 }] }));
    expect(r.fills.at(0).qty).toBeCloseTo(100, 12);
  });
  it('borrow fees accrue on shorts by time held', async () => {
    const t = await tableOf(`${Q}\n2024-01-01T00:00:00Z,A,100,100,1,1\n2024-01-01T00:00:01Z,A,100,100,1,1\n2025-01-01T00:00:01Z,A,100,100,1,1`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'sell', qty: 100 }] }), { borrowBps: 100 });
    // 100 units × 100 × 1% for 366 days (2024 is a leap year) out of 365.25
    expect(r.borrowPaid).toBeCloseTo(100 * (366 / 365.25), 6);
    expect(r.finalEquity).toBeCloseTo(1_000_000 - r.borrowPaid, 6);
  });
});

describe('strategy faults', () => {
  it('a strategy that throws stops the run with an error naming the strategy, the tick time and the message', async () => {
    const s = {
      onTick: (_c: unknown, t: { index: number }) => {
        if (t.index === 2) throw new Error('boom');
      },
    };
    const e = await tableOf(quotes).then((tb) => {
      try {
        run(tb, s as never);
        return undefined;
      } catch (x) {
        return x;
      }
    });
    expect(e).toBeInstanceOf(StrategyError);
    expect((e as StrategyError).message).toBe("strategy 'test' failed at 2024-01-02T10:00:02Z: onTick threw Error: boom");
  });
  it('garbage orders (NaN size, unknown symbol, bad side) are errors naming the strategy', async () => {
    const tb = await tableOf(quotes);
    const bad = [
      { symbol: 'A', side: 'buy', qty: NaN },
      { symbol: 'ZZZ', side: 'buy', qty: 1 },
      { symbol: 'A', side: 'long', qty: 1 },
      { symbol: 'A', side: 'buy', type: 'limit', qty: 1 },
    ];
    const msgs = bad.map((o) => {
      try {
        run(tb, scripted({ 1: [o as never] }));
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(msgs[0]).toContain('qty must be a finite number > 0, got NaN');
    expect(msgs[1]).toContain("unknown symbol 'ZZZ'");
    expect(msgs[2]).toContain("side must be 'buy' or 'sell'");
    expect(msgs[3]).toContain('needs a limit price');
    for (const m of msgs) expect(m).toMatch(/^strategy 'test' failed at 2024-01-02T10:00:01Z/);
  });
});

describe('fees per order', () => {
  it('a fixed fee per order, on its first fill only, beside bps and per unit', async () => {
    // 25 units with capToQuoteSize fill 10, 10, 5: the per-order 1.5 on the first fill only
    const r = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 25 }] }), { capToQuoteSize: true, feePerOrder: 1.5, feeBps: 10 });
    expect(r.fills.rows().map((f) => Number(f.fee.toFixed(6)))).toEqual([2.53, 1.05, 0.495]); // 1.5 + 10 × 103 × 0.001; 10 × 105 × 0.001; 5 × 99 × 0.001
    // a notional order leaves room for it: (10,300 − 3) / 103 units
    const n = run(await tableOf(quotes), scripted({ 0: [{ symbol: 'A', side: 'buy', notional: 10_300 }] }), { feePerOrder: 3 });
    expect(n.fills.at(0).qty).toBeCloseTo(10_297 / 103, 9);
    expect(n.cash).toBeCloseTo(1_000_000 - 10_300, 6);
  });
});
