/**
 * momentum / mean-reversion: hold the sign (or the opposite sign) of the return over the last
 * `lookback` decision steps. No orders until `lookback` steps have been seen (warm-up).
 */
import { defineStrategy, type Context, type Strategy, type StrategyModule, type TickSubscription } from '../src/strategy/types.js';
import { COMMON_PARAMS, History, subscription, universe, type Universe } from './lib.js';

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
      const lookback = p.lookback;
      let u: Universe;
      let hist: History;
      const step = (ctx: Context, sym: number, ts: number): void => {
        if (!u.traded[sym] || !u.clock.due(sym, ts)) return;
        const px = ctx.price(ctx.symbols[sym]!);
        if (Number.isNaN(px)) return;
        hist.push(sym, px);
        if (!hist.full(sym)) return;
        const ret = px / hist.at(sym, lookback) - 1;
        let signal = direction * Math.sign(ret);
        if (signal < 0 && !p.allowShort) signal = 0;
        const symbol = ctx.symbols[sym]!;
        const pos = ctx.position(symbol) + ctx.pending(symbol);
        if (Math.sign(pos) !== signal) ctx.targetPercent(symbol, signal * u.weight);
      };
      const self: Strategy & { ticks?: TickSubscription } = {
        onStart(ctx) {
          u = universe(ctx, p.symbol, p.fraction, p.every);
          hist = new History(lookback + 1, ctx.symbols.length);
          self.ticks = subscription(
            ctx.symbols.filter((_, i) => u.traded[i]),
            p.every,
            'symbol',
          );
        },
        onTick: (ctx, t) => step(ctx, t.symbolId, t.ts),
        onBar: (ctx, b) => step(ctx, b.symbolId, b.ts),
      };
      return self;
    },
  });
}

export default signStrategy('momentum', 1, 'Long when the return over the last `lookback` steps is positive, short when negative.');
