/**
 * The order of day and month in dates such as `10/04/2013` (US, month first) and `04.10.2013`
 * (European, day first), settled once per file before its rows are read.
 *
 * Rule: a date with the year last is read in the order `--date-order` gives; without it, in the
 * order the file itself settles: the first row (within the first 4 MiB the reader holds anyway)
 * with a number above 12 in the first or second place says which place holds the day. When no
 * such row is found the file is refused with the fix (`--date-order mdy|dmy`): tickfold never
 * picks an order that the file does not show. A later row that is not a date in the settled order
 * (`13/10/2013` after `10/14/2013`) is an error naming the other order's option, so a file that
 * mixes orders cannot load silently. Dates with the year first (`2013.10.04`, MetaTrader; ISO's
 * `2013-10-04`) are always year/month/day.
 */
import { DataError } from '../errors.js';
import { DATE_ORDER_NAMES, dateShape, leadingPair, type DateOrder } from './time.js';

/** The order the rows' dates are read in, and what settled it (for messages and `data inspect`). */
export interface SettledOrder {
  readonly order: DateOrder;
  readonly from: string;
}

const FIX = 'pass --date-order mdy (month/day/year, as in the US) or --date-order dmy (day/month/year, as in Europe)';

/**
 * Settles the date order of a file from its first timestamp text and the timestamp texts of the
 * rows the reader holds (`rows`, with their lines; `whole` when they are all of the file).
 * Returns undefined when the file's timestamps are not dates with `/`, `.` or `-` (ISO, epochs).
 */
export function settleDateOrder(
  file: string,
  first: { readonly line: number; readonly text: string },
  rows: () => Iterable<{ readonly line: number; readonly text: string }>,
  given: DateOrder | undefined,
  whole: boolean,
): SettledOrder | undefined {
  const shape = dateShape(first.text);
  const refuse = (what: string, keep: string): DataError =>
    new DataError('date-order', {
      file,
      line: first.line,
      column: 0,
      value: first.text,
      rule: `--date-order ${given} does not fit this file: ${what}`,
      hint: keep,
    });
  if (shape === 'year-first') {
    if (given !== undefined && given !== 'ymd') throw refuse('its dates put the year first, so they are year/month/day', 'leave --date-order out for this file (or give ymd)');
    return { order: 'ymd', from: given ? 'given with --date-order ymd' : `the year comes first (line ${first.line}: ${first.text})` };
  }
  if (shape !== 'year-last') {
    if (given === undefined || (given === 'ymd' && shape === 'iso')) return undefined;
    throw refuse(
      shape === 'iso' ? 'its dates are ISO-8601, year first (year/month/day)' : 'its timestamps are not dates written with /, . or - (it applies to dates such as 10/04/2013, 04.10.2013 and 2013.10.04)',
      'leave --date-order out for this file',
    );
  }
  if (given === 'ymd') throw refuse('its dates put the year last', FIX);
  if (given !== undefined) return { order: given, from: 'given with --date-order' };
  let seen = 0;
  let last = first.line;
  for (const r of rows()) {
    const p = leadingPair(r.text);
    if (p === undefined) continue; // a bad row: the row rules will say why
    seen++;
    last = r.line;
    if (p[0] > 12 || p[1] > 12) {
      const order: DateOrder = p[0] > 12 ? 'dmy' : 'mdy';
      return { order, from: `settled by line ${r.line} (${r.text.trim()}: ${p[0] > 12 ? 'the first' : 'the second'} number is above 12, so it is the day)` };
    }
  }
  const p = leadingPair(first.text) ?? [0, 0];
  throw new DataError('ambiguous-date-order', {
    file,
    line: first.line,
    column: 0,
    value: first.text,
    rule: `the order of day and month is ambiguous: ${whole ? `no date in the file (${seen} rows)` : `no date in the first ${seen} rows (to line ${last})`} has a number above 12 before the year, so ${first.text.trim().split(/[T ]/)[0]} could be ${DATE_ORDER_NAMES.mdy} (month ${p[0]}, day ${p[1]}) or ${DATE_ORDER_NAMES.dmy} (day ${p[0]}, month ${p[1]})`,
    hint: FIX,
  });
}
