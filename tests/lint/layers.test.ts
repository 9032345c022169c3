/**
 * Dependencies point down (docs/ARCHITECTURE.md): a file of src/ (or strategies/) imports only
 * files of its own layer or of the layers below it. The layers, top to bottom, as the imports run:
 *
 *   index.ts (the public barrel)
 *   cli                        commander wiring
 *   ui                         `tickfold ui`: the web UI over the ledger and the reports
 *   jobs                       the use cases the CLI and the library call
 *   report                     renders what the layers below return (outcomes, records)
 *   validation, runtime, ledger, search  schemes and statistics | where backtests run | the trial ledger | samplers inside the folds
 *   strategies/                the built-in strategies, over the strategy API
 *   analysis, factor           cointegration, lead-lag | the factor report
 *   engine                     the replay
 *   broker                     the venue and its models
 *   strategy                   the strategy API, loading and the sandbox
 *   metrics                    pure measures of a run
 *   portfolio                  cash, positions and the RunRecord (below metrics, which reads it)
 *   panel                      bar matrices, rolling panels, cross-sectional helpers
 *   universe                   membership and the Avellaneda-Lee state
 *   stats                      pure numerics
 *   data                       tables, files, time
 *   errors.ts, arrays.ts, environment.ts, version.ts, atomic.ts  (used by all)
 *
 * A layer on one line may import its line-mates (validation builds tasks that runtime runs, and
 * runtime runs validation's folded strategy). `import type` counts: a type is a dependency too.
 * A new folder of src/ fails the test until it is placed here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { codeOnly } from './code-only.js';

/** Each layer's rank: a file may import ranks at or below its own. */
export const RANK: Readonly<Record<string, number>> = {
  'src/index.ts': 100,
  'src/cli': 90,
  'src/ui': 85,
  'src/jobs': 80,
  'src/report': 75,
  'src/validation': 70,
  'src/runtime': 70,
  'src/ledger': 70,
  'src/search': 70,
  strategies: 65,
  'src/analysis': 60,
  'src/factor': 60,
  'src/engine': 50,
  'src/broker': 45,
  'src/strategy': 42,
  'src/metrics': 35,
  'src/portfolio': 30,
  'src/panel': 26,
  'src/universe': 25,
  'src/stats': 20,
  'src/data': 10,
  'src/errors.ts': 0,
  'src/arrays.ts': 0,
  'src/environment.ts': 0,
  'src/version.ts': 0,
  'src/atomic.ts': 0,
  'src/exec-argv.ts': 0,
};

/** The layer of a file (path relative to the repository), or undefined outside src/ and strategies/. */
export function layerOf(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  if (parts[0] === 'strategies') return 'strategies';
  if (parts[0] !== 'src') return undefined;
  return parts.length === 2 ? file.replace(/\\/g, '/') : `src/${parts[1]}`;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.m?ts$/.test(p) && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative module specifiers a source imports (static, dynamic, re-exports), not those in comments or strings. */
export function importsOf(src: string): string[] {
  const code = codeOnly(src);
  const out: string[] = [];
  const re = /\b(?:from|import)\s*\(?\s*(['"])(\.[^'"]+)\1/g;
  for (let m = re.exec(src); m; m = re.exec(src)) {
    // the keyword must be code (a comment's or a string's text is blanked in `code`)
    if (code[m.index] === src[m.index]) out.push(m[2]!);
  }
  return out;
}

/** Every import of `files` (relative to ROOT) that points up the layers, as "file -> target (layer rank -> rank)". */
export function upImports(files: readonly string[], read: (file: string) => string): string[] {
  const bad: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    if (from === undefined) continue;
    const rank = RANK[from];
    if (rank === undefined) {
      bad.push(`${file}: its layer ${from} is not in the layer order (tests/lint/layers.test.ts RANK): place it there`);
      continue;
    }
    for (const spec of importsOf(read(file))) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.m?js$/, (x) => (x === '.mjs' ? '.mts' : '.ts'));
      const to = layerOf(target);
      if (to === undefined) continue;
      const r = RANK[to];
      if (r === undefined) bad.push(`${file} -> ${target}: layer ${to} is not in the layer order`);
      else if (r > rank) bad.push(`${file} -> ${target} (${from} ${rank} imports ${to} ${r}: against the layering)`);
    }
  }
  return bad;
}

describe('imports point down the layers', () => {
  const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'strategies'))].map((f) => relative(ROOT, f));
  const read = (f: string): string => readFileSync(join(ROOT, f), 'utf8');

  it('scans the sources it should (every layer has files, imports are found)', () => {
    const layers = new Set(files.map(layerOf));
    for (const l of ['src/cli', 'src/validation', 'src/runtime', 'src/engine', 'src/broker', 'src/data', 'strategies']) expect(layers.has(l)).toBe(true);
    expect(importsOf(read('src/runtime/pool.ts'))).toContain('./tasks.js');
  });

  it('no file of src/ or strategies/ imports a layer above its own', () => {
    expect(upImports(files, read)).toEqual([]);
  });

  it('finds an import against the layering (static, dynamic, type-only; not in a comment)', () => {
    const fake: Record<string, string> = {
      'src/engine/a.ts': "import { TaskRunner } from '../runtime/pool.js';\n",
      'src/strategy/b.ts': "const m = await import('../../strategies/index.js');\n",
      'src/data/c.ts': "import type { X } from '../report/html.js';\n",
      'src/stats/d.ts': "/** see import('../engine/engine.js') */\n// import { x } from '../cli/main.js';\nexport const s = \"from '../cli/main.js'\";\n",
      'src/runtime/e.ts': "import { folded } from '../validation/folded.js';\nimport { x } from '../engine/engine.js';\n",
      'src/newlayer/f.ts': 'export {};\n',
    };
    const found = upImports(Object.keys(fake), (f) => fake[f]!);
    expect(found).toEqual([
      'src/engine/a.ts -> src/runtime/pool.ts (src/engine 50 imports src/runtime 70: against the layering)',
      'src/strategy/b.ts -> strategies/index.ts (src/strategy 42 imports strategies 65: against the layering)',
      'src/data/c.ts -> src/report/html.ts (src/data 10 imports src/report 75: against the layering)',
      'src/newlayer/f.ts: its layer src/newlayer is not in the layer order (tests/lint/layers.test.ts RANK): place it there',
    ]);
  });
});
