/**
 * The search flags of the validation commands: `--search random|tpe|halving --trials N --space
 * key=int:10..500:log ...` (search/in-folds.ts), routed to their strategy like `--grid` entries,
 * checked before any work (the search's resume cache over the trial ledger: jobs/search-cache.ts).
 */
import { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
export { MAX_SEARCH_TRIALS, searchOf } from '../search/spec.js';
import { plannedEvaluations, SEARCH_METHODS, type SearchMethod, type SearchSpec } from '../search/in-folds.js';
import { checkSearchMethod, MAX_SEARCH_TRIALS } from '../search/spec.js';
import { collect, numberOption } from './options.js';

export interface RawSearchFlags {
  search?: string;
  trials?: string;
  space: string[];
}

export function addSearchOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--search <method>', 'search the --space inside each fold instead of a grid: random, tpe (Bayesian: Tree-structured Parzen Estimator) or halving (successive halving over 1/9, 1/3 and all of the training window)').choices([...SEARCH_METHODS]))
    .option('--trials <n>', 'with --search: configurations per fold (halving: at its first budget); every one is counted in the ledger')
    .option('--space <key=spec>', 'with --search: a dimension, key=int:low..high[:log], key=float:low..high[:log] or key=choice:a,b,c (repeatable; prefix with the strategy name where several run)', collect, []);
}

/** The flags' consistency, before any work: the method, its trial count, and the space entries as given. */
export function searchFlags(f: RawSearchFlags): { method: SearchMethod; trials: number } | undefined {
  if (f.search === undefined) {
    if (f.trials !== undefined) throw new UsageError('--trials is the number of configurations of a --search; give --search random|tpe|halving too (a grid has as many trials as combinations)');
    if (f.space.length > 0) throw new UsageError('--space is the space of a --search; give --search random|tpe|halving too, or a --grid of values');
    return undefined;
  }
  if (f.space.length === 0) throw new UsageError(`--search ${f.search} needs a --space, e.g. --space lookback=int:10..500:log --space entry=float:0.5..3`);
  if (f.trials === undefined) throw new UsageError(`--search ${f.search} needs --trials N (configurations per fold), e.g. --trials 100`);
  const trials = numberOption('--trials', f.trials, (x) => Number.isInteger(x) && x >= 1 && x <= MAX_SEARCH_TRIALS, `an integer from 1 to ${MAX_SEARCH_TRIALS.toLocaleString('en-US')}`);
  if (f.search === 'halving' && trials < 9) throw new UsageError(`--search halving --trials ${trials}: halving keeps a third at each of its 3 budgets; give --trials 9 or more`);
  return checkSearchMethod(f.search, trials);
}

/** `--space` entries routed to a strategy that is not a candidate (an unlisted naive baseline) are refused, never dropped. */
export function checkSpaceOwners(spaceEntries: ReadonlyMap<string, readonly string[]>, candidates: readonly string[]): void {
  for (const n of spaceEntries.keys()) if (!candidates.includes(n)) throw new UsageError(`--space for '${n}': only a listed strategy is searched; list it in --strategies (e.g. --strategies ${[...candidates, n].join(',')})`);
}

/** What the plan line says of a search. */
export const searchPlanNote = (s: SearchSpec, folds: number): string => `${s.method} search of ${s.trials} configuration${s.trials === 1 ? '' : 's'} per fold (${plannedEvaluations(s, folds)} evaluations at most)`;
