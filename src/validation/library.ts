/**
 * Walk-forward and comparison as library calls, with the command line's defaults: every listed
 * strategy is a candidate over its grid, and the four naive baselines (buy-and-hold, flat, random,
 * momentum) run beside them on the same folds as the yardstick.
 *
 * ```ts
 * const { table } = await loadData(['data/sample_pair_quotes.csv']);
 * const v = await walkForward(table, { strategies: [{ strategy: 'pairs', params: { every: '10s' }, grid: { entry: [1.5, 2] } }], train: '1h', test: '30m' });
 * console.log(v.strategies[0].verdict);
 * ```
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_EXECUTION, type ExecutionSettings } from '../broker/settings.js';
import type { TickTable } from '../data/table.js';
import { choosePeriod } from '../metrics/period.js';
import { loadStrategy } from '../strategy/load.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import type { StrategyModule } from '../strategy/types.js';
import { UsageError } from '../errors.js';
import { baselineDefaults } from './baselines.js';
import type { FoldEdge } from './folded.js';
import { planFolds } from './folds.js';
import { parseGrid } from './grid.js';
import { NAIVE_BASELINES, validate, type Entry, type Objective, type ValidationOutcome } from './validate.js';

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
}

export interface WalkForwardOptions {
  readonly strategies: readonly (string | StrategyModule | CandidateSpec)[];
  /** One split (`0.7` or an ISO time), or walk-forward windows (`train` and `test`, e.g. '30d', '5d'). */
  readonly split?: string;
  readonly train?: string;
  readonly test?: string;
  readonly anchored?: boolean;
  readonly embargo?: string;
  readonly warmup?: string;
  readonly execution?: ExecutionSettings;
  readonly initialCapital?: number;
  /** Return period (default: from the data span). */
  readonly period?: string;
  readonly seed?: string;
  readonly objective?: Objective;
  readonly edge?: FoldEdge;
  /** Worker threads (default: the cores here). */
  readonly workers?: number;
  readonly bootstrapReps?: number;
  readonly pboPartitions?: number;
  readonly targetSharpe?: number;
}

const text = (v: string | number | boolean): string => String(v);

/** A strategy object: what defineStrategy returns (name, params, create). */
const isModule = (x: unknown): x is StrategyModule =>
  typeof x === 'object' && x !== null && typeof (x as StrategyModule).create === 'function' && typeof (x as StrategyModule).name === 'string' && typeof (x as StrategyModule).params === 'object';

/** A walk-forward (or one split) of the strategies over their grids against the four naive baselines, with every statistic and verdict of `tickfold walk-forward` (see the module comment). */
export async function walkForward(table: TickTable, o: WalkForwardOptions): Promise<ValidationOutcome> {
  if (o.strategies.length === 0) throw new UsageError('walkForward needs at least one strategy');
  const period = choosePeriod(table, o.period, undefined, undefined);
  const plan = planFolds(table, {
    ...(o.split !== undefined ? { split: o.split } : {}),
    ...(o.train !== undefined ? { train: o.train } : {}),
    ...(o.test !== undefined ? { test: o.test } : {}),
    ...(o.anchored ? { anchored: true } : {}),
    ...(o.embargo !== undefined ? { embargo: o.embargo } : {}),
    ...(o.warmup !== undefined ? { warmup: o.warmup } : {}),
  });
  const specs = o.strategies.map((s): CandidateSpec => (typeof s === 'string' || isModule(s) ? { strategy: s } : s));
  const entries: Entry[] = [];
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
    const grid = parseGrid(Object.entries(c.grid ?? {}).map(([k, v]) => `${k}=${typeof v === 'string' ? v : v.map(text).join(',')}`));
    entries.push({ name: module.name, spec, module, base: Object.fromEntries(Object.entries(c.params ?? {}).map(([k, v]) => [k, text(v)])), grid, baseline: false });
  }
  for (const b of NAIVE_BASELINES) {
    const module = await loadStrategy(b, BUILTIN_STRATEGIES);
    const name = entries.some((e) => e.name === b) ? `${b} (naive)` : b;
    entries.push({ name, spec: b, module, base: baselineDefaults(module, {}, period.label), grid: [], baseline: true });
  }
  return validate(table, entries, {
    plan,
    run: { execution: o.execution ?? DEFAULT_EXECUTION, initialCapital: o.initialCapital ?? 100_000, periodUs: period.periodUs, periodsPerYear: period.periodsPerYear, seed: o.seed ?? '1' },
    objective: o.objective ?? 'sharpe',
    edge: o.edge ?? 'close',
    pboPartitions: o.pboPartitions ?? 16,
    bootstrapReps: o.bootstrapReps ?? 2000,
    targetSharpe: o.targetSharpe ?? 1,
    // a strategy object's backtests run on this thread (see CandidateSpec.strategy)
    workers: objects > 0 ? 1 : (o.workers ?? availableParallelism()),
  });
}
