/**
 * buy-and-hold: hold equal weights of the traded symbols that exist, each bought when its data
 * starts, and hold them to the end.
 *
 * Rule: a traded symbol joins the holdings at its first price. When symbols have joined, the
 * holdings are set to equal weights of every symbol that has joined (fraction × equity / n each)
 * at the first event of a LATER time than the last one joined (or at once when every traded
 * symbol has joined), so that the symbols whose data starts at the same time (the ETF file's first
 * day) are bought together: before a symbol's data starts its share is in the symbols that exist, not in cash (on
 * the 12-symbol ETF file GOOG starts in 2014; waiting for every symbol left the baseline in cash
 * until then). A symbol that starts later is paid for by selling part of the others: the symbols
 * held sell down to w × equity at that event's marks, and once those sells have filled the new
 * symbols buy w × equity each (at most an equal share of the cash). Nothing is traded between
 * such events (no rebalancing as prices drift).
 *
 * Symbols priced while warming up (a walk-forward fold's warm-up before its test window) have
 * joined before the window: they are bought at its first event. Positions found at the start (the
 * previous fold's, with --fold-edge carry) are kept as they are, and are only rebalanced when a
 * new symbol joins.
 *
 * Sizing uses the CURRENT equity (not the initial capital: in a walk-forward whose folds close
 * positions at their edges, a fold that starts after a loss has less to invest). With fraction
 * <= 1 a buy is also capped by the cash not yet committed to working orders, so it is never
 * refused for buying power; while sells are working (the previous fold's positions being closed,
 * or a rebalance's) buys wait for their cash. A refused order is retried at the next event.
 */
import { defineStrategy, type Context } from '../src/strategy/types.js';
import { COMMON_PARAMS, tradedSymbols } from './lib.js';

export default defineStrategy({
  name: 'buy-and-hold',
  description: 'Holds equal weights (fraction × equity) of the traded symbols that exist, each bought when its data starts.',
  params: {
    symbol: COMMON_PARAMS.symbol,
    fraction: { type: 'number', default: 1, min: 0, max: 10, doc: 'fraction of the equity invested, split equally across the traded symbols that have data' },
  },
  create(p) {
    let ids: number[] = [];
    let traded: Uint8Array | undefined;
    /** Time each traded symbol first had a price (NaN: not yet). */
    let joinedTs = new Float64Array(0);
    /** Symbols in the holdings as last set (by a rebalance, or found held at the start). */
    let allocated = new Uint8Array(0);
    let joined = 0;
    let allocatedCount = 0;
    let started = false;
    let lastJoinTs = -Infinity;
    const fraction = p.fraction;
    /** Cash that buy orders still working will take (at the current price). */
    const committed = (ctx: Context): number => {
      let c = 0;
      for (const j of ids) {
        const s = ctx.symbols[j]!;
        const q = ctx.pending(s);
        if (q > 0) c += q * ctx.price(s);
      }
      return c;
    };
    const sellsWorking = (ctx: Context): boolean => ctx.symbols.some((s) => ctx.pending(s) < 0);
    /** The sells of the rebalance under way were sent. */
    let sellsSent = false;
    /**
     * Sets the holdings to equal weights of the joined symbols, w = fraction / joined each: first
     * the symbols held sell what they hold above w × equity, then (their sells filled) the symbols
     * that joined since the last rebalance buy w × equity each (at most an equal share of the cash
     * not yet committed); true when done.
     */
    const rebalance = (ctx: Context): boolean => {
      const w = fraction / joined;
      const equity = ctx.equity;
      const tol = 1e-6 * Math.abs(equity);
      if (!sellsSent) {
        sellsSent = true;
        let sold = false;
        for (const j of ids) {
          if (!allocated[j]) continue;
          const s = ctx.symbols[j]!;
          const px = ctx.price(s);
          const over = (ctx.position(s) + ctx.pending(s)) * px - w * equity;
          if (over > tol && ctx.submit({ symbol: s, side: 'sell', qty: over / px }).ok) sold = true;
        }
        if (sold) return false;
      }
      // the buys wait for the sells' cash (the buying-power check counts working sells as exposure)
      if (sellsWorking(ctx)) return false;
      let left = joined - allocatedCount;
      let done = true;
      for (const j of ids) {
        if (allocated[j] || Number.isNaN(joinedTs[j]!)) continue;
        const s = ctx.symbols[j]!;
        const want = w * equity - (ctx.position(s) + ctx.pending(s)) * ctx.price(s);
        const notional = fraction <= 1 ? Math.min(want, (ctx.cash - committed(ctx)) / left) : want;
        left--;
        if (!(notional > 1e-9 * Math.abs(equity))) continue;
        if (!ctx.submit({ symbol: s, side: 'buy', notional }).ok) done = false;
      }
      if (done) sellsSent = false;
      return done;
    };
    const decide = (ctx: Context, sym: number, ts: number): void => {
      if (!traded) {
        ids = tradedSymbols(ctx, p.symbol);
        traded = new Uint8Array(ctx.symbols.length);
        for (const j of ids) traded[j] = 1;
        joinedTs = new Float64Array(ctx.symbols.length).fill(NaN);
        allocated = new Uint8Array(ctx.symbols.length);
      }
      if (traded[sym] && Number.isNaN(joinedTs[sym]!) && Number.isFinite(ctx.price(ctx.symbols[sym]!))) {
        joinedTs[sym] = ts;
        joined++;
        lastJoinTs = ts;
      }
      if (ctx.warmingUp) return;
      if (!started) {
        // positions handed over (an earlier fold's, carried) are holdings as they are
        started = true;
        for (const j of ids) {
          const s = ctx.symbols[j]!;
          if (!Number.isNaN(joinedTs[j]!) && ctx.position(s) + ctx.pending(s) !== 0) {
            allocated[j] = 1;
            allocatedCount++;
          }
        }
      }
      // every joined symbol allocated; or some joined at this very time and others may join at it too
      if (allocatedCount === joined || (!(ts > lastJoinTs) && joined < ids.length)) return;
      // sells still working (a fold edge closing the last fold's positions) will free cash
      if (allocatedCount === 0 && sellsWorking(ctx)) return;
      if (!rebalance(ctx)) return;
      for (const j of ids) if (!Number.isNaN(joinedTs[j]!) && !allocated[j]) allocated[j] = 1;
      allocatedCount = joined;
    };
    return {
      onTick: (ctx, t) => decide(ctx, t.symbolId, t.ts),
      onBar: (ctx, b) => decide(ctx, b.symbolId, b.ts),
    };
  },
});
