/**
 * momentum / mean-reversion: hold the sign (or the opposite sign) of the return over the last
 * `lookback` decision steps. No orders until `lookback` steps have been seen (warm-up).
 */
import { defineStrategy, type Context, type StrategyModule } from '../src/strategy/types.js';
import { COMMON_PARAMS, DecisionClock, History, tradedSymbols } from './lib.js';

export function signStrategy(name: string, direction: 1 | -1, description: string): StrategyModule {
  return defineStrategy({
    name,
    description,
    params: {
      ...COMMON_PARAMS,
      lookback: { type: 'integer', default: 20, min: 1, max: 100_000, doc: 'decision steps over which the return is measured' },
      allowShort: { type: 'boolean', default: true, doc: 'go short on a negative signal (else flat)' },
    },
    create(p) {
      const lookback = p.lookback as number;
      let clock: DecisionClock;
      let hist: History;
      let traded: boolean[] = [];
      let weight = 0;
      const step = (ctx: Context, sym: number, ts: number): void => {
        if (!traded[sym] || !clock.due(sym, ts)) return;
        const px = ctx.price(ctx.symbols[sym]!);
        if (Number.isNaN(px)) return;
        hist.push(sym, px);
        if (!hist.full(sym)) return;
        const ret = px / hist.at(sym, lookback) - 1;
        let signal = direction * Math.sign(ret);
        if (signal < 0 && !p.allowShort) signal = 0;
        const symbol = ctx.symbols[sym]!;
        const pos = ctx.position(symbol) + ctx.pending(symbol);
        if (Math.sign(pos) !== signal) ctx.targetPercent(symbol, signal * weight);
      };
      return {
        onStart(ctx) {
          const ids = tradedSymbols(ctx, p.symbol as string);
          traded = ctx.symbols.map((_, i) => ids.includes(i));
          weight = (p.fraction as number) / ids.length;
          clock = new DecisionClock(p.every as string, ctx.symbols.length);
          hist = new History(lookback + 1, ctx.symbols.length);
        },
        onTick: (ctx, t) => step(ctx, t.symbolId, t.ts),
        onBar: (ctx, b) => step(ctx, b.symbolId, b.ts),
      };
    },
  });
}

export default signStrategy('momentum', 1, 'Long when the return over the last `lookback` steps is positive, short when negative.');
