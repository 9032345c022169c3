/**
 * A user's factor module (`tickfold factor --factor ./my-factor.ts`): its default export checked
 * against the shape of the built-ins (factors.ts {@link FactorModule}), the defaults of what may
 * be left out filled in. It is loaded and run only where untrusted code runs: a sandboxed worker
 * thread (factor/module-task.ts), as a strategy module is.
 */
import { UsageError } from '../errors.js';
import type { Params } from '../strategy/types.js';
import type { FactorModule } from './factors.js';

/** The shape, as the error says it. */
export const FACTOR_SHAPE =
  "export default { name: 'my-factor', description: '...', params: { lookback: { type: 'integer', default: 20, doc: '...' } }, label: (p) => `my-factor_${p.lookback}`, compute(close, t, params, out) { /* out[s] = value of symbol s at session t */ } } (see README, 'tickfold factor')";

/** `name_v1_v2`: the parameters' values in the order of their names (momentum with lookback=20: momentum_20). */
export const defaultLabel =
  (name: string) =>
  (p: Params): string =>
    [
      name,
      ...Object.keys(p)
        .sort()
        .map((k) => String(p[k])),
    ].join('_');

/** A module's default export as a factor module, or a usage error (exit 2) naming the file and each problem. */
export function checkFactorModule(m: unknown, spec: string, named: readonly string[] = []): FactorModule {
  const mod = m as Partial<FactorModule> | undefined;
  const problems: string[] = [];
  if (!mod || typeof mod !== 'object')
    problems.push(
      `its default export is ${mod === undefined ? `missing${named.length > 0 ? ` (it exports ${named.map((n) => `'${n}'`).join(', ')}: write export default ${named.length === 1 ? named[0] : 'the factor'})` : ''}` : `not an object (${mod === null ? 'null' : typeof mod})`}`,
    );
  else {
    if (typeof mod.name !== 'string' || mod.name === '') problems.push("it has no 'name' string");
    if (typeof mod.compute !== 'function') problems.push(`it has no 'compute(close, t, params, out)' function${typeof (mod as { create?: unknown }).create === 'function' ? ' (it has create(): is it a strategy module? tickfold run takes those)' : ''}`);
    if (mod.params !== undefined && (typeof mod.params !== 'object' || mod.params === null)) problems.push("'params' is not an object");
    if (mod.label !== undefined && typeof mod.label !== 'function') problems.push("'label' is not a function of the parameters");
    if (mod.description !== undefined && typeof mod.description !== 'string') problems.push("'description' is not a string");
  }
  if (problems.length > 0) throw new UsageError(`${spec} is not a tickfold factor module: ${problems.join('; ')}. Write ${FACTOR_SHAPE}`);
  const ok = mod as FactorModule;
  return { name: ok.name, description: ok.description ?? '', params: ok.params ?? {}, label: ok.label ? (p) => ok.label(p) : defaultLabel(ok.name), compute: (c, t, p, out) => ok.compute(c, t, p, out) };
}
