/**
 * A strategy module file made into one self-contained ES module text on the main thread, to be
 * loaded on a sandboxed worker thread (sandbox.ts) from memory. esbuild compiles it (TypeScript
 * too) and inlines its own files and packages; only Node's built-in modules stay imports. It only
 * parses and rewrites the code: nothing of the strategy runs here.
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

export interface BundledStrategy {
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

export async function bundleStrategy(spec: string): Promise<BundledStrategy> {
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
    if (!first) throw new UsageError(`cannot load strategy ${spec}: ${(e as Error).message}`);
    const missing = /Could not resolve "([^"]+)"/.exec(first.text)?.[1];
    const at = first.location ? `${resolve(dirname(file), first.location.file)}:${first.location.line}:${first.location.column + 1}` : '';
    if (missing !== undefined && !missing.startsWith('.') && !missing.startsWith('/')) {
      const pkg = missing
        .split('/')
        .slice(0, missing.startsWith('@') ? 2 : 1)
        .join('/');
      throw new UsageError(
        `cannot load strategy ${spec}: it imports '${missing}', which is not installed where the strategy is; install it next to the strategy (cd ${dirname(file)} && npm install ${pkg})` +
          (missing === 'tickfold' ? ", or import only types from it (import type { StrategyModule } from 'tickfold' needs nothing installed)" : '') +
          (at ? ` (at ${at})` : ''),
      );
    }
    throw new UsageError(`cannot load strategy ${spec}: ${at ? `${at}: ` : ''}${first.text}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`);
  }
  const imports = new Set<string>();
  for (const [path, input] of Object.entries(r.metafile.inputs)) {
    if (/(^|[\\/])node_modules[\\/]/.test(path)) continue; // a package's own imports are its business
    for (const i of input.imports) imports.add(i.original ?? i.path);
  }
  return { code: r.outputFiles![0]!.text, imports: [...imports].sort() };
}
