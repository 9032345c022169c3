/**
 * At a fold edge the new fold's returns start with the new fold: the first out-of-sample return of
 * a fold is not earned by the previous fold's position (periods are (start, end]: the bar released
 * at the edge closes the previous period).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { runBacktest } from '../../src/engine/engine.js';
import { returnsFromEquity } from '../../src/metrics/returns.js';
import { sliceRecord } from '../../src/metrics/window.js';
import { defineStrategy } from '../../src/strategy/types.js';
import { foldedStrategy, type Segment } from '../../src/validation/folded.js';
import { B, tableOf } from '../engine/harness.js';

const DAY = 86_400e6;
const day = (d: string): number => Date.parse(`${d}T00:00:00Z`) * 1000;

const hold = defineStrategy({
  name: 'hold',
  description: 'holds 10 units while long=1',
  params: { long: { type: 'integer', default: 1, min: 0, max: 1, doc: '' } },
  create(p) {
    return {
      onBar(ctx, b) {
        if (!ctx.warmingUp && p.long === 1 && ctx.position(b.symbol) + ctx.pending(b.symbol) === 0) ctx.submit({ symbol: b.symbol, side: 'buy', qty: 10 });
      },
    };
  },
});

describe('fold edges', () => {
  it('the first return of a fold that goes flat is 0 when the old position is sold at the close it was marked at', async () => {
    // every open equals the previous close, and prices rise 10 a day
    const t = await tableOf(`${B}\n2024-01-08,A,90,100,90,100,1\n2024-01-09,A,100,110,100,110,1\n2024-01-10,A,110,120,110,120,1\n2024-01-11,A,120,130,120,130,1\n2024-01-12,A,130,140,130,140,1\n2024-01-15,A,140,150,140,150,1`);
    const segments: Segment[] = [
      { params: { long: 1 }, label: 'long=1', warmupStart: day('2024-01-09'), testStart: day('2024-01-09'), testEnd: day('2024-01-11') },
      { params: { long: 0 }, label: 'long=0', warmupStart: day('2024-01-11'), testStart: day('2024-01-11'), testEnd: Infinity },
    ];
    const r = runBacktest(t, foldedStrategy(hold, segments, 'close'), { strategyName: 'hold', initialCapital: 100_000, execution: DEFAULT_EXECUTION, periodUs: DAY, seed: '1' });
    // bought at the 2024-01-09 open (100), sold at the 2024-01-11 open (120, the 01-10 close)
    expect(r.fills.rows().map((f) => [f.side, f.price, f.ts])).toEqual([
      ['buy', 100, day('2024-01-09')],
      ['sell', 120, day('2024-01-11')],
    ]);
    const fold2 = sliceRecord(r, segments[1]!.testStart, Infinity);
    const rets = Array.from(returnsFromEquity(fold2.equity, fold2.initialCapital));
    expect(rets.every((x) => x === 0)).toBe(true);
    // and fold 1 earned the whole move it held: 10 × (120 − 100)
    const fold1 = sliceRecord(r, segments[0]!.testStart, segments[0]!.testEnd);
    expect(fold1.finalEquity - fold1.initialCapital).toBe(200);
  });
});
