import { BAR, QUOTE, TRADE } from '../../data/schema.js';
import { lowerBound, markAt } from '../../data/table.js';
import { FILL_BAR, FILL_QUOTE } from '../fill-source.js';
import type { ExecModel, Slippage } from '../model.js';

/**
 * **Square-root impact.** A market or stop fill of Q units moves the price against the order by
 * the fraction `y` × σ × √(Q / V), at most `cap` bps, where σ and V are measured on the symbol's own
 * past over the trailing `horizon` (default one day), strictly before the fill's event: σ the
 * realised volatility (the root of the summed squared log returns of its price: bar closes,
 * trades, or quote mids, whichever fills it) and V the volume traded (bar volumes or trade sizes).
 * With no volume in the window (the first events, quote-only data) the impact is `cap`.
 */
export const slippageSqrtImpact: ExecModel<Slippage> = {
  family: 'slippage',
  name: 'sqrt-impact',
  rule: "market and stop fills move against the order by y × σ × √(Q/V), σ and V the volatility and volume of the symbol's trailing horizon (past only), at most cap bps",
  params: {
    y: { type: 'number', min: 0, default: 1, doc: 'the impact coefficient Y (of order 1 in the literature)' },
    horizon: { type: 'string', format: 'duration', default: '1d', doc: 'the trailing window σ and V are measured over' },
    cap: { type: 'number', min: 0, default: 1000, doc: 'the largest impact, bps (also used when the window has no volume)' },
  },
  bind(p, env, us) {
    const t = env.table;
    const y = Number(p.y);
    const h = us.horizon!;
    const cap = Number(p.cap) / 1e4;
    const nSym = t.symbols.length;
    // per symbol: its rows, their times, and running sums of volume and squared returns (one
    // pass, once per run; a fill then costs two binary searches)
    const counts = new Int32Array(nSym);
    for (let i = 0; i < t.length; i++) counts[t.sym[i]!]!++;
    const rows = Array.from(counts, (c) => new Int32Array(c));
    const times = Array.from(counts, (c) => new Float64Array(c));
    const vol = Array.from(counts, (c) => new Float64Array(c + 1));
    const sq = Array.from(counts, (c) => new Float64Array(c + 1));
    const fill = new Int32Array(nSym);
    const last = new Float64Array(nSym).fill(NaN);
    for (let i = 0; i < t.length; i++) {
      const s = t.sym[i]!;
      const k = fill[s]!++;
      rows[s]![k] = i;
      times[s]![k] = t.ts[i]!;
      const kind = t.kind[i]!;
      const v = kind === BAR ? t.f4[i]! : kind === TRADE ? t.f1[i]! : 0;
      vol[s]![k + 1] = vol[s]![k]! + (v > 0 ? v : 0);
      const src = env.source[s]!;
      const own = src === FILL_QUOTE ? kind === QUOTE : src === FILL_BAR ? kind === BAR : kind === TRADE;
      let r2 = 0;
      if (own) {
        const m = markAt(t, i);
        const prev = last[s]!;
        if (prev > 0 && m > 0) r2 = Math.log(m / prev) ** 2;
        last[s] = m;
      }
      sq[s]![k + 1] = sq[s]![k]! + r2;
    }
    return {
      price(side, px, qty, i, s) {
        const k = lowerBound(rows[s]!, i); // the symbol's events before i
        const j = Math.min(k, lowerBound(times[s]!, t.ts[i]! - h)); // ... from t − horizon on
        const v = vol[s]![k]! - vol[s]![j]!;
        const sigma = Math.sqrt(Math.max(0, sq[s]![k]! - sq[s]![j]!));
        const impact = v > 0 ? Math.min(cap, y * sigma * Math.sqrt(qty / v)) : cap;
        return px * (1 + side * impact);
      },
    };
  },
};
