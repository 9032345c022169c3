// A user's strategy module, as a user writes it (plain JavaScript, no imports): an SMA 10/30
// crossover, long when the fast average is above the slow one, flat otherwise. The bench's
// vendor-bars job runs it; its floor (bench/floors.ts) applies the same rule by hand.
export default {
  name: 'sma-cross',
  description: 'Long while SMA(fast) > SMA(slow) of the closes, flat otherwise.',
  params: {
    fast: { type: 'integer', default: 10, min: 1, doc: 'bars in the fast average' },
    slow: { type: 'integer', default: 30, min: 2, doc: 'bars in the slow average' },
  },
  create(p) {
    const fast = p.fast;
    const slow = p.slow;
    const closes = new Float64Array(slow);
    let n = 0;
    let sumFast = 0;
    let sumSlow = 0;
    let long = false;
    return {
      onBar(ctx, bar) {
        const c = bar.close;
        if (n >= slow) sumSlow -= closes[n % slow];
        if (n >= fast) sumFast -= closes[(n - fast) % slow];
        closes[n % slow] = c;
        sumSlow += c;
        sumFast += c;
        n++;
        if (n < slow) return;
        const up = sumFast / fast > sumSlow / slow;
        if (up !== long) {
          long = up;
          ctx.targetPercent(bar.symbol, up ? 0.95 : 0);
        }
      },
    };
  },
};
