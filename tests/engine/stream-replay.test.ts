/**
 * The streamed replay (engine/stream-replay.ts: one block of rows, refilled and rebased) gives
 * the record a replay of the whole table gives, byte for byte: orders, fills (with their event
 * indices), round trips, equity samples. Blocks as small as the engine allows, so that every
 * run crosses many block edges with orders working, positions open and history asked for.
 */
import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { executionOf } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { runBacktest, type RunConfig } from '../../src/engine/engine.js';
import { minBlockRows, replayStream, type BlockSource } from '../../src/engine/stream-replay.js';
import { packRecord, type RunRecord } from '../../src/portfolio/record.js';
import { createStrategy } from '../../src/strategy/instance.js';
import { resolveParams } from '../../src/strategy/params.js';
import type { Strategy } from '../../src/strategy/types.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { checkAsync, fc } from '../properties/fc.js';
import { B, Q, T, tableOf } from './harness.js';

/** A table as a block stream (what the catalog's window stream is to the engine). */
export function tableSource(t: TickTable): BlockSource {
  let next = 0;
  const cols = ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3', 'f4', 'barStart'] as const;
  return {
    symbols: t.symbols,
    block: (rows) => {
      const f = (a: Float64Array): Float64Array => new Float64Array(a.length > 0 ? rows : 0);
      return { length: rows, symbols: t.symbols, symbolKinds: t.symbolKinds, ts: new Float64Array(rows), kind: new Uint8Array(rows), sym: new Uint16Array(rows), f0: f(t.f0), f1: f(t.f1), f2: f(t.f2), f3: f(t.f3), f4: f(t.f4), barStart: f(t.barStart) };
    },
    fill(out, at, max) {
      const n = Math.min(max, t.length - next);
      for (const c of cols) if (t[c].length > 0) (out[c] as Float64Array).set((t[c] as Float64Array).subarray(next, next + n), at);
      next += n;
      return n;
    },
  };
}

/** Every column and field of a record, as bytes and JSON. */
function recordBytes(r: RunRecord): string {
  return JSON.stringify(packRecord(r).packed, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : v));
}

const cfg = (more: Partial<RunConfig> = {}): RunConfig => ({ strategyName: 'test', initialCapital: 1_000_000, execution: executionOf({}, {}), periodUs: 60e6, seed: '1', ...more });

function builtin(name: string, params: Record<string, string> = {}): () => Strategy {
  const m = BUILTIN_STRATEGIES.get(name)!;
  return () => createStrategy(m, resolveParams(m.name, m.params, params));
}

function expectSame(t: TickTable, make: () => Strategy, rows: number, c: RunConfig = cfg()): void {
  const mem = runBacktest(t, make(), c);
  const streamed = replayStream(tableSource(t), make(), c, rows);
  expect(recordBytes(streamed)).toBe(recordBytes(mem));
}

/** A strategy that asks for history and trades on it, with limit orders left working across blocks. */
const historyTrader = (): Strategy => ({
  onTick(ctx, tick) {
    const h = ctx.history(tick.symbol, 5, 'price');
    if (h.length < 5) return;
    const up = h[4]! > h[0]!;
    const pos = ctx.position(tick.symbol);
    if (up && pos <= 0) ctx.submit({ symbol: tick.symbol, side: 'buy', qty: 10, type: 'limit', limit: tick.price * 0.9995 });
    if (!up && pos >= 0) ctx.submit({ symbol: tick.symbol, side: 'sell', qty: 10 });
  },
  onBar(ctx, bar) {
    const h = ctx.history(bar.symbol, 3, 'close');
    if (h.length === 3 && h[2]! > h[0]!) ctx.submit({ symbol: bar.symbol, side: 'buy', qty: 1 });
    else if (ctx.position(bar.symbol) > 0) ctx.submit({ symbol: bar.symbol, side: 'sell', qty: ctx.position(bar.symbol) });
  },
});

describe('streamed replay = replay in memory', () => {
  it('the bundled pair data: every built-in that trades ticks, blocks of the smallest size', async () => {
    const t = (await loadData(['data/sample_pair_quotes.csv', 'data/sample_pair_trades.csv'], { cache: false })).table;
    const small = minBlockRows(t.symbols.length);
    for (const [name, params] of [
      ['flat', {}],
      ['buy-and-hold', {}],
      ['random', {}],
      ['momentum', {}],
      ['pairs', { every: '10s' }],
      ['linreg', { every: '10s', feeBps: '0.5' }],
      ['market-maker', {}],
    ] as const) {
      expectSame(t, builtin(name, params), small);
      expectSame(t, builtin(name, params), 5000);
    }
  });

  it('daily bars: bar strategies and history, blocks of the smallest size', async () => {
    const t = (await loadData(['data/eustockmarkets_daily_1991_1998.csv'], { cache: false })).table;
    expectSame(t, historyTrader, minBlockRows(t.symbols.length));
    expectSame(t, builtin('buy-and-hold'), minBlockRows(t.symbols.length));
  });

  it('history further back than the block holds is an error naming --memory, not a shorter answer', async () => {
    const t = (await loadData(['data/sample_pair_quotes.csv'], { cache: false })).table;
    const deep: Strategy = {
      onTick(ctx, tick) {
        ctx.history(tick.symbol, 1000, 'price');
      },
    };
    expect(() => replayStream(tableSource(t), deep, cfg(), minBlockRows(t.symbols.length))).toThrow(/--memory/);
  });

  it('property: random tables of trades, quotes and bars with ties, random block sizes', async () => {
    const cases = fc.record({ seed: fc.integer({ min: 0, max: 1e9 }), n: fc.integer({ min: 1, max: 400 }), extra: fc.integer({ min: 0, max: 300 }), bars: fc.boolean() });
    await checkAsync(
      'stream-replay',
      'random tables',
      cases,
      async ({ seed, n, extra, bars }) => {
        const rng = seedrandom(String(seed));
        const syms = ['A', 'B', 'C'];
        const tick = (k: number): number => 1_700_000_000_000_000 + Math.floor(k / 2) * 1e6;
        const q = [Q, ...Array.from({ length: n }, (_, k) => `${tick(k)},${syms[Math.floor(rng() * 3)]},${(100 + rng()).toFixed(2)},${(101 + rng()).toFixed(2)},${1 + Math.floor(rng() * 9)},${1 + Math.floor(rng() * 9)}`)].join('\n');
        const tr = [T, ...Array.from({ length: n }, (_, k) => `${tick(k)},${syms[Math.floor(rng() * 2)]},${(100.5 + rng()).toFixed(2)},${1 + Math.floor(rng() * 9)}`)].join('\n');
        const csvs = bars ? [[B, ...Array.from({ length: n }, (_, k) => `${tick(2 * k * 60)},${syms[k % 3]},100,${(101 + rng()).toFixed(2)},99,${(100 + rng()).toFixed(2)},${Math.floor(rng() * 100)}`)].join('\n')] : [q, tr];
        const t = await tableOf(...csvs);
        const small = minBlockRows(t.symbols.length) + extra;
        for (const make of [builtin('random'), builtin('momentum')]) expectSame(t, make, small);
        // history of 5 rows: a block whose kept quarter holds that many of each symbol
        expectSame(t, historyTrader, small + 400);
      },
      25,
    );
  });
});
