/**
 * market-maker: quotes both sides of one symbol at the best bid and ask (joining the queue there),
 * `size` units each, and keeps a quote where it is while the best price does not move (so that
 * it keeps its place in the queue); re-quotes when it does, at most every `requote`. With the
 * inventory at +`maxInventory` it stops bidding, at −`maxInventory` it stops offering.
 *
 * Its summary reports what a market maker reads: quotes placed and filled (the fill ratio), the
 * inventory (at the end, and the largest held), the spread captured (each fill against the mid at
 * that moment: positive when it bought below or sold above the mid) and the adverse selection
 * (the mid `horizon` after each fill against the fill's side: negative when the market moved
 * against the position the fill left), both in bps of the mid, weighted by notional.
 *
 * Which fills it gets depends on the queue model: `--exec queue=touch` fills it on any print at
 * its price, `--exec queue=risk-averse` only once the queue ahead of it has traded.
 */
import { durationUs } from '../src/strategy/params.js';
import { defineStrategy, type Context, type Fill, type Strategy } from '../src/strategy/types.js';
import { symbolNotInData } from '../src/strategy/param-error.js';

export default defineStrategy({
  name: 'market-maker',
  description: 'Quotes both sides at the best bid and ask with an inventory limit; reports fill ratio, inventory, spread captured and adverse selection.',
  params: {
    symbol: { type: 'string', default: '', doc: 'the symbol to quote (default: the first with quotes)' },
    size: { type: 'number', default: 0.01, min: 0, doc: 'units per quote' },
    maxInventory: { type: 'number', default: 0.05, min: 0, doc: 'largest position held either way, units' },
    requote: { type: 'string', format: 'duration', min: 0, default: '0', doc: 'least time between re-quotes (0: on every quote change)' },
    horizon: { type: 'string', format: 'duration', default: '5s', doc: 'how long after a fill the mid is read for adverse selection' },
  },
  create(p) {
    const size = p.size;
    const maxInv = p.maxInventory;
    const requoteUs = durationUs(p.requote);
    const horizonUs = durationUs(p.horizon);
    let sym = '';
    let bidId = 0;
    let askId = 0;
    let bidPx = NaN;
    let askPx = NaN;
    let lastQuote = -Infinity;
    let placed = 0;
    const filledOrders = new Set<number>();
    let fills = 0;
    let maxAbsInventory = 0;
    let notional = 0;
    let captured = 0; // Σ (mid − price) × side × qty
    let adverse = 0; // Σ (mid later − mid at fill) × side × qty
    let adverseNotional = 0;
    // fills waiting for their horizon: time, side × qty, mid at the fill
    const waiting: { ts: number; signedQty: number; mid: number }[] = [];
    let head = 0;
    let inventory = 0;

    const mid = (ctx: Context): number => {
      const q = ctx.quote(sym);
      return q ? (q.bid + q.ask) / 2 : NaN;
    };
    const self: Strategy = {
      onStart(ctx) {
        sym = p.symbol || ctx.symbols[0]!;
        if (!ctx.symbols.includes(sym)) throw symbolNotInData('symbol', sym, sym, ctx.symbols);
        (self as { ticks?: Strategy['ticks'] }).ticks = { symbols: [sym] };
      },
      onTick(ctx, t) {
        if (t.kind !== 'quote') return;
        const m = (t.bid + t.ask) / 2;
        // adverse selection of the fills whose horizon has passed
        while (head < waiting.length && waiting[head]!.ts + horizonUs <= t.ts) {
          const w = waiting[head++]!;
          adverse += (m - w.mid) * w.signedQty;
          adverseNotional += Math.abs(w.signedQty) * w.mid;
        }
        if (ctx.warmingUp || t.ts - lastQuote < requoteUs) return;
        inventory = ctx.position(sym);
        const wantBid = inventory + size <= maxInv + 1e-12;
        const wantAsk = inventory - size >= -maxInv - 1e-12;
        // keep a quote that is still at the best (its place in the queue); move one that is not
        if (bidId && (!wantBid || bidPx !== t.bid)) {
          ctx.cancel(bidId);
          bidId = 0;
        }
        if (askId && (!wantAsk || askPx !== t.ask)) {
          ctx.cancel(askId);
          askId = 0;
        }
        if (wantBid && !bidId) {
          const r = ctx.submit({ symbol: sym, side: 'buy', qty: size, type: 'limit', limit: t.bid, tag: 'bid' });
          if (r.ok) {
            bidId = r.id;
            bidPx = t.bid;
            placed++;
          }
        }
        if (wantAsk && !askId) {
          const r = ctx.submit({ symbol: sym, side: 'sell', qty: size, type: 'limit', limit: t.ask, tag: 'ask' });
          if (r.ok) {
            askId = r.id;
            askPx = t.ask;
            placed++;
          }
        }
        lastQuote = t.ts;
      },
      onFill(ctx, f: Fill) {
        fills++;
        filledOrders.add(f.orderId);
        const side = f.side === 'buy' ? 1 : -1;
        const m = mid(ctx);
        inventory = ctx.position(sym);
        maxAbsInventory = Math.max(maxAbsInventory, Math.abs(inventory));
        if (!Number.isNaN(m)) {
          captured += (m - f.price) * side * f.qty;
          notional += f.qty * m;
          waiting.push({ ts: f.ts, signedQty: side * f.qty, mid: m });
        }
        if (f.done) {
          if (f.orderId === bidId) bidId = 0;
          if (f.orderId === askId) askId = 0;
        }
      },
      summary() {
        return {
          symbol: sym,
          quotesPlaced: placed,
          quotesFilled: filledOrders.size,
          fillRatio: placed > 0 ? filledOrders.size / placed : NaN,
          fills,
          inventoryAtEnd: inventory,
          maxAbsInventory,
          spreadCapturedBps: notional > 0 ? (captured / notional) * 1e4 : NaN,
          spreadCaptured: captured,
          adverseSelectionBps: adverseNotional > 0 ? (adverse / adverseNotional) * 1e4 : NaN,
          adverseSelection: adverse,
        };
      },
    };
    return self;
  },
});
