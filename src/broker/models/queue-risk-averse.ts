import type { ExecModel, Queue } from '../model.js';
import { consume, levelOf, startQueue } from './queue-l1.js';

/**
 * **Risk-averse queue** (hftbacktest's `RiskAdverseQueueModel`, at L1). A resting limit joins the
 * back of the displayed queue at its price. Only trades at its price advance it (by their size);
 * a fill needs the queue ahead consumed, and takes what trades beyond the queue. A decrease of the
 * displayed size moves it to min(ahead, new size): cancellations are assumed to be behind it
 * unless the queue got shorter than its place. A price better than the best (it improves the book)
 * has no one ahead; behind the best its queue is unknown until that price is the best. Trades
 * strictly beyond the limit and the other side's quote reaching it fill it as under `through`.
 */
export const queueRiskAverse: ExecModel<Queue> = {
  family: 'queue',
  name: 'risk-averse',
  rule: 'joins the back of the displayed queue; only trades at its price advance it; a smaller displayed size moves it to min(ahead, size); fills with what trades beyond the queue',
  params: {},
  bind() {
    return {
      touchFills: false,
      start: startQueue,
      quote(o, limit, buy, best, size) {
        const at = levelOf(limit, buy, best);
        if (at === 0) {
          if (!Number.isNaN(size)) o.ahead = Math.min(o.ahead, size);
          o.levelSize = size;
        } else {
          if (at === 1) o.ahead = 0;
          o.levelSize = NaN;
        }
        o.tradedSince = 0;
      },
      tradeAt: consume,
    };
  },
};
