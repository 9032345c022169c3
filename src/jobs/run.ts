/**
 * The `run` job: one backtest from start to end. The window of the data, the strategy's
 * parameters (checked once), the replay (on this thread, or on a worker thread under a guard:
 * the strategy's instance is made once, where it runs), the metrics and the tearsheet. The CLI's
 * `tickfold run` and the library's `runOnTable`/`runJob` call it; both give typed
 * {@link RunSettings} (jobs/settings.ts), never flags.
 */
import { didYouMean, UsageError } from '../errors.js';
import { checkSizingSymbols } from '../broker/settings.js';
import { loadData, type FileSummary, type Loaded, type LeftOut, type LoadOptions } from '../data/load.js';
import { rowTime, sliceTime, type TickTable } from '../data/table.js';
import { formatIso } from '../data/time.js';
import { runBacktest, type BacktestSettings } from '../engine/engine.js';
import { dataEndSession, Membership } from '../universe/membership.js';
import { dataMembership } from '../universe/data-spans.js';
import { choosePeriod, samplingPeriod, type PeriodChoice } from '../metrics/period.js';
import { computeMetrics } from '../metrics/run-metrics.js';
import type { RunOutcome } from '../engine/run-outcome.js';
import { runTearsheet } from '../metrics/run-tearsheet.js';
import { firstSeen, measuredSpan } from '../metrics/span.js';
import { sliceRecord } from '../metrics/window.js';
import type { RunRecord } from '../portfolio/record.js';
import { createStrategy } from '../strategy/instance.js';
import { resolveParams } from '../strategy/params.js';
import type { Params, ParamValue, StrategyModule } from '../strategy/types.js';
import { TaskRunner } from '../runtime/pool.js';
import type { Guard, StrategyRunner } from '../runtime/runner.js';
import { backtestSettings, runSettings, type RunSettings } from './settings.js';
import { runStreamed, streamableExecution } from './stream-run.js';
import { streamable } from '../data/catalog/window-stream.js';
import type { PlannedWindow } from '../data/catalog/load-window.js';

export type { RunOutcome };

/** A run checked and set up: the window of the table, the parameters, what each backtest is told. */
export interface PreparedRun {
  readonly window: TickTable;
  readonly params: Params;
  readonly period: PeriodChoice;
  /** periodsPerYear NaN until {@link annualised}. */
  readonly backtest: BacktestSettings;
  readonly settings: RunSettings;
}

/** The window's bounds as a message names them. */
const bound = (us: number, open: string): string => (Number.isFinite(us) ? formatIso(us) : open);

/** The data of [fromUs, toUs), else a usage error naming the window. */
export function windowOf(table: TickTable, s: RunSettings): TickTable {
  const window = sliceTime(table, s.fromUs, s.toUs);
  if (window.length === 0) throw new UsageError(`no data between ${bound(s.fromUs, 'the start')} and ${bound(s.toUs, 'the end')} (--from, --to)`);
  return window;
}

/**
 * Checks a run's settings against a loaded table (usage errors before anything runs); `params`
 * are resolved already (see {@link strategyParams}). With `annualise: false` the period's
 * annualisation (the calendar measured from the data, tens of ms on a large table) is left out:
 * periodsPerYear is NaN until {@link annualised} adds it, which a caller does while the backtest
 * runs on a worker.
 */
export function prepareRun(table: TickTable, params: Params, settings: RunSettings, annualise = true): PreparedRun {
  const window = windowOf(table, settings);
  const sampling = samplingPeriod(window, settings.periodUs);
  const period: PeriodChoice = { ...sampling, periodsPerYear: NaN, calendar: '', basis: '' };
  if (settings.benchmark) checkBenchmark(settings.benchmark, window.symbols);
  const prepared: PreparedRun = { window, params, period, backtest: backtestSettings(settings, period), settings };
  return annualise ? annualised(prepared) : prepared;
}

/** The prepared run with its period's annualisation (see {@link prepareRun}'s `annualise`). */
export function annualised(p: PreparedRun): PreparedRun {
  const s = p.settings;
  const period = choosePeriod(p.window, s.periodUs, s.periodsPerYear, s.calendar);
  return { ...p, period, backtest: backtestSettings(s, period) };
}

/**
 * What a prepared run produced, as a {@link RunOutcome}: the metrics and the tearsheet over the
 * span where the strategy's symbols have data (metrics/span.ts), the record whole.
 */
export function outcomeOf(p: PreparedRun, record: RunRecord): RunOutcome {
  const measured = measuredSpan(record, p.window.symbols, firstSeen(p.window), p.params);
  const r = measured.periodsBefore > 0 ? sliceRecord(record, measured.fromUs, Infinity) : record;
  const metrics = computeMetrics(r, p.period.periodsPerYear);
  return { record, metrics, measured, params: p.params, period: p.period, fromUs: rowTime(p.window, 0), toUs: rowTime(p.window, p.window.length - 1), tearsheet: runTearsheet(r, p.window, p.period.periodsPerYear, p.settings.benchmark) };
}

/** The benchmark's symbols: symbols of the data, else a usage error with "did you mean". */
export function checkBenchmark(symbols: readonly string[], inData: readonly string[]): void {
  for (const s of symbols) {
    if (inData.includes(s)) continue;
    const near = didYouMean(s, inData);
    throw new UsageError(`--benchmark ${s}: not a symbol of the data${near ? `; did you mean '${near}'?` : ''} (symbols: ${inData.join(', ')})`);
  }
}

/** A strategy's parameters from what was given (`--param` values, or typed ones): the one check of them. */
export function strategyParams(module: StrategyModule, given: Readonly<Record<string, string | ParamValue>> = {}): Params {
  return resolveParams(module.name, module.params, given);
}

/** The library's run: a strategy, its parameters as given, and any {@link RunSettings} (defaults from jobs/settings.ts). */
export interface RunSpec extends Partial<RunSettings> {
  readonly strategy: StrategyModule;
  readonly params?: Readonly<Record<string, string | ParamValue>>;
}

/** Runs a strategy over an already loaded table, on this thread. */
export function runOnTable(table: TickTable, spec: RunSpec): RunOutcome {
  const { strategy, params, ...given } = spec;
  const p = prepareRun(table, strategyParams(strategy, params), runSettings(given));
  checkSizingSymbols(p.settings.execution, table.symbols);
  const { universe, ...backtest } = p.backtest;
  // without a universe, each symbol is a member from its first to its last bar (universe/data-spans.ts)
  const membership = universe ? new Membership(p.window.symbols, universe, dataEndSession(p.window)) : dataMembership(p.window);
  return outcomeOf(p, runBacktest(p.window, createStrategy(strategy, p.params), { strategyName: strategy.name, ...backtest, ...(membership ? { universe: membership } : {}) }));
}

/** Loads the files and runs one backtest on them (see {@link runOnTable}). */
export async function runJob(paths: readonly string[], load: LoadOptions, spec: RunSpec): Promise<RunOutcome & { files: readonly FileSummary[]; leftOut: readonly LeftOut[] }> {
  const { table, files, leftOut } = await loadData(paths, load);
  return { ...runOnTable(table, spec), files, leftOut };
}

/** A run on a worker thread under a guard (the command line's: strategy code never runs on the main thread). */
export interface GuardedRun {
  /** A built-in's name or a module file, loaded on the worker. */
  readonly strategy: string;
  /** The built-ins by name. */
  readonly builtins: ReadonlyMap<string, StrategyModule>;
  /** The strategy's parameters as given, once its module's name is known (`--param` is routed by it). */
  readonly params: (module: StrategyModule) => Readonly<Record<string, string | ParamValue>>;
  readonly settings: RunSettings;
  readonly data: readonly string[];
  readonly load: LoadOptions;
  readonly guard: Guard;
  /** Loads the data (default {@link loadData}; the CLI's also says what it left out). */
  readonly loader?: (paths: readonly string[], opts: LoadOptions) => Promise<Loaded>;
  /** Called between steps; throws to stop (an interrupt). */
  readonly checkpoint?: () => Promise<void>;
  /**
   * Streamed from the catalog when it can be (jobs/stream-run.ts): the window's plan (undefined:
   * loaded in memory by `loader`) and `--memory` (bytes, and as given); `heldWhole` is told why
   * a run that could not be streamed holds its data whole (the CLI says so when `--memory` was given).
   */
  readonly stream?: { readonly plan: (paths: readonly string[], opts: LoadOptions) => Promise<PlannedWindow | undefined>; readonly memoryBytes: number; readonly memoryText: string; readonly heldWhole?: (why: string) => void };
}

/**
 * What a guarded run gives: the outcome, the files read, the data's symbols and last session, and
 * the window replayed (for the HTML report; absent when it was streamed, jobs/stream-run.ts).
 */
export type GuardedOutcome = RunOutcome & { readonly files: readonly FileSummary[]; readonly leftOut: readonly LeftOut[]; readonly symbols: readonly string[]; readonly endSession: number; readonly window?: TickTable };

/**
 * The backtest on a worker thread, under the guard (time and memory limits, interrupts, the
 * sandbox); the thread starts while this one loads the data. The strategy's module is loaded
 * there, never here (its top-level code is strategy code); its parameters are checked here
 * before the data is read, and its one instance is made there.
 */
export async function runGuarded(r: GuardedRun): Promise<GuardedOutcome> {
  const runner: StrategyRunner = new TaskRunner(1, r.guard);
  try {
    const strategy = await runner.describe(r.strategy, r.builtins);
    const params = strategyParams(strategy, r.params(strategy));
    if (r.stream && !streamableExecution(r.settings.execution)) r.stream.heldWhole?.('the sqrt-impact slippage model measures its trailing σ and volume over the table in memory');
    else if (r.stream) {
      const planned = await r.stream.plan(r.data, r.load);
      if (planned && streamable(planned.plan)) return await runStreamed(runner, r, strategy.name, params, planned, r.stream.memoryBytes, r.stream.memoryText);
      r.stream.heldWhole?.(planned ? 'bars with a --to end are cut at their last whole bar, which needs the window whole' : 'these files cannot be streamed from the catalog (files of one kind that overlap in time are merged in memory)');
    }
    const loaded = await (r.loader ?? loadData)(r.data, { ...r.load, shared: runner.pooled, deferCache: runner.pooled });
    checkSizingSymbols(r.settings.execution, loaded.table.symbols);
    await r.checkpoint?.();
    // the calendar (periods a year) is measured while the worker replays: not needed before
    const prepared = prepareRun(loaded.table, params, r.settings, false);
    runner.use(prepared.window);
    const running = runner.runAll([{ task: { kind: 'run', strategy: r.strategy, params, run: prepared.backtest }, label: `strategy '${strategy.name}'` }]);
    // while the worker replays: the content hash and the cache entry of a first run, and the
    // calendar the metrics are annualised by
    let full: PreparedRun;
    try {
      loaded.settle();
      full = annualised(prepared);
    } catch (e) {
      await running.catch(() => undefined);
      throw e;
    }
    const [res] = await running;
    return { ...outcomeOf(full, res!.record), files: loaded.files, leftOut: loaded.leftOut, window: full.window, symbols: full.window.symbols, endSession: dataEndSession(full.window) };
  } finally {
    await runner.close();
  }
}
