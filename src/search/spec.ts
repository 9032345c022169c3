/**
 * A strategy's search, checked: the method and trial count (the rules the CLI's `--search` and
 * `--trials` and the library's `search` option share), its space against the strategy's schema,
 * and the library's typed space as the CLI's `--space` entries (the same parser and checks, so the
 * same search, and the same report bytes, whichever way it was given).
 */
import { UsageError } from '../errors.js';
import type { StrategyModule } from '../strategy/types.js';
import { SEARCH_METHODS, type SearchMethod, type SearchSpec } from './in-folds.js';
import { checkSpace, parseSpace } from './space.js';

/** At most this many configurations per fold. */
export const MAX_SEARCH_TRIALS = 100_000;

/** The method and its trial count, checked (`names`: how the caller names them in messages). */
export function checkSearchMethod(method: string, trials: number, names: { readonly method: string; readonly trials: string } = { method: '--search', trials: '--trials' }): { method: SearchMethod; trials: number } {
  if (!(SEARCH_METHODS as readonly string[]).includes(method)) throw new UsageError(`${names.method} '${method}' is not a search method; give one of ${SEARCH_METHODS.join(', ')}`);
  if (!(Number.isInteger(trials) && trials >= 1 && trials <= MAX_SEARCH_TRIALS)) throw new UsageError(`${names.trials} ${trials}: give an integer from 1 to ${MAX_SEARCH_TRIALS.toLocaleString('en-US')}`);
  if (method === 'halving' && trials < 9) throw new UsageError(`${names.method} halving ${names.trials} ${trials}: halving keeps a third at each of its 3 budgets; give 9 or more trials`);
  return { method: method as SearchMethod, trials };
}

/** A strategy's search from its space entries (undefined when it has none), checked against its schema. */
export function searchOf(
  flags: { method: SearchMethod; trials: number } | undefined,
  name: string,
  module: StrategyModule,
  base: Readonly<Record<string, string>>,
  spaceEntries: readonly string[] | undefined,
  gridKeys: readonly string[],
  names: { readonly space: string; readonly grid: string } = { space: '--space', grid: '--grid' },
): SearchSpec | undefined {
  if (!flags || !spaceEntries || spaceEntries.length === 0) return undefined;
  const space = parseSpace(spaceEntries, names.space);
  checkSpace(space, name, module.params, base, gridKeys);
  if (gridKeys.length > 0) throw new UsageError(`strategy '${name}' has both a ${names.grid} (${gridKeys.join(', ')}) and a ${names.space}: a search replaces the grid; give its keys as ${names.space} entries (key=choice:a,b for a list)`);
  return { method: flags.method, trials: flags.trials, space };
}

/** A dimension of the library's typed space: a range of integers or reals (`log`: sampled on a log scale), or choices. */
export type SpaceDimension = { readonly int: readonly [number, number]; readonly log?: boolean } | { readonly float: readonly [number, number]; readonly log?: boolean } | { readonly choice: readonly (string | number | boolean)[] };

/** The library's search of a strategy: what `--search`, `--trials` and `--space` give the CLI. */
export interface SearchOptions {
  readonly method: SearchMethod;
  /** Configurations per fold (halving: at its first budget). */
  readonly trials: number;
  /** Per parameter: a typed dimension, or the CLI's text (`'int:10..500:log'`). */
  readonly space: Readonly<Record<string, SpaceDimension | string>>;
}

/** The typed space as `--space` entries (key=int:low..high[:log], key=float:..., key=choice:a,b). */
export function spaceEntries(space: SearchOptions['space'], where: string): string[] {
  return Object.entries(space).map(([key, d]) => {
    if (typeof d === 'string') return `${key}=${d}`;
    const range = (kind: 'int' | 'float', r: readonly [number, number], log: boolean | undefined): string => {
      if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === 'number' && Number.isFinite(x))) throw new UsageError(`${where}.${key}.${kind} must be [low, high], two finite numbers (got ${JSON.stringify(r)})`);
      return `${key}=${kind}:${r[0]}..${r[1]}${log ? ':log' : ''}`;
    };
    if ('int' in d) return range('int', d.int, d.log);
    if ('float' in d) return range('float', d.float, d.log);
    if ('choice' in d && Array.isArray(d.choice)) return `${key}=choice:${d.choice.map(String).join(',')}`;
    throw new UsageError(`${where}.${key} must be { int: [low, high] }, { float: [low, high] } (each with log: true for a log scale), { choice: [...] } or text such as 'int:10..500:log' (got ${JSON.stringify(d)})`);
  });
}
