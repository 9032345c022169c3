import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { runBacktest } from '../../src/engine/engine.js';
import type { Context, StrategyModule } from '../../src/strategy/types.js';
import { foldedStrategy, type FoldEdge, type Segment } from '../../src/validation/folded.js';
import { planFolds } from '../../src/validation/folds.js';
import { expandGrid, parseGrid } from '../../src/validation/grid.js';
import { routeEntries } from '../../src/cli/strategy-args.js';
import { stationaryBootstrapMean } from '../../src/stats/bootstrap.js';
import pairs from '../../strategies/pairs.js';
import { Q, tableOf } from '../engine/harness.js';

const MIN = 60e6;
const T0 = Date.UTC(2024, 0, 1) * 1000;
/** One quote a minute on one symbol, mid moving up by 1 a minute. */
async function minuteQuotes(n: number): Promise<Awaited<ReturnType<typeof tableOf>>> {
  const rows = Array.from({ length: n }, (_, i) => `${new Date(T0 / 1000 + i * 60_000).toISOString()},X,${100 + i},${100.1 + i},10,10`);
  return tableOf([Q, ...rows].join('\n'));
}

describe('fold planner', () => {
  it('splits by fraction of the events, by date, with an embargo', async () => {
    const t = await minuteQuotes(10);
    const a = planFolds(t, { split: '0.7' });
    expect(a.mode).toBe('split');
    expect(a.folds).toHaveLength(1);
    expect(a.folds[0]).toMatchObject({ trainStart: T0, trainEnd: T0 + 7 * MIN, testStart: T0 + 7 * MIN, testEnd: Infinity, warmupStart: T0 });
    const b = planFolds(t, { split: '2024-01-01T00:04:00Z', embargo: '2rows' });
    expect(b.folds[0]).toMatchObject({ trainEnd: T0 + 4 * MIN, testStart: T0 + 6 * MIN });
    const c = planFolds(t, { split: '0.5', embargo: '90s', warmup: '2m' });
    expect(c.folds[0]).toMatchObject({ trainEnd: T0 + 5 * MIN, testStart: T0 + 6.5 * MIN, warmupStart: T0 + 4.5 * MIN });
  });

  it('rolling folds in time tile the data after the first training window; the trailing partial fold is kept', async () => {
    const t = await minuteQuotes(60); // 0..59 minutes
    const p = planFolds(t, { train: '20m', test: '15m' });
    expect(p.folds.map((f) => [(f.trainStart - T0) / MIN, (f.trainEnd - T0) / MIN, (f.testStart - T0) / MIN, (f.testEnd - T0) / MIN, f.partial])).toEqual([
      [0, 20, 20, 35, false],
      [15, 35, 35, 50, false],
      [30, 50, 50, Infinity, true],
    ]);
    // rolling: the warm-up is the fold's training window
    expect(p.folds.map((f) => f.warmupStart)).toEqual(p.folds.map((f) => f.trainStart));
    const a = planFolds(t, { train: '20m', test: '15m', anchored: true });
    expect(a.folds.map((f) => (f.trainStart - T0) / MIN)).toEqual([0, 0, 0]);
    // anchored: warm-up as long as one training window, so that replay does not grow
    expect(a.folds.map((f) => (f.warmupStart - T0) / MIN)).toEqual([0, 15, 30]);
  });

  it('counts windows in rows, and leaves an embargo before each test window', async () => {
    const t = await minuteQuotes(30);
    const p = planFolds(t, { train: '10rows', test: '5rows', embargo: '2rows' });
    expect(p.folds.map((f) => [(f.trainStart - T0) / MIN, (f.trainEnd - T0) / MIN, (f.testStart - T0) / MIN, (f.testEnd - T0) / MIN])).toEqual([
      [0, 10, 12, 17],
      [5, 15, 17, 22],
      [10, 20, 22, 27],
      [15, 25, 27, Infinity],
    ]);
    expect(p.folds[3]!.partial).toBe(true);
  });

  it('refuses plans that cannot be stitched or make no sense, saying how to fix them', async () => {
    const t = await minuteQuotes(30);
    expect(() => planFolds(t, { train: '10m', test: '5m', step: '10m' })).toThrow(/must tile the data/);
    expect(() => planFolds(t, { split: '0.5', train: '10m' })).toThrow(/not both/);
    expect(() => planFolds(t, { train: '2h', test: '5m' })).toThrow(/covers all the data.*shorten/);
    expect(() => planFolds(t, { train: '10', test: '5m' })).toThrow(/30d.*50000rows/);
    expect(() => planFolds(t, { split: '1.5' })).toThrow(/neither a fraction/);
    expect(() => planFolds(t, {})).toThrow(/--split.*--train and --test/);
  });
});

describe('parameter grids', () => {
  it('expands lists and inclusive ranges into the full product, last key fastest, labels stable', () => {
    const g = parseGrid(['lookback=60:120:30', 'entry=1.5,2']);
    expect(g).toEqual([
      { key: 'entry', values: ['1.5', '2'] },
      { key: 'lookback', values: ['60', '90', '120'] },
    ]);
    const trials = expandGrid('pairs', pairs.params, { every: '1m' }, g);
    expect(trials.map((t) => t.label)).toEqual(['entry=1.5,lookback=60', 'entry=1.5,lookback=90', 'entry=1.5,lookback=120', 'entry=2,lookback=60', 'entry=2,lookback=90', 'entry=2,lookback=120']);
    expect(trials[4]!.params).toMatchObject({ entry: 2, lookback: 90, every: '1m', exit: 0.5 });
    expect(parseGrid(['x=0.1:0.3:0.1'])[0]!.values).toEqual(['0.1', '0.2', '0.3']);
    expect(expandGrid('pairs', pairs.params, {}, [])).toMatchObject([{ label: 'defaults' }]);
  });

  it('rejects malformed grids and unknown keys with the fix', () => {
    expect(() => parseGrid(['lookback'])).toThrow(/key=a,b,c or key=start:stop:step/);
    expect(() => parseGrid(['lookback=100:10:10'])).toThrow(/stop >= start/);
    expect(() => parseGrid(['a=1', 'a=2'])).toThrow(/twice/);
    expect(() => expandGrid('pairs', pairs.params, {}, parseGrid(['lookbak=10,20']))).toThrow(/did you mean 'lookback'/);
    expect(() => expandGrid('pairs', pairs.params, {}, parseGrid(['lookback=5,20']))).toThrow(/lookback=5 is not >= 10/);
    expect(() => expandGrid('pairs', pairs.params, { entry: '2' }, parseGrid(['entry=1,2']))).toThrow(/both in --param and in --grid/);
    const owners = new Map([
      ['pairs', 'pairs'],
      ['linreg', 'linreg'],
    ]);
    expect(() => routeEntries('--grid', ['entry=1,2'], owners, undefined, () => ['pairs'])).toThrow(/prefix the key.*pairs\.entry/);
    expect(routeEntries('--grid', ['pairs.entry=1,2', 'linreg.horizon=5,10'], owners, undefined).get('linreg')).toEqual(['horizon=5,10']);
    expect(() => routeEntries('--grid', ['pair.entry=1,2'], owners, undefined)).toThrow(/no strategy called 'pair' in this command; did you mean 'pairs'\?/);
  });
});

/** A module whose instances go long 1 unit whenever flat and trading, and log what they see. */
function holder(log: { fold: number; ts: number; warm: boolean }[]): StrategyModule {
  return {
    name: 'holder',
    description: '',
    params: { fold: { type: 'integer', default: 0, doc: '' } },
    create(p) {
      const fold = p.fold as number;
      return {
        onTick(ctx: Context, t) {
          log.push({ fold, ts: t.ts, warm: ctx.warmingUp });
          if (!ctx.warmingUp && ctx.position('X') + ctx.pending('X') === 0) ctx.targetPosition('X', 1);
          // during warm-up the books read flat and orders are refused
          if (ctx.warmingUp) {
            expect(ctx.position('X')).toBe(0);
            expect(ctx.submit({ symbol: 'X', side: 'buy', qty: 1 }).ok).toBe(false);
          }
        },
      };
    },
  };
}

describe('the folded out-of-sample run', () => {
  const segments: Segment[] = [
    { params: { fold: 0 }, label: 'fold=0', warmupStart: T0, testStart: T0 + 10 * MIN, testEnd: T0 + 15 * MIN },
    { params: { fold: 1 }, label: 'fold=1', warmupStart: T0 + 5 * MIN, testStart: T0 + 15 * MIN, testEnd: T0 + 20 * MIN },
    { params: { fold: 2 }, label: 'fold=2', warmupStart: T0 + 10 * MIN, testStart: T0 + 20 * MIN, testEnd: Infinity },
  ];
  const runFolded = async (edge: FoldEdge): Promise<{ log: { fold: number; ts: number; warm: boolean }[]; rec: ReturnType<typeof runBacktest> }> => {
    const t = await minuteQuotes(30);
    const log: { fold: number; ts: number; warm: boolean }[] = [];
    const rec = runBacktest(t, foldedStrategy(holder(log), segments, edge), { strategyName: 'holder', initialCapital: 10_000, execution: DEFAULT_EXECUTION, periodUs: MIN, seed: '1' });
    return { log, rec };
  };

  it('warms each fold up on the data before its test window, without trading, and trades only in its window', async () => {
    const { log, rec } = await runFolded('close');
    for (const [k, s] of segments.entries()) {
      const seen = log.filter((e) => e.fold === k);
      expect(seen[0]!.ts).toBe(s.warmupStart);
      expect(seen.every((e) => e.warm === e.ts < s.testStart)).toBe(true);
      expect(seen.every((e) => e.ts < s.testEnd)).toBe(true);
    }
    expect(rec.orders.rows().every((o) => o.ts >= segments[0]!.testStart)).toBe(true);
  });

  it('close: positions are closed at each fold edge (and reopened by the next fold); carry: handed over', async () => {
    const close = (await runFolded('close')).rec;
    // buy at fold 0, sell at the edge to fold 1 while fold 1 buys: 3 buys and 2 sells
    expect(close.fills.rows().map((f) => `${f.side}@${(f.ts - T0) / MIN}`)).toEqual(['buy@11', 'sell@16', 'buy@16', 'sell@21', 'buy@21']);
    expect(close.trades).toHaveLength(2);
    const carry = (await runFolded('carry')).rec;
    expect(carry.fills.rows().map((f) => `${f.side}@${(f.ts - T0) / MIN}`)).toEqual(['buy@11']);
    expect(carry.trades).toHaveLength(0);
    expect(carry.openTrades).toHaveLength(1);
  });
});

describe('stationary bootstrap', () => {
  it('gives a small p for a clearly positive mean, about 0.5 for zero mean, 1 for a constant zero; seeded', () => {
    const pos = Array.from({ length: 300 }, (_, i) => 0.01 + 0.02 * Math.sin(i * 1.7));
    expect(stationaryBootstrapMean(pos, { seed: 'a', reps: 999 }).pValue).toBe(1 / 1000);
    const zero = Array.from({ length: 300 }, (_, i) => 0.02 * Math.sin(i * 1.7));
    const z = stationaryBootstrapMean(zero, { seed: 'a', reps: 999 });
    expect(z.pValue).toBeGreaterThan(0.05);
    expect(stationaryBootstrapMean(zero, { seed: 'a', reps: 999 }).pValue).toBe(z.pValue);
    expect(stationaryBootstrapMean(new Array(50).fill(0), { seed: 'a', reps: 99 }).pValue).toBe(1);
    expect(stationaryBootstrapMean([1], { seed: 'a', reps: 999 }).pValue).toBeNaN();
  });
});

describe('brackets in the folded out-of-sample run', () => {
  it("a bracket leg's fill reaches the fold that placed the entry (by its parentId)", async () => {
    const t = await minuteQuotes(30);
    const heard: { fold: number; orderId: number; parentId: number | undefined }[] = [];
    const bracket: StrategyModule = {
      name: 'bracket',
      description: 'one bracket per fold',
      params: { fold: { type: 'integer', default: 0, doc: 'fold' } },
      create: (p) => {
        let sent = false;
        return {
          onTick(ctx) {
            if (ctx.warmingUp || sent) return;
            sent = ctx.submit({ symbol: 'X', side: 'buy', qty: 1, takeProfit: ctx.price('X') + 2, stopLoss: ctx.price('X') - 50 }).ok;
          },
          onFill: (_ctx, f) => heard.push({ fold: p.fold as number, orderId: f.orderId, parentId: f.parentId }),
        };
      },
    };
    const segments: Segment[] = [{ params: { fold: 0 }, label: 'fold=0', warmupStart: T0, testStart: T0 + 2 * MIN, testEnd: Infinity }];
    runBacktest(t, foldedStrategy(bracket, segments, 'carry'), { strategyName: 'bracket', initialCapital: 10_000, execution: DEFAULT_EXECUTION, periodUs: MIN, seed: '1' });
    // the entry, then its take-profit leg (prices rise a point a minute)
    expect(heard.map((h) => (h.parentId === undefined ? 'entry' : 'leg'))).toEqual(['entry', 'leg']);
    expect(heard[1]!.parentId).toBe(heard[0]!.orderId);
  });
});
