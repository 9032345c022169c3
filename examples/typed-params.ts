// examples/typed-params.ts: a strategy whose create() sees its parameters typed from its schema.
import { defineStrategy } from 'tickfold';

export default defineStrategy({
  name: 'typed-momentum',
  description: 'Holds the sign of the return over `lookback` ticks; an example of typed parameters.',
  params: {
    lookback: { type: 'integer', default: 20, min: 1, doc: 'ticks back' },
    symbol: { type: 'string', default: 'AAA', doc: 'the symbol' },
    allowShort: { type: 'boolean', default: true, doc: 'short on a negative return' },
  },
  create(p) {
    // p.lookback: number, p.symbol: string, p.allowShort: boolean; no casts
    const n: number = p.lookback;
    const prices: number[] = [];
    return {
      onTick(ctx, t) {
        if (t.symbol !== p.symbol) return;
        prices.push(ctx.price(p.symbol));
        if (prices.length <= n) return;
        const r = prices[prices.length - 1]! / prices[prices.length - 1 - n]! - 1;
        const want = r > 0 ? 1 : r < 0 && p.allowShort ? -1 : 0;
        ctx.targetPercent(p.symbol, want * 0.5);
      },
    };
  },
});
