import type { ExecModel, Queue } from '../model.js';

/**
 * **No queue, fills through the price** (the default). A resting limit fills when the market
 * trades strictly beyond it (a trade below a buy limit) or the other side's quote reaches it (the
 * ask at or below a buy limit); a print exactly at the limit does not fill it: the orders ahead of
 * it, unknown, are assumed to take it. The conservative choice without a queue model.
 */
export const queueThrough: ExecModel<Queue> = {
  family: 'queue',
  name: 'through',
  rule: "a resting limit fills only when a trade goes strictly beyond it or the other side's quote reaches it; a print at the limit does not fill it",
  params: {},
  bind() {
    return { touchFills: false, start() {}, quote() {}, tradeAt: () => 0 };
  },
};
