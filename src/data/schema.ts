/**
 * The three kinds of market data and how a CSV header maps onto them.
 *
 * Canonical headers: trades `ts,symbol,price,size`; quotes
 * `ts,symbol,bid,ask,bid_size,ask_size`; bars `ts,symbol,open,high,low,close,volume`. Common vendor
 * spellings (`Date`, `Timestamp`, `Close`, `Adj Close`, `BidPrice`, `qty`, …) are recognised by
 * alias; anything else is named in an error with a suggestion, or mapped with `--columns`.
 */
import { basename, extname } from 'node:path';
import { DataError, didYouMean } from '../errors.js';
import type { DateOrder } from './time.js';

export const TRADE = 0;
export const QUOTE = 1;
export const BAR = 2;
export type TickKind = typeof TRADE | typeof QUOTE | typeof BAR;
export const KIND_NAMES = ['trades', 'quotes', 'bars'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** A canonical field name. */
export type Field =
  | 'ts'
  | 'symbol'
  | 'price'
  | 'size'
  | 'bid'
  | 'ask'
  | 'bid_size'
  | 'ask_size'
  | 'open'
  | 'high'
  | 'low'
  | 'close'
  | 'volume';

/**
 * Value columns of each kind, in storage order: a table's value column `f<i>` holds the i-th field
 * of the row's kind. Prices must be > 0 and present; sizes and volume must be >= 0, and an empty
 * field means unknown (stored as NaN), never zero.
 */
export const VALUE_FIELDS: Readonly<Record<TickKind, readonly Field[]>> = {
  [TRADE]: ['price', 'size'],
  [QUOTE]: ['bid', 'ask', 'bid_size', 'ask_size'],
  [BAR]: ['open', 'high', 'low', 'close', 'volume'],
};

export const CANONICAL_HEADERS: Readonly<Record<TickKind, readonly Field[]>> = {
  [TRADE]: ['ts', 'symbol', 'price', 'size'],
  [QUOTE]: ['ts', 'symbol', 'bid', 'ask', 'bid_size', 'ask_size'],
  [BAR]: ['ts', 'symbol', 'open', 'high', 'low', 'close', 'volume'],
};

const SIZE_FIELDS = new Set<Field>(['size', 'bid_size', 'ask_size', 'volume']);
export const isSizeField = (f: Field): boolean => SIZE_FIELDS.has(f);

const ALIASES: Readonly<Record<Field, readonly string[]>> = {
  ts: ['ts', 'timestamp', 'time', 'date', 'datetime', 'dt', 'localtime', 'eventtime', 'transacttime', 'opentime'],
  symbol: ['symbol', 'ticker', 'instrument', 'sym', 'pair', 'code'],
  price: ['price', 'last', 'lastprice', 'tradeprice', 'px'],
  size: ['size', 'qty', 'quantity', 'amount', 'lastsize', 'tradesize'],
  bid: ['bid', 'bidprice', 'bidpx', 'bestbid'],
  ask: ['ask', 'askprice', 'askpx', 'offer', 'offerprice', 'bestask'],
  bid_size: ['bidsize', 'bidqty', 'bidvolume', 'bidsz', 'bidquantity'],
  ask_size: ['asksize', 'askqty', 'askvolume', 'asksz', 'askquantity', 'offersize'],
  open: ['open', 'o', 'openprice'],
  high: ['high', 'h', 'highprice'],
  low: ['low', 'l', 'lowprice'],
  close: ['close', 'c', 'closeprice'],
  volume: ['volume', 'vol', 'v'],
};

/** Vendor columns that are recognised and deliberately not loaded. */
const IGNORED = new Set([
  'adjclose', 'adjustedclose', 'vwap', 'trades', 'numtrades', 'count', 'openinterest', 'oi',
  // MetaTrader 5 exports (<DATE> <TIME> <OPEN> <HIGH> <LOW> <CLOSE> <TICKVOL> <VOL> <SPREAD>): VOL is the volume
  'tickvol', 'tickvolume', 'spread',
  // Binance aggTrades and klines dumps (with their header, as written since 2022)
  'aggtradeid', 'firsttradeid', 'lasttradeid', 'isbuyermaker', 'isbestmatch', 'closetime', 'quotevolume', 'takerbuyvolume', 'takerbuyquotevolume', 'takerbuybasevolume', 'ignore',
]);

const ALIAS_TO_FIELD = new Map<string, Field>();
for (const [field, names] of Object.entries(ALIASES) as [Field, readonly string[]][]) {
  for (const n of names) ALIAS_TO_FIELD.set(n, field);
}

const normalise = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Names of a time-of-day column that goes with a separate date column (`Date`,`Time`). */
const TIME_NAMES = new Set(['time']);

/** What to do with each header column. */
export type ColumnRole =
  | { readonly role: 'ts' }
  /** A time of day in its own column, added to the date in the `ts` column (`Date`,`Time` files). */
  | { readonly role: 'time' }
  | { readonly role: 'symbol' }
  | { readonly role: 'value'; readonly field: Field; readonly col: number }
  | { readonly role: 'skip' };

export interface ResolvedHeader {
  readonly kind: TickKind;
  readonly names: readonly string[];
  readonly roles: readonly ColumnRole[];
  /** Symbol for every row when the file has no symbol column. */
  readonly fixedSymbol: string | undefined;
  /** Value columns that the header lacks and that are filled from another (close-only bars). */
  readonly missing: readonly Field[];
  /** The field delimiter: given (`--delimiter`) or detected from the header line. */
  readonly delimiter?: Delimiter;
  /** How the first row's timestamp is written (see data/zone.ts): 'local' = a datetime without a zone. */
  readonly tsZone?: 'zoned' | 'local' | 'date' | 'epoch' | 'other';
  /** The zone local times were read in (`--tz`), when they were converted. */
  readonly tz?: string;
  /**
   * Dates written in an order other than ISO's (10/04/2013, 04.10.2013, 2013.10.04): the order,
   * and what settled it (`--date-order`, or the line of the file whose day is above 12).
   */
  readonly dateOrder?: { readonly order: DateOrder; readonly from: string };
  /** Names given with `--header` for a file without a header line (its first line is data). */
  readonly given?: boolean;
}

export type Delimiter = ',' | ';' | '\t';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];
export const delimiterName = (d: Delimiter): string => (d === '\t' ? 'tab' : d === ';' ? 'semicolon' : 'comma');

/**
 * The delimiter of a header line: the one of comma, semicolon and tab that occurs most often
 * outside quotes (a comma when none does: a one-column file).
 */
export function detectDelimiter(headerLine: string): Delimiter {
  let inQuote = false;
  const count = { ',': 0, ';': 0, '\t': 0 } as Record<Delimiter, number>;
  for (const ch of headerLine) {
    if (ch === '"') inQuote = !inQuote;
    else if (!inQuote && (ch === ',' || ch === ';' || ch === '\t')) count[ch]++;
  }
  let best: Delimiter = ',';
  for (const d of DELIMITERS) if (count[d] > count[best]) best = d;
  return best;
}

export interface HeaderOptions {
  /** Explicit `field=Header` pairs (`--columns`); the field `skip` drops a column. */
  readonly columns?: Readonly<Record<string, string>>;
  /** Field delimiter (`--delimiter`); default: detected from the header line. */
  readonly delimiter?: Delimiter;
  /** IANA zone of timestamps written without one (`--tz`); default UTC. */
  readonly tz?: string;
  /** Symbol for files without a symbol column (`--symbol`); default: the file name. */
  readonly symbol?: string;
}

const ALL_FIELDS = Object.keys(ALIASES) as Field[];

/** The names `--columns` takes on its left: the fields, `time` (a time-of-day column) and `skip`. */
const MAP_FIELDS = [...ALL_FIELDS, 'time', 'skip'];

/**
 * Parses `ts=Date,close=Close` into a map, validating field names. Several specs (`--columns`
 * given more than once) add up; a field mapped twice to different columns is an error, and every
 * unknown field is named in one error.
 */
export function parseColumnMap(spec: string | readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const unknown: string[] = [];
  for (const part of (typeof spec === 'string' ? [spec] : spec).flatMap((x) => x.split(','))) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new DataError('bad-column-map', {
        file: '--columns',
        line: 0,
        column: 0,
        value: part,
        rule: 'each --columns entry must be field=Header',
        hint: `write e.g. --columns ts=Date,close=Close (fields: ${ALL_FIELDS.join(', ')}, time, skip)`,
      });
    }
    const field = part.slice(0, eq).trim();
    const header = part.slice(eq + 1).trim();
    if (!MAP_FIELDS.includes(field)) {
      const near = didYouMean(field, MAP_FIELDS);
      unknown.push(`'${field}'${near ? ` (did you mean '${near}'?)` : ''}`);
      continue;
    }
    const key = field === 'skip' ? `skip:${header}` : field;
    if (out[key] !== undefined && out[key] !== header) {
      throw new DataError('bad-column-map', {
        file: '--columns',
        line: 0,
        column: 0,
        value: `${field}=${out[key]}, ${field}=${header}`,
        rule: `--columns maps '${field}' twice, to '${out[key]}' and to '${header}'`,
        hint: `keep one of the two (entries of several --columns add up)`,
      });
    }
    out[key] = header;
  }
  if (unknown.length > 0) {
    throw new DataError('bad-column-map', {
      file: '--columns',
      line: 0,
      column: 0,
      value: unknown.join(', '),
      rule: unknown.length === 1 ? `unknown field in --columns: ${unknown[0]}` : `${unknown.length} unknown fields in --columns: ${unknown.join(', ')}`,
      hint: `fields are: ${MAP_FIELDS.join(', ')}`,
    });
  }
  return out;
}

/** Decides the kind of a file and the role of each of its columns from its header line. */
export function resolveHeader(file: string, names: readonly string[], opts: HeaderOptions = {}): ResolvedHeader {
  const headerErr = (rule: string, hint: string, value?: string, index = -1): DataError =>
    new DataError('bad-header', {
      file,
      line: 1,
      column: index >= 0 ? columnOffset(names, index) : 0,
      ...(value !== undefined ? { value } : {}),
      rule,
      hint,
    });

  // 1. field for each column: explicit map first, then aliases
  const explicit = new Map<string, Field | 'skip' | 'time'>();
  const absent: string[] = [];
  for (const [k, header] of Object.entries(opts.columns ?? {})) {
    const field = k.startsWith('skip:') ? 'skip' : (k as Field | 'time');
    const idx = names.findIndex((n) => n === header || n.trim() === header);
    if (idx < 0) {
      const near = didYouMean(header, names);
      absent.push(`'${header}'${near ? ` (did you mean '${near}'?)` : ''}`);
      continue;
    }
    const before = explicit.get(names[idx]!);
    if (before !== undefined && before !== field) {
      throw headerErr(`--columns maps column '${header}' to two fields, '${before}' and '${field}'`, 'map each column once (entries of several --columns add up)', header, idx);
    }
    explicit.set(names[idx]!, field);
  }
  if (absent.length > 0) {
    throw headerErr(
      absent.length === 1 ? `--columns names a column ${absent[0]!.replace(/ \(.*$/, '')} that the header does not have` : `--columns names ${absent.length} columns that the header does not have: ${absent.map((a) => a.replace(/ \(.*$/, '')).join(', ')}`,
      `${absent.some((a) => a.includes('(')) ? `${absent.filter((a) => a.includes('(')).join('; ')}; ` : ''}the header has: ${names.join(', ')}`,
      absent.map((a) => a.replace(/^'|'( \(.*)?$/g, '')).join(', '),
    );
  }
  const fieldOf: (Field | 'skip' | 'time')[] = [];
  const seen = new Map<Field, number>();
  const unknown: { name: string; index: number; fix: string }[] = [];
  let timeAt = -1;
  names.forEach((raw, i) => {
    const name = raw.trim();
    let f: Field | 'skip' | 'time' | undefined = explicit.get(raw) ?? explicit.get(name);
    if (f === undefined) {
      const norm = normalise(name);
      if (IGNORED.has(norm) || norm === 'skip') f = 'skip'; // (skip: the name --header gives a column to drop)
      else f = ALIAS_TO_FIELD.get(norm);
    }
    if (f === undefined) {
      const near = didYouMean(name, [...ALL_FIELDS, ...[...ALIAS_TO_FIELD.keys()]]);
      const mapped = near !== undefined ? (ALIAS_TO_FIELD.get(normalise(near)) ?? near) : undefined;
      // a name holding another delimiter: the file is split by that one (a wrong --delimiter)
      const other = DELIMITERS.find((d) => d !== (opts.delimiter ?? ',') && name.includes(d));
      const split = other !== undefined ? `the name holds a ${delimiterName(other)}: the file looks ${delimiterName(other)}-delimited (give --delimiter ${delimiterName(other)}, or leave it out to detect it); ` : '';
      unknown.push({ name, index: i, fix: `${split}${mapped ? `did you mean '${mapped}'? ` : ''}` });
      fieldOf.push('skip');
      return;
    }
    if (f === 'time') {
      timeAt = i;
    } else if (f !== 'skip') {
      const prev = seen.get(f);
      if (prev !== undefined && f === 'ts' && timeAt < 0 && explicit.get(names[prev]!) === undefined && explicit.get(raw) === undefined) {
        // a Date and a Time column: the time of day is added to the date
        const tPrev = TIME_NAMES.has(normalise(names[prev]!));
        const tThis = TIME_NAMES.has(normalise(name));
        if (tPrev !== tThis) {
          if (tThis) {
            timeAt = i;
            fieldOf.push('time');
            return;
          }
          timeAt = prev;
          fieldOf[prev] = 'time';
          seen.set(f, i);
          fieldOf.push(f);
          return;
        }
      }
      if (prev !== undefined) {
        throw headerErr(
          `columns '${names[prev]!.trim()}' and '${name}' both mean '${f}'`,
          `keep one, or drop the other with --columns skip=${name}`,
          name,
          i,
        );
      }
      seen.set(f, i);
    }
    fieldOf.push(f);
  });
  if (unknown.length === 1) {
    const u = unknown[0]!;
    throw headerErr(
      `unknown column '${u.name}'`,
      `${u.fix}rename it, map it with --columns <field>=${u.name}, or drop it with --columns skip=${u.name} (fields: ${ALL_FIELDS.join(', ')})`,
      u.name,
      u.index,
    );
  }
  if (unknown.length > 1) {
    throw headerErr(
      `${unknown.length} unknown columns: ${unknown.map((u) => `'${u.name}'`).join(', ')}`,
      `${unknown.map((u) => `'${u.name}': ${u.fix}map it with --columns <field>=${u.name} or drop it`).join('; ')}; to drop them all: --columns ${unknown.map((u) => `skip=${u.name}`).join(',')} (fields: ${ALL_FIELDS.join(', ')})`,
      unknown.map((u) => u.name).join(', '),
      unknown[0]!.index,
    );
  }
  if (timeAt >= 0 && !seen.has('ts')) {
    throw headerErr(
      `column '${names[timeAt]!.trim()}' is a time of day, and no column holds the date`,
      `map the date column with --columns ts=<Header>`,
      names[timeAt]!,
      timeAt,
    );
  }

  // 2. kind from the fields present
  let kind: TickKind;
  if (seen.has('bid') || seen.has('ask')) kind = QUOTE;
  else if (seen.has('price')) kind = TRADE;
  else if (seen.has('close') || seen.has('open')) kind = BAR;
  else {
    throw headerErr(
      'cannot tell the kind of data from the header: no price, bid/ask or close column',
      `use one of the headers  ${CANONICAL_HEADERS[TRADE].join(',')}  |  ${CANONICAL_HEADERS[QUOTE].join(',')}  |  ${CANONICAL_HEADERS[BAR].join(',')}, or map columns with --columns`,
      names.join(','),
    );
  }
  const required: Field[] =
    kind === QUOTE ? ['ts', 'bid', 'ask'] : kind === TRADE ? ['ts', 'price'] : ['ts', 'close'];
  for (const r of required) {
    if (!seen.has(r)) {
      throw headerErr(
        `missing column '${r}' for ${KIND_NAMES[kind]} data`,
        `add a '${r}' column, or map an existing one with --columns ${r}=<Header> (expected header: ${CANONICAL_HEADERS[kind].join(',')})`,
        names.join(','),
      );
    }
  }
  const valueFields = VALUE_FIELDS[kind];
  const roles: ColumnRole[] = fieldOf.map((f, i) => {
    if (f === 'skip') return { role: 'skip' };
    if (f === 'ts') return { role: 'ts' };
    if (f === 'time') return { role: 'time' };
    if (f === 'symbol') return { role: 'symbol' };
    const col = valueFields.indexOf(f);
    if (col < 0) {
      throw headerErr(
        `column '${names[i]!.trim()}' (${f}) does not belong in ${KIND_NAMES[kind]} data`,
        `${KIND_NAMES[kind]} files have the columns ${CANONICAL_HEADERS[kind].join(',')}; ${kind === TRADE && f === 'volume' ? `if it is the trade size, map it with --columns size=${names[i]!.trim()}; else ` : ''}drop it with --columns skip=${names[i]!.trim()}`,
        names[i]!,
        i,
      );
    }
    return { role: 'value', field: f, col };
  });
  const missing = valueFields.filter((f) => !seen.has(f));
  const fixedSymbol = seen.has('symbol') ? undefined : (opts.symbol ?? symbolFromFileName(file));
  return { kind, names, roles, fixedSymbol, missing };
}

/** `goog_daily.csv` → `goog_daily`; used when a file has no symbol column and no --symbol. */
export function symbolFromFileName(file: string): string {
  return basename(file, extname(file));
}

/** 1-based character column where field `index` starts in a plain comma-joined header. */
function columnOffset(names: readonly string[], index: number): number {
  let c = 1;
  for (let i = 0; i < index; i++) c += names[i]!.length + 1;
  return c;
}
