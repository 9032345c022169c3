/**
 * The model contract suite: every execution model (each slot's models, with their defaults and
 * with settings that make them act), on random markets and random order flow, keeps the venue's
 * promises: never a fill before the order is live (not on the event that submitted it, not
 * before its entry latency); never a market or stop fill better than the quote (a limit never
 * worse than its limit); fees >= 0; no order filled beyond its size; the same seed gives the same
 * fills; and the books balance (cash = capital − Σ signed notional − fees − borrow; positions =
 * Σ signed fills). The same on bars, with the bar's own promises: no fill at a price the bar did
 * not reach (beyond slippage, which only moves against the order), no fill on the bar that
 * submitted the order, a bracket's leg filled after its entry, and a stop the open is already
 * beyond filled at the open, never at a better price later in the bar.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MODELS } from '../../src/broker/models/index.js';
import { FAMILIES } from '../../src/broker/model.js';
import { makeExecution, type ExecutionSettings } from '../../src/broker/settings.js';
import { BAR, QUOTE, TRADE, type TickKind } from '../../src/data/schema.js';
import { mergeTables, type FileTable, type TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import type { OrderRequest, Strategy } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';
import { check, fc } from '../properties/fc.js';

const T0 = Date.UTC(2024, 0, 2, 9) * 1000;
const TICK = 0.01;

/** Symbol A: quotes and trades on a 0.01 grid (trades at the bid, the ask or through them); B: trades only. */
const marketArb = fc.array(
  fc.record({
    dt: fc.integer({ min: 1, max: 2_000_000 }),
    kind: fc.constantFrom('quote', 'quote', 'trade', 'tradeB'),
    move: fc.integer({ min: -3, max: 3 }),
    spread: fc.integer({ min: 1, max: 3 }),
    size: fc.integer({ min: 1, max: 60 }),
    at: fc.constantFrom('bid', 'ask', 'below', 'above'),
  }),
  { minLength: 10, maxLength: 200 },
);

function buildMarket(events: readonly { dt: number; kind: string; move: number; spread: number; size: number; at: string }[]): TickTable {
  const q: number[][] = [[], [], [], [], []];
  const a: number[][] = [[], [], []];
  const b: number[][] = [[], [], []];
  let t = T0;
  let bidTicks = 10_000;
  let spread = 1;
  let bTicks = 5_000;
  for (const e of events) {
    t += e.dt;
    if (e.kind === 'quote') {
      bidTicks = Math.max(100, bidTicks + e.move);
      spread = e.spread;
      q[0]!.push(t);
      q[1]!.push(bidTicks * TICK);
      q[2]!.push((bidTicks + spread) * TICK);
      q[3]!.push(e.size);
      q[4]!.push(Math.max(1, 61 - e.size));
    } else if (e.kind === 'trade') {
      const ticks = e.at === 'bid' ? bidTicks : e.at === 'ask' ? bidTicks + spread : e.at === 'below' ? bidTicks - 1 : bidTicks + spread + 1;
      a[0]!.push(t);
      a[1]!.push(ticks * TICK);
      a[2]!.push(e.size);
    } else {
      bTicks = Math.max(100, bTicks + e.move);
      b[0]!.push(t);
      b[1]!.push(bTicks * TICK);
      b[2]!.push(e.size);
    }
  }
  const f = (kind: TickKind, cols: number[][], symbols: string[], sym: number): FileTable => ({
    kind,
    length: cols[0]!.length,
    symbols,
    ts: Float64Array.from(cols[0]!),
    sym: new Uint16Array(cols[0]!.length).fill(sym),
    cols: cols.slice(1).map((c) => Float64Array.from(c)),
  });
  return mergeTables([
    { table: f(QUOTE, q, ['A'], 0), visibleTs: Float64Array.from(q[0]!) },
    { table: f(TRADE, a, ['A'], 0), visibleTs: Float64Array.from(a[0]!) },
    { table: f(TRADE, b, ['B'], 0), visibleTs: Float64Array.from(b[0]!) },
  ]);
}

const ORDERS = ['market', 'notional', 'limitAtBest', 'limitInside', 'stop', 'stopLimit', 'trailing', 'bracket', 'ioc', 'fok', 'reduce', 'target', 'flat', 'cancel'] as const;
const actionsArb = fc.array(fc.record({ at: fc.nat({ max: 300 }), op: fc.constantFrom(...ORDERS), sym: fc.constantFrom('A', 'A', 'B'), buy: fc.boolean(), qty: fc.integer({ min: 1, max: 80 }) }), { minLength: 5, maxLength: 60 });

/** Places random orders of every type, at prices on the tick grid. */
function flow(actions: readonly { at: number; op: (typeof ORDERS)[number]; sym: string; buy: boolean; qty: number }[], n: number): Strategy & { ids: number[] } {
  const by = new Map<number, (typeof actions)[number][]>();
  for (const x of actions) by.set(x.at % n, [...(by.get(x.at % n) ?? []), x]);
  const ids: number[] = [];
  const on = (ctx: Parameters<NonNullable<Strategy['onTick']>>[0], index: number): void => {
    for (const x of by.get(index) ?? []) {
      const side = x.buy ? 'buy' : 'sell';
      const q = ctx.quote(x.sym);
      const px = ctx.price(x.sym);
      if (Number.isNaN(px)) continue;
      const best = q ? (x.buy ? q.bid : q.ask) : Math.round(px / TICK) * TICK;
      const grid = (v: number): number => Math.round(v / TICK) * TICK;
      const away = grid(best + (x.buy ? 2 : -2) * TICK);
      let o: OrderRequest | undefined;
      if (x.op === 'market') o = { symbol: x.sym, side, qty: x.qty };
      else if (x.op === 'notional') o = { symbol: x.sym, side, notional: x.qty * 50 };
      else if (x.op === 'limitAtBest') o = { symbol: x.sym, side, qty: x.qty, type: 'limit', limit: grid(best) };
      else if (x.op === 'limitInside') o = { symbol: x.sym, side, qty: x.qty, type: 'limit', limit: grid(best + (x.buy ? -TICK : TICK)) };
      else if (x.op === 'stop') o = { symbol: x.sym, side, qty: x.qty, type: 'stop', stop: away };
      else if (x.op === 'stopLimit') o = { symbol: x.sym, side, qty: x.qty, type: 'stop-limit', stop: away, limit: grid(away + (x.buy ? 1 : -1) * TICK) };
      else if (x.op === 'trailing') o = { symbol: x.sym, side, qty: x.qty, type: 'trailing-stop', trail: 2 * TICK };
      else if (x.op === 'bracket') o = { symbol: x.sym, side, qty: x.qty, takeProfit: grid(px * (x.buy ? 1.002 : 0.998)), stopLoss: grid(px * (x.buy ? 0.998 : 1.002)) };
      else if (x.op === 'ioc') o = { symbol: x.sym, side, qty: x.qty, type: 'limit', limit: grid(best), tif: 'ioc' };
      else if (x.op === 'fok') o = { symbol: x.sym, side, qty: x.qty, tif: 'fok' };
      else if (x.op === 'reduce') o = { symbol: x.sym, side, qty: x.qty, reduceOnly: true };
      else if (x.op === 'target' || x.op === 'flat') {
        const r = ctx.targetPosition(x.sym, x.op === 'flat' ? 0 : (x.buy ? 1 : -1) * x.qty);
        if (r) ids.push(r.id);
      } else if (ids.length > 0) ctx.cancel(ids[x.qty % ids.length]!);
      if (o) ids.push(ctx.submit(o).id);
    }
  };
  return { ids, onTick: (ctx, tick) => on(ctx, tick.index), onBar: (ctx, bar) => on(ctx, bar.index) };
}

/** Each model with settings that make it act (the defaults are tried too). */
function variants(): { name: string; exec: Record<string, string | number | boolean> }[] {
  const d = tempDir();
  const lat = join(d, 'latency.csv');
  writeFileSync(lat, `request,exchange,response\n${T0 * 1000},${T0 * 1000 + 2e8},${T0 * 1000 + 5e8}\n${(T0 + 60e6) * 1000},,${(T0 + 60e6) * 1000 + 1e8}\n${(T0 + 120e6) * 1000},${(T0 + 120e6) * 1000 + 1e9},${(T0 + 120e6) * 1000 + 1.5e9}\n`);
  const acting: Record<string, Record<string, string | number | boolean>> = {
    'latency=constant': { 'latency.entry': '500ms', 'latency.response': '1s' },
    'latency=file': { 'latency.file': lat },
    'fill=standard': { 'fill.participation': 0.5, 'fill.capToQuoteSize': true, 'fill.spread': 3 },
    'queue=probabilistic': { 'queue.n': 3 },
    'slippage=fixed': { 'slippage.bps': 5 },
    'slippage=volume-share': { 'slippage.limit': 0.5 },
    'slippage=sqrt-impact': { 'slippage.horizon': '10m' },
    'fees=schedule': { 'fees.bps': 10, 'fees.makerBps': 2, 'fees.minimum': 0.5, 'fees.perUnit': 0.001 },
    'financing=borrow': { 'financing.bps': 300 },
  };
  const out: { name: string; exec: Record<string, string | number | boolean> }[] = [];
  for (const f of FAMILIES) {
    for (const m of MODELS[f]) {
      const key = `${f}=${m.name}`;
      if (m.name !== 'file') out.push({ name: `${key} (defaults)`, exec: { [f]: m.name } });
      if (acting[key]) out.push({ name: key, exec: { [f]: m.name, ...acting[key] } });
    }
  }
  return out;
}

function run(table: TickTable, s: Strategy, execution: ExecutionSettings, seed = '3'): RunRecord {
  return runBacktest(table, s, { strategyName: 'flow', initialCapital: 1e6, execution, periodUs: 60e6, seed });
}

/** Counts what a suite's cases did, so that a contract that checks nothing fails. */
const seen = { fills: new Map<string, number>(), cancellations: 0, rejections: 0 };

describe("model contract: every execution model keeps the venue's promises", () => {
  for (const v of variants()) {
    it(v.name, () => {
      const execution = makeExecution({ exec: v.exec, maxLeverage: 5 });
      check(
        'model-contract',
        v.name,
        fc.record({ market: marketArb, actions: actionsArb }),
        ({ market, actions }) => {
          const table = buildMarket(market);
          const strategy = flow(actions, table.length);
          const record = run(table, strategy, execution);
          const own = new Set(strategy.ids);
          const orders = new Map(record.orders.rows().map((o) => [o.id, o]));
          const filled = new Map<number, number>();
          const tol = 1e-9;
          const entry = v.exec['latency.entry'] === '500ms' ? 500_000 : 0;
          let cash = 1e6;
          const pos = new Map<string, number>();
          for (const f of record.fills) {
            const o = orders.get(f.orderId)!;
            const what = `${o.type} ${f.side} ${f.symbol} #${o.id} qty ${f.qty} at ${f.price} (bid ${f.bid}, ask ${f.ask}, limit ${o.limit}, stop ${o.stop}) under ${v.name}`;
            expect(f.index, what).toBeGreaterThan(o.index);
            expect(f.ts, what).toBeGreaterThanOrEqual(o.ts + entry);
            expect(f.qty, what).toBeGreaterThan(0);
            expect(f.fee, what).toBeGreaterThanOrEqual(0);
            const buy = f.side === 'buy';
            if (table.kind[f.index] === QUOTE) {
              if (o.type === 'limit' || o.type === 'stop-limit') {
                // never worse than its limit
                expect(buy ? f.price <= o.limit * (1 + tol) : f.price >= o.limit * (1 - tol), what).toBe(true);
              } else {
                // market and stops: never better than the quote
                expect(buy ? f.price >= f.ask * (1 - tol) : f.price <= f.bid * (1 + tol), what).toBe(true);
              }
            } else if (o.type === 'limit' || o.type === 'stop-limit') expect(buy ? f.price <= o.limit * (1 + tol) : f.price >= o.limit * (1 - tol), what).toBe(true);
            else expect(buy ? f.price >= table.f0[f.index]! * (1 - tol) : f.price <= table.f0[f.index]! * (1 + tol), what).toBe(true);
            filled.set(o.id, (filled.get(o.id) ?? 0) + f.qty);
            // the strategy's orders never fill beyond their size (a bracket's legs grow with its entry's fills)
            if (own.has(o.id) && !Number.isNaN(o.qty)) expect(filled.get(o.id)!, what).toBeLessThanOrEqual(o.qty * (1 + tol));
            cash -= (buy ? 1 : -1) * f.qty * f.price + f.fee;
            seen.fills.set(o.type, (seen.fills.get(o.type) ?? 0) + 1);
            pos.set(f.symbol, (pos.get(f.symbol) ?? 0) + (buy ? f.qty : -f.qty));
          }
          // the books balance (a margin call's negative balance is written off)
          expect(record.cash).toBeCloseTo(cash - record.borrowPaid + record.marginCalls.reduce((a, c) => a + c.writtenOff, 0), 6);
          // same seed, same fills
          const again = run(table, flow(actions, table.length), execution);
          expect(again.fills.rows()).toEqual(record.fills.rows());
          expect(again.cancellations).toEqual(record.cancellations);
          seen.cancellations += record.cancellations.length;
          seen.rejections += record.rejections.length;
        },
        25,
      );
    });
  }
  it('the cases filled every order type and ended orders at the venue', () => {
    console.log(`model contract: fills by type ${JSON.stringify(Object.fromEntries(seen.fills))}, ${seen.cancellations} cancellations, ${seen.rejections} rejections`);
    for (const type of ['market', 'limit', 'stop', 'stop-limit', 'trailing-stop']) expect(seen.fills.get(type) ?? 0, type).toBeGreaterThan(100);
    expect(seen.cancellations).toBeGreaterThan(100);
  });
});

/** Bars of A (1-minute, on the tick grid): each a random open gap from the last close, then a random range around it. */
const barsArb = fc.array(fc.record({ gap: fc.integer({ min: -10, max: 10 }), up: fc.integer({ min: 0, max: 60 }), down: fc.integer({ min: 0, max: 60 }), close: fc.integer({ min: 0, max: 100 }), volume: fc.integer({ min: 1, max: 500 }) }), { minLength: 10, maxLength: 150 });

function buildBars(bars: readonly { gap: number; up: number; down: number; close: number; volume: number }[]): TickTable {
  const cols: number[][] = [[], [], [], [], [], []];
  let last = 10_000;
  bars.forEach((b, k) => {
    const open = Math.max(200, last + b.gap);
    const high = open + b.up;
    const low = Math.max(100, open - b.down);
    const close = low + Math.round(((high - low) * b.close) / 100);
    last = close;
    cols[0]!.push(T0 + k * 60e6);
    for (const [c, v] of [open, high, low, close].entries()) cols[c + 1]!.push(v * TICK);
    cols[5]!.push(b.volume);
  });
  const table: FileTable = { kind: BAR, length: bars.length, symbols: ['A'], ts: Float64Array.from(cols[0]!), sym: new Uint16Array(bars.length), cols: cols.slice(1).map((c) => Float64Array.from(c)) };
  return mergeTables([{ table, visibleTs: Float64Array.from(cols[0]!, (t) => t + 60e6) }]);
}

/** The order flow on bars: one symbol, and more brackets (in place of the cancels and FOKs) to try legs on their entry's bar. */
const onBars = (actions: Parameters<typeof flow>[0]): Parameters<typeof flow>[0] => actions.map((x) => ({ ...x, sym: 'A', op: x.op === 'cancel' || x.op === 'fok' ? 'bracket' : x.op }));

const barSeen = { fills: new Map<string, number>(), legsSameBar: 0, stopsAtOpen: 0 };

describe("model contract on bars: every rule on a bar's path keeps the venue's promises", () => {
  for (const path of ['conservative', 'nearer-extreme']) {
    for (const v of variants()) {
      it(`${v.name}, barPath=${path}`, () => {
        const execution = makeExecution({ exec: { ...v.exec, 'fill.barPath': path }, maxLeverage: 5 });
        const slips = v.name.startsWith('slippage=') && v.name !== 'slippage=fixed (defaults)';
        check(
          'model-contract-bars',
          `${v.name} ${path}`,
          fc.record({ bars: barsArb, actions: actionsArb }),
          ({ bars, actions }) => {
            const table = buildBars(bars);
            const strategy = flow(onBars(actions), table.length);
            const record = run(table, strategy, execution);
            const own = new Set(strategy.ids);
            const orders = new Map(record.orders.rows().map((o) => [o.id, o]));
            const tol = 1e-9;
            const firstOnBar = new Map<number, number>();
            let cash = 1e6;
            record.fills.rows().forEach((f, k) => {
              const o = orders.get(f.orderId)!;
              const i = f.index;
              const [open, high, low] = [table.f0[i]!, table.f1[i]!, table.f2[i]!];
              const buy = f.side === 'buy';
              const what = `${o.type} ${f.side} #${o.id} qty ${f.qty} at ${f.price} on bar ${i} (o ${open} h ${high} l ${low}; limit ${o.limit}, stop ${o.stop}) under ${v.name} ${path}`;
              // never on or before the bar that submitted it (a leg: never before its entry's fill)
              expect(i, what).toBeGreaterThan(o.index - (own.has(o.id) ? 0 : 1));
              // a leg (or a margin call) made on this bar fills after what made it (its entry's fill)
              if (!own.has(o.id) && o.index === i && o.type !== 'margin-call') {
                expect(firstOnBar.has(i), what).toBe(true);
                barSeen.legsSameBar++;
              }
              if (!firstOnBar.has(i)) firstOnBar.set(i, k);
              // a price the bar reached; slippage only moves it against the order
              if (slips) expect(buy ? f.price >= low * (1 - tol) : f.price <= high * (1 + tol), what).toBe(true);
              else expect(f.price >= low * (1 - tol) && f.price <= high * (1 + tol), what).toBe(true);
              if (o.type === 'limit' || o.type === 'stop-limit') expect(buy ? f.price <= o.limit * (1 + tol) : f.price >= o.limit * (1 - tol), what).toBe(true);
              // a stop the open is beyond, live since before the bar: at the open, never better later
              if (o.type === 'stop' && own.has(o.id) && !slips && (buy ? open >= o.stop : open <= o.stop)) {
                expect(f.price, what).toBe(open);
                barSeen.stopsAtOpen++;
              }
              cash -= (buy ? 1 : -1) * f.qty * f.price + f.fee;
              barSeen.fills.set(o.type, (barSeen.fills.get(o.type) ?? 0) + 1);
            });
            expect(record.cash).toBeCloseTo(cash - record.borrowPaid + record.marginCalls.reduce((a, c) => a + c.writtenOff, 0), 6);
            const again = run(table, flow(onBars(actions), table.length), execution);
            expect(again.fills.rows()).toEqual(record.fills.rows());
          },
          20,
        );
      });
    }
  }
  it("the bar cases filled every order type, legs on their entry's bar and stops at the open", () => {
    console.log(`model contract on bars: fills by type ${JSON.stringify(Object.fromEntries(barSeen.fills))}, ${barSeen.legsSameBar} legs on their entry's bar, ${barSeen.stopsAtOpen} stops at the open`);
    expect(barSeen.legsSameBar).toBeGreaterThan(10);
    for (const type of ['market', 'limit', 'stop', 'stop-limit', 'trailing-stop']) expect(barSeen.fills.get(type) ?? 0, type).toBeGreaterThan(30);
    expect(barSeen.stopsAtOpen).toBeGreaterThan(10);
  });
});
