/**
 * Time zones for timestamps written without one. tickfold reads a datetime without a zone as UTC;
 * `--tz Europe/Berlin` says such times are local wall-clock times of an IANA zone, and they are
 * converted to UTC (daylight saving included) after parsing. Dates without a time stay dates
 * (midnight UTC of that date), and times that carry `Z` or an offset are never touched.
 *
 * The offsets come from the platform's ICU (`Intl.DateTimeFormat`), cached per hour of wall time:
 * no library and no table of rules to keep up to date by hand.
 */
import { didYouMean, UsageError } from '../errors.js';
import { dateShape, isCompactDate, US_PER_HOUR, US_PER_MS, type TsUnit } from './time.js';

/** How a file's timestamps are written, from its first data row. */
export type TsZone = 'zoned' | 'local' | 'date' | 'epoch' | 'other';

/** Classifies a timestamp text: with a zone, a datetime without one, a date, an epoch number. */
export function classifyTs(text: string, tsUnit?: TsUnit): TsZone {
  const t = text.trim();
  if (tsUnit === undefined && isCompactDate(t)) return 'date';
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) return 'epoch';
  if (/^\d{4}-\d\d-\d\d$/.test(t)) return 'date';
  if (/^(\d{4}-\d\d-\d\d|\d{8})[T ]\d\d:\d\d/.test(t)) return /(Z|[+-]\d\d(:?\d\d)?)$/.test(t) ? 'zoned' : 'local';
  // 10/04/2013, 04.10.2013, 2013.10.04, with or without a time
  const shape = dateShape(t);
  if (shape === 'year-first' || shape === 'year-last') {
    const time = /[T ](\d{1,2}:\d\d.*)$/.exec(t);
    if (!time) return 'date';
    return /(Z|[+-]\d\d(:?\d\d)?)$/.test(time[1]!) ? 'zoned' : 'local';
  }
  return 'other';
}

/** Checks an IANA zone name; a usage error with "did you mean" otherwise. */
export function checkZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
    const near = didYouMean(tz, names);
    throw new UsageError(`--tz '${tz}' is not an IANA time zone${near ? `; did you mean '${near}'?` : ''} (e.g. Europe/Berlin, America/New_York, Asia/Tokyo, UTC)`);
  }
}

/** Offset of a zone at a UTC instant, µs (wall time − UTC). */
function offsetAt(fmt: Intl.DateTimeFormat, utcUs: number): number {
  const ms = Math.floor(utcUs / US_PER_MS / 60_000) * 60_000; // to the minute
  const p: Record<string, number> = {};
  for (const { type, value } of fmt.formatToParts(new Date(ms))) if (type !== 'literal') p[type] = Number(value);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour! % 24, p.minute!, p.second!);
  return (wall - ms) * US_PER_MS;
}

/**
 * Converts wall-clock times of `tz` (parsed as if UTC) to UTC, in place. In a spring-forward gap
 * the time is read with the offset before the change; in a fall-back overlap, the earlier instant.
 */
export function wallToUtc(ts: Float64Array, tz: string): void {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const cache = new Map<number, number>();
  for (let i = 0; i < ts.length; i++) {
    const wall = ts[i]!;
    const hour = Math.floor(wall / US_PER_HOUR);
    let off = cache.get(hour);
    if (off === undefined) {
      // the offsets 12 h either side: equal unless a change is near
      const oA = offsetAt(fmt, wall - 12 * US_PER_HOUR);
      const oB = offsetAt(fmt, wall + 12 * US_PER_HOUR);
      if (oA === oB) off = oA;
      else {
        const aOk = offsetAt(fmt, wall - oA) === oA;
        const bOk = offsetAt(fmt, wall - oB) === oB;
        // both: a fall-back overlap, take the earlier instant; neither: a spring-forward gap, the
        // offset before the change
        off = aOk && bOk ? Math.max(oA, oB) : bOk ? oB : oA;
      }
      cache.set(hour, off);
    }
    ts[i] = wall - off;
  }
}
