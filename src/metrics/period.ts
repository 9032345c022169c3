/**
 * The sampling period of the equity curve and the periods per year used to annualise.
 * Both are explicit in every report; these are only the defaults when none is given.
 */
import { BAR } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import { formatDuration, parseDuration, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE } from '../data/time.js';

export interface PeriodChoice {
  readonly periodUs: number;
  readonly label: string;
  readonly periodsPerYear: number;
  /** How the two were decided, for the report. */
  readonly basis: string;
}

/** Default period: 1d for data spanning over 60 days, 1h over 5 days, 5m over 3 hours, else 1m. */
export function defaultPeriodUs(spanUs: number): number {
  if (spanUs > 60 * US_PER_DAY) return US_PER_DAY;
  if (spanUs > 5 * US_PER_DAY) return US_PER_HOUR;
  if (spanUs > 3 * US_PER_HOUR) return 5 * US_PER_MINUTE;
  return US_PER_MINUTE;
}

/**
 * True when the market traded on a Saturday or Sunday (UTC): a market open around the clock.
 * Bars count by their start (a Friday daily bar closes on Saturday at midnight).
 */
export function hasWeekendEvents(t: TickTable): boolean {
  // sample at most ~100k rows evenly: enough to see a weekend
  const step = Math.max(1, Math.floor(t.length / 100_000));
  for (let i = 0; i < t.length; i += step) {
    const at = t.kind[i] === BAR ? t.barStart[i]! : t.ts[i]!;
    const day = (Math.floor(at / US_PER_DAY) + 4) % 7; // 1970-01-01 was a Thursday (4)
    if (day === 0 || day === 6) return true;
  }
  return false;
}

/**
 * Periods per year: daily → 252 (or 365 when the data trades on weekends); intraday → the same
 * days × 6.5 h (a US equity session) ÷ period, or 365 × 24 h ÷ period on weekend-trading data.
 */
export function defaultPeriodsPerYear(periodUs: number, weekends: boolean): { value: number; basis: string } {
  const days = weekends ? 365 : 252;
  if (periodUs >= US_PER_DAY) return { value: days / (periodUs / US_PER_DAY), basis: `${days} trading days a year` };
  const hours = weekends ? 24 : 6.5;
  return { value: (days * hours * US_PER_HOUR) / periodUs, basis: `${days} days × ${hours} h a year` };
}

export function choosePeriod(t: TickTable, period?: string, periodsPerYear?: number): PeriodChoice {
  const span = t.length > 0 ? t.ts[t.length - 1]! - t.ts[0]! : 0;
  const periodUs = period !== undefined ? parseDuration(period) : defaultPeriodUs(span);
  const label = formatDuration(periodUs);
  const ppy = periodsPerYear !== undefined ? { value: periodsPerYear, basis: 'given' } : defaultPeriodsPerYear(periodUs, hasWeekendEvents(t));
  return {
    periodUs,
    label,
    periodsPerYear: ppy.value,
    basis: `${period !== undefined ? 'period given' : 'period chosen from the data span'}; periods/year ${ppy.basis}`,
  };
}
