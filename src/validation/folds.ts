/**
 * Where the in-sample and out-of-sample windows lie: one split, or walk-forward folds.
 *
 * Every window is a half-open time range [start, end) in µs. Windows given in rows (`50000rows`)
 * are turned into times at those rows. Out-of-sample windows tile the data after the first
 * training window without gaps or overlaps (step = test), so that they stitch into one
 * out-of-sample equity curve; the last one runs to the end of the data and is marked partial when
 * it is shorter than a full test window (reported, never dropped).
 *
 * Each fold also says where its warm-up starts: the strategy replays the data from there to the
 * start of the test window without trading, so that indicators and rolling fits do not start
 * cold. By default that is the fold's own training window (the data its parameters were chosen
 * on; for anchored folds, the last --train of it); `--warmup` sets a fixed length instead.
 */
import { UsageError } from '../errors.js';
import { lowerBound, type TickTable } from '../data/table.js';
import { durationError, formatDuration, formatIso, parseDuration, parseIso } from '../data/time.js';

/** A window length: a duration (µs) or a number of rows. */
export type Span = { readonly unit: 'time'; readonly us: number; readonly text: string } | { readonly unit: 'rows'; readonly rows: number; readonly text: string };

export interface Fold {
  readonly index: number;
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly testStart: number;
  /** Exclusive; Infinity for the last fold (it runs to the end of the data). */
  readonly testEnd: number;
  /** Where the out-of-sample run starts replaying, without trading. */
  readonly warmupStart: number;
  /** The last fold, when shorter than a full test window. */
  readonly partial: boolean;
}

export interface FoldPlan {
  readonly mode: 'split' | 'walk-forward';
  /** Rolling (fixed-length training windows) or anchored (all data from the start). */
  readonly anchored: boolean;
  readonly folds: readonly Fold[];
  readonly dataStart: number;
  /** Time of the last event. */
  readonly dataEnd: number;
  /** The options as given, for the report. */
  readonly spec: Readonly<Record<string, string>>;
}

export interface FoldOptions {
  /** `0.7` (fraction of the events) or an ISO time. */
  readonly split?: string;
  readonly train?: string;
  readonly test?: string;
  readonly step?: string;
  readonly anchored?: boolean;
  /** Gap between the end of training and the start of testing. */
  readonly embargo?: string;
  /** Replay this much data before each test window (default: the training window). */
  readonly warmup?: string;
  /** Refuse a plan of more folds than this (default {@link DEFAULT_MAX_FOLDS}), before any work. */
  readonly maxFolds?: number;
}

/** A plan of more folds than this is refused unless `--max-folds` says otherwise. */
export const DEFAULT_MAX_FOLDS = 1000;

/** A window length: a duration (`30d`) or a number of rows (`50000rows`). */
export function parseSpan(flag: string, s: string): Span {
  const rows = /^(\d+)\s*rows?$/.exec(s.trim());
  if (rows) {
    const n = Number(rows[1]);
    if (n <= 0) throw new UsageError(`${flag} ${s}: a window needs at least one row`);
    return { unit: 'rows', rows: n, text: s };
  }
  const us = parseDuration(s);
  if (!(us > 0)) throw new UsageError(`${durationError(flag, s, '30d, 6h, 90m, 6mo, 2y').replace(' is not a duration', ' is not a window length')}; or a number of rows (e.g. 50000rows)`);
  return { unit: 'time', us, text: s };
}

/**
 * The data's times as a fold plan reads them: its rows, the time of a row, and the first row at or
 * after a time. A table's ts column ({@link tableAxis}); or, for data streamed from the catalog,
 * its row count and first and last times alone ({@link spanAxis}), which is all a plan whose
 * windows are all durations reads (see {@link durationsOnly}).
 */
export interface TimeAxis {
  readonly length: number;
  /** The time of a row. */
  at(row: number): number;
  lowerBound(us: number): number;
}

/** A table's times. */
export const tableAxis = (t: TickTable): TimeAxis => ({ length: t.length, at: (row) => t.ts[row]!, lowerBound: (us) => lowerBound(t.ts, us) });

/**
 * The times of `rows` rows from `first` to `last` known by those alone. With every window a
 * duration, a plan reads the first and last time and whether a row lies at or after a time (a
 * row index compared with 0 and the row count): this axis answers those exactly (a time inside
 * the data is at row 1: some row between); the time of an inner row it does not know.
 */
export function spanAxis(rows: number, first: number, last: number): TimeAxis {
  const at = (row: number): number => {
    if (row === 0) return first;
    if (row === rows - 1) return last;
    throw new Error(`internal: the time of row ${row} of streamed data is not known (a fold plan over it takes durations only)`);
  };
  return { length: rows, at, lowerBound: (us) => (us <= first ? 0 : us > last ? rows : 1) };
}

/** Whether a plan of these options reads only the data's first and last time and its row count: every window a duration, a split at a time (see {@link spanAxis}). */
export function durationsOnly(o: FoldOptions): boolean {
  const rows = (x: string | undefined): boolean => x !== undefined && /^(\d+)\s*rows?$/.test(x.trim());
  if (o.split !== undefined && /^0?\.\d+$/.test(o.split.trim())) return false;
  return ![o.train, o.test, o.step, o.embargo, o.warmup].some(rows);
}

/** Advances from row/time `at` by a span: the time `span` later, or the time of the row `span` rows on. */
function advance(table: TimeAxis, atRow: number, atUs: number, span: Span): { row: number; us: number } {
  if (span.unit === 'time') {
    const us = atUs + span.us;
    return { row: table.lowerBound(us), us };
  }
  const row = atRow + span.rows;
  return { row, us: row < table.length ? table.at(row) : Infinity };
}

/** Goes back from row/time `at` by a span (not before the first row). */
function retreat(table: TimeAxis, atRow: number, atUs: number, span: Span): { row: number; us: number } {
  if (span.unit === 'time') {
    const us = Math.max(table.at(0), atUs - span.us);
    return { row: table.lowerBound(us), us };
  }
  const row = Math.max(0, atRow - span.rows);
  return { row, us: table.at(row) };
}

/** One in-sample/out-of-sample split, or walk-forward folds, over a table (see the module comment); usage errors before any work. */
export function planFolds(data: TickTable | TimeAxis, o: FoldOptions): FoldPlan {
  const table = 'lowerBound' in data ? data : tableAxis(data);
  const n = table.length;
  if (n < 2) throw new UsageError('validation needs at least two events of data');
  const dataStart = table.at(0);
  const dataEnd = table.at(n - 1);
  const spec: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'maxFolds') spec[k] = String(v);
  const maxFolds = o.maxFolds ?? DEFAULT_MAX_FOLDS;
  const embargo = o.embargo === undefined || o.embargo === '0' ? undefined : parseSpan('--embargo', o.embargo);
  const warmup = o.warmup === undefined ? undefined : o.warmup === '0' ? ({ unit: 'time', us: 0, text: '0' } as const) : parseSpan('--warmup', o.warmup);
  const warmupStartOf = (trainStart: number, testStart: number): number => {
    if (warmup === undefined) return trainStart;
    if (warmup.unit === 'time') return Math.max(dataStart, testStart - warmup.us);
    const row = table.lowerBound(testStart);
    return table.at(Math.max(0, row - warmup.rows));
  };
  const afterEmbargo = (row: number, us: number): { row: number; us: number } => (embargo ? advance(table, row, us, embargo) : { row, us });

  if (o.split !== undefined) {
    if (o.train !== undefined || o.test !== undefined || o.step !== undefined || o.anchored) {
      throw new UsageError('give either --split (one in-sample/out-of-sample split) or --train/--test (walk-forward folds), not both');
    }
    let splitRow: number;
    let splitUs: number;
    if (/^0?\.\d+$/.test(o.split.trim())) {
      const f = Number(o.split);
      if (!(f > 0 && f < 1)) throw new UsageError(`--split ${o.split}: a fraction must be strictly between 0 and 1`);
      splitRow = Math.round(f * n);
      splitUs = table.at(Math.min(splitRow, n - 1));
    } else {
      splitUs = parseIso(o.split);
      if (Number.isNaN(splitUs)) throw new UsageError(`--split '${o.split}' is neither a fraction (e.g. 0.7) nor an ISO-8601 time (e.g. 2013-10-09)`);
      splitRow = table.lowerBound(splitUs);
    }
    const test = afterEmbargo(splitRow, splitUs);
    if (!(splitUs > dataStart) || !(test.us <= dataEnd)) {
      throw new UsageError(`--split ${o.split} leaves no ${splitUs > dataStart ? 'out-of-sample' : 'in-sample'} data (the data runs from ${formatIso(dataStart)} to ${formatIso(dataEnd)})`);
    }
    return {
      mode: 'split',
      anchored: true,
      dataStart,
      dataEnd,
      spec,
      folds: [{ index: 0, trainStart: dataStart, trainEnd: splitUs, testStart: test.us, testEnd: Infinity, warmupStart: warmupStartOf(dataStart, test.us), partial: false }],
    };
  }

  if (o.train === undefined || o.test === undefined) throw new UsageError('give --split FRACTION|DATE, or --train and --test window lengths for walk-forward folds (e.g. --train 30d --test 5d)');
  const train = parseSpan('--train', o.train);
  const test = parseSpan('--test', o.test);
  if (o.step !== undefined && o.step !== o.test) {
    const step = parseSpan('--step', o.step);
    const same = step.unit === test.unit && (step.unit === 'time' ? step.us === (test as { us: number }).us : step.rows === (test as { rows: number }).rows);
    if (!same) {
      throw new UsageError(`--step ${o.step} differs from --test ${o.test}: out-of-sample windows must tile the data so that they stitch into one equity curve; ` + 'give the same value (or leave --step out), and change --test to retrain more or less often');
    }
  }
  const folds: Fold[] = [];
  // the first test window starts one training window (plus embargo) after the data starts; each
  // next one where the previous ended. Training ends an embargo before its test window and is as
  // long as --train (rolling) or starts at the beginning of the data (anchored).
  const first = advance(table, 0, dataStart, train);
  let testStart = afterEmbargo(first.row, first.us);
  for (let k = 0; testStart.us <= dataEnd && testStart.row < n; k++) {
    const trainEnd = embargo ? retreat(table, testStart.row, testStart.us, embargo) : testStart;
    const trainStart = o.anchored || k === 0 ? { row: 0, us: dataStart } : retreat(table, trainEnd.row, trainEnd.us, train);
    const testEnd = advance(table, testStart.row, testStart.us, test);
    const last = !(testEnd.us <= dataEnd) || testEnd.row >= n;
    folds.push({
      index: k,
      trainStart: trainStart.us,
      trainEnd: trainEnd.us,
      testStart: testStart.us,
      testEnd: last ? Infinity : testEnd.us,
      // default warm-up: the training window, or for anchored folds (whose training windows grow)
      // a window as long as the first one, so that the replay cost does not grow with the fold
      warmupStart: warmupStartOf(o.anchored ? retreat(table, trainEnd.row, trainEnd.us, train).us : trainStart.us, testStart.us),
      partial: last && (test.unit === 'time' ? dataEnd - testStart.us < test.us - 1 : n - testStart.row < test.rows),
    });
    if (last) break;
    if (folds.length >= maxFolds) {
      // counted, not built: a plan of millions of folds must not fill the memory to be refused
      const about = test.unit === 'time' ? Math.ceil((dataEnd - folds[0]!.testStart) / test.us) : Math.ceil((n - first.row) / test.rows);
      const minutes = test.unit === 'time' && /^\d+(\.\d+)?\s*m$/.test(o.test.trim());
      throw new UsageError(
        `--train ${o.train} --test ${o.test} make about ${about.toLocaleString('en-US')} folds over ${formatDuration(dataEnd - dataStart)} of data, more than --max-folds ${maxFolds}: ` +
          `use a longer --test${minutes ? ` (${o.test.trim()} is ${parseFloat(o.test)} minutes; ${parseFloat(o.test)} months is ${parseFloat(o.test)}mo)` : ''}, or raise --max-folds`,
      );
    }
    testStart = testEnd;
  }
  if (folds.length === 0) {
    throw new UsageError(`--train ${o.train}${embargo ? ` plus --embargo ${o.embargo}` : ''} covers all the data (${formatIso(dataStart)} to ${formatIso(dataEnd)}, ${formatDuration(dataEnd - dataStart)}, ${n} rows): shorten the training window`);
  }
  return { mode: 'walk-forward', anchored: o.anchored === true, dataStart, dataEnd, spec, folds };
}
