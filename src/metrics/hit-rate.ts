/**
 * Hit rate (STATS.md "Hit rate"): wins are values > 0, losses < 0; break-evens are counted apart
 * and left out of the rate. Significance by the exact one-sided binomial test against 50%, with a
 * Wilson 95% interval.
 */
import { binomialTestGreater, wilsonInterval, type Interval } from '../stats/binomial.js';

/** Wins, losses and break-evens, the rate of wins among decided trades, its Wilson 95% interval and the one-sided binomial p-value against 50%. */
export interface HitRate {
  readonly wins: number;
  readonly losses: number;
  readonly breakEven: number;
  /** wins / (wins + losses); NaN when there are none. */
  readonly rate: number;
  /** P(X >= wins) under p = 0.5, X ~ Binomial(wins + losses). */
  readonly pValue: number;
  readonly wilson95: Interval;
}

/** The hit rate of a list of PnLs (or returns): see {@link HitRate}. */
export function hitRate(values: ArrayLike<number>): HitRate {
  let wins = 0;
  let losses = 0;
  let breakEven = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > 0) wins++;
    else if (v < 0) losses++;
    else if (v === 0) breakEven++;
  }
  return hitRateOfCounts(wins, losses, breakEven);
}

/** The same from counts already made (e.g. pooled over several windows). */
export function hitRateOfCounts(wins: number, losses: number, breakEven: number): HitRate {
  const n = wins + losses;
  return { wins, losses, breakEven, rate: n > 0 ? wins / n : NaN, pValue: binomialTestGreater(wins, n), wilson95: wilsonInterval(wins, n) };
}
