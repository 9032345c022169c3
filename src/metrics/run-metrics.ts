/**
 * The metrics of one run, from its {@link RunRecord}: pure, definitions as in STATS.md.
 */
import type { RunRecord } from '../portfolio/record.js';
import { hitRate, type HitRate } from './hit-rate.js';
import { kurtosisNonExcess, maxDrawdown, mean, returnsFromEquity, sharpePerPeriod, skewness, sortinoPerPeriod } from './returns.js';
import { probabilisticSharpe } from './sharpe-inference.js';
import { sampleLabelTs } from './period.js';
import { US_PER_DAY } from '../data/time.js';

/** The figures of one run (STATS.md): PnL, hit rate, Sharpe and Sortino, PSR, drawdown, trade statistics, turnover and exposure. */
export interface RunMetrics {
  /** Net PnL = final equity − initial capital; gross = net + fees + borrow. */
  readonly pnlGross: number;
  readonly pnlNet: number;
  readonly feesPaid: number;
  readonly borrowPaid: number;
  /** Net PnL / initial capital. */
  readonly returnFraction: number;
  /** Per closed round trip (net PnL). */
  readonly hitRate: HitRate;
  /** Per period, over the periods in which a position was held. */
  readonly periodHitRate: HitRate;
  readonly trades: number;
  readonly openTrades: number;
  readonly periods: number;
  readonly periodsPerYear: number;
  readonly sharpePerPeriod: number;
  readonly sharpeAnnualized: number;
  readonly sortinoPerPeriod: number;
  readonly sortinoAnnualized: number;
  readonly skewness: number;
  readonly kurtosisNonExcess: number;
  /** PSR(0) of the per-period Sharpe. */
  readonly probabilisticSharpe: number;
  readonly maxDrawdownFraction: number;
  readonly maxDrawdownPeakTs: number;
  readonly maxDrawdownTroughTs: number;
  /** From the peak to recovery (or to the end when never recovered), µs. */
  readonly maxDrawdownDurationUs: number;
  readonly maxDrawdownRecovered: boolean;
  /** Sum of winning trades' net PnL / |sum of losing trades'|. */
  readonly profitFactor: number;
  /** Mean net PnL per closed round trip. */
  readonly expectancy: number;
  readonly avgWin: number;
  readonly avgLoss: number;
  readonly avgHoldingUs: number;
  readonly tradedNotional: number;
  /** Traded notional / mean sampled equity. */
  readonly turnover: number;
  /** Share of the run's time with a position open. */
  readonly exposureFraction: number;
  readonly ordersSubmitted: number;
  readonly ordersRejected: number;
  readonly fills: number;
}

/** A run's simple return per sampling period. */
export function periodReturns(r: RunRecord): Float64Array {
  return returnsFromEquity(r.equity, r.initialCapital);
}

/** The {@link RunMetrics} of a record, annualised with `periodsPerYear`. */
export function computeMetrics(r: RunRecord, periodsPerYear: number): RunMetrics {
  const rets = periodReturns(r);
  const net = r.finalEquity - r.initialCapital;
  // typed arrays and running sums (this runs for every trial and window of a validation: arrays
  // made with Array.from and filter were a quarter of a trial task's allocations, measured); the
  // loops in helpers of their own, so that this function has none: a loop here made V8 compile
  // all of it, and what it inlines, again and again while replaying (on-stack replacement), 60-150
  // ms of compiler time per worker thread, measured
  const pnls = r.trades.nets();
  const t = tradeSums(pnls);
  const inMarketRets = inMarketReturns(rets, r.inMarket);
  const sumW = t[0]!;
  const sumL = t[1]!;
  const nW = t[2]!;
  const nL = t[3]!;
  const dd = maxDrawdown(r.equity, r.initialCapital);
  // peak, trough and recovery carry the sample's label (a daily sample is labelled with its day);
  // the start (k = -1) is the first event, or with daily periods the day of the first period
  const tsAt = (k: number): number => (k < 0 ? (r.periodUs >= US_PER_DAY ? sampleLabelTs(Math.ceil(r.firstTs / r.periodUs) * r.periodUs, r.periodUs) : r.firstTs) : sampleLabelTs(r.sampleTs[k]!, r.periodUs));
  const sr = sharpePerPeriod(rets);
  const sortino = sortinoPerPeriod(rets);
  const span = r.lastTs - r.firstTs;
  const g1 = skewness(rets);
  const b2 = kurtosisNonExcess(rets);
  return {
    pnlGross: net + r.feesPaid + r.borrowPaid,
    pnlNet: net,
    feesPaid: r.feesPaid,
    borrowPaid: r.borrowPaid,
    returnFraction: net / r.initialCapital,
    hitRate: hitRate(pnls),
    periodHitRate: hitRate(inMarketRets),
    trades: r.trades.length,
    openTrades: r.openTrades.length,
    periods: rets.length,
    periodsPerYear,
    sharpePerPeriod: sr,
    sharpeAnnualized: sr * Math.sqrt(periodsPerYear),
    sortinoPerPeriod: sortino,
    sortinoAnnualized: sortino * Math.sqrt(periodsPerYear),
    skewness: g1,
    kurtosisNonExcess: b2,
    probabilisticSharpe: probabilisticSharpe(sr, 0, rets.length, g1, b2),
    maxDrawdownFraction: dd.maxDrawdownFraction,
    maxDrawdownPeakTs: dd.troughIndex >= 0 ? tsAt(dd.peakIndex) : NaN,
    maxDrawdownTroughTs: dd.troughIndex >= 0 ? tsAt(dd.troughIndex) : NaN,
    maxDrawdownDurationUs: dd.troughIndex >= 0 ? (dd.recoveryIndex >= 0 ? tsAt(dd.recoveryIndex) : tsAt(rets.length - 1)) - tsAt(dd.peakIndex) : 0,
    maxDrawdownRecovered: dd.recoveryIndex >= 0,
    profitFactor: nL > 0 ? sumW / -sumL : NaN,
    expectancy: pnls.length > 0 ? mean(pnls) : NaN,
    avgWin: nW > 0 ? sumW / nW : NaN,
    avgLoss: nL > 0 ? sumL / nL : NaN,
    avgHoldingUs: r.trades.length > 0 ? mean(r.trades.holds()) : NaN,
    tradedNotional: r.tradedNotional,
    turnover: r.equity.length > 0 ? r.tradedNotional / mean(r.equity) : NaN,
    exposureFraction: span > 0 ? r.exposureUs / span : 0,
    ordersSubmitted: r.ordersSubmitted,
    ordersRejected: r.rejections.length,
    fills: r.fills.length,
  };
}

/** [sum of wins, sum of losses, wins, losses] of the trades' net PnLs. */
function tradeSums(pnls: Float64Array): Float64Array {
  // (made before the loop: code V8 compiles while in the loop has then seen it made)
  const out = new Float64Array(4);
  let sumW = 0;
  let sumL = 0;
  let nW = 0;
  let nL = 0;
  for (let i = 0; i < pnls.length; i++) {
    const x = pnls[i]!;
    if (x > 0) {
      sumW += x;
      nW++;
    } else if (x < 0) {
      sumL += x;
      nL++;
    }
  }
  out[0] = sumW;
  out[1] = sumL;
  out[2] = nW;
  out[3] = nL;
  return out;
}

/** The returns of the periods in which a position was held. */
function inMarketReturns(rets: Float64Array, inMarket: Uint8Array): Float64Array {
  const out = new Float64Array(rets.length);
  let j = 0;
  for (let k = 0; k < rets.length; k++) if (inMarket[k]) out[j++] = rets[k]!;
  return out.subarray(0, j);
}
