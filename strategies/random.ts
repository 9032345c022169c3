/**
 * random: the coin-flip baseline. At each decision step, when flat it enters with probability
 * `prob` (long or short at even odds); when in a position it exits with probability `prob`. All
 * draws come from the run's seeded generator.
 */
import { defineStrategy, type Context, type Strategy, type TickSubscription } from '../src/strategy/types.js';
import { COMMON_PARAMS, subscription, universe, type Universe } from './lib.js';

export default defineStrategy({
  name: 'random',
  description: 'Enters and exits at random (seeded), long or short at even odds.',
  params: {
    ...COMMON_PARAMS,
    prob: { type: 'number', default: 0.01, min: 0, max: 1, doc: 'probability of entering (when flat) or exiting (when in) at each decision step' },
    allowShort: { type: 'boolean', default: true, doc: 'enter short half the time (else long only)' },
  },
  create(p) {
    const prob = p.prob;
    let u: Universe;
    const step = (ctx: Context, sym: number, ts: number): void => {
      if (!u.traded[sym] || !u.clock.due(sym, ts)) return;
      const symbol = ctx.symbols[sym]!;
      const pos = ctx.position(symbol) + ctx.pending(symbol);
      const draw = ctx.random();
      if (pos === 0) {
        if (draw < prob) {
          const side = !p.allowShort || ctx.random() < 0.5 ? 1 : -1;
          ctx.targetPercent(symbol, side * u.weight);
        }
      } else if (draw < prob) ctx.targetPosition(symbol, 0);
    };
    const self: Strategy & { ticks?: TickSubscription } = {
      onStart(ctx) {
        u = universe(ctx, p.symbol, p.fraction, p.every);
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
