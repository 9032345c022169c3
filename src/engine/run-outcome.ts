/** What one backtest gives its reports: the record, its metrics and tearsheet over the measured span, the parameters and the period (jobs/run.ts makes it). */
import type { EpochUs } from '../data/time.js';
import type { RunRecord } from '../portfolio/record.js';
import type { Params } from '../strategy/types.js';
import type { PeriodChoice } from '../metrics/period.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { RunTearsheet } from '../metrics/run-tearsheet.js';
import type { MeasuredSpan } from '../metrics/span.js';

/** One backtest's record, metrics, resolved parameters, period and tearsheet. */
export interface RunOutcome {
  readonly record: RunRecord;
  /** Over {@link RunOutcome.measured}'s span (the whole record unless the strategy's symbols start later). */
  readonly metrics: RunMetrics;
  /** The span the metrics and the tearsheet are measured over (metrics/span.ts). */
  readonly measured: MeasuredSpan;
  readonly params: Params;
  readonly period: PeriodChoice;
  readonly fromUs: EpochUs;
  readonly toUs: EpochUs;
  readonly tearsheet: RunTearsheet;
}
