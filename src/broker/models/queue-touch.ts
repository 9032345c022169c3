import type { ExecModel, Queue } from '../model.js';

/**
 * **Fills on touch** (optimistic: no one is ahead). A resting limit fills whole as soon as a trade
 * prints at its price, or a bar's low (buy) / high (sell) touches it, as well as on everything that
 * fills it under `through`. An upper bound on what a passive strategy can get filled.
 */
export const queueTouch: ExecModel<Queue> = {
  family: 'queue',
  name: 'touch',
  rule: 'optimistic: a trade printed at the limit (or a bar touching it) fills the order whole, as if no one were ahead of it',
  params: {},
  bind() {
    return { touchFills: true, start() {}, quote() {}, tradeAt: () => Infinity };
  },
};
