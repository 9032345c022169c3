/**
 * Time. tickfold has one time unit everywhere: **microseconds since the Unix epoch, UTC**, held in a
 * plain `number` (a float64 in typed arrays). A float64 holds every integer up to 2^53, so every
 * microsecond from 1970 to the year 2255 is exact. Nanosecond inputs are accepted and truncated
 * (floored) to the microsecond.
 */
export type EpochUs = number;

export const US_PER_MS = 1_000;
export const US_PER_SECOND = 1_000_000;
export const US_PER_MINUTE = 60 * US_PER_SECOND;
export const US_PER_HOUR = 60 * US_PER_MINUTE;
export const US_PER_DAY = 24 * US_PER_HOUR;

/** Units of numeric epoch timestamps. */
export type TsUnit = 's' | 'ms' | 'us' | 'ns';
export const TS_UNITS: readonly TsUnit[] = ['s', 'ms', 'us', 'ns'];

/** Days from 1970-01-01 to the civil date (proleptic Gregorian); H. Hinnant's algorithm. */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// Reads `n` ASCII digits at b[p..p+n); returns -1 if any is not a digit.
function digits(b: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = b[p + i]! - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

let lastDateKey = -1;
let lastDateUs = 0;

/** Midnight UTC of a civil date, µs; NaN when it is no date. Remembers the last one (rows share dates). */
function dayUs(y: number, mo: number, d: number): number {
  // consecutive rows almost always share a date: remember the last one (checked when it was new)
  const key = y * 10000 + mo * 100 + d;
  if (key !== lastDateKey) {
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
    lastDateKey = key;
    lastDateUs = daysFromCivil(y, mo, d) * US_PER_DAY;
  }
  return lastDateUs;
}

/**
 * The time after a date: `b[t]` is `T` or a space, then `HH:MM[:SS[.f…]]` (`H:MM` too when
 * `oneDigitHour`), then `Z`, an offset `±HH:MM`, `±HHMM`, `±HH`, or nothing. Returns `us` plus the
 * time (minus the offset); NaN when it is not one.
 *
 * The ISO parser below repeats this tail inline on purpose: it is the loader's hot path, and calling
 * this function from it made it about 35% slower (45 -> 62 ns a timestamp, measured); the other
 * date shapes (US, European, MetaTrader), rarer and not on the fast path, share this one.
 */
function timeTail(b: Uint8Array, t: number, end: number, us: number, oneDigitHour: boolean): number {
  const sep = b[t];
  if (sep !== 84 && sep !== 32) return NaN; // 'T' | ' '
  let hh: number;
  let c: number; // the colon after the hour
  if (oneDigitHour && b[t + 2] === 58) {
    hh = digits(b, t + 1, 1);
    c = t + 2;
  } else {
    hh = digits(b, t + 1, 2);
    c = t + 3;
  }
  if (end - c < 3 || b[c] !== 58) return NaN;
  const mi = digits(b, c + 1, 2);
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59) return NaN;
  us += hh * US_PER_HOUR + mi * US_PER_MINUTE;
  let p = c + 3;
  if (p < end && b[p] === 58) {
    const s = digits(b, p + 1, 2);
    if (p + 3 > end || s < 0 || s > 59) return NaN;
    us += s * US_PER_SECOND;
    p += 3;
    if (p < end && (b[p] === 46 || b[p] === 44)) {
      // fraction: '.' or ','
      p++;
      let frac = 0;
      let n = 0;
      while (p < end) {
        const ch = b[p]! - 48;
        if (ch < 0 || ch > 9) break;
        if (n < 6) frac = frac * 10 + ch;
        n++;
        p++;
      }
      if (n === 0 || n > 9) return NaN;
      for (let k = n; k < 6; k++) frac *= 10;
      us += frac;
    }
  }
  if (p === end) return us;
  const z = b[p];
  if (z === 90 && p + 1 === end) return us; // 'Z'
  if (z !== 43 && z !== 45) return NaN; // '+' | '-'
  const sign = z === 43 ? 1 : -1;
  const rest = end - p - 1;
  let oh: number;
  let om = 0;
  if (rest === 2) oh = digits(b, p + 1, 2);
  else if (rest === 4) {
    oh = digits(b, p + 1, 2);
    om = digits(b, p + 3, 2);
  } else if (rest === 5 && b[p + 3] === 58) {
    oh = digits(b, p + 1, 2);
    om = digits(b, p + 4, 2);
  } else return NaN;
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
  return us - sign * (oh * US_PER_HOUR + om * US_PER_MINUTE);
}

/**
 * Parses an ISO-8601 timestamp from bytes `b[start..end)` into {@link EpochUs}; NaN when it is not
 * one. Hand-written (no `Date`, no string) because it runs once per row on the load hot path.
 *
 * Accepted: a date `YYYY-MM-DD` or `YYYYMMDD` (ISO's basic form; midnight UTC), optionally followed
 * by `T` or a space and `HH:MM[:SS[.f…]]`, then `Z`, an offset `±HH:MM`, `±HHMM`, `±HH`, or nothing
 * (read as UTC, or as `--tz`). Fractions may have 1 to 9 digits; digits past the sixth
 * (sub-microsecond) are truncated. (One function, the date cache inline: it is the load loop's
 * hottest call, and split into helpers it ran ~30% slower.)
 */
export function parseIsoBytes(b: Uint8Array, start: number, end: number): EpochUs {
  const len = end - start;
  if (len < 8) return NaN;
  let y: number;
  let mo: number;
  let d: number;
  let dateLen: number;
  if (b[start + 4] === 45) {
    if (len < 10 || b[start + 7] !== 45) return NaN;
    y = digits(b, start, 4);
    mo = digits(b, start + 5, 2);
    d = digits(b, start + 8, 2);
    dateLen = 10;
  } else {
    y = digits(b, start, 4);
    mo = digits(b, start + 4, 2);
    d = digits(b, start + 6, 2);
    dateLen = 8;
  }
  // consecutive rows almost always share a date: remember the last one (checked when it was new)
  const key = y * 10000 + mo * 100 + d;
  if (key !== lastDateKey) {
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
    lastDateKey = key;
    lastDateUs = daysFromCivil(y, mo, d) * US_PER_DAY;
  }
  let us = lastDateUs;
  if (len === dateLen) return us;
  const t = start + dateLen; // the time part
  const sep = b[t];
  if ((sep !== 84 && sep !== 32) || len < dateLen + 6 || b[t + 3] !== 58) return NaN; // 'T' | ' ', ':'
  const h = digits(b, t + 1, 2);
  const mi = digits(b, t + 4, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
  us += h * US_PER_HOUR + mi * US_PER_MINUTE;
  let p = t + 6;
  if (p < end && b[p] === 58) {
    const s = digits(b, p + 1, 2);
    if (p + 3 > end || s < 0 || s > 59) return NaN;
    us += s * US_PER_SECOND;
    p += 3;
    if (p < end && (b[p] === 46 || b[p] === 44)) {
      // fraction: '.' or ','
      p++;
      let frac = 0;
      let n = 0;
      while (p < end) {
        const c = b[p]! - 48;
        if (c < 0 || c > 9) break;
        if (n < 6) frac = frac * 10 + c;
        n++;
        p++;
      }
      if (n === 0 || n > 9) return NaN;
      for (let k = n; k < 6; k++) frac *= 10;
      us += frac;
    }
  }
  if (p === end) return us;
  const z = b[p];
  if (z === 90 && p + 1 === end) return us; // 'Z'
  if (z !== 43 && z !== 45) return NaN; // '+' | '-'
  const sign = z === 43 ? 1 : -1;
  const rest = end - p - 1;
  let oh: number;
  let om = 0;
  if (rest === 2) oh = digits(b, p + 1, 2);
  else if (rest === 4) {
    oh = digits(b, p + 1, 2);
    om = digits(b, p + 3, 2);
  } else if (rest === 5 && b[p + 3] === 58) {
    oh = digits(b, p + 1, 2);
    om = digits(b, p + 4, 2);
  } else return NaN;
  if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
  return us - sign * (oh * US_PER_HOUR + om * US_PER_MINUTE);
}

/**
 * The order of day, month and year in dates written with `/`, `.` or `-` between them
 * (`--date-order`): `mdy` 10/04/2013 (US), `dmy` 04.10.2013 (European), `ymd` 2013.10.04
 * (MetaTrader; ISO's 2013-10-04 is always year first).
 */
export type DateOrder = 'mdy' | 'dmy' | 'ymd';
export const DATE_ORDERS: readonly DateOrder[] = ['mdy', 'dmy', 'ymd'];
export const DATE_ORDER_NAMES: Readonly<Record<DateOrder, string>> = { mdy: 'month/day/year', dmy: 'day/month/year', ymd: 'year/month/day' };
const ORDER_CODE: Readonly<Record<DateOrder, number>> = { mdy: 0, dmy: 1, ymd: 2 };
/** {@link DateOrder} as the small integer {@link parseOrderedDateBytes} takes. */
export const dateOrderCode = (o: DateOrder): number => ORDER_CODE[o];

// Reads 1..max digits at b[p..end); returns the value and sets numEnd, or -1.
let numEnd = 0;
function number(b: Uint8Array, p: number, end: number, max: number): number {
  let v = 0;
  let i = p;
  for (; i < end && i - p < max; i++) {
    const c = b[i]! - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
  }
  numEnd = i;
  return i === p ? -1 : v;
}

/**
 * Parses a date written in an order other than ISO's from bytes: three numbers with one separator
 * (`/`, `.` or `-`, the same twice), the year of 4 digits and the day and month of 1 or 2, in
 * `order` (0 mdy, 1 dmy, 2 ymd; see {@link dateOrderCode}); then, optionally, a time as in
 * {@link parseIsoBytes} (the hour may have one digit: `10/4/2013 9:30`). NaN when it is not one,
 * or not a valid date in that order.
 */
export function parseOrderedDateBytes(b: Uint8Array, start: number, end: number, order: number): EpochUs {
  const a = number(b, start, end, order === 2 ? 4 : 2);
  let p = numEnd;
  if (order === 2 && p - start !== 4) return NaN;
  const sep = b[p];
  if (sep !== 47 && sep !== 46 && sep !== 45) return NaN; // '/' '.' '-'
  const m = number(b, p + 1, end, 2);
  p = numEnd;
  if (b[p] !== sep) return NaN;
  const c = number(b, p + 1, end, order === 2 ? 2 : 4);
  if (order !== 2 && numEnd - p - 1 !== 4) return NaN;
  p = numEnd;
  if (a < 0 || m < 0 || c < 0) return NaN;
  const us = order === 0 ? dayUs(c, a, m) : order === 1 ? dayUs(c, m, a) : dayUs(a, m, c);
  if (p === end || us !== us) return us;
  return timeTail(b, p, end, us, true);
}

/**
 * A time of day in its own column (a file with `Date` and `Time` columns): `H:MM`, `HH:MM`,
 * `HH:MM:SS` or `HH:MM:SS.f…`, as µs since midnight; NaN when it is not one.
 */
export function parseTimeOfDayBytes(b: Uint8Array, start: number, end: number): number {
  if (end - start < 4) return NaN;
  const oneDigit = b[start + 1] === 58;
  const h = oneDigit ? digits(b, start, 1) : digits(b, start, 2);
  const c = start + (oneDigit ? 1 : 2);
  if (h < 0 || h > 23 || b[c] !== 58 || end - c < 3) return NaN;
  const mi = digits(b, c + 1, 2);
  if (mi < 0 || mi > 59) return NaN;
  let us = h * US_PER_HOUR + mi * US_PER_MINUTE;
  let p = c + 3;
  if (p === end) return us;
  if (b[p] !== 58 || p + 3 > end) return NaN;
  const s = digits(b, p + 1, 2);
  if (s < 0 || s > 59) return NaN;
  us += s * US_PER_SECOND;
  p += 3;
  if (p === end) return us;
  if (b[p] !== 46 && b[p] !== 44) return NaN;
  p++;
  let frac = 0;
  let n = 0;
  while (p < end) {
    const ch = b[p]! - 48;
    if (ch < 0 || ch > 9) return NaN;
    if (n < 6) frac = frac * 10 + ch;
    n++;
    p++;
  }
  if (n === 0 || n > 9) return NaN;
  for (let k = n; k < 6; k++) frac *= 10;
  return us + frac;
}

/** How a date is written, from its text: ISO year first with `-` or compact, another order with a 4-digit year first or last. */
export type DateShape = 'iso' | 'year-first' | 'year-last' | undefined;

/** The shape of the date at the start of a timestamp text (see {@link DateShape}); undefined when none. */
export function dateShape(text: string): DateShape {
  const t = text.trim();
  if (/^\d{4}-\d\d-\d\d(?:$|[T ])/.test(t) || /^\d{8}(?:$| )/.test(t)) return 'iso';
  if (/^\d{4}([/.])\d{1,2}\1\d{1,2}(?:$|[T ])/.test(t)) return 'year-first';
  if (/^\d{1,2}([/.-])\d{1,2}\1\d{4}(?:$|[T ])/.test(t)) return 'year-last';
  return undefined;
}

/** The first two numbers of a year-last date (`10/04/2013` → [10, 4]); undefined when it is not one. */
export function leadingPair(text: string): [number, number] | undefined {
  const m = /^\s*(\d{1,2})([/.-])(\d{1,2})\2\d{4}(?:$|[T ])/.exec(text);
  return m ? [Number(m[1]), Number(m[3])] : undefined;
}

const encoder = new TextEncoder();

const isoBuf = new Uint8Array(64);

/**
 * {@link parseIsoBytes} for a string. Copies the characters into a reused buffer (no encoder and
 * no allocation per call: this runs once per row on the csv-parse path); a non-ASCII character
 * can be in no ISO timestamp.
 */
export function parseIso(s: string): EpochUs {
  const n = s.length;
  if (n > isoBuf.length) {
    const b = encoder.encode(s);
    return parseIsoBytes(b, 0, b.length);
  }
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return NaN;
    isoBuf[i] = c;
  }
  return parseIsoBytes(isoBuf, 0, n);
}

/** Copies an ASCII string into the reused buffer; -1 when it does not fit or is not ASCII. */
function toBuf(s: string): number {
  const n = s.length;
  if (n > isoBuf.length) return -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return -1;
    isoBuf[i] = c;
  }
  return n;
}

/** {@link parseOrderedDateBytes} for a string. */
export function parseOrderedDate(s: string, order: DateOrder): EpochUs {
  const n = toBuf(s);
  return n < 0 ? NaN : parseOrderedDateBytes(isoBuf, 0, n, ORDER_CODE[order]);
}

/** {@link parseTimeOfDayBytes} for a string. */
export function parseTimeOfDay(s: string): number {
  const n = toBuf(s);
  return n < 0 ? NaN : parseTimeOfDayBytes(isoBuf, 0, n);
}

/**
 * True for an 8-digit `YYYYMMDD` text that is a valid date of the years 1800-2199: such a first
 * row makes a file's timestamps dates, not epoch seconds (20000103 s would be 1970-08-21; pass
 * `--ts-unit s` for that reading).
 */
export function isCompactDate(s: string): boolean {
  if (!/^\d{8}$/.test(s)) return false;
  const y = Number(s.slice(0, 4));
  return y >= 1800 && y < 2200 && !Number.isNaN(parseIso(s));
}

/** Number of integer digits of a numeric epoch text, ignoring a leading sign; -1 if not numeric. */
function epochIntDigits(s: string): number {
  const m = /^[+-]?(\d+)(\.\d+)?$/.exec(s);
  return m ? m[1]!.length : -1;
}

/**
 * Guesses the unit of a numeric epoch from its magnitude: up to 11 integer digits is seconds (to
 * the year 5138), 12–14 milliseconds, 15–17 microseconds, 18 and more nanoseconds.
 */
export function detectTsUnit(s: string): TsUnit | undefined {
  const n = epochIntDigits(s.trim());
  if (n < 0) return undefined;
  if (n <= 11) return 's';
  if (n <= 14) return 'ms';
  if (n <= 17) return 'us';
  return 'ns';
}

const UNIT_DIGITS: Record<TsUnit, number> = { s: 6, ms: 3, us: 0, ns: -3 };

/**
 * Parses a numeric epoch in `unit` to {@link EpochUs}, exactly: the decimal text is shifted to
 * microseconds as text, so a nanosecond epoch (beyond 2^53) loses nothing but its sub-µs digits.
 * NaN when the text is not a plain decimal number.
 */
export function parseEpoch(s: string, unit: TsUnit): EpochUs {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return NaN;
  const neg = m[1] === '-';
  const int = m[2]!;
  const frac = m[3] ?? '';
  const shift = UNIT_DIGITS[unit];
  let whole: string;
  let rest: string;
  if (shift >= 0) {
    const f = frac.padEnd(shift, '0');
    whole = int + f.slice(0, shift);
    rest = f.slice(shift);
  } else {
    const cut = int.length + shift;
    whole = cut > 0 ? int.slice(0, cut) : '0';
    rest = (cut > 0 ? int.slice(cut) : int.padStart(-shift, '0')) + frac;
  }
  let v = Number(whole);
  // floor toward -infinity for negative values with a sub-µs remainder
  if (neg) v = /[1-9]/.test(rest) ? -v - 1 : -v;
  return Number.isSafeInteger(v) ? v : NaN;
}

/** Formats {@link EpochUs} as ISO-8601 UTC with as many fraction digits as needed (0, 3 or 6). */
export function formatIso(us: EpochUs): string {
  if (!Number.isFinite(us)) return 'n/a';
  const ms = Math.floor(us / 1000);
  const sub = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (sub !== 0) return `${iso.slice(0, -1)}${String(sub).padStart(3, '0')}Z`;
  if (iso.endsWith('.000Z')) return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, -5)}Z`;
  return iso;
}

const DURATION_UNITS: Record<string, number> = {
  us: 1,
  ms: US_PER_MS,
  s: US_PER_SECOND,
  m: US_PER_MINUTE,
  min: US_PER_MINUTE,
  h: US_PER_HOUR,
  d: US_PER_DAY,
  w: 7 * US_PER_DAY,
  // calendar averages: a month is 365.25 / 12 days, a year 365.25 days
  mo: (365.25 / 12) * US_PER_DAY,
  y: 365.25 * US_PER_DAY,
};

/** The duration units, for error messages: `m` is minutes, months are `mo`. */
export const DURATION_UNITS_HELP = 'units: us, ms, s, m or min (minutes), h, d, w, mo (months of 30.44 days), y (years of 365.25 days)';

/**
 * Parses a duration such as `500ms`, `30s`, `5m` (minutes), `1h`, `1d`, `2w`, `6mo`, `1y` into
 * microseconds; NaN if invalid (see {@link durationError} for the message).
 */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s|min|mo|m|h|d|w|y)$/.exec(s.trim());
  if (!m) return NaN;
  return Math.round(Number(m[1]) * DURATION_UNITS[m[2]!]!);
}

/** "'6x' is not a duration; write e.g. ...; units: ..." with a hint for the usual slips. */
export function durationError(flag: string, s: string, examples: string): string {
  const t = s.trim();
  let hint = '';
  if (/^\d+(\.\d+)?\s*M$/.test(t)) hint = `; 'M' is ambiguous: write ${t.slice(0, -1)}mo for months or ${t.slice(0, -1)}m for minutes`;
  else if (/^\d+(\.\d+)?\s*(months?|mon)$/i.test(t)) hint = `; write ${parseFloat(t)}mo for months`;
  else if (/^\d+(\.\d+)?\s*(years?|yr|Y)$/.test(t)) hint = `; write ${parseFloat(t)}y for years`;
  else if (/^\d+(\.\d+)?\s*(days?|D)$/.test(t)) hint = `; write ${parseFloat(t)}d for days`;
  else if (/^\d+(\.\d+)?$/.test(t)) hint = `; give a unit (${t}s, ${t}m, ${t}d...)`;
  return `${flag} '${s}' is not a duration${hint}; write e.g. ${examples} (${DURATION_UNITS_HELP})`;
}

/** Formats a duration in microseconds compactly: `1d 2h`, `30m`, `1.5s`, `250us`. */
export function formatDuration(us: number): string {
  if (!Number.isFinite(us)) return 'n/a';
  if (us === 0) return '0s';
  const sign = us < 0 ? '-' : '';
  const v = Math.abs(us);
  if (v < US_PER_MS) return `${sign}${v}us`;
  if (v < US_PER_SECOND) return `${sign}${+(v / US_PER_MS).toFixed(3)}ms`;
  if (v < US_PER_MINUTE) return `${sign}${+(v / US_PER_SECOND).toFixed(3)}s`;
  // the largest unit and the one right below it (1d 2h, 3h 5m; never 165d 38m)
  const units = [
    ['d', US_PER_DAY],
    ['h', US_PER_HOUR],
    ['m', US_PER_MINUTE],
    ['s', US_PER_SECOND],
  ] as const;
  const k = units.findIndex(([, size]) => v >= size);
  const [u0, big] = units[k]!;
  const below = units[k + 1];
  if (!below) return `${sign}${Math.round(v / big)}${u0}`;
  const [u1, small] = below;
  const rounded = Math.round(v / small) * small;
  const q0 = Math.floor(rounded / big);
  const q1 = Math.round((rounded - q0 * big) / small);
  const parts = [`${q0}${u0}`];
  if (q1 > 0) parts.push(`${q1}${u1}`);
  return sign + parts.join(' ');
}
