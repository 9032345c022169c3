/**
 * A run's gross exposure as a share of its equity: what a random long-short baseline is sized to
 * (strategies/random-long-short.ts, issue 32).
 *
 * Rule: the mean, over the samples at whose end the run held a position (gross > 0), of
 * Σ |position × mark| / equity at that end. Samples with no position are left out, so a strategy
 * that waits 60 sessions to warm up, or is flat half the time, is measured on what it holds when it
 * holds something. NaN when the run never held a position at a sample's end.
 */
import type { RunRecord } from '../portfolio/record.js';

export function meanGrossLeverage(r: Pick<RunRecord, 'gross' | 'equity'>): number {
  const g = r.gross;
  const e = r.equity;
  let sum = 0;
  let n = 0;
  for (let k = 0; k < g.length; k++) {
    if (g[k]! > 0 && e[k]! > 0) {
      sum += g[k]! / e[k]!;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}
