/**
 * The contract every shipped strategy honours: no look-ahead (decisions up to t are the same on
 * data truncated at t), determinism under a seed, no orders during warm-up, and no crash on gaps
 * or on a symbol without data.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executionOf } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import { sliceRows, sliceTime, type TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import { resolveParams } from '../../src/strategy/params.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { ROOT } from '../helpers.js';
import seedrandom from 'seedrandom';
import { tableOf, B, Q } from '../engine/harness.js';

/** Parameters that make each strategy active on the bundled pair sample, and its warm-up in events. */
const ACTIVE: Record<string, { params: Record<string, string>; warmupEvents: number; bars?: true }> = {
  'buy-and-hold': { params: {}, warmupEvents: 0 },
  flat: { params: {}, warmupEvents: 0 },
  random: { params: { prob: '0.02', every: '10s' }, warmupEvents: 0 },
  momentum: { params: { every: '10s', lookback: '30' }, warmupEvents: 30 },
  'mean-reversion': { params: { every: '10s', lookback: '30' }, warmupEvents: 30 },
  pairs: { params: { every: '10s', lookback: '60', entry: '1.5' }, warmupEvents: 60 },
  linreg: { params: { every: '10s', window: '60', horizon: '3', refit: '10' }, warmupEvents: 60 },
  'market-maker': { params: { symbol: 'AAA', size: '5', maxInventory: '20' }, warmupEvents: 0 },
  basket: { params: { every: '10s', formation: '60', refit: '10', entry: '1.5' }, warmupEvents: 60 },
  // variants: a strategy name, a space, what differs
  'linreg cross=BBB': { params: { symbol: 'AAA', every: '10s', window: '60', horizon: '3', refit: '10', cross: 'BBB', crossQuotes: 'true', basis: 'true' }, warmupEvents: 60 },
  'pairs monitor=true': { params: { every: '10s', lookback: '60', entry: '1.5', monitor: 'true', cusumLimit: '5' }, warmupEvents: 60 },
  'basket monitor=true': { params: { every: '10s', formation: '60', refit: '10', entry: '1.5', monitor: 'true', cusumLimit: '5' }, warmupEvents: 60 },
  // a universe strategy: daily bars of 12 names with a common factor (the pair sample has no bars)
  'pca-stat-arb': { params: { pcaWindow: '20', regressionWindow: '20', factors: '3', maxReversionDays: '60', tolerance: '0' }, warmupEvents: 21, bars: true },
  // the universe baseline: equal weights of the members, monthly
  'equal-weight-members': { params: {}, warmupEvents: 0, bars: true },
  // the other universe baseline: a random long-short book, monthly
  'random-long-short': { params: { share: '0.25' }, warmupEvents: 0, bars: true },
  'pairs hedge=kalman': { params: { every: '10s', lookback: '60', entry: '1.5', hedge: 'kalman', delta: '0.001' }, warmupEvents: 60 },
};
/** The shipped strategy a contract entry runs. */
const strategyOf = (key: string): string => key.split(' ')[0]!;

const run = (table: TickTable, key: string, params: Record<string, string>, seed = '5'): RunRecord => {
  const name = strategyOf(key);
  const m = BUILTIN_STRATEGIES.get(name)!;
  return runBacktest(table, m.create(resolveParams(name, m.params, params)), {
    strategyName: name,
    initialCapital: 100_000,
    execution: executionOf({ feeBps: 0.5 }),
    periodUs: 60e6,
    seed,
  });
};
const decisions = (r: RunRecord, before = Infinity): string[] =>
  r.orders
    .rows()
    .filter((o) => o.ts < before)
    .map((o) => `${o.ts} ${o.symbol} ${o.side} ${o.qty} ${o.notional} ${o.accepted}`);

let sample: TickTable;
let universe: TickTable;
const pairTable = async (): Promise<TickTable> => (sample ??= (await loadData([join(ROOT, 'data/sample_pair_quotes.csv'), join(ROOT, 'data/sample_pair_trades.csv')], { cache: false })).table);
/** 12 names, 250 daily bars: a market factor plus mean-reverting idiosyncratic parts (seeded). */
async function barUniverse(): Promise<TickTable> {
  if (universe) return universe;
  const rng = seedrandom('contract-universe');
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const names = Array.from({ length: 12 }, (_, k) => `N${String(k).padStart(2, '0')}`);
  const idio = names.map(() => 0);
  let market = 0;
  const rows = [B];
  for (let t = 0; t < 250; t++) {
    market += 0.01 * gauss();
    names.forEach((n, k) => {
      idio[k] = 0.8 * idio[k]! + 0.01 * gauss();
      const close = (50 + 5 * k) * Math.exp((0.5 + k / 12) * market + idio[k]!);
      const c = close.toFixed(4);
      rows.push(`${new Date(Date.UTC(2020, 0, 1) + t * 86_400_000).toISOString()},${n},${c},${c},${c},${c},1000`);
    });
  }
  return (universe = await tableOf(rows.join('\n')));
}

describe('strategy contract', () => {
  it('every shipped strategy is covered', () => {
    expect([...new Set(Object.keys(ACTIVE).map(strategyOf))].sort()).toEqual([...BUILTIN_STRATEGIES.keys()].sort());
  });
  for (const [name, { params, warmupEvents, bars }] of Object.entries(ACTIVE)) {
    const table = bars ? barUniverse : pairTable;
    describe(name, () => {
      it('decides the same up to t on data truncated at t (no look-ahead)', async () => {
        const t = await table();
        const cut = t.ts[Math.floor(t.length * 0.6)]!;
        const full = run(t, name, params);
        const part = run(sliceTime(t, -Infinity, cut), name, params);
        expect(decisions(part, cut)).toEqual(decisions(full, cut));
        if (name !== 'flat') expect(decisions(full).length).toBeGreaterThan(0);
      });
      it('is deterministic under a seed', async () => {
        const t = await table();
        const a = run(t, name, params);
        const b = run(t, name, params);
        expect(decisions(a)).toEqual(decisions(b));
        expect(Array.from(a.equity)).toEqual(Array.from(b.equity));
      });
      it('places no orders during warm-up', async () => {
        const t = await table();
        if (warmupEvents === 0) return;
        // decision steps are 10 s apart (the bar universe: a session); two legs: a window of
        // (warm-up − 2) steps can never finish warm-up
        const steps = warmupEvents - 2;
        const part = sliceTime(t, -Infinity, t.ts[0]! + steps * (bars ? 86_400e6 : 10e6));
        expect(run(part, name, params).orders).toHaveLength(0);
      });
      it('survives a long gap in the data', async () => {
        const t = await table();
        const a = Math.floor(t.length * 0.3);
        const b = Math.floor(t.length * 0.7);
        // rows before a, then rows after b: a hole of ~2 hours
        const joined = await joinTables(sliceRows(t, 0, a), sliceRows(t, b, t.length));
        const r = run(joined, name, params);
        expect(Number.isFinite(r.finalEquity)).toBe(true);
      });
      it('survives a symbol with no data in the window', async () => {
        const extra = await tableOf(`${Q}\n2024-01-02T14:30:00.100000Z,AAA,100,100.01,100,100\n2024-01-02T14:31:00Z,BBB,50,50.01,100,100\n2024-01-02T14:32:00Z,AAA,100.01,100.02,100,100\n2024-01-02T14:33:00Z,BBB,50.01,50.02,100,100`, `${Q}\n2030-01-01T00:00:00Z,ZZZ,10,10.01,1,1`);
        const window = sliceTime(extra, -Infinity, Date.UTC(2025, 0, 1) * 1000); // ZZZ is a symbol, without rows
        expect(window.symbols).toContain('ZZZ');
        const r = run(window, name, { ...params, ...(['pairs', 'basket'].includes(strategyOf(name)) ? { symbols: 'AAA,BBB' } : {}) });
        expect(Number.isFinite(r.finalEquity)).toBe(true);
      });
    });
  }
});

/** Concatenates two time-ordered tables of the same symbols (for the gap test). */
async function joinTables(a: TickTable, b: TickTable): Promise<TickTable> {
  const cat = <T extends Float64Array | Uint8Array | Uint16Array>(x: T, y: T): T => {
    const out = new (x.constructor as new (n: number) => T)(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    ...a,
    length: a.length + b.length,
    ts: cat(a.ts, b.ts),
    kind: cat(a.kind, b.kind),
    sym: cat(a.sym, b.sym),
    f0: cat(a.f0, b.f0),
    f1: cat(a.f1, b.f1),
    f2: cat(a.f2, b.f2),
    f3: cat(a.f3, b.f3),
    f4: cat(a.f4, b.f4),
    barStart: cat(a.barStart, b.barStart),
  };
}
