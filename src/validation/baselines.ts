/**
 * The naive baselines' own settings in a validation (the command line's and the library's).
 */
import type { StrategyModule } from '../strategy/types.js';

/**
 * Parameters of a naive baseline unless given: decide once per return period (not on every
 * tick), and the coin flip enters or exits with probability 0.1 a period.
 */
export function baselineDefaults(module: StrategyModule, given: Readonly<Record<string, string>>, periodLabel: string): Record<string, string> {
  const out = { ...given };
  if ('every' in module.params && out.every === undefined) out.every = periodLabel;
  if (module.name === 'random' && out.prob === undefined) out.prob = '0.1';
  return out;
}
