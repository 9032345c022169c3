/**
 * The first line of a CSV file: a header, a first row of data (a file without a header, as
 * Binance's aggTrades and klines dumps and MetaTrader's exports are written), or not data at all
 * (a README passed as data). Rule: the first line is data when more than half of its fields are
 * numbers, dates, times or true/false; such a file is refused with a `--header` that names its
 * columns, guessed from the fields' shapes (Binance and MetaTrader's layouts are recognised).
 */
import { basename, extname } from 'node:path';
import { DataError } from '../errors.js';
import { dateShape } from './time.js';
import { maxOf, minOf } from '../arrays.js';

type Shape = 'epoch-ms' | 'int' | 'dec' | 'date' | 'datetime' | 'time' | 'bool' | 'text';

function shapeOf(field: string): Shape {
  const t = field.trim();
  if (/^\d{12,17}$/.test(t)) return 'epoch-ms'; // ms or µs (Binance's spot dumps since 2025)
  if (/^[+-]?\d+$/.test(t)) return /^\d{8}$/.test(t) && dateShape(t) === 'iso' && Number(t.slice(0, 4)) >= 1800 && Number(t.slice(0, 4)) < 2200 ? 'date' : 'int';
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return 'dec';
  if (/^\d{1,2}:\d\d(:\d\d(\.\d+)?)?$/.test(t)) return 'time';
  if (/^(true|false)$/i.test(t)) return 'bool';
  const d = dateShape(t);
  if (d !== undefined) return /[T ]\d{1,2}:\d\d/.test(t) ? 'datetime' : 'date';
  return 'text';
}

/** True when a first line's fields look like a row of data rather than column names. */
export function looksLikeData(fields: readonly string[]): boolean {
  // over the fields that hold something: a row's empty fields (unknown sizes or volume) are not names
  const filled = fields.filter((f) => f.trim() !== '');
  const data = filled.filter((f) => shapeOf(f) !== 'text').length;
  return data * 2 > filled.length;
}

const BAR_NAMES = ['open', 'high', 'low', 'close', 'volume'];
/** `n` times 'skip' (none for n <= 0). */
const skips = (n: number): string[] => Array.from({ length: Math.max(0, n) }, () => 'skip');

/** Names for the columns of a headerless first line, from the shapes of its fields; undefined when no guess fits. */
export function guessHeader(fields: readonly string[]): { names: string[]; what: string } | undefined {
  const s = fields.map(shapeOf);
  const n = s.length;
  const nums = (from: number): boolean => s.slice(from).every((x) => x === 'dec' || x === 'int');
  // Binance aggTrades: agg_trade_id, price, quantity, first_trade_id, last_trade_id, transact_time, is_buyer_maker, is_best_match
  if (n === 8 && s[5] === 'epoch-ms' && s[6] === 'bool' && s[7] === 'bool') {
    return { names: ['skip', 'price', 'size', 'skip', 'skip', 'ts', 'skip', 'skip'], what: "Binance aggTrades' columns" };
  }
  // Binance trades: id, price, qty, quote_qty, time, is_buyer_maker, is_best_match
  if (n === 7 && s[4] === 'epoch-ms' && s[5] === 'bool' && s[6] === 'bool') {
    return { names: ['skip', 'price', 'size', 'skip', 'ts', 'skip', 'skip'], what: "Binance trades' columns" };
  }
  // Binance klines: open_time, open, high, low, close, volume, close_time, quote_volume, count, taker_buy_volume, taker_buy_quote_volume, ignore
  if (n === 12 && s[0] === 'epoch-ms' && s[6] === 'epoch-ms') {
    return { names: ['ts'].concat(BAR_NAMES, skips(6)), what: "Binance klines' columns" };
  }
  // MetaTrader: date, time, open, high, low, close, tick volume[, volume, spread]
  if (n >= 6 && s[0] === 'date' && s[1] === 'time' && nums(2)) {
    return { names: ['date', 'time'].concat(BAR_NAMES.slice(0, Math.min(5, n - 2)), skips(n - 7)), what: 'a date, a time and bars (as MetaTrader writes them)' };
  }
  // a timestamp, a symbol, then numbers or empty fields (tickfold's own columns): trades (2), quotes
  // (4, unless they read as consistent bars), bars (4 or more)
  const numsOrEmpty = (from: number): boolean => fields.slice(from).every((f, i) => f.trim() === '' || s[from + i] === 'dec' || s[from + i] === 'int');
  if ((s[0] === 'datetime' || s[0] === 'date' || s[0] === 'epoch-ms') && s[1] === 'text' && n >= 3 && numsOrEmpty(2)) {
    const k = n - 2;
    const v = fields.slice(2).map((f) => (f.trim() === '' ? NaN : Number(f)));
    const p4 = v.slice(0, 4);
    // bars: high the highest, low the lowest, and all four prices of one size (a quote's sizes are not prices)
    const bars = k >= 4 && v[1]! >= Math.max(v[0]!, v[3]!) && v[2]! <= Math.min(v[0]!, v[3]!) && maxOf(p4) < 1.5 * minOf(p4);
    const names = k === 1 ? ['close'] : k === 2 ? ['price', 'size'] : k === 4 && !bars ? ['bid', 'ask', 'bid_size', 'ask_size'] : k >= 4 ? BAR_NAMES.slice(0, Math.min(5, k)).concat(skips(k - 5)) : ['price', 'size', 'skip'];
    const what = k === 1 ? 'closes' : k === 4 && !bars ? 'quotes' : k >= 4 ? 'bars' : 'trades';
    return { names: ['ts', 'symbol'].concat(names), what: `a timestamp, a symbol and ${what}` };
  }
  // a timestamp, then numbers: bars (4 or more), trades (2), closes (1)
  if ((s[0] === 'datetime' || s[0] === 'date' || s[0] === 'epoch-ms' || s[0] === 'int') && n >= 2 && nums(1)) {
    const k = n - 1;
    const names = k >= 4 ? BAR_NAMES.slice(0, Math.min(5, k)).concat(skips(k - 5)) : k === 1 ? ['close'] : k === 2 ? ['price', 'size'] : ['price', 'size', 'skip'];
    return { names: ['ts'].concat(names), what: k >= 4 ? 'a timestamp and bars' : k === 1 ? 'a timestamp and closes' : 'a timestamp and trades' };
  }
  return undefined;
}

/** The error for a file whose first line is data: names the fix, `--header`, with a guess. */
export function noHeaderError(file: string, firstLine: string, fields: readonly string[]): DataError {
  const g = guessHeader(fields);
  return new DataError('no-header', {
    file,
    line: 1,
    column: 1,
    value: firstLine,
    rule: `the file seems to have no header: its first line is data (${fields.length} fields), not column names`,
    hint: `name its ${fields.length} columns with --header${g ? `, e.g. --header ${g.names.join(',')} (${g.what})` : ' ts,price,size,... in their order'}; skip drops a column, and names are the fields (ts, symbol, price, size, bid, ask, bid_size, ask_size, open, high, low, close, volume), date and time for separate date and time columns, or a vendor name such as Close`,
  });
}

const DOC_EXTENSIONS = new Set(['.md', '.markdown', '.rst', '.html', '.htm', '.xml', '.json', '.yaml', '.yml', '.toml', '.ini', '.log', '.ts', '.js', '.py']);

/**
 * A file that is not tabular data at all, named as what it is: a document by its extension, or a
 * first line that opens Markdown (`# `), HTML/XML (`<html`, `<?xml`...) or JSON (`{`, `[`). Undefined for anything
 * else (a CSV header, right or wrong, is the header rules' to judge).
 */
export function notDataError(file: string, firstLine: string): DataError | undefined {
  const ext = extname(file).toLowerCase();
  const t = firstLine.trimStart();
  const what = /^#{1,6}\s/.test(t) || ext === '.md' || ext === '.markdown'
    ? 'a Markdown document'
    : /^<(\?xml|!doctype|!--|html\b|head\b|body\b|table\b)/i.test(t) || (t.startsWith('<') && !/[,;\t]/.test(t))
      ? 'an HTML or XML document' // (not MetaTrader 5's header, <DATE>\t<TIME>\t...)
      : t.startsWith('{') || t.startsWith('[') || ext === '.json'
        ? 'JSON'
        : DOC_EXTENSIONS.has(ext)
          ? `a ${ext.slice(1)} file`
          : undefined;
  if (what === undefined) return undefined;
  return new DataError('not-data', {
    file,
    line: 1,
    column: 0,
    value: firstLine,
    rule: `${basename(file)} is not a data file: it is ${what}, not CSV or Parquet market data`,
    hint: 'pass the CSV or Parquet data files themselves, or a folder of them (a folder contributes only its .csv and .parquet files)',
  });
}
