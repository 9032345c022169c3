/**
 * The overfitting statistics of a set of trials, from their per-period return series: what
 * `tickfold overfit` prints for a matrix a user brings (and what validation will report for the
 * trials it runs). Definitions in STATS.md.
 */
import { hitRate, type HitRate } from '../metrics/hit-rate.js';
import { kurtosisNonExcess, sharpePerPeriod, skewness } from '../metrics/returns.js';
import { deflatedSharpe, minBacktestLength, minTrackRecordLength, probabilisticSharpe } from '../metrics/sharpe-inference.js';
import { probabilityOfBacktestOverfitting, type PboResult } from '../stats/pbo.js';

export interface OverfitReport {
  readonly trials: number;
  readonly periods: number;
  readonly periodsPerYear: number;
  /** Per-period Sharpe of every trial. */
  readonly sharpes: readonly number[];
  readonly best: {
    readonly index: number;
    readonly name: string;
    readonly sharpePerPeriod: number;
    readonly sharpeAnnualized: number;
    readonly skewness: number;
    readonly kurtosisNonExcess: number;
    readonly psr: number;
    readonly minTrl: number;
    readonly hitRate: HitRate;
  };
  /** Variance (ddof 1) of the trials' per-period Sharpe ratios. */
  readonly trialSharpeVariance: number;
  readonly dsr: number;
  readonly sr0: number;
  readonly expectedMaxZ: number;
  /** Years of data needed for N trials not to yield an annual Sharpe of `targetSharpe` by luck. */
  readonly minBtlYears: number;
  readonly targetSharpe: number;
  readonly pbo: PboResult;
  readonly verdict: string;
}

export function overfitReport(names: readonly string[], columns: readonly Float64Array[], partitions: number, periodsPerYear: number, targetSharpe = 1): OverfitReport {
  const sharpes = columns.map((c) => sharpePerPeriod(c));
  let bi = 0;
  for (let j = 1; j < sharpes.length; j++) if (sharpes[j]! > sharpes[bi]! || Number.isNaN(sharpes[bi]!)) bi = j;
  const best = columns[bi]!;
  const sr = sharpes[bi]!;
  const g1 = skewness(best);
  const b2 = kurtosisNonExcess(best);
  const finite = sharpes.filter(Number.isFinite);
  const m = finite.reduce((a, b) => a + b, 0) / finite.length;
  const v = finite.reduce((a, b) => a + (b - m) ** 2, 0) / (finite.length - 1);
  const d = deflatedSharpe(sr, best.length, g1, b2, columns.length, v);
  const pbo = probabilityOfBacktestOverfitting(columns, partitions);
  const likely = pbo.pbo < 0.5 && d.dsr > 0.95 ? 'likely real' : pbo.pbo >= 0.5 ? 'likely overfit' : 'not significant after deflation';
  return {
    trials: columns.length,
    periods: best.length,
    periodsPerYear,
    sharpes,
    best: {
      index: bi,
      name: names[bi] ?? `trial_${bi + 1}`,
      sharpePerPeriod: sr,
      sharpeAnnualized: sr * Math.sqrt(periodsPerYear),
      skewness: g1,
      kurtosisNonExcess: b2,
      psr: probabilisticSharpe(sr, 0, best.length, g1, b2),
      minTrl: minTrackRecordLength(sr, 0, g1, b2, 0.95),
      hitRate: hitRate(best),
    },
    trialSharpeVariance: v,
    dsr: d.dsr,
    sr0: d.sr0,
    expectedMaxZ: d.expectedMaxZ,
    minBtlYears: minBacktestLength(columns.length, targetSharpe),
    targetSharpe,
    pbo,
    verdict: `best of ${columns.length} trials: Sharpe ${(sr * Math.sqrt(periodsPerYear)).toFixed(2)} a year; DSR ${d.dsr.toFixed(2)} over ${columns.length} trials; PBO ${pbo.pbo.toFixed(2)}: ${likely}`,
  };
}
