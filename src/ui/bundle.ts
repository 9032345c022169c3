/**
 * The UI's page script: src/ui/browser/main.ts and lightweight-charts bundled by esbuild, in
 * memory, once per server (about 100 ms), minified. The browser code is TypeScript checked by its
 * own tsconfig (src/ui/browser/tsconfig.json: the DOM's types, which the Node code must not see).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The browser code's entry point: beside this file in src/, three levels up from dist/src/ui/. */
export function browserEntry(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const root of [join(here, '../..'), join(here, '../../..')]) {
    const p = join(root, 'src/ui/browser/main.ts');
    if (existsSync(p)) return p;
  }
  throw new Error(`the UI's browser code (src/ui/browser/main.ts) is not installed beside ${here}`);
}

export async function bundleBrowserCode(): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({ entryPoints: [browserEntry()], bundle: true, write: false, minify: true, format: 'iife', target: 'es2020', legalComments: 'none', logLevel: 'silent' });
  return out.outputFiles[0]!.text;
}
