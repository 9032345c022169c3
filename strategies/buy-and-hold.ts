/**
 * buy-and-hold: invest once, at the first price of each traded symbol, and hold to the end.
 *
 * Sizing: each symbol gets an equal share of fraction × the CURRENT equity (not the initial
 * capital: in a walk-forward whose folds close positions at their edges, a fold that starts after
 * a loss has less to invest, and an order sized from the initial capital would exceed the buying
 * power and be refused, fold after fold). With fraction <= 1 the order is also capped by the cash
 * not yet committed to orders still working, so it is never refused for buying power; while sells
 * are working (the previous fold's positions being closed) it waits for their cash.
 *
 * Equal weights need every symbol: nothing is bought before each traded symbol has a price (a
 * pair from the ETF file, GOOG and GOOGL, is bought from when both have data).
 *
 * A symbol counts as bought once an order for it is accepted or a position in it is found (handed
 * over from an earlier walk-forward fold), so warm-up refusals and rejections are retried.
 */
import { defineStrategy, type Context } from '../src/strategy/types.js';
import { COMMON_PARAMS, tradedSymbols } from './lib.js';

export default defineStrategy({
  name: 'buy-and-hold',
  description: 'Buys each traded symbol once, with an equal share of fraction × equity, at the first opportunity, and holds it.',
  params: {
    symbol: COMMON_PARAMS.symbol,
    fraction: { type: 'number', default: 1, min: 0, max: 10, doc: 'fraction of the equity invested, split equally across the traded symbols' },
  },
  create(p) {
    let traded: Set<number> | undefined;
    let ids: number[] = [];
    const bought = new Set<number>();
    const fraction = p.fraction as number;
    /** Cash that orders still working will take (buys at the current price). */
    const committed = (ctx: Context): number => {
      let c = 0;
      for (const j of ids) {
        const s = ctx.symbols[j]!;
        const q = ctx.pending(s);
        if (q > 0) c += q * ctx.price(s);
      }
      return c;
    };
    const decide = (ctx: Context, sym: number): void => {
      if (!traded) {
        ids = tradedSymbols(ctx, p.symbol as string);
        traded = new Set(ids);
      }
      if (!traded.has(sym) || bought.has(sym) || ctx.warmingUp) return;
      if (bought.size === 0) for (const j of ids) if (!Number.isFinite(ctx.price(ctx.symbols[j]!))) return;
      const symbol = ctx.symbols[sym]!;
      if (ctx.position(symbol) + ctx.pending(symbol) !== 0) {
        bought.add(sym);
        return;
      }
      // sells still working (a fold edge closing the last fold's positions) will free cash, and
      // the buying-power check counts them as exposure until they fill: wait for them
      if (ctx.symbols.some((s) => ctx.pending(s) < 0)) return;
      const want = (fraction * ctx.equity) / ids.length;
      const notional = fraction <= 1 ? Math.min(want, ctx.cash - committed(ctx)) : want;
      if (!(notional > 1e-9 * ctx.equity)) return;
      if (ctx.submit({ symbol, side: 'buy', notional }).ok) bought.add(sym);
    };
    return {
      onTick: (ctx, t) => decide(ctx, t.symbolId),
      onBar: (ctx, b) => decide(ctx, b.symbolId),
    };
  },
});
