/**
 * equal-weight-members: the universe baseline of issue 32, an equal-weight buy-and-hold of the
 * members, rebalanced monthly.
 *
 * Rule (stated, not tuned): on the first session of each calendar month (UTC) that the strategy
 * trades, and on its first session, each symbol that is a member now (ctx.member) and has a
 * price holds fraction × equity / (number of such members) at the current price; every other
 * symbol is closed. Between rebalances nothing is traded: weights drift with prices, and a name
 * that leaves the universe is closed by the engine at its last price (plus its delisting return),
 * its cash idle until the next month. Decided on the universe's decision clock (onBars).
 */
import { defineStrategy, type Context } from '../src/strategy/types.js';

/** The calendar month of a session (µs since the epoch), as year × 12 + month (UTC). */
export const monthOf = (us: number): number => {
  const d = new Date(us / 1000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

/**
 * The monthly rebalancing clock of the universe baselines: `due(ctx, session)` is true on the
 * first session the strategy trades (not warming up) and on the first of each later calendar month.
 */
export function monthlyClock(): (ctx: Context, session: number) => boolean {
  let lastMonth = NaN;
  return (ctx, session) => {
    if (ctx.warmingUp) return false;
    const month = monthOf(session);
    if (month === lastMonth) return false;
    lastMonth = month;
    return true;
  };
}

export default defineStrategy({
  name: 'equal-weight-members',
  description: 'Universe baseline: equal weights (fraction × equity) of the current members, rebalanced on the first session of each month.',
  params: {
    fraction: { type: 'number', default: 1, min: 0, max: 1, doc: 'share of equity held, split equally across the members' },
  },
  create(p) {
    const due = monthlyClock();
    let rebalances = 0;
    return {
      onBars(ctx: Context, session: number) {
        if (!due(ctx, session)) return;
        let n = 0;
        for (const s of ctx.symbols) if (ctx.member(s) && ctx.price(s) > 0) n++;
        const each = n > 0 ? (p.fraction * ctx.equity) / n : 0;
        for (const s of ctx.symbols) {
          const px = ctx.price(s);
          const want = ctx.member(s) && px > 0 ? each / px : 0;
          if (want === ctx.position(s) + ctx.pending(s)) continue;
          ctx.targetPosition(s, want);
        }
        rebalances++;
      },
      summary() {
        return { rebalances };
      },
    };
  },
});
