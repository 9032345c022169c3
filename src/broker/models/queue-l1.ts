/**
 * What the queue models share at L1: where a resting limit stands relative to the best price on
 * its side. At the best price its queue is the displayed size; better than the best (it improves
 * the book) no one is ahead; behind the best its price level is not visible, so the queue ahead is
 * unknown (Infinity) until that level becomes the best.
 */
import type { QueueState } from '../model.js';

/** -1: the limit is behind the best price on its side; 0: at it; 1: better (or no best known). */
export function levelOf(limit: number, buy: boolean, best: number): -1 | 0 | 1 {
  if (Number.isNaN(best)) return -1;
  if (limit === best) return 0;
  return (buy ? limit > best : limit < best) ? 1 : -1;
}

/** The queue ahead of an order that starts resting now. */
export function startQueue(o: QueueState, limit: number, buy: boolean, best: number, size: number): void {
  const at = levelOf(limit, buy, best);
  o.tradedSince = 0;
  if (at === 0) {
    o.ahead = Number.isNaN(size) ? Infinity : size;
    o.levelSize = size;
  } else {
    o.ahead = at === 1 ? 0 : Infinity;
    o.levelSize = NaN;
  }
}

/** A trade at the limit advances the order: the units of it that fill (the part beyond the queue). */
export function consume(o: QueueState, size: number): number {
  o.ahead -= size;
  o.tradedSince += size;
  if (!(o.ahead < 0)) return 0;
  const filled = -o.ahead;
  o.ahead = 0;
  return filled;
}
