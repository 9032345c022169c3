/**
 * A user's module file (a strategy, or a factor of `tickfold factor`) made into one self-contained
 * ES module text on the main thread, to be
 * loaded on a sandboxed worker thread (sandbox.ts) from memory. esbuild compiles it (TypeScript
 * too) and inlines its own files and packages; only Node's built-in modules stay imports. It only
 * parses and rewrites the code: nothing of the module runs here.
 *
 * Why: under the permission model a worker thread can read only what it is allowed, and Node 20
 * loads TypeScript through tsx's loader hooks, which run on a thread of their own (refused in the
 * sandbox: a thread it starts could be started without the permission model, measured). One
 * text in memory needs no file access at all, so the strategy's folder (where data often lies
 * too) stays closed. The same pass lists what the module imports, which `tickfold check` reports.
 */
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';

/** What a user's module file is, for its messages: "cannot load factor ./f.ts: ...". */
export type ModuleKind = 'strategy' | 'factor';
/** The type a module of each kind exports, for the hint on importing only types from 'tickfold'. */
const MODULE_TYPE: Readonly<Record<ModuleKind, string>> = { strategy: 'StrategyModule', factor: 'FactorModule' };

export interface BundledModule {
  /** The module as one ES module text. */
  readonly code: string;
  /** What the strategy's own files import, as written (`./helper.ts`, `node:fs`, `technicalindicators`), sorted. */
  readonly imports: readonly string[];
}

const BUILTIN = new Set(builtinModules);

/** This install's entry points (package.json's exports), from dist/src/strategy/bundle.js or src/strategy/bundle.ts. */
const INSTALL = (() => {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = /[\\/]dist[\\/]src[\\/]strategy$/.test(here) ? resolve(here, '..', '..', '..') : resolve(here, '..', '..');
  return { main: join(root, 'dist/src/index.js'), strategies: join(root, 'dist/strategies/index.js') };
})();
/** Whether an import names one of Node's built-in modules (`fs`, `node:fs`, `fs/promises`). */
export const isBuiltin = (spec: string): boolean => spec.startsWith('node:') || BUILTIN.has(spec);

/**
 * `what` words the errors. The bundle ends with its source map (inline), from which
 * {@link sourceLine} tells a line of the bundle's stack as a line of the user's file.
 */
export async function bundleModule(spec: string, what: ModuleKind = 'strategy'): Promise<BundledModule> {
  const file = resolve(spec);
  const { build } = await import('esbuild');
  let r;
  try {
    r = await build({
      entryPoints: [file],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: dirname(file),
      // (an outfile beside the module, never written: the map's sources are then relative to its folder)
      sourcemap: 'inline',
      outfile: join(dirname(file), '__tickfold_bundle.js'),
      // a package written as CommonJS requires Node's modules at run time: give the bundle a
      // require (from the strategy's place), as the file itself would have had
      banner: { js: `import { createRequire as __tickfoldCreateRequire } from 'node:module'; const require = __tickfoldCreateRequire(${JSON.stringify(file)});` },
      // 'tickfold' itself is this install's, imported as it is (a copy of the engine inside the
      // strategy would be another engine; the threads may read the install)
      plugins: [
        {
          name: 'tickfold-itself',
          setup(b) {
            b.onResolve({ filter: /^tickfold(\/strategies)?$/ }, (a) => ({ path: pathToFileURL(a.path === 'tickfold' ? INSTALL.main : INSTALL.strategies).href, external: true }));
          },
        },
      ],
    });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location?: { file: string; line: number; column: number; lineText: string } | null }[] }).errors ?? [];
    const first = errors[0];
    if (!first) throw new UsageError(`cannot load ${what} ${spec}: ${(e as Error).message}`);
    const missing = /Could not resolve "([^"]+)"/.exec(first.text)?.[1];
    const at = first.location ? `${resolve(dirname(file), first.location.file)}:${first.location.line}:${first.location.column + 1}` : '';
    if (missing !== undefined && !missing.startsWith('.') && !missing.startsWith('/')) {
      const pkg = missing
        .split('/')
        .slice(0, missing.startsWith('@') ? 2 : 1)
        .join('/');
      throw new UsageError(
        `cannot load ${what} ${spec}: it imports '${missing}', which is not installed where the ${what} is; install it next to the ${what} (cd ${dirname(file)} && npm install ${pkg})` +
          (missing === 'tickfold' ? `, or import only types from it (import type { ${MODULE_TYPE[what]} } from 'tickfold' needs nothing installed)` : '') +
          (at ? ` (at ${at})` : ''),
      );
    }
    throw new UsageError(`cannot load ${what} ${spec}: ${at ? `${at}: ` : ''}${first.text}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }
  const imports = new Set<string>();
  for (const [path, input] of Object.entries(r.metafile.inputs)) {
    if (/(^|[\\/])node_modules[\\/]/.test(path)) continue; // a package's own imports are its business
    for (const i of input.imports) imports.add(i.original ?? i.path);
  }
  return { code: r.outputFiles![0]!.text, imports: [...imports].sort() };
}
