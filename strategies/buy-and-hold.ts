/**
 * buy-and-hold: invest once, at the first price of each traded symbol, and hold to the end. A symbol
 * counts as bought once an order for it is accepted or a position in it is found (handed over from
 * an earlier walk-forward fold), so warm-up refusals and rejections are retried.
 */
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
      if (!traded.has(sym) || bought.has(sym) || ctx.warmingUp) return;
      const symbol = ctx.symbols[sym]!;
      if (ctx.position(symbol) + ctx.pending(symbol) !== 0 || ctx.submit({ symbol, side: 'buy', notional: share }).ok) bought.add(sym);
    };
    return {
      onTick: (ctx, t) => decide(ctx, t.symbolId),
      onBar: (ctx, b) => decide(ctx, b.symbolId),
    };
  },
});
