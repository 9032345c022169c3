import type { ExecModel, Slippage } from '../model.js';
import { eventVolume } from './event-volume.js';

/**
 * **Volume share** (LEAN's `VolumeShareSlippageModel`). A market or stop fill of q units on an
 * event offering volume V (a bar's volume, a trade's size, the displayed size taken) moves the
 * price against the order by the fraction min(q / V, `limit`)² × `impact`. With V unknown or 0 the
 * share is taken as `limit` (the most the model charges).
 */
export const slippageVolumeShare: ExecModel<Slippage> = {
  family: 'slippage',
  name: 'volume-share',
  rule: "market and stop fills move against the order by min(q/V, limit)^2 × impact, V the event's volume (bar volume, trade size, displayed size); V unknown: the limit",
  params: {
    impact: { type: 'number', min: 0, default: 0.1, doc: 'price impact at full share (LEAN: 0.1)' },
    limit: { type: 'number', min: 0, max: 1, default: 0.025, doc: 'the volume share beyond which the slippage no longer grows (LEAN: 0.025)' },
  },
  bind(p, env) {
    const impact = Number(p.impact);
    const limit = Number(p.limit);
    const t = env.table;
    return {
      price(side, px, qty, i) {
        const v = eventVolume(t, i, side);
        const share = v > 0 ? Math.min(qty / v, limit) : limit;
        return px * (1 + side * share * share * impact);
      },
    };
  },
};
