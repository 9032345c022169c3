/**
 * Walk-forward and comparison as library calls: the validation job (jobs/validate.ts) with typed
 * arguments, the command line's defaults (jobs/settings.ts): every listed strategy is a candidate
 * over its grid, and the four naive baselines (buy-and-hold, flat, random, momentum) run beside
 * them on the same folds as the yardstick.
 *
 * ```ts
 * const { table } = await loadData(['data/sample_pair_quotes.csv']);
 * const v = await walkForward(table, { strategies: [{ strategy: 'pairs', params: { every: '10s' }, grid: { entry: [1.5, 2] } }], train: '1h', test: '30m' });
 * console.log(v.strategies[0].verdict);
 * ```
 *
 * A candidate's `search` searches a space inside each fold instead of a grid, as the CLI's
 * `--search tpe --trials 100 --space ...` does (search/spec.ts).
 */
import { availableParallelism } from 'node:os';
import type { TickTable } from '../data/table.js';
import { UsageError } from '../errors.js';
import { buildValidationReport } from '../report/validation-report.js';
import { loadStrategy } from '../strategy/load.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import type { StrategyModule } from '../strategy/types.js';
import { checkSearchMethod, searchOf, spaceEntries, type SearchOptions } from '../search/spec.js';
import { baselineDefaults } from '../validation/baselines.js';
import type { FoldOptions } from '../validation/folds.js';
import { gridOf } from '../validation/grid.js';
import { NAIVE_BASELINES, UNIVERSE_BASELINES, type Entry, type ValidationOutcome } from '../validation/validate.js';
import { runSettings, type RunSettings } from './settings.js';
import { runValidationJob, validationOptions, type DataSet, type ValidationOptions, type ValidationResult } from './validate.js';

export interface CandidateSpec {
  /**
   * A built-in name (`pairs`), a module path (`./my-strategy.ts`), or a strategy object (what
   * `defineStrategy` returns, as `runOnTable` takes): with an object the backtests run on this
   * thread (a function cannot be sent to worker threads), whatever `workers` says.
   */
  readonly strategy: string | StrategyModule;
  /** Fixed parameters. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  /** Values searched in sample, per parameter: a list, or `start:stop:step` text. */
  readonly grid?: Readonly<Record<string, string | readonly (string | number | boolean)[]>>;
  /**
   * A search instead of a grid, inside each fold (the CLI's `--search`, `--trials`, `--space`):
   * `{ method: 'tpe', trials: 100, space: { lookback: { int: [10, 500], log: true }, entry: { float: [0.5, 3] }, hedge: { choice: ['rolling', 'kalman'] } } }`.
   */
  readonly search?: SearchOptions;
}

/**
 * The strategies; one split (`split`: `0.7` or an ISO time) or walk-forward windows (`train` and
 * `test`, e.g. '30d', '5d'); any {@link RunSettings} and {@link ValidationOptions} (each default
 * from jobs/settings.ts); the worker threads (default: the cores here).
 */
export interface WalkForwardOptions extends Partial<RunSettings>, FoldOptions, Partial<ValidationOptions> {
  readonly strategies: readonly (string | StrategyModule | CandidateSpec)[];
  readonly workers?: number;
}

/** A strategy object: what defineStrategy returns (name, params, create). */
const isModule = (x: unknown): x is StrategyModule => typeof x === 'object' && x !== null && typeof (x as StrategyModule).create === 'function' && typeof (x as StrategyModule).name === 'string' && typeof (x as StrategyModule).params === 'object';

/** The validation job of the library's options (see the module comment). */
async function walkForwardJob(data: TickTable | DataSet, o: WalkForwardOptions): Promise<ValidationResult> {
  if (o.strategies.length === 0) throw new UsageError('walkForward needs at least one strategy');
  const { strategies, workers, split, train, test, step, anchored, embargo, warmup, maxFolds, objective, edge, pboPartitions, bootstrapReps, bootstrapBlock, targetSharpe, cpcv, ...run } = o;
  const specs = strategies.map((s): CandidateSpec => (typeof s === 'string' || isModule(s) ? { strategy: s } : s));
  const candidates: Entry[] = [];
  let objects = 0;
  for (const [k, c] of specs.entries()) {
    let module: StrategyModule;
    let spec: string;
    if (typeof c.strategy === 'string') {
      module = await loadStrategy(c.strategy, BUILTIN_STRATEGIES);
      spec = c.strategy;
    } else {
      if (!isModule(c.strategy)) throw new UsageError(`walkForward: strategies[${k}].strategy is neither a strategy name nor a strategy object (one with name, params and create)`);
      module = c.strategy;
      // tasks name their strategy by a string: this one is found in this thread's registry
      spec = `<object ${module.name} #${k}>`;
      (await import('../runtime/task-run.js')).registerStrategyModule(spec, module);
      objects++;
    }
    const base = Object.fromEntries(Object.entries(c.params ?? {}).map(([key, v]) => [key, String(v)]));
    const grid = gridOf(c.grid ?? {});
    // the same checks and space parser as the CLI's --search, --trials, --space
    const where = `walkForward: strategies[${k}].search`;
    const search = c.search
      ? searchOf(
          checkSearchMethod(c.search.method, c.search.trials, { method: `${where}.method`, trials: `${where}.trials` }),
          module.name,
          module,
          base,
          spaceEntries(c.search.space ?? {}, `${where}.space`),
          grid.map((g) => g.key),
          { space: `${where}.space`, grid: `strategies[${k}].grid` },
        )
      : undefined;
    if (c.search && !search) throw new UsageError(`${where}.space is empty: give at least one dimension, e.g. { lookback: { int: [10, 500], log: true } }`);
    candidates.push({ name: module.name, spec, module, base, grid, baseline: false, ...(search ? { search } : {}) });
  }
  const baselines: { name: string; module: StrategyModule; spec: string }[] = [];
  // with a universe, its baselines (equal weights of the members, monthly; a random long-short of the candidates' gross) beside the naive ones
  for (const b of run.universe ? [...NAIVE_BASELINES, ...UNIVERSE_BASELINES] : NAIVE_BASELINES) baselines.push({ name: candidates.some((e) => e.name === b) ? `${b} (naive)` : b, module: await loadStrategy(b, BUILTIN_STRATEGIES), spec: b });
  const folds: FoldOptions = {
    ...(split !== undefined ? { split } : {}),
    ...(train !== undefined ? { train } : {}),
    ...(test !== undefined ? { test } : {}),
    ...(step !== undefined ? { step } : {}),
    ...(anchored ? { anchored } : {}),
    ...(embargo !== undefined ? { embargo } : {}),
    ...(warmup !== undefined ? { warmup } : {}),
    ...(maxFolds !== undefined ? { maxFolds } : {}),
  };
  return runValidationJob({
    command: strategies.length === 1 ? 'walk-forward' : 'compare',
    data: 'ts' in data ? { table: data, files: [], leftOut: [] } : data,
    entries: (periodLabel) => [...candidates, ...baselines.map((b) => ({ ...b, base: baselineDefaults(b.module, {}, periodLabel), grid: [], baseline: true }))],
    settings: runSettings(run),
    folds,
    options: validationOptions({ objective, edge, pboPartitions, bootstrapReps, bootstrapBlock, targetSharpe, cpcv }),
    // a strategy object's backtests run on this thread (see CandidateSpec.strategy)
    workers: objects > 0 ? 1 : (workers ?? availableParallelism()),
    argv: [],
  });
}

/** A walk-forward (or one split) of the strategies over their grids against the four naive baselines, with every statistic and verdict of `tickfold walk-forward` (see the module comment). */
export async function walkForward(data: TickTable | DataSet, o: WalkForwardOptions): Promise<ValidationOutcome> {
  return (await walkForwardJob(data, o)).outcome;
}

/**
 * {@link walkForward}'s JSON report: the one `tickfold walk-forward --json` writes for the same
 * data (as `loadData` gives it) and settings, but for the command line it records (none here).
 */
export async function walkForwardReport(data: DataSet, o: WalkForwardOptions): Promise<Record<string, unknown>> {
  const r = await walkForwardJob(data, o);
  return buildValidationReport(r.outcome, r.context);
}
