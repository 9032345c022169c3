/**
 * random-long-short: the second universe baseline of issue 32, a random long-short book of a
 * stated gross exposure. It answers "is the strategy's selection better than a random one of the
 * same size?", where equal-weight-members answers "better than holding the universe?".
 *
 * Rule (stated, not tuned): on the first session the strategy trades and on the first session of
 * each calendar month (UTC), the members with a price now (ctx.member, in the table's symbol
 * order) are shuffled with the run's seeded generator (ctx.random, Fisher-Yates); the first
 * max(1, round(share × n)) go long, the next as many short (none when fewer than 2 members); each
 * long holds +gross/2 × equity / longs and each short −gross/2 × equity / shorts at the current
 * price (dollar neutral, Σ |value| = gross × equity), every other symbol is closed; orders that
 * shrink a position go first. Between rebalances nothing is traded: values drift with prices, and a name that leaves the universe is
 * closed by the engine at its last price (plus its delisting return).
 *
 * In a walk-forward or compare with --universe, `gross` is set to the candidates' measured mean
 * gross exposure (metrics/gross-exposure.ts) unless given (validation/validate.ts).
 */
import { defineStrategy, type Context } from '../src/strategy/types.js';
import { monthlyClock } from './equal-weight-members.js';

export default defineStrategy({
  name: 'random-long-short',
  description: 'Universe baseline: random long and short sets of the members (seeded), gross × equity split equally, dollar neutral, redrawn on the first session of each month.',
  params: {
    gross: { type: 'number', default: 1, min: 0, max: 20, doc: 'gross exposure Σ |value| / equity, half long and half short (in a validation: the candidates measured, unless given)' },
    share: { type: 'number', default: 0.1, min: 0, max: 0.5, doc: 'share of the members drawn on each side (at least one each)' },
  },
  create(p) {
    const due = monthlyClock();
    let rebalances = 0;
    let ids = new Int32Array(0);
    let want = new Float64Array(0);
    return {
      onBars(ctx: Context, session: number) {
        if (!due(ctx, session)) return;
        const syms = ctx.symbols;
        if (ids.length !== syms.length) {
          ids = new Int32Array(syms.length);
          want = new Float64Array(syms.length);
        }
        let n = 0;
        for (let s = 0; s < syms.length; s++) if (ctx.member(syms[s]!) && ctx.price(syms[s]!) > 0) ids[n++] = s;
        // Fisher-Yates over the members, from the run's generator
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(ctx.random() * (i + 1));
          const t = ids[i]!;
          ids[i] = ids[j]!;
          ids[j] = t;
        }
        const side = n >= 2 ? Math.min(Math.floor(n / 2), Math.max(1, Math.round(p.share * n))) : 0;
        const each = side > 0 ? (p.gross / 2) * (ctx.equity / side) : 0;
        want.fill(0);
        for (let k = 0; k < side; k++) {
          want[ids[k]!] = each;
          want[ids[side + k]!] = -each;
        }
        // what shrinks a position first, then what grows one: the venue's leverage check sees the
        // old book leaving before the new one comes in
        for (let pass = 0; pass < 2; pass++) {
          for (let s = 0; s < syms.length; s++) {
            const sym = syms[s]!;
            const px = ctx.price(sym);
            const qty = want[s] !== 0 && px > 0 ? want[s]! / px : 0;
            const now = ctx.position(sym) + ctx.pending(sym);
            if (qty === now) continue;
            const shrinks = Math.abs(qty) < Math.abs(now) && qty * now >= 0;
            if (shrinks === (pass === 0)) ctx.targetPosition(sym, qty);
          }
        }
        rebalances++;
      },
      summary() {
        return { rebalances };
      },
    };
  },
});
