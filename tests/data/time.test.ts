import { describe, expect, it } from 'vitest';
import { detectTsUnit, formatDuration, formatIso, parseDuration, parseEpoch, parseIso } from '../../src/data/time.js';

describe('ISO-8601 timestamps to µs', () => {
  it('agrees with Date.parse to the millisecond on many forms', () => {
    for (const s of [
      '2024-08-08T23:54:14.087Z',
      '2013-10-07T13:30:00Z',
      '2004-08-19T00:00:00Z',
      '1996-03-31T22:30:00Z',
      '2013-10-07T09:30:00-04:00',
      '2013-10-07T09:30:00.5+05:30',
      '2000-02-29T12:00:00Z',
      '1969-12-31T23:59:59.999Z',
    ]) {
      expect(parseIso(s), s).toBe(Date.parse(s) * 1000);
    }
  });
  it('keeps microseconds and truncates nanoseconds', () => {
    expect(parseIso('2024-08-08T23:54:14.087891Z')).toBe(Date.parse('2024-08-08T23:54:14.087Z') * 1000 + 891);
    expect(parseIso('2024-08-08T23:54:14.087891999Z')).toBe(parseIso('2024-08-08T23:54:14.087891Z'));
  });
  it('reads date-only as midnight UTC and a space separator like T', () => {
    expect(parseIso('2004-08-19')).toBe(Date.UTC(2004, 7, 19) * 1000);
    expect(parseIso('2004-08-19 10:00:00Z')).toBe(parseIso('2004-08-19T10:00:00Z'));
    expect(parseIso('2004-08-19T10:00')).toBe(Date.UTC(2004, 7, 19, 10) * 1000);
  });
  it('accepts compact and hour-only offsets', () => {
    expect(parseIso('2013-10-07T09:30:00-0400')).toBe(parseIso('2013-10-07T13:30:00Z'));
    expect(parseIso('2013-10-07T09:30:00-04')).toBe(parseIso('2013-10-07T13:30:00Z'));
  });
  it('rejects impossible dates and junk', () => {
    for (const s of ['2024-13-01', '2023-02-29', '2024-01-32T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T10:60Z', 'yesterday', '2024/01/01', '2024-01-01T10:00:00.Z', '2024-01-01T10:00:00Zjunk', '']) {
      expect(parseIso(s), s).toBeNaN();
    }
  });
});

describe('numeric epochs', () => {
  it('detects the unit by magnitude', () => {
    expect(detectTsUnit('1704205800')).toBe('s');
    expect(detectTsUnit('1704205800.25')).toBe('s');
    expect(detectTsUnit('1704205800000')).toBe('ms');
    expect(detectTsUnit('1704205800000000')).toBe('us');
    expect(detectTsUnit('1704205800000000123')).toBe('ns');
    expect(detectTsUnit('abc')).toBeUndefined();
  });
  it('converts exactly, even nanoseconds beyond 2^53', () => {
    expect(parseEpoch('1704205800', 's')).toBe(1704205800_000000);
    expect(parseEpoch('1704205800.123456789', 's')).toBe(1704205800_123456);
    expect(parseEpoch('1704205800250', 'ms')).toBe(1704205800_250000);
    expect(parseEpoch('1704205800250001', 'us')).toBe(1704205800_250001);
    expect(parseEpoch('1704205800250001999', 'ns')).toBe(1704205800_250001);
    expect(parseEpoch('-1500', 'ns')).toBe(-2);
    expect(parseEpoch('12x', 'ms')).toBeNaN();
  });
});

describe('formatting', () => {
  it('round-trips µs through ISO', () => {
    for (const s of ['2024-08-08T23:54:14.087891Z', '2013-10-07T13:30:00.072Z', '2013-10-07T13:30:00Z', '2004-08-19']) {
      expect(formatIso(parseIso(s))).toBe(s);
    }
  });
  it('parses and formats durations', () => {
    expect(parseDuration('1d')).toBe(86_400_000_000);
    expect(parseDuration('5m')).toBe(300_000_000);
    expect(parseDuration('250ms')).toBe(250_000);
    expect(parseDuration('1.5h')).toBe(5_400_000_000);
    expect(parseDuration('soon')).toBeNaN();
    expect(formatDuration(90_061_000_000)).toBe('1d 1h');
    expect(formatDuration(1_500_000)).toBe('1.5s');
  });
});

describe('dates in other orders, and times of day (issue 27.7, 27.8)', () => {
  it('reads month/day/year, day/month/year and year/month/day with 1- or 2-digit day, month and hour', async () => {
    const { parseOrderedDate, parseTimeOfDay, dateShape } = await import('../../src/data/time.js');
    const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, us = 0): number => Date.UTC(y, mo - 1, d, h, mi, s) * 1000 + us;
    expect(parseOrderedDate('10/04/2013 13:30', 'mdy')).toBe(at(2013, 10, 4, 13, 30));
    expect(parseOrderedDate('10/4/2013 9:30', 'mdy')).toBe(at(2013, 10, 4, 9, 30));
    expect(parseOrderedDate('04.10.2013', 'dmy')).toBe(at(2013, 10, 4));
    expect(parseOrderedDate('04-10-2013 13:30:05.000250', 'dmy')).toBe(at(2013, 10, 4, 13, 30, 5, 250));
    expect(parseOrderedDate('2013.10.04', 'ymd')).toBe(at(2013, 10, 4));
    expect(parseOrderedDate('2013/10/04T13:30:00Z', 'ymd')).toBe(at(2013, 10, 4, 13, 30));
    // not a date in that order, or not a date
    for (const [s, o] of [['13/10/2013', 'mdy'], ['02/30/2013', 'mdy'], ['10/04/13', 'mdy'], ['10/04/20130', 'mdy'], ['10/04-2013', 'mdy'], ['2013.10.04', 'dmy'], ['10/04/2013 1:30 PM', 'mdy'], ['10/04/2013 24:00', 'mdy'], ['04.10.2013 9', 'dmy']] as const) {
      expect(parseOrderedDate(s, o), s).toBeNaN();
    }
    expect(parseTimeOfDay('13:30')).toBe((13 * 60 + 30) * 60e6);
    expect(parseTimeOfDay('9:31')).toBe((9 * 60 + 31) * 60e6);
    expect(parseTimeOfDay('09:30:00.250')).toBe((9 * 60 + 30) * 60e6 + 250_000);
    for (const s of ['25:00', '13:3', '13:30:', '13:30:00.', '1330', '13:30Z']) expect(parseTimeOfDay(s), s).toBeNaN();
    expect([dateShape('2013-10-04 13:30'), dateShape('20131004'), dateShape('2013.10.04'), dateShape('10/4/2013 9:30'), dateShape('1381152600')]).toEqual(['iso', 'iso', 'year-first', 'year-last', undefined]);
  });
});
