/**
 * A run's settings: the one typed value the command line and the library both make and every job
 * takes (jobs/run.ts, jobs/validate.ts), with every default of a run defined here, once. Values are
 * parsed where they are made (a duration once, into µs; the execution models' parameters once,
 * into {@link ExecutionSettings} whose durations are µs too) and carried down unchanged: the engine
 * and the venue read the same numbers.
 */
import { DEFAULT_EXECUTION, type ExecutionSettings } from '../broker/settings.js';
import { didYouMean, UsageError } from '../errors.js';
import type { Calendar } from '../metrics/calendar.js';
import type { BacktestSettings } from '../engine/engine.js';
import type { MembersFile } from '../universe/members.js';
import type { PeriodChoice } from '../metrics/period.js';

/** Every default of a run and of a validation; the flags' help and the library read them here. */
export const DEFAULTS = {
  /** Initial capital, in the data's currency. */
  initialCapital: 100_000,
  /** Seed of the run's random generator (strategies' ctx.random(), random models). */
  seed: '1',
  /** CSCV blocks for PBO (even, 2..24). */
  pboPartitions: 16,
  /** Stationary-bootstrap resamples for the p-values against the baselines. */
  bootstrapReps: 2000,
  /** Annual Sharpe for MinBTL. */
  targetSharpe: 1,
  /** What the in-sample choice maximises. */
  objective: 'sharpe',
  /** Positions at a fold edge: closed. */
  foldEdge: 'close',
  /**
   * The time limit per backtest (a batch of k trials gets k times it). Without one, a strategy
   * stuck in a loop hung the command until Ctrl-C. 30 minutes is far beyond any backtest a user
   * runs by accident (2,000,000 events replay in about a second on this 2-core machine, see
   * README's Benchmarks: this is some 1,800 times that), yet a stuck one ends the same day.
   */
  timeout: '30m',
  /**
   * What a streamed replay may hold (`tickfold run --memory`): the block of rows the engine
   * replays, one catalog partition per stream of the merge, and the process itself. 1 GB fits a
   * laptop with room to spare: the block (at most 256Ki rows) and a hundred quote streams.
   */
  memory: '1g',
} as const;

const UNITS: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 };

/** `--memory` as bytes: a number with k, m or g (binary units), e.g. 512m, 1g, 1.5g; a usage error otherwise. */
export function memoryBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg])b?$/i.exec(text.trim());
  const bytes = m ? Math.floor(Number(m[1]) * UNITS[m[2]!.toLowerCase()]!) : NaN;
  if (!(bytes > 0)) throw new UsageError(`--memory ${text}: not a size; give a number with k, m or g (binary units), e.g. 512m or 2g (default ${DEFAULTS.memory})`);
  return bytes;
}

/** One run's settings, defaults filled in and checked (see {@link runSettings}). */
export interface RunSettings {
  readonly execution: ExecutionSettings;
  readonly initialCapital: number;
  readonly seed: string;
  /** The window of the data used, [fromUs, toUs) in µs since the epoch (±Infinity: all of it). */
  readonly fromUs: number;
  readonly toUs: number;
  /** The equity's sampling period in µs; undefined: chosen from the data span (metrics/period.ts). */
  readonly periodUs?: number;
  /** Periods a year for annualisation; undefined: from the period and the calendar. */
  readonly periodsPerYear?: number;
  /** The market calendar; undefined: measured from the data. */
  readonly calendar?: Calendar;
  /** Symbols whose buy-and-hold is the tearsheet's benchmark (undefined: the traded symbols). */
  readonly benchmark?: readonly string[];
  /** `--universe`: point-in-time membership as read (universe/members.ts); undefined: every symbol a member. */
  readonly universe?: MembersFile;
}

/** The keys of {@link RunSettings}. */
const SETTINGS_KEYS: readonly (keyof RunSettings)[] = ['execution', 'initialCapital', 'seed', 'fromUs', 'toUs', 'periodUs', 'periodsPerYear', 'calendar', 'benchmark', 'universe'];

/**
 * Settings from what was given, each default from {@link DEFAULTS} (the execution:
 * {@link DEFAULT_EXECUTION}: no latency, no fees, fills at the quote), each value checked.
 */
export function runSettings(given: Partial<RunSettings> = {}): RunSettings {
  // a library caller's misspelt or retired key (period: '1m' is periodUs now) is refused, not ignored
  for (const k of Object.keys(given)) {
    if (SETTINGS_KEYS.includes(k as keyof RunSettings)) continue;
    const near = didYouMean(k, SETTINGS_KEYS);
    throw new UsageError(`run settings have no '${k}'${near ? `; did you mean '${near}'?` : ''} (settings: ${SETTINGS_KEYS.join(', ')}; durations and times in µs)`);
  }
  const s: RunSettings = {
    execution: given.execution ?? DEFAULT_EXECUTION,
    initialCapital: given.initialCapital ?? DEFAULTS.initialCapital,
    seed: given.seed ?? DEFAULTS.seed,
    fromUs: given.fromUs ?? -Infinity,
    toUs: given.toUs ?? Infinity,
    ...(given.periodUs !== undefined ? { periodUs: given.periodUs } : {}),
    ...(given.periodsPerYear !== undefined ? { periodsPerYear: given.periodsPerYear } : {}),
    ...(given.calendar !== undefined ? { calendar: given.calendar } : {}),
    ...(given.benchmark !== undefined ? { benchmark: given.benchmark } : {}),
    ...(given.universe !== undefined ? { universe: given.universe } : {}),
  };
  if (!(Number.isFinite(s.initialCapital) && s.initialCapital > 0)) throw new UsageError(`--capital ${s.initialCapital} must be > 0`);
  if (!(s.fromUs < s.toUs)) throw new UsageError(`--from must be before --to (the window [${s.fromUs}, ${s.toUs}) µs is empty)`);
  if (s.periodUs !== undefined && !(s.periodUs > 0)) throw new UsageError(`--period must be > 0 (given ${s.periodUs} µs)`);
  if (s.periodsPerYear !== undefined && !(s.periodsPerYear > 0)) throw new UsageError(`--periods-per-year must be > 0`);
  return s;
}

/** What each backtest of a run is told (the engine's and the tasks' settings), once the period is chosen. */
export function backtestSettings(s: RunSettings, period: Pick<PeriodChoice, 'periodUs' | 'periodsPerYear'>): BacktestSettings {
  return { execution: s.execution, initialCapital: s.initialCapital, periodUs: period.periodUs, periodsPerYear: period.periodsPerYear, seed: s.seed, ...(s.universe ? { universe: s.universe } : {}) };
}
