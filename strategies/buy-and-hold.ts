/** buy-and-hold: invest once, at the first price of each traded symbol, and hold to the end. */
import { defineStrategy, type Context } from '../src/strategy/types.js';
import { COMMON_PARAMS, tradedSymbols } from './lib.js';

export default defineStrategy({
  name: 'buy-and-hold',
  description: 'Buys each traded symbol once, with an equal share of fraction × capital, at the first opportunity, and holds it.',
  params: {
    symbol: COMMON_PARAMS.symbol,
    fraction: { type: 'number', default: 1, min: 0, max: 10, doc: 'fraction of the initial capital invested, split equally across the traded symbols' },
  },
  create(p) {
    let traded: Set<number> | undefined;
    const bought = new Set<number>();
    let share = 0;
    const decide = (ctx: Context, sym: number): void => {
      if (!traded) {
        const ids = tradedSymbols(ctx, p.symbol as string);
        traded = new Set(ids);
        share = ((p.fraction as number) * ctx.initialCapital) / ids.length;
      }
      if (!traded.has(sym) || bought.has(sym)) return;
      bought.add(sym);
      ctx.submit({ symbol: ctx.symbols[sym]!, side: 'buy', notional: share });
    };
    return {
      onTick: (ctx, t) => decide(ctx, t.symbolId),
      onBar: (ctx, b) => decide(ctx, b.symbolId),
    };
  },
});
