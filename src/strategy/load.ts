/**
 * Finds a strategy module by name (the built-ins) or loads one from a file: `.js`/`.mjs` by
 * import, `.ts`/`.mts` through tsx, so a user's TypeScript strategy runs without a build step.
 * A factor module of `tickfold factor` is loaded from its bundle the same way ({@link importModuleCode}).
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { didYouMean, UsageError } from '../errors.js';
import type { StrategyModule } from './types.js';
import { deniedText, SandboxError } from './denied.js';
import type { ModuleKind } from './bundle.js';
import { sourceLine } from './source-line.js';

/** Whether a --strategy value names a file rather than a built-in. */
export const looksLikePath = (s: string): boolean => /[\\/]/.test(s) || /\.(m?[jt]s)$/.test(s);

function checkModule(m: unknown, where: string): StrategyModule {
  const mod = m as Partial<StrategyModule> | undefined;
  const problems: string[] = [];
  if (!mod || typeof mod !== 'object') problems.push('its default export is not an object');
  else {
    if (typeof mod.name !== 'string' || mod.name === '') problems.push("it has no 'name' string");
    if (typeof mod.create !== 'function') problems.push("it has no 'create(params)' function");
    if (mod.params !== undefined && (typeof mod.params !== 'object' || mod.params === null)) problems.push("'params' is not an object");
  }
  if (problems.length > 0) {
    throw new UsageError(`${where} is not a tickfold strategy module: ${problems.join('; ')}. ` + "Export default { name, description, params: { key: { type, default, doc } }, create(params) { return { onTick(ctx, tick) {...} } } } (see README, 'Write your own strategy')");
  }
  const ok = mod as StrategyModule;
  return { ...ok, description: ok.description ?? '', params: ok.params ?? {} };
}

/**
 * A strategy by name: a built-in (`buy-and-hold`, `pairs`, ...; see `tickfold/strategies`) or a
 * module file (`./my-strategy.ts`, `.mjs`, `.js`) whose default export is a {@link StrategyModule}.
 * The built-ins are given by the caller (`strategies/` stands on this API, not under it; the
 * library's `loadStrategy` in src/index.ts gives the shipped ones by default).
 */
export async function loadStrategy(spec: string, builtins: ReadonlyMap<string, StrategyModule>): Promise<StrategyModule> {
  const builtin = builtins.get(spec);
  if (builtin) return builtin;
  if (!looksLikePath(spec)) {
    const near = didYouMean(spec, [...builtins.keys()]);
    throw new UsageError(`unknown strategy '${spec}'${near ? `; did you mean '${near}'?` : ''} (built-in: ${[...builtins.keys()].join(', ')}; or give a path such as ./my-strategy.ts)`);
  }
  const file = resolve(spec);
  if (!existsSync(file)) throw new UsageError(`strategy file ${spec} does not exist`);
  return checkModule(
    (
      await importModule(spec, file, 'strategy', 'create', async () =>
        /\.m?ts$/.test(file) ? ((await (await import('tsx/esm/api')).tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>) : ((await import(pathToFileURL(file).href)) as Record<string, unknown>),
      )
    ).value,
    spec,
  );
}

/**
 * A strategy module from its code, bundled into one ES module (bundle.ts): how a sandboxed worker
 * thread loads a module file without reading it (sandbox.ts).
 */
export async function loadStrategyCode(spec: string, code: string): Promise<StrategyModule> {
  return checkModule((await importModuleCode(spec, code, 'strategy', 'create')).value, spec);
}

/** A module's default export (unchecked), and the names of its other exports (for the error when it has no default). */
export interface ImportedModule {
  readonly value: unknown;
  readonly exports: readonly string[];
}

/**
 * The default export of a user's module (a strategy's, a factor's) from its bundle, unchecked;
 * `key` is a property its export has, which tells it from a CommonJS module's wrapper. An error
 * its top-level code throws names the line of the user's file when the bundle has a source map.
 */
export function importModuleCode(spec: string, code: string, what: ModuleKind, key: string): Promise<ImportedModule> {
  return importModule(
    spec,
    resolve(spec),
    what,
    key,
    async () => (await import(`data:text/javascript;base64,${Buffer.from(code, 'utf8').toString('base64')}`)) as Record<string, unknown>,
    (e) => sourceLine(e, code, spec),
  );
}

async function importModule(spec: string, file: string, what: ModuleKind, key: string, load: () => Promise<Record<string, unknown>>, at: (e: unknown) => string | undefined = () => undefined): Promise<ImportedModule> {
  let ns: Record<string, unknown>;
  try {
    ns = await load();
  } catch (e) {
    // the sandbox refused something its top-level code tried (a file, the network, process.exit)
    const denied = deniedText(e, what);
    if (denied !== undefined) throw new SandboxError(`${what} ${spec} ${denied} (while its module loaded)`);
    // tsx's internal query (?namespace=...) and the require stack are noise to a user
    const msg = ((e as Error).message ?? String(e))
      .replace(/\?namespace=[\w-]+/g, '')
      .replace(/\nRequire stack:[\s\S]*$/, '')
      .trim();
    const missing = /Cannot find (?:module|package) '([^']+)'/.exec(msg)?.[1];
    if (missing !== undefined && !missing.startsWith('.') && !missing.startsWith('/')) {
      const dir = dirname(file);
      throw new UsageError(
        `cannot load ${what} ${spec}: it imports '${missing}', which is not installed where the ${what} is; ` +
          `install it next to the ${what} (cd ${dir} && npm install ${missing
            .split('/')
            .slice(0, missing.startsWith('@') ? 2 : 1)
            .join('/')})` +
          (missing === 'tickfold' ? `, or import only types from it (import type { ${what === 'strategy' ? 'StrategyModule' : 'FactorModule'} } from 'tickfold' needs nothing installed)` : ''),
      );
    }
    const line = at(e);
    throw new UsageError(`cannot load ${what} ${spec}: ${msg}${line ? ` (at ${line})` : ''}`);
  }
  // ESM default export, or a CommonJS-style module.exports through interop
  let m = ns.default;
  if (m && typeof m === 'object' && 'default' in m && !(key in m)) m = (m as { default: unknown }).default;
  return { value: m, exports: Object.keys(ns).filter((k) => k !== 'default') };
}
