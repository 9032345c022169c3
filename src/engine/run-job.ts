/**
 * One backtest from start to end: load the data, pick the window, resolve the strategy and its
 * parameters, replay, measure. The CLI's `run` and later the validation commands call this.
 */
import { UsageError, didYouMean } from '../errors.js';
import { runTearsheet, type RunTearsheet } from '../metrics/run-tearsheet.js';
import { rowTime, sliceTime, type TickTable } from '../data/table.js';
import { durationError, parseIso, type EpochUs } from '../data/time.js';
import { DEFAULT_EXECUTION, type ExecutionSettings } from '../broker/settings.js';
import { choosePeriod, samplingPeriod, type PeriodChoice } from '../metrics/period.js';
import type { Calendar } from '../metrics/calendar.js';
import { computeMetrics, type RunMetrics } from '../metrics/run-metrics.js';
import { resolveParams } from '../strategy/params.js';
import { createStrategy } from '../strategy/instance.js';
import type { Params, ParamValue, StrategyModule } from '../strategy/types.js';
import type { RunConfig } from './engine.js';
import type { RunRecord } from '../portfolio/record.js';
import { firstSeen, measuredSpan, type MeasuredSpan } from '../metrics/span.js';
import { sliceRecord } from '../metrics/window.js';

/**
 * One backtest's settings. Only the strategy is required: the parameters default to the
 * strategy's defaults, the execution to {@link DEFAULT_EXECUTION} (no latency, no fees, fills at
 * the quote), the capital to 100,000 and the seed to '1', as on the command line.
 */
export interface RunSpec {
  readonly strategy: StrategyModule;
  readonly params?: Readonly<Record<string, string | ParamValue>>;
  readonly from?: string;
  readonly to?: string;
  readonly execution?: ExecutionSettings;
  readonly initialCapital?: number;
  readonly period?: string;
  readonly periodsPerYear?: number;
  readonly calendar?: Calendar;
  readonly seed?: string;
  /** Symbols whose buy-and-hold is the tearsheet's benchmark (default: the traded symbols). */
  readonly benchmark?: readonly string[];
}

/** One backtest's record, metrics, resolved parameters, period and tearsheet. */
export interface RunOutcome {
  readonly record: RunRecord;
  /** Over {@link RunOutcome.measured}'s span (the whole record unless the strategy's symbols start later). */
  readonly metrics: RunMetrics;
  /** The span the metrics and the tearsheet are measured over (metrics/span.ts). */
  readonly measured: MeasuredSpan;
  readonly params: Params;
  readonly period: PeriodChoice;
  readonly fromUs: EpochUs;
  readonly toUs: EpochUs;
  readonly tearsheet: RunTearsheet;
}

/** An ISO-8601 `--from`/`--to` bound in µs, or `fallback` when absent; a usage error when not a time. */
export function parseTimeBound(flag: string, s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const us = parseIso(s);
  if (Number.isNaN(us)) throw new UsageError(`${flag} '${s}' is not an ISO-8601 time; write e.g. 2013-10-09 or 2024-08-08T23:58:00Z`);
  return us;
}

/** A run checked and set up: the window of the table, the parameters, the engine's settings. */
export interface PreparedRun {
  readonly window: TickTable;
  readonly params: Params;
  readonly period: PeriodChoice;
  readonly config: RunConfig;
  readonly benchmark?: readonly string[];
}

/**
 * Checks a run's settings against a loaded table (usage errors before anything runs). With
 * `annualise: false` the period's annualisation (the calendar measured from the data, tens of ms
 * on a large table) is left out: periodsPerYear is NaN until {@link annualised} adds it, which a
 * caller does while the backtest runs on a worker.
 */
export function prepareRun(table: TickTable, given: RunSpec, annualise = true): PreparedRun {
  const spec = withDefaults(given);
  const fromUs = parseTimeBound('--from', spec.from, -Infinity);
  const toUs = parseTimeBound('--to', spec.to, Infinity);
  if (!(fromUs < toUs)) throw new UsageError(`--from ${spec.from} must be before --to ${spec.to}`);
  const window = sliceTime(table, fromUs, toUs);
  if (window.length === 0) throw new UsageError(`no data between ${spec.from ?? 'the start'} and ${spec.to ?? 'the end'}`);
  if (!(Number.isFinite(spec.initialCapital) && spec.initialCapital > 0)) throw new UsageError(`--capital ${spec.initialCapital} must be > 0`);
  const sampling = samplingPeriod(window, spec.period);
  if (!(sampling.periodUs > 0)) throw new UsageError(durationError('--period', spec.period ?? '', '1d, 1h, 5m'));
  // (periods a year from a calendar are > 0 by construction: only a given figure can be wrong)
  if (spec.periodsPerYear !== undefined && !(spec.periodsPerYear > 0)) throw new UsageError(`--periods-per-year must be > 0`);
  const period: PeriodChoice = { ...sampling, periodsPerYear: NaN, calendar: '', basis: '' };
  const params = resolveParams(spec.strategy.name, spec.strategy.params, spec.params);
  // the instance checked once here, before any work (create() returns handlers, none misspelt)
  createStrategy(spec.strategy, params);
  const config: RunConfig = {
    strategyName: spec.strategy.name,
    initialCapital: spec.initialCapital,
    execution: spec.execution,
    periodUs: period.periodUs,
    seed: spec.seed,
  };
  if (spec.benchmark) checkBenchmark(spec.benchmark, window.symbols);
  const prepared: PreparedRun = { window, params, period, config, ...(spec.benchmark ? { benchmark: spec.benchmark } : {}) };
  return annualise ? annualised(prepared, spec) : prepared;
}

/** A spec with its defaults filled in (see {@link RunSpec}). */
function withDefaults(s: RunSpec): RunSpec & { params: Readonly<Record<string, string | ParamValue>>; execution: ExecutionSettings; initialCapital: number; seed: string } {
  return { ...s, params: s.params ?? {}, execution: s.execution ?? DEFAULT_EXECUTION, initialCapital: s.initialCapital ?? 100_000, seed: s.seed ?? '1' };
}

/** The prepared run with its period's annualisation (see {@link prepareRun}'s `annualise`). */
export function annualised(p: PreparedRun, spec: RunSpec): PreparedRun {
  return { ...p, period: choosePeriod(p.window, spec.period, spec.periodsPerYear, spec.calendar) };
}

/**
 * What a prepared run produced, as a {@link RunOutcome}: the metrics and the tearsheet over the
 * span where the strategy's symbols have data (metrics/span.ts), the record whole.
 */
export function outcomeOf(p: PreparedRun, record: RunRecord): RunOutcome {
  const measured = measuredSpan(record, p.window.symbols, firstSeen(p.window), p.params);
  const r = measured.periodsBefore > 0 ? sliceRecord(record, measured.fromUs, Infinity) : record;
  const metrics = computeMetrics(r, p.period.periodsPerYear);
  return { record, metrics, measured, params: p.params, period: p.period, fromUs: rowTime(p.window, 0), toUs: rowTime(p.window, p.window.length - 1), tearsheet: runTearsheet(r, p.window, p.period.periodsPerYear, p.benchmark) };
}

/** `--benchmark A[,B]`: symbols of the data, else a usage error with "did you mean". */
export function checkBenchmark(symbols: readonly string[], inData: readonly string[]): void {
  for (const s of symbols) {
    if (inData.includes(s)) continue;
    const near = didYouMean(s, inData);
    throw new UsageError(`--benchmark ${s}: not a symbol of the data${near ? `; did you mean '${near}'?` : ''} (symbols: ${inData.join(', ')})`);
  }
}
