/**
 * Options shared by every command that loads data, and their translation to {@link LoadOptions}.
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../atomic.js';
import { toJson } from '../report/format.js';
import type { LoadOptions } from '../data/load.js';
import { parseColumnMap, type Delimiter } from '../data/schema.js';
import { parseSymbolFlags } from '../data/file-symbols.js';
import { parseSymbolSelection } from '../data/symbol-selection.js';
import { checkZone } from '../data/zone.js';
import { guardOutputFolder } from './outputs.js';
import { DATE_ORDERS, durationError, parseDuration, TS_UNITS, type DateOrder, type TsUnit } from '../data/time.js';
import { CALENDAR_NAMES, parseCalendar, type Calendar } from '../metrics/calendar.js';

/** What --delimiter accepts: the names data inspect prints, and the characters themselves. */
const DELIMITER_NAMES: Readonly<Record<string, Delimiter>> = { comma: ',', semicolon: ';', tab: '\t', ',': ',', ';': ';' };

export interface RawLoadFlags {
  columns?: string[];
  header?: string;
  dateOrder?: string;
  thousands?: string;
  symbol?: string[];
  delimiter?: string;
  tz?: string;
  tsUnit?: string;
  onBadRow?: string;
  sort?: boolean;
  barLength?: string;
  barStamp?: string;
  cache?: boolean;
  cacheDir?: string;
}

export function addLoadOptions(cmd: Command): Command {
  return cmd
    .option('--columns <map>', 'map header columns to fields, e.g. ts=Date,close=Close (skip=Name drops one; time=Name a time-of-day column); repeatable, entries add up', collect, [])
    .option('--header <names>', 'names of the columns of files without a header line (their first line is data), e.g. skip,price,size,skip,skip,ts,skip,skip; skip drops a column')
    .addOption(new Option('--date-order <order>', 'order of dates such as 10/04/2013: mdy (US), dmy (European) or ymd (default: settled by the file, a day above 12; refused when it does not)').choices([...DATE_ORDERS]))
    .addOption(new Option('--thousands <sep>', 'read numbers with thousands separators, such as "1,234.50"').choices(['comma']))
    .option('--symbol <name|file=name>', 'symbol of the one file without a symbol column, or FILE=NAME per file (repeatable; FILE may hold *) (default: the file name)', collect, [])
    .option('--tz <zone>', 'IANA time zone of datetimes written without one, e.g. Europe/Berlin (default: UTC)')
    .addOption(new Option('--delimiter <d>', 'field delimiter: comma, semicolon or tab (or , ;) (default: detected from the header line)').choices(Object.keys(DELIMITER_NAMES)))
    .addOption(new Option('--ts-unit <unit>', 'unit of numeric epoch timestamps (default: by magnitude)').choices([...TS_UNITS]))
    .addOption(new Option('--on-bad-row <policy>', 'fail on the first bad row, or skip and count bad rows').choices(['fail', 'skip']).default('fail'))
    .option('--sort', 'sort rows by time (stably) instead of rejecting rows that go backwards')
    .option('--bar-length <duration>', 'bar length, e.g. 1m, 1h, 1d (default: inferred from the spacing)')
    .addOption(new Option('--bar-stamp <where>', 'bar timestamps mark the bar start or end').choices(['start', 'end']).default('start'))
    .option('--no-cache', 'parse the CSV files even if a cached parse is up to date')
    .option('--cache-dir <dir>', 'where the binary cache lives', '.tickfold-cache');
}

export function toLoadOptions(f: RawLoadFlags): LoadOptions {
  let barLengthUs: number | undefined;
  if (f.barLength !== undefined) {
    barLengthUs = parseDuration(f.barLength);
    if (!(barLengthUs > 0)) throw new UsageError(durationError('--bar-length', f.barLength, '1m, 30m, 1h, 1d'));
  }
  return {
    ...(f.columns !== undefined && f.columns.length > 0 ? { columns: parseColumnMap(f.columns) } : {}),
    ...(f.header !== undefined ? { header: headerNames(f.header) } : {}),
    ...(f.dateOrder !== undefined ? { dateOrder: f.dateOrder as DateOrder } : {}),
    ...(f.thousands === 'comma' ? { thousands: 'comma' as const } : {}),
    ...parseSymbolFlags(f.symbol ?? []),
    ...(f.tz !== undefined ? { tz: checkZone(f.tz) } : {}),
    ...(f.delimiter !== undefined ? { delimiter: DELIMITER_NAMES[f.delimiter]! } : {}),
    ...(f.tsUnit !== undefined ? { tsUnit: f.tsUnit as TsUnit } : {}),
    onBadRow: f.onBadRow === 'skip' ? 'skip' : 'fail',
    sort: f.sort === true,
    ...(barLengthUs !== undefined ? { barLengthUs } : {}),
    barStamp: f.barStamp === 'end' ? 'end' : 'start',
    cache: f.cache !== false,
    ...(f.cacheDir !== undefined ? { cacheDir: cacheDirOf(f.cacheDir) } : {}),
    onNote: (m) => process.stderr.write(`tickfold: note: ${m}\n`),
  };
}

/**
 * `--symbols A,B,...` of the commands that load data for backtests (`run`, `walk-forward`,
 * `compare`, `check`): the data is only those symbols' rows (data/symbol-selection.ts). Not
 * `--symbols-file` (sizing rules per symbol). Commands whose `--symbols` names the series to
 * analyse (`coint`, `leadlag`, `universe scores`) have their own.
 */
export function addSymbolsOption(cmd: Command): Command {
  return cmd.option(
    '--symbols <A,B,...>',
    "use only these symbols of the data: their rows, as if the files held nothing else (every figure of the report over them; the other symbols' catalog partitions are not read) (default: every symbol). Not --symbols-file, which gives sizing rules",
  );
}

/** The load options with `--symbols` (see {@link addSymbolsOption}), parsed and checked as a list. */
export function withSymbols(load: LoadOptions, symbols: string | undefined): LoadOptions {
  return symbols === undefined ? load : { ...load, symbolSelection: parseSymbolSelection(symbols) };
}

/** `--header ts,price,,size`: the names, each non-empty. */
function headerNames(spec: string): string[] {
  const names = spec.split(',').map((x) => x.trim());
  const empty = names.findIndex((x) => x === '');
  if (empty >= 0) throw new UsageError(`--header '${spec}' has an empty name (column ${empty + 1}); name every column, skip for one to drop`);
  return names;
}

/** Commander collector for repeatable options (`--param a=1 --param b=2`). */
export const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Parses a number option, or fails with a usage error naming the flag. */
export function numberOption(flag: string, value: string, check: (x: number) => boolean = Number.isFinite, what = 'a number'): number {
  const x = Number(value);
  if (value.trim() === '' || !check(x)) throw new UsageError(`${flag} '${value}' is not ${what}`);
  return x;
}

/** The one shape of machine-readable output (see outputs.ts): `--json FILE`, or `--json -` for stdout. */
export const JSON_OPTION_DOC = 'write the JSON here (atomically); - prints it on standard output';

/**
 * The output of a command with `--json FILE|-`: the text rendering without the flag, JSON on
 * stdout with `-`, or JSON written atomically to the file it names.
 */
export function emitOutput(json: string | undefined, value: unknown, text: () => string): void {
  if (json === undefined) process.stdout.write(text() + '\n');
  else if (json === '-') process.stdout.write(toJson(value));
  else {
    writeFileAtomic(json, toJson(value));
    process.stderr.write(`wrote ${json}\n`);
  }
}

/** `--calendar`: a named calendar or `<days>d:<hours>h`, else a usage error listing them. */
export function calendarOption(value: string): Calendar {
  const c = parseCalendar(value);
  if (!c) throw new UsageError(`--calendar '${value}' is not a calendar; write one of ${CALENDAR_NAMES.join(', ')}, or <days>d:<hours>h such as 252d:8h`);
  return c;
}

/** `--cache-dir`: a folder the catalog is written to, never the bundled data/ (npm start's inputs). */
function cacheDirOf(dir: string): string {
  guardOutputFolder('--cache-dir', dir);
  return dir;
}
