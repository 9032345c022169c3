/**
 * A strategy instance made from its module, checked before it runs: `create()` must return an
 * object, and every method whose name looks like a handler (`on...`) must be one of the handlers
 * the engine calls. A misspelt handler (`onbar`, `ontick`, `onFills`) would otherwise never be
 * called, and the run would end with 0 orders and no word.
 */
import { didYouMean, TickfoldError, UsageError } from '../errors.js';
import type { Params, Strategy, StrategyModule } from './types.js';
import { deniedText, SandboxError } from './denied.js';

export const HANDLERS = ['onStart', 'onTick', 'onBar', 'onBars', 'onFill', 'onReject', 'onCancel', 'onEnd'] as const;

/** Every property name of an object and its prototypes (a class's methods live on its prototype). */
function propertyNames(o: object): string[] {
  const out = new Set<string>();
  for (let p: object | null = o; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    for (const k of Object.getOwnPropertyNames(p)) if (k !== 'constructor') out.add(k);
  }
  return [...out];
}

/** The problems of an instance, as sentences (empty when there are none). */
export function strategyProblems(s: unknown): string[] {
  if (s === null || typeof s !== 'object') return [`create() returned ${s === undefined ? 'nothing' : s === null ? 'null' : `a ${typeof s}`}; it must return an object with handlers, e.g. return { onBar(ctx, bar) { ... } }`];
  const problems: string[] = [];
  const names = propertyNames(s);
  for (const k of names) {
    if ((HANDLERS as readonly string[]).includes(k)) {
      if (typeof (s as Record<string, unknown>)[k] !== 'function') problems.push(`'${k}' is not a function`);
      continue;
    }
    if (/^on[A-Z_a-z]/.test(k) && typeof (s as Record<string, unknown>)[k] === 'function') {
      const near = didYouMean(k, [...HANDLERS]) ?? HANDLERS.find((h) => h.toLowerCase() === k.toLowerCase() || k.toLowerCase().startsWith(h.toLowerCase()));
      problems.push(`'${k}' is not a handler the engine calls${near ? `; did you mean '${near}'?` : ''} (handlers: ${HANDLERS.join(', ')})`);
    }
  }
  return problems;
}

/** `module.create(params)`, checked: a usage error (exit 2) naming the module and the rule. */
export function createStrategy(module: StrategyModule, params: Params): Strategy {
  let s: unknown;
  try {
    s = module.create(params);
  } catch (e) {
    // create() refusing its parameters is the user's to fix, not a bug in tickfold
    const denied = deniedText(e);
    if (denied !== undefined) throw new SandboxError(`strategy '${module.name}': create() ${denied}`);
    if (e instanceof TickfoldError) throw e;
    const label =
      Object.entries(params)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || '(defaults)';
    throw new UsageError(`strategy '${module.name}' refuses the parameters ${label}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const problems = strategyProblems(s);
  if (problems.length > 0) throw new UsageError(`strategy '${module.name}': ${problems.join('; ')}`);
  return s as Strategy;
}
