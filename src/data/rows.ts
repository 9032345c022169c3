/**
 * The authoritative row rules. Both readers (the fast byte parser and csv-parse) end up here: the
 * csv-parse reader for every row, the fast reader for any row it does not recognise as plainly
 * valid. So every rule, and the wording of its error, lives in one place.
 */
import { DataError } from '../errors.js';
import { BAR, QUOTE, type ResolvedHeader, type Field, isSizeField } from './schema.js';
import type { FileTableBuilder } from './table.js';
import { DATE_ORDER_NAMES, dateShape, detectTsUnit, isCompactDate, parseEpoch, parseIso, parseOrderedDate, parseTimeOfDay, type DateOrder, type TsUnit } from './time.js';

export type OnBadRow = 'fail' | 'skip';

export interface RowOptions {
  readonly onBadRow: OnBadRow;
  /** Accept rows out of time order (they are sorted stably after loading). */
  readonly sort: boolean;
  /** Unit of numeric epoch timestamps; detected from the first row's magnitude when absent. */
  readonly tsUnit: TsUnit | undefined;
  /** Read `"1,234.50"` as 1234.50 (`--thousands comma`); else such a number is an error naming the option. */
  readonly thousands?: 'comma';
}

/** A bad row, as counted under `--on-bad-row skip`. */
export interface BadRowSample {
  readonly line: number;
  readonly message: string;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_RE = /^[+-]?(?:nan|inf|infinity)$/i;
/** A number with commas between groups of three digits: 1,234.50 or 12,345,678. */
const THOUSANDS_RE = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
/** What vendors write for a missing value (Yahoo: `null` on a day without data). */
const NULL_RE = /^(?:null|n\/a)$/i;

type RowErr = (code: string, index: number, rule: string, hint: string) => DataError;
const SYMBOL_EMPTY = ['symbol is empty', 'give every row a symbol'] as const;
const NOT_FINITE_HINT = 'NaN and Infinity are not prices or sizes; fix or drop the row';

/** Sizes are >= 0, prices > 0 (shared by the text and the typed rows). */
function checkSign(field: Field, size: boolean, v: number, idx: number, err: RowErr): void {
  if (size) {
    if (v < 0) throw err('negative-size', idx, `${field} must be >= 0`, 'sizes and volumes cannot be negative; fix the sign or drop the row');
  } else if (v <= 0) {
    throw err('non-positive-price', idx, `${field} must be > 0`, 'prices must be positive; fix the value or drop the row');
  }
}

/** How timestamps of a file are written; decided by its first data row. */
export type TsMode = { readonly kind: 'iso' } | { readonly kind: 'epoch'; readonly unit: TsUnit } | { readonly kind: 'dated'; readonly order: DateOrder };

export class RowSink {
  prevTs = -Infinity;
  badRows = 0;
  readonly badSamples: BadRowSample[] = [];
  tsMode: TsMode | undefined;
  private readonly tsIndex: number;
  /** The time-of-day column of a file with separate Date and Time columns, else -1. */
  private readonly timeIndex: number;
  private readonly symIndex: number;
  private readonly fixedSymId: number;
  /** For each value column of the kind: header index, or -1 when missing. */
  private readonly valueIndex: number[];

  constructor(
    readonly file: string,
    readonly header: ResolvedHeader,
    readonly builder: FileTableBuilder,
    readonly opts: RowOptions,
  ) {
    this.tsIndex = header.roles.findIndex((r) => r.role === 'ts');
    this.timeIndex = header.roles.findIndex((r) => r.role === 'time');
    this.symIndex = header.roles.findIndex((r) => r.role === 'symbol');
    this.fixedSymId = header.fixedSymbol !== undefined ? builder.symbolId(header.fixedSymbol) : -1;
    this.valueIndex = builder.cols.map(() => -1);
    header.roles.forEach((r, i) => {
      if (r.role === 'value') this.valueIndex[r.col] = i;
    });
  }

  /** Id used for every row when the file has no symbol column, else -1. */
  get fixedSymbolId(): number {
    return this.fixedSymId;
  }

  /**
   * Validates one row and appends it, or throws a {@link DataError} (or counts it, when bad rows
   * are skipped). `offsets` are the 1-based character columns where each field starts.
   */
  accept(fields: readonly string[], offsets: readonly number[] | (() => readonly number[]), line: number): void {
    const n = this.builder.n;
    try {
      this.parse(fields, offsets, line);
    } catch (e) {
      this.badRow(e, line);
      return;
    }
    this.noteLine(n, line);
  }

  /** The file line of a row just appended (bar files keep them for messages). */
  private noteLine(n: number, line: number): void {
    const lines = this.builder.lines;
    if (lines && this.builder.n === n + 1) lines[n] = line;
  }

  /** A row that broke a rule: counted when bad rows are skipped, else thrown on. */
  private badRow(e: unknown, line: number): void {
    if (this.opts.onBadRow === 'skip' && e instanceof DataError) {
      this.badRows++;
      if (this.badSamples.length < 5) this.badSamples.push({ line, message: e.message });
      return;
    }
    throw e;
  }

  /** Records a row the caller found bad without details (used by readers for skipped rows). */
  private parse(fields: readonly string[], offsets: readonly number[] | (() => readonly number[]), line: number): void {
    const h = this.header;
    // the columns are only needed for a message: a reader may pass them as a function
    const err = (code: string, index: number, rule: string, hint: string): DataError =>
      new DataError(code, {
        file: this.file,
        line,
        column: (typeof offsets === 'function' ? offsets() : offsets)[index] ?? 0,
        field: h.names[index]?.trim() ?? `#${index + 1}`,
        value: fields[index] ?? '',
        rule,
        hint,
      });
    if (fields.length !== h.names.length) {
      throw new DataError('wrong-column-count', {
        file: this.file,
        line,
        column: 0,
        value: fields.join(','),
        rule: `wrong number of fields: expected ${h.names.length} (${h.names.join(',')}), found ${fields.length}`,
        hint: 'check for a missing or extra comma on this line; fields that contain commas must be quoted',
      });
    }
    // timestamp
    const tsText = fields[this.tsIndex]!.trim();
    let ts = this.parseTs(tsText);
    if (Number.isNaN(ts)) throw err('bad-timestamp', this.tsIndex, tsText === '' ? 'timestamp is empty' : this.tsRule(tsText), this.tsHint(tsText));
    if (this.timeIndex >= 0) {
      // a Date and a Time column: the date must be a date only, the time a time of day
      if (tsText.length > 10) {
        throw err('bad-timestamp', this.tsIndex, `the date column holds more than a date, and column '${h.names[this.timeIndex]!.trim()}' holds the time`, `write only the date here (e.g. 2013-10-04), or drop the time column with --columns skip=${h.names[this.timeIndex]!.trim()}`);
      }
      const timeText = fields[this.timeIndex]!.trim();
      const tod = parseTimeOfDay(timeText);
      if (Number.isNaN(tod)) {
        throw err('bad-time', this.timeIndex, timeText === '' ? 'time of day is empty' : 'unparseable time of day', 'write the time of day as HH:MM, HH:MM:SS or HH:MM:SS.ffffff (e.g. 13:30 or 09:30:00.250), the date in its own column');
      }
      ts += tod;
    }
    this.checkOrder(ts, err);
    // symbol
    let symId = this.fixedSymId;
    if (this.symIndex >= 0) {
      const s = fields[this.symIndex]!.trim();
      if (s === '') throw err('bad-symbol', this.symIndex, SYMBOL_EMPTY[0], SYMBOL_EMPTY[1]);
      // invalid UTF-8 decodes to U+FFFD: a Latin-1 'Société' would silently become 'Soci\ufffdt\ufffd'
      if (s.includes('\ufffd')) {
        throw err('not-utf8', this.symIndex, 'symbol is not UTF-8 text (it has bytes that decode to U+FFFD)', 'save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 in.csv > out.csv');
      }
      symId = this.builder.symbolId(s);
    }
    // values
    const nCols = this.valueIndex.length;
    const vals = new Array<number>(nCols);
    const fieldsOfKind = this.builder.cols.length;
    for (let c = 0; c < fieldsOfKind; c++) {
      const idx = this.valueIndex[c]!;
      if (idx < 0) {
        vals[c] = NaN;
        continue;
      }
      const role = h.roles[idx]!;
      const field = (role.role === 'value' ? role.field : 'price') as Field;
      const text = fields[idx]!.trim();
      const size = isSizeField(field);
      if (text === '') {
        if (size) {
          vals[c] = NaN; // unknown, never zero
          continue;
        }
        throw err('missing-value', idx, `${field} is empty; prices are required`, 'fill in the price, or drop the row');
      }
      if (NON_FINITE_RE.test(text)) throw err('not-finite', idx, `${field} must be a finite number`, NOT_FINITE_HINT);
      if (NULL_RE.test(text)) {
        throw err('null-value', idx, `${field} is '${text}': the file has no value here (Yahoo writes null for a day without data)`, 'pass --on-bad-row skip to drop such rows (they are counted and reported), or delete them from the file');
      }
      let num = text;
      if (THOUSANDS_RE.test(text)) {
        if (this.opts.thousands === 'comma') num = text.replace(/,/g, '');
        else {
          const plain = text.replace(/,/g, '');
          const alt = /^[+-]?\d+,\d{3}$/.test(text) ? ` (or, if the comma is a decimal comma, ${text.replace(',', '.')}: then write points)` : '';
          throw err('thousands-separator', idx, `${field} has thousands separators`, `pass --thousands comma to read ${text} as ${plain}${alt}`);
        }
      }
      if (!NUMBER_RE.test(num)) {
        // a decimal comma (1,1941 in a semicolon or tab file, as European exports write it)
        const decimalComma = /^[+-]?\d+,\d+$/.test(text) ? `it looks like a decimal comma: write ${text.replace(',', '.')} (the decimal separator is a point); ` : '';
        throw err('not-a-number', idx, `${field} is not a number`, `${decimalComma}write a plain decimal number such as 101.25 (no thousands separators, currency signs or units)`);
      }
      const v = Number(num);
      if (!Number.isFinite(v)) {
        throw err('not-finite', idx, `${field} overflows to Infinity`, 'fix the value; it is beyond the range of a double');
      }
      checkSign(field, size, v, idx, err);
      vals[c] = v;
    }
    this.append(ts, symId, vals, err);
  }

  /**
   * One row of typed values (a Parquet file's): `values[i]` is header column i's value, null where
   * the file has none; `text(i)` renders it for a message. The same rules as a CSV row's text.
   */
  acceptValues(ts: number, symbol: string | null, values: ArrayLike<number | null>, text: (i: number) => string, line: number): void {
    const err = (code: string, index: number, rule: string, hint: string): DataError =>
      new DataError(code, { file: this.file, line, column: index + 1, field: this.header.names[index]?.trim() ?? `#${index + 1}`, value: text(index), rule, hint });
    const n0 = this.builder.n;
    try {
      if (!Number.isFinite(ts)) throw err('bad-timestamp', this.tsIndex, 'timestamp is empty or not a time', 'give every row a timestamp');
      this.checkOrder(ts, err);
      let symId = this.fixedSymId;
      if (this.symIndex >= 0) {
        const s = symbol?.trim() ?? '';
        if (s === '') throw err('bad-symbol', this.symIndex, SYMBOL_EMPTY[0], SYMBOL_EMPTY[1]);
        symId = this.builder.symbolId(s);
      }
      const fieldsOfKind = this.builder.cols.length;
      const vals = new Array<number>(fieldsOfKind);
      for (let c = 0; c < fieldsOfKind; c++) {
        const idx = this.valueIndex[c]!;
        if (idx < 0) {
          vals[c] = NaN;
          continue;
        }
        const role = this.header.roles[idx]!;
        const field = (role.role === 'value' ? role.field : 'price') as Field;
        const size = isSizeField(field);
        const v = values[idx];
        if (v === null || v === undefined) {
          if (size) {
            vals[c] = NaN; // unknown, never zero
            continue;
          }
          throw err('missing-value', idx, `${field} is empty; prices are required`, 'fill in the price, or drop the row');
        }
        if (!Number.isFinite(v)) throw err('not-finite', idx, `${field} must be a finite number`, NOT_FINITE_HINT);
        checkSign(field, size, v, idx, err);
        vals[c] = v;
      }
      this.append(ts, symId, vals, err);
    } catch (e) {
      this.badRow(e, line);
      return;
    }
    this.noteLine(n0, line);
  }

  private checkOrder(ts: number, err: RowErr): void {
    if (ts < this.prevTs && !this.opts.sort) {
      throw err('time-backwards', this.tsIndex, `timestamp goes backwards (the row before is later)`, 'rows within a file must be in time order; pass --sort to sort them stably while loading');
    }
  }

  /** The rules across a row's values (bars consistent, quotes not crossed), then the row into the table. */
  private append(ts: number, symId: number, vals: number[], err: RowErr): void {
    const h = this.header;
    const fieldsOfKind = this.builder.cols.length;
    // close-only bars: open/high/low take the close
    if (h.kind === BAR) {
      for (let c = 0; c < 3; c++) if (this.valueIndex[c]! < 0) vals[c] = vals[3]!;
      const [o, hi, lo, cl] = vals as [number, number, number, number];
      if (hi < Math.max(o, cl, lo)) {
        throw err('bad-bar', this.valueIndex[1]!, `high ${hi} is below open, low or close`, 'the bar is inconsistent; fix or drop it');
      }
      if (lo > Math.min(o, cl)) {
        throw err('bad-bar', this.valueIndex[2]!, `low ${lo} is above open or close`, 'the bar is inconsistent; fix or drop it');
      }
    } else if (h.kind === QUOTE && vals[0]! > vals[1]!) {
      throw err('crossed-quote', this.valueIndex[1]!, `crossed quote: bid ${vals[0]} > ask ${vals[1]}`, 'bid must be <= ask; drop the row (--on-bad-row skip) or fix the feed');
    }
    const b = this.builder;
    const n = b.n;
    b.ensure(n);
    b.ts[n] = ts;
    b.sym[n] = symId;
    for (let c = 0; c < fieldsOfKind; c++) b.cols[c]![n] = vals[c]!;
    b.n = n + 1;
    if (ts > this.prevTs) this.prevTs = ts;
  }

  private parseTs(text: string): number {
    if (text === '') return NaN;
    if (this.tsMode === undefined) {
      // YYYYMMDD looks numeric but is a date (unless --ts-unit says it is an epoch)
      const numeric = /^[+-]?\d+(\.\d+)?$/.test(text) && !(this.opts.tsUnit === undefined && isCompactDate(text));
      if (numeric) {
        const unit = this.opts.tsUnit ?? detectTsUnit(text);
        if (unit === undefined) return NaN;
        this.tsMode = { kind: 'epoch', unit };
      } else {
        // 10/04/2013, 04.10.2013, 2013.10.04: the order the reader settled (see data/date-order.ts)
        const shape = dateShape(text);
        const order = shape === 'year-first' ? 'ymd' : shape === 'year-last' ? this.header.dateOrder?.order : undefined;
        if (shape === 'year-last' && order === undefined) return NaN;
        this.tsMode = order !== undefined ? { kind: 'dated', order } : { kind: 'iso' };
      }
    }
    const m = this.tsMode;
    return m.kind === 'iso' ? parseIso(text) : m.kind === 'dated' ? parseOrderedDate(text, m.order) : parseEpoch(text, m.unit);
  }

  /** The order other than the file's in which a year-last date text reads, if one does (a row that contradicts the settled order). */
  private otherOrder(text: string): DateOrder | undefined {
    const m = this.tsMode;
    if (m?.kind !== 'dated' || m.order === 'ymd') return undefined;
    const other: DateOrder = m.order === 'mdy' ? 'dmy' : 'mdy';
    return Number.isNaN(parseOrderedDate(text, other)) ? undefined : other;
  }

  /** The rule an unparseable timestamp broke, for the file's way of writing them. */
  private tsRule(text: string): string {
    const m = this.tsMode;
    if (m?.kind === 'dated' && this.otherOrder(text) !== undefined) return `not a date in ${DATE_ORDER_NAMES[m.order]} order, as the file's dates are read`;
    return 'unparseable timestamp';
  }

  private tsHint(text: string): string {
    const m = this.tsMode;
    if (m?.kind === 'epoch') return `write an epoch number in ${m.unit} like the rows before it, or ISO-8601 in every row`;
    if (m?.kind === 'dated') {
      const other = this.otherOrder(text);
      if (other !== undefined) return `the ${DATE_ORDER_NAMES[m.order]} order was ${this.header.dateOrder?.from ?? 'given'}; if the file's dates are ${DATE_ORDER_NAMES[other]}, pass --date-order ${other}; else fix the row`;
      return `write dates ${DATE_ORDER_NAMES[m.order]} like the rows before it, with a 4-digit year and an optional 24-hour time (H:MM, HH:MM:SS or HH:MM:SS.ffffff; no AM/PM)`;
    }
    return 'write ISO-8601 such as 2024-08-08T23:54:14.087891Z, 2013-10-07 09:30:00-04:00, 2004-08-19 or 20040819, a date as 10/04/2013, 04.10.2013 or 2013.10.04 (see --date-order), or a numeric epoch (see --ts-unit)';
  }
}

/**
 * Splits one CSV line into fields (RFC 4180 quotes: `"a,b"`, `""` for a quote) and the 1-based
 * character column where each starts. Used for the slow path and for error positions.
 */
export function splitCsvLine(line: string, delimiter = ','): { fields: string[]; offsets: number[] } {
  const fields: string[] = [];
  const offsets: number[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    offsets.push(i + 1);
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          v += line.slice(i);
          i = n;
          break;
        }
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const comma = line.indexOf(delimiter, i);
      fields.push(v);
      if (comma < 0) break;
      i = comma + 1;
    } else {
      const comma = line.indexOf(delimiter, i);
      if (comma < 0) {
        fields.push(line.slice(i));
        break;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
  return { fields, offsets };
}
