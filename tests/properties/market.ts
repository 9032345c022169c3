/**
 * Random markets and random strategies for the property tests: quote streams for two symbols and a
 * trade-only third, built straight into a {@link TickTable} (the loader has its own properties).
 */
import { executionOf, type ExecutionSettings, type ShortSettings } from '../../src/broker/settings.js';
import { QUOTE, TRADE } from '../../src/data/schema.js';
import { mergeTables, type FileTable, type TickTable } from '../../src/data/table.js';
import type { Context, OrderRequest, Side, Strategy, TickView } from '../../src/strategy/types.js';
import { fc } from './fc.js';

const T0 = Date.UTC(2024, 0, 2, 9) * 1000;

const quoteEvent = fc.record({
  dt: fc.integer({ min: 0, max: 3_000_000 }),
  s: fc.integer({ min: 0, max: 1 }),
  move: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  spread: fc.double({ min: 0, max: 0.004, noNaN: true }),
  bidSize: fc.option(fc.double({ min: 0.5, max: 300, noNaN: true }), { nil: undefined }),
  askSize: fc.option(fc.double({ min: 0.5, max: 300, noNaN: true }), { nil: undefined }),
});
const tradeEvent = fc.record({
  dt: fc.integer({ min: 0, max: 8_000_000 }),
  move: fc.double({ min: -0.01, max: 0.01, noNaN: true }),
  size: fc.double({ min: 0.01, max: 100, noNaN: true }),
});

export interface MarketSpec {
  readonly quotes: readonly { dt: number; s: number; move: number; spread: number; bidSize: number | undefined; askSize: number | undefined }[];
  readonly trades: readonly { dt: number; move: number; size: number }[];
}

export const marketArb: fc.Arbitrary<MarketSpec> = fc.record({
  quotes: fc.array(quoteEvent, { minLength: 5, maxLength: 160 }),
  trades: fc.array(tradeEvent, { minLength: 0, maxLength: 50 }),
});

/** Symbols A and B trade on quotes (bid/ask), C only on trades. */
export function buildMarket(m: MarketSpec): TickTable {
  const nq = m.quotes.length;
  const q = { ts: new Float64Array(nq), sym: new Uint16Array(nq), cols: [0, 1, 2, 3].map(() => new Float64Array(nq)) };
  const mid = [100, 40];
  let t = T0;
  m.quotes.forEach((e, i) => {
    t += e.dt;
    mid[e.s] = Math.max(0.5, mid[e.s]! * (1 + e.move));
    const half = (mid[e.s]! * e.spread) / 2;
    q.ts[i] = t;
    q.sym[i] = e.s;
    q.cols[0]![i] = mid[e.s]! - half;
    q.cols[1]![i] = mid[e.s]! + half;
    q.cols[2]![i] = e.bidSize ?? NaN;
    q.cols[3]![i] = e.askSize ?? NaN;
  });
  const nt = m.trades.length;
  const tr = { ts: new Float64Array(nt), sym: new Uint16Array(nt), cols: [new Float64Array(nt), new Float64Array(nt)] };
  let p = 20;
  t = T0;
  m.trades.forEach((e, i) => {
    t += e.dt;
    p = Math.max(0.5, p * (1 + e.move));
    tr.ts[i] = t;
    tr.cols[0]![i] = p;
    tr.cols[1]![i] = e.size;
  });
  const quotes: FileTable = { kind: QUOTE, length: nq, symbols: ['A', 'B'], ...q };
  const trades: FileTable = { kind: TRADE, length: nt, symbols: ['C'], ...tr };
  return mergeTables([
    { table: quotes, visibleTs: quotes.ts },
    { table: trades, visibleTs: trades.ts },
  ]);
}

/** Short settings (what the invariants read) and the settings they make. */
export const executionArb: fc.Arbitrary<Required<Omit<ShortSettings, 'margin'>> & { readonly settings: ExecutionSettings }> = fc
  .record({
    latencyUs: fc.constantFrom(0, 0, 500_000, 5_000_000),
    slippageBps: fc.constantFrom(0, 0, 1, 7.5),
    halfSpreadBps: fc.constantFrom(0, 2, 10),
    feePerUnit: fc.constantFrom(0, 0, 0.005),
    feeBps: fc.constantFrom(0, 1, 10),
    feeMinimum: fc.constantFrom(0, 0, 1),
    feePerOrder: fc.constantFrom(0, 0, 2),
    borrowBps: fc.constantFrom(0, 300),
    capToQuoteSize: fc.boolean(),
    maxLeverage: fc.constantFrom(0.5, 1, 3),
  })
  .map((e) => ({ ...e, settings: executionOf(e) }));

export interface Action {
  readonly at: number;
  readonly op: 'market' | 'notional' | 'limit' | 'stop' | 'target' | 'flat' | 'cancel' | 'cancelAll';
  readonly sym: 'A' | 'B' | 'C';
  readonly side: Side;
  readonly qty: number;
  readonly offsetBps: number;
  readonly pick: number;
}

export const actionsArb: fc.Arbitrary<Action[]> = fc.array(
  fc.record({
    at: fc.nat({ max: 400 }),
    op: fc.constantFrom('market', 'market', 'notional', 'limit', 'limit', 'stop', 'target', 'flat', 'flat', 'cancel', 'cancelAll'),
    sym: fc.constantFrom('A', 'B', 'C'),
    side: fc.constantFrom('buy', 'sell'),
    qty: fc.oneof(fc.double({ min: 0.01, max: 50, noNaN: true }), fc.double({ min: 50, max: 1500, noNaN: true })),
    offsetBps: fc.integer({ min: -150, max: 150 }),
    pick: fc.nat(),
  }),
  { minLength: 5, maxLength: 80 },
) as fc.Arbitrary<Action[]>;

/** What the strategy saw at one call: everything the context would show it. */
export interface Seen {
  readonly index: number;
  readonly now: number;
  readonly text: string;
}

/**
 * Plays the actions (each at the event `at mod n`) and logs what the context shows at every call.
 * `hooks` run after the actions, with the same context.
 */
export function actionStrategy(actions: readonly Action[], n: number, hooks: { onFill?: Strategy['onFill']; onTick?: (ctx: Context, t: TickView) => void } = {}): Strategy & { seen: Seen[]; submitted: number[] } {
  const byIndex = new Map<number, Action[]>();
  for (const a of actions) {
    const i = a.at % Math.max(1, n);
    byIndex.set(i, [...(byIndex.get(i) ?? []), a]);
  }
  const seen: Seen[] = [];
  const submitted: number[] = [];
  const strategy: Strategy & { seen: Seen[]; submitted: number[] } = {
    seen,
    submitted,
    onTick(ctx, tick) {
      for (const a of byIndex.get(tick.index) ?? []) {
        const px = ctx.price(a.sym);
        const ref = Number.isNaN(px) ? 20 : px;
        const level = ref * (1 + a.offsetBps / 1e4);
        let order: OrderRequest | undefined;
        if (a.op === 'market') order = { symbol: a.sym, side: a.side, qty: a.qty };
        else if (a.op === 'notional') order = { symbol: a.sym, side: a.side, notional: a.qty * 10 };
        else if (a.op === 'limit') order = { symbol: a.sym, side: a.side, qty: a.qty, type: 'limit', limit: level };
        else if (a.op === 'stop') order = { symbol: a.sym, side: a.side, qty: a.qty, type: 'stop', stop: level };
        else if (a.op === 'target') {
          const r = ctx.targetPosition(a.sym, (a.side === 'buy' ? 1 : -1) * a.qty);
          if (r) submitted.push(r.id);
        } else if (a.op === 'flat') {
          const r = ctx.targetPosition(a.sym, 0);
          if (r) submitted.push(r.id);
        } else if (a.op === 'cancel') {
          if (submitted.length > 0) ctx.cancel(submitted[a.pick % submitted.length]!);
        } else ctx.cancelAll(a.pick % 2 === 0 ? a.sym : undefined);
        if (order) submitted.push(ctx.submit(order).id);
      }
      hooks.onTick?.(ctx, tick);
      const q = ['A', 'B', 'C'].map((s) => {
        const qv = ctx.quote(s);
        return `${s}:${ctx.price(s)}/${ctx.lastTrade(s)}/${qv ? `${qv.bid}x${qv.ask}@${qv.ts}` : '-'}/${ctx.position(s)}/${ctx.pending(s)}`;
      });
      seen.push({ index: tick.index, now: ctx.now, text: `${ctx.now} ${tick.symbol} ${tick.price} cash=${ctx.cash} eq=${ctx.equity} ${q.join(' ')}` });
    },
    ...(hooks.onFill ? { onFill: hooks.onFill } : {}),
  };
  return strategy;
}
