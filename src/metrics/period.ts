/**
 * The sampling period of the equity curve and the periods per year used to annualise.
 * Both are explicit in every report; these are only the defaults when none is given.
 */
import { calendarOf, measureCalendar, periodsPerYearOf, type Calendar, type CalendarMeasure } from './calendar.js';
import type { TickTable } from '../data/table.js';
import { formatDuration, US_PER_DAY, US_PER_HOUR, US_PER_MINUTE } from '../data/time.js';

export interface PeriodChoice {
  readonly periodUs: number;
  readonly label: string;
  readonly periodsPerYear: number;
  /** The market calendar annualisation follows (see calendar.ts). */
  readonly calendar: string;
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

/** The sampling period alone (given in µs, or from the span): what a run needs before it starts. */
export function samplingPeriod(t: TickTable, givenUs?: number): { periodUs: number; label: string } {
  return samplingPeriodOf(t.length > 0 ? t.ts[t.length - 1]! - t.ts[0]! : 0, givenUs);
}

/** {@link samplingPeriod} from the data's span (its last time less its first, µs). */
export function samplingPeriodOf(spanUs: number, givenUs?: number): { periodUs: number; label: string } {
  const periodUs = givenUs ?? defaultPeriodUs(spanUs);
  return { periodUs, label: formatDuration(periodUs) };
}

/** What the period's choice reads from the data: its span, its symbols, and its two measures (asked for only when needed). */
export interface PeriodData {
  readonly spanUs: number;
  readonly symbols: readonly string[];
  calendar(): CalendarMeasure;
  heldPerYear(periodUs: number): number;
}

/** The period (given in µs, or from the span) and the periods a year (given, or from the calendar). */
export function choosePeriod(t: TickTable, givenUs?: number, periodsPerYear?: number, calendar?: Calendar): PeriodChoice {
  const data: PeriodData = { spanUs: t.length > 0 ? t.ts[t.length - 1]! - t.ts[0]! : 0, symbols: t.symbols, calendar: () => measureCalendar(t), heldPerYear: (p) => heldPerYear(t, p) };
  return choosePeriodOf(data, givenUs, periodsPerYear, calendar);
}

/** {@link choosePeriod} from what it reads of the data (a streamed run measures it in passes, engine/stream-facts.ts). */
export function choosePeriodOf(data: PeriodData, givenUs?: number, periodsPerYear?: number, calendar?: Calendar): PeriodChoice {
  const period = givenUs;
  const { periodUs, label } = samplingPeriodOf(data.spanUs, givenUs);
  const cal = calendar ?? calendarOf(data.calendar(), data.symbols, periodUs < US_PER_DAY);
  const ppy = periodsPerYear !== undefined ? periodsPerYear : periodsPerYearOf(cal, periodUs);
  const held = periodUs > 0 ? data.heldPerYear(periodUs) : NaN;
  const count = (x: number): string => Math.round(x).toLocaleString('en-US');
  const parts = [period !== undefined ? 'period given' : 'period chosen from the data span', `periods/year ${periodsPerYear !== undefined ? 'given' : `from the ${cal.basis}`}`];
  if (Number.isFinite(held)) {
    // a check by hand; far from the figure used when sessions cross the UTC period boundaries
    const far = Math.abs(held / ppy - 1) > 0.1;
    parts.push(
      `the data holds ${count(held)} ${label} periods with events a year` + (far ? ` (not ${count(ppy)}: periods are UTC-aligned, and a session that crosses a period boundary makes periods of its own; --periods-per-year ${Math.round(held)} annualises by the samples)` : ''),
    );
  }
  return { periodUs, label, periodsPerYear: ppy, calendar: cal.name, basis: parts.join('; ') };
}

/**
 * The periods with events per year of span (the engine samples only those): a check of the
 * calendar by hand, shown when the data spans at least 30 days.
 */
export function heldPerYear(t: TickTable, periodUs: number): number {
  if (t.length === 0) return NaN;
  const span = t.ts[t.length - 1]! - t.ts[0]!;
  if (span < 30 * US_PER_DAY) return NaN;
  const h = new HeldScan(periodUs);
  h.scan(t.ts, 0, t.length);
  return h.result(span);
}

/** {@link heldPerYear} over times given in blocks, in order. */
export class HeldScan {
  // the distinct ceil(ts / period) in time order; an event at or before the current period's end
  // has that period's number (ts ascending), so the division runs only past it
  private count = 0;
  private last = NaN;
  private end = -Infinity;
  constructor(private readonly periodUs: number) {}

  scan(ts: Float64Array, from: number, to: number): void {
    const periodUs = this.periodUs;
    let { count, last, end } = this;
    for (let i = from; i < to; i++) {
      const x = ts[i]!;
      if (x <= end) continue;
      const b = Math.ceil(x / periodUs);
      if (b !== last) {
        count++;
        last = b;
      }
      end = b * periodUs;
    }
    this.count = count;
    this.last = last;
    this.end = end;
  }

  /** Periods with events a year, for data spanning `spanUs` (NaN under 30 days). */
  result(spanUs: number): number {
    if (spanUs < 30 * US_PER_DAY) return NaN;
    return this.count / (spanUs / (365.25 * US_PER_DAY));
  }
}

/**
 * The time a sample is labelled with: its period's end, except for periods of a day or more,
 * which are labelled with their last day (a daily sample ending at midnight holds that day's
 * close: the sample ending 2007-11-07T00:00Z is the close of 2007-11-06).
 */
export function sampleLabelTs(endTs: number, periodUs: number): number {
  return periodUs >= US_PER_DAY ? endTs - US_PER_DAY : endTs;
}

/** Every sample's label (see {@link sampleLabelTs}). */
export function sampleLabels(sampleTs: Float64Array, periodUs: number): Float64Array {
  if (periodUs < US_PER_DAY) return sampleTs;
  return sampleTs.map((t) => t - US_PER_DAY);
}
