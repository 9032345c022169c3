/**
 * Properties of the engine, broker and portfolio on random markets and random order flow: the books
 * always balance, fills respect the quote, time only moves forward, and a strategy cannot see past
 * `now` (a run on a prefix of the data makes the same decisions).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILL_QUOTE, FILL_TRADE, fillSources } from '../../src/broker/fill-source.js';
import { DEFAULT_EXECUTION, type ExecutionSettings } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import { QUOTE } from '../../src/data/schema.js';
import { sliceRows, type TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import type { Fill, Strategy } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';
import { check, checkAsync, fc } from './fc.js';
import { actionsArb, actionStrategy, buildMarket, executionArb, marketArb } from './market.js';

const SUITE = 'engine';
const CAPITAL = 100_000;

const near = (a: number, b: number, scale = CAPITAL): boolean => Math.abs(a - b) <= 1e-7 * Math.max(1, scale, Math.abs(a), Math.abs(b));

function run(table: TickTable, strategy: Strategy, execution: { readonly settings: ExecutionSettings }, observer?: Parameters<typeof runBacktest>[2]['observer']): RunRecord {
  return runBacktest(table, strategy, { strategyName: 'random', initialCapital: CAPITAL, execution: execution.settings, periodUs: 60e6, seed: '7', ...(observer ? { observer } : {}) });
}

const scenario = fc.record({ market: marketArb, execution: executionArb, actions: actionsArb });

/** How much each property actually exercised (asserted below, so that none passes vacuously). */
const seen = { fills: 0, limitFills: 0, stopFills: 0, tradeFills: 0, closedTrips: 0, borrowRuns: 0, rejections: 0 };

describe('accounting on random order flow', () => {
  it('cash, positions, equity and PnL balance after every event; fees never negative', () => {
    check(
      SUITE,
      'books balance after every event',
      scenario,
      ({ market, execution, actions }) => {
        const table = buildMarket(market);
        const source = fillSources(table);
        // an independent ledger, from the fills the strategy is told about
        let cash = CAPITAL;
        const pos = new Map<string, number>();
        const onFill = (_: unknown, f: Fill): void => {
          const sign = f.side === 'buy' ? 1 : -1;
          if (!(f.fee >= 0)) throw new Error(`negative fee ${f.fee}`);
          cash -= sign * f.qty * f.price + f.fee;
          pos.set(f.symbol, (pos.get(f.symbol) ?? 0) + sign * f.qty);
        };
        const strategy = actionStrategy(actions, table.length, { onFill });
        const mark = new Float64Array(table.symbols.length).fill(NaN);
        let lastTs = -Infinity;
        let lastIndex = -1;
        let borrow = 0;
        const record = run(table, strategy, execution, ({ index, ts, portfolio: pf }) => {
          // time: every event once, in order, never backwards
          expect(index).toBe(lastIndex + 1);
          expect(ts).toBeGreaterThanOrEqual(lastTs);
          lastIndex = index;
          lastTs = ts;
          // marks from the table, independently: mid of the quote, or the trade of a trade-only symbol
          const s = table.sym[index]!;
          if (table.kind[index] === QUOTE) mark[s] = (table.f0[index]! + table.f1[index]!) / 2;
          else if (source[s] === FILL_TRADE || Number.isNaN(mark[s]!)) mark[s] = table.f0[index]!;
          expect(pf.borrowPaid).toBeGreaterThanOrEqual(borrow - 1e-12);
          borrow = pf.borrowPaid;
          expect(pf.feesPaid).toBeGreaterThanOrEqual(0);
          if (!near(pf.cash, cash - pf.borrowPaid)) throw new Error(`cash ${pf.cash} != ledger ${cash - pf.borrowPaid} at event ${index}`);
          let value = 0;
          table.symbols.forEach((name, k) => {
            const p = pos.get(name) ?? 0;
            if (!near(pf.position[k]!, p, Math.abs(p))) throw new Error(`position ${name} ${pf.position[k]} != ledger ${p}`);
            if (pf.position[k] !== 0) value += pf.position[k]! * mark[k]!;
          });
          const equity = pf.equity();
          if (!near(equity, pf.cash + value)) throw new Error(`equity ${equity} != cash + positions ${pf.cash + value} at event ${index}`);
          const realised = pf.closed.rows().reduce((a, t) => a + t.netPnl, 0);
          if (!near(realised + pf.totalOpenPnl(), equity - CAPITAL)) throw new Error(`realised ${realised} + open ${pf.totalOpenPnl()} != equity change ${equity - CAPITAL}`);
        });
        expect(lastIndex).toBe(table.length - 1);
        seen.closedTrips += record.trades.length;
        seen.rejections += record.rejections.length;
        if (record.borrowPaid > 0) seen.borrowRuns++;
        expect(record.fills.rows().every((f) => f.fee >= execution.feeMinimum - 1e-12)).toBe(true);
        expect(
          near(
            record.feesPaid,
            record.fills.rows().reduce((a, f) => a + f.fee, 0),
          ),
        ).toBe(true);
        // the record's equity samples never go back in time either
        for (let k = 1; k < record.sampleTs.length; k++) expect(record.sampleTs[k]!).toBeGreaterThan(record.sampleTs[k - 1]!);
      },
      400,
    );
    expect(seen.closedTrips).toBeGreaterThan(50);
    expect(seen.borrowRuns).toBeGreaterThan(5);
    expect(seen.rejections).toBeGreaterThan(20);
  });

  it('no fill outside the quote (plus slippage) or beyond its limit, and no order overfilled', () => {
    check(
      SUITE,
      'fills within the quote and the order',
      scenario,
      ({ market, execution, actions }) => {
        const table = buildMarket(market);
        const source = fillSources(table);
        const record = run(table, actionStrategy(actions, table.length), execution);
        const orders = new Map(record.orders.rows().map((o) => [o.id, o]));
        const slip = execution.slippageBps / 1e4;
        const half = execution.halfSpreadBps / 1e4;
        const tol = 1e-9;
        const filled = new Map<number, number>();
        const firstPrice = new Map<number, number>();
        for (const f of record.fills) {
          const o = orders.get(f.orderId)!;
          const buy = f.side === 'buy';
          const what = `${o.type} ${f.side} ${f.symbol} #${o.id} at ${f.price} (bid ${f.bid}, ask ${f.ask}, limit ${o.limit}, stop ${o.stop})`;
          // latency: never on the event that submitted it, never before it is live
          expect(f.index, what).toBeGreaterThan(o.index);
          expect(f.ts, what).toBeGreaterThanOrEqual(o.ts + execution.latencyUs);
          expect(f.qty, what).toBeGreaterThan(0);
          expect(f.fee, what).toBeGreaterThanOrEqual(0);
          const s = table.symbols.indexOf(f.symbol);
          if (source[s] === FILL_QUOTE) {
            const { bid, ask } = f;
            expect(table.kind[f.index]).toBe(QUOTE);
            expect([bid, ask]).toEqual([table.f0[f.index], table.f1[f.index]]);
            if (o.type === 'limit') {
              // marketable at the quote, or resting and filled at the limit: never better than the
              // quote, never worse than the limit
              if (buy) expect(f.price >= ask * (1 - tol) && f.price <= o.limit * (1 + tol), what).toBe(true);
              else expect(f.price <= bid * (1 + tol) && f.price >= o.limit * (1 - tol), what).toBe(true);
            } else if (buy) expect(f.price >= ask * (1 - tol) && f.price <= ask * (1 + slip) * (1 + tol), what).toBe(true);
            else expect(f.price <= bid * (1 + tol) && f.price >= bid * (1 - slip) * (1 - tol), what).toBe(true);
            if (o.type === 'stop') expect(buy ? ask >= o.stop : bid <= o.stop, what).toBe(true);
            if (execution.capToQuoteSize) {
              const shown = buy ? table.f3[f.index]! : table.f2[f.index]!;
              if (!Number.isNaN(shown)) expect(f.qty, what).toBeLessThanOrEqual(shown * (1 + tol));
            }
          } else {
            const p = table.f0[f.index]!;
            if (o.type === 'limit') {
              // marketable on its first trade at the trade price (± the half-spread), within the
              // limit; or resting, filled at the limit by a trade strictly beyond it
              const market = p * (1 + (buy ? 1 : -1) * half);
              if (f.price === o.limit) expect(buy ? p < o.limit || market <= o.limit : p > o.limit || market >= o.limit, what).toBe(true);
              else {
                expect(near(f.price, market, p), what).toBe(true);
                expect(buy ? f.price <= o.limit : f.price >= o.limit, what).toBe(true);
              }
            } else {
              const worst = p * (1 + (buy ? 1 : -1) * half) * (1 + (buy ? 1 : -1) * slip);
              if (o.type === 'market') expect(near(f.price, worst, p), what).toBe(true);
              else expect(buy ? f.price >= o.stop * (1 - tol) : f.price <= o.stop * (1 + tol), what).toBe(true);
            }
          }
          filled.set(o.id, (filled.get(o.id) ?? 0) + f.qty);
          seen.fills++;
          if (o.type === 'limit') seen.limitFills++;
          if (o.type === 'stop') seen.stopFills++;
          if (source[s] !== FILL_QUOTE) seen.tradeFills++;
          if (!firstPrice.has(o.id)) firstPrice.set(o.id, f.price);
        }
        for (const [id, qty] of filled) {
          const o = orders.get(id)!;
          expect(o.accepted).toBe(true);
          // a notional order is sized once, at its first fill's price, net of fees (the per-order fee first)
          const limit = Number.isNaN(o.qty) ? Math.max(0, o.notional - execution.feePerOrder) / (firstPrice.get(id)! * (1 + execution.feeBps / 1e4) + execution.feePerUnit) : o.qty;
          expect(qty, `order ${id}`).toBeLessThanOrEqual(limit * (1 + 1e-9));
        }
      },
      400,
    );
    expect(seen.fills).toBeGreaterThan(500);
    expect(Math.min(seen.limitFills, seen.stopFills, seen.tradeFills)).toBeGreaterThan(30);
  });
});

describe('tick subscriptions', () => {
  // A subscribed strategy is told only of some ticks; the engine replays the others on a fast path
  // (scanQuiet) that must change nothing else: fills, marks, samples and what the context shows.
  const subscriptionArb = fc.record({
    symbols: fc.constantFrom<readonly string[] | undefined>(undefined, ['A'], ['B'], ['C'], ['A', 'B'], ['A', 'C'], ['A', 'B', 'C']),
    everyUs: fc.constantFrom(0, 2e6, 10e6, 60e6, 600e6),
    per: fc.constantFrom('symbol' as const, 'strategy' as const),
  });
  it('delivers exactly the ticks its rule gives, with the same fills and books as a strategy that filters every tick itself', () => {
    check(
      SUITE,
      'subscriptions: fast path changes nothing',
      fc.record({ market: marketArb, execution: executionArb, actions: actionsArb, sub: subscriptionArb }),
      ({ market, execution, actions, sub }) => {
        const table = buildMarket(market);
        // the rule (strategy/types.ts TickSubscription): a listed symbol's tick is delivered when its
        // time reaches the next period boundary after the last one delivered (per symbol or shared)
        const next = new Map<string, number>();
        const delivered: number[] = [];
        const rule = (tick: { index: number; ts: number; symbol: string }): boolean => {
          if (sub.symbols && !sub.symbols.includes(tick.symbol)) return false;
          const key = sub.per === 'symbol' ? tick.symbol : '*';
          if (tick.ts < (next.get(key) ?? -Infinity)) return false;
          if (sub.everyUs > 0) next.set(key, (Math.floor(tick.ts / sub.everyUs) + 1) * sub.everyUs);
          delivered.push(tick.index);
          return true;
        };
        const subscribed = actionStrategy(actions, table.length);
        (subscribed as { ticks?: unknown }).ticks = { ...(sub.symbols ? { symbols: sub.symbols } : {}), everyUs: sub.everyUs, per: sub.per };
        const filtering = actionStrategy(actions, table.length);
        const inner = filtering.onTick!;
        filtering.onTick = (ctx, tick) => {
          if (rule(tick)) inner.call(filtering, ctx, tick);
        };
        const a = run(table, subscribed, execution);
        const b = run(table, filtering, execution);
        expect(subscribed.seen.map((x) => x.index)).toEqual(delivered);
        expect(subscribed.seen).toEqual(filtering.seen);
        expect(a.orders.rows()).toEqual(b.orders.rows());
        expect(a.fills.rows()).toEqual(b.fills.rows());
        expect(a.trades.rows()).toEqual(b.trades.rows());
        expect([...a.sampleTs]).toEqual([...b.sampleTs]);
        expect([...a.equity]).toEqual([...b.equity]);
        expect([...a.inMarket]).toEqual([...b.inMarket]);
        expect([...a.exposureCum]).toEqual([...b.exposureCum]);
        expect([...a.borrowCum]).toEqual([...b.borrowCum]);
        expect(a.finalEquity).toBe(b.finalEquity);
        subSeen.runs++;
        subSeen.skipped += table.length - delivered.length;
        subSeen.fills += a.fills.length;
      },
      300,
    );
    // not vacuous: ticks were skipped, and orders filled on events the strategy was not shown
    expect(subSeen.skipped).toBeGreaterThan(1000);
    expect(subSeen.fills).toBeGreaterThan(200);
  });
});
const subSeen = { runs: 0, skipped: 0, fills: 0 };

describe('time', () => {
  it('truncation: a run on a prefix of the data sees and decides exactly what the full run did up to there', () => {
    check(
      SUITE,
      'no look-ahead: prefix runs agree',
      fc.record({ market: marketArb, execution: executionArb, actions: actionsArb, cut: fc.double({ min: 0.05, max: 0.95, noNaN: true }) }),
      ({ market, execution, actions, cut }) => {
        const table = buildMarket(market);
        const k = Math.max(1, Math.floor(table.length * cut));
        const full = actionStrategy(actions, table.length, {
          onTick: (ctx, tick) => {
            // what the context shows is never later than now
            expect(ctx.now).toBe(tick.ts);
            for (const s of ['A', 'B']) expect(ctx.quote(s)?.ts ?? -Infinity).toBeLessThanOrEqual(ctx.now);
          },
        });
        const part = actionStrategy(actions, table.length);
        const a = run(table, full, execution);
        const b = run(sliceRows(table, 0, k), part, execution);
        const before = <T extends { index: number }>(xs: readonly T[]): T[] => xs.filter((x) => x.index < k);
        expect(part.seen).toEqual(before(full.seen));
        expect(b.orders.rows()).toEqual(before(a.orders.rows()));
        expect(b.fills.rows()).toEqual(before(a.fills.rows()));
        // and calls arrive in time order
        for (let i = 1; i < full.seen.length; i++) expect(full.seen[i]!.now).toBeGreaterThanOrEqual(full.seen[i - 1]!.now);
      },
      300,
    );
  });

  it('a bar is visible only from its close, through the real loader', async () => {
    const dir = tempDir();
    let caseNo = 0;
    await checkAsync(
      SUITE,
      'bars never visible before their close',
      fc.record({
        bars: fc.array(fc.boolean(), { minLength: 3, maxLength: 60 }), // false: a missing minute
        trades: fc.array(fc.integer({ min: 0, max: 3_700_000_000 }), { minLength: 1, maxLength: 60 }),
        barsFirst: fc.boolean(),
      }),
      async ({ bars, trades, barsFirst }) => {
        const t0 = Date.UTC(2024, 2, 4, 14) * 1000;
        const minute = 60e6;
        // three bars in a row first, so the bar length (1m) is inferred; closes are unique
        const starts = [0, 1, 2, ...bars.map((keep, k) => (keep ? k + 3 : -1)).filter((k) => k >= 0)].map((k) => t0 + k * minute);
        const barRows = starts.map((s, k) => `${new Date(s / 1000).toISOString()},X,${100 + k},${101 + k},${99 + k},${100 + k},10`);
        const tradeTs = [...trades].sort((x, y) => x - y).map((d) => t0 + d);
        const tradeRows = tradeTs.map((t, k) => `${new Date(Math.floor(t / 1000)).toISOString()},Y,${50 + (k % 7)},1`);
        const fb = join(dir, `bars${caseNo}.csv`);
        const ft = join(dir, `trades${caseNo++}.csv`);
        writeFileSync(fb, `ts,symbol,open,high,low,close,volume\n${barRows.join('\n')}\n`);
        writeFileSync(ft, `ts,symbol,price,size\n${tradeRows.join('\n')}\n`);
        const { table } = await loadData(barsFirst ? [fb, ft] : [ft, fb], { cache: false });
        // a bar covers [start, start + 1m); the loader releases it at min(start + its inferred
        // length, the next start): possibly late (the median spacing when minutes are missing),
        // never early
        const visibleAt = (now: number, price: number): void => {
          const k = Number.isNaN(price) ? -1 : price - 100;
          if (k >= 0) expect(starts[k]! + minute, `bar ${k} seen at ${now}`).toBeLessThanOrEqual(now);
          // every bar whose successor started before now has been released
          for (let j = k + 1; j + 1 < starts.length && starts[j + 1]! < now; j++) throw new Error(`bar ${j} not visible at ${now}`);
        };
        runBacktest(
          table,
          {
            onTick: (ctx) => visibleAt(ctx.now, ctx.price('X')),
            onBar: (ctx, bar) => {
              expect(bar.ts).toBe(ctx.now);
              const k = starts.indexOf(bar.start);
              expect(bar.close).toBe(100 + k);
              expect(bar.ts).toBeGreaterThanOrEqual(bar.start + minute);
              if (k + 1 < starts.length) expect(bar.ts).toBeLessThanOrEqual(starts[k + 1]!);
              visibleAt(ctx.now, ctx.price('X'));
            },
          },
          { strategyName: 'bars', initialCapital: CAPITAL, execution: DEFAULT_EXECUTION, periodUs: 60e6, seed: '1' },
        );
      },
      60,
    );
  });
});
