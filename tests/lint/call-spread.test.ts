/**
 * No spread of an array into a call's arguments in src/ or strategies/ (`Math.max(...x)`,
 * `out.push(...rows)`, `String.fromCharCode(...bytes)`, `f(a, ...b)`): each spread argument is one
 * stack slot, so an array whose length depends on the data (2,000,000 trades' returns) throws
 * "Maximum call stack size exceeded" at the end of a run that did all its work (issue 27, point 6).
 * Use the loops of src/arrays.ts (maxOf, minOf, pushAll) instead. Array literals (`[...a]`),
 * object spreads and rest parameters are not calls and are allowed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { codeOnly } from './code-only.js';

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Offsets of `...` that spread into a call's arguments (not array literals, objects or rest parameters). */
export function callSpreads(code: string): number[] {
  const found: number[] = [];
  for (let at = code.indexOf('...'); at >= 0; at = code.indexOf('...', at + 3)) {
    // the bracket that encloses it
    let depth = 0;
    let k = at - 1;
    for (; k >= 0; k--) {
      const c = code[k]!;
      if (c === ')' || c === ']' || c === '}') depth++;
      else if (c === '(' || c === '[' || c === '{') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (k < 0 || code[k] !== '(') continue;
    // a call: `name(`, `f()(`, `a[0](`, `f<T>(`; not `if (`, `for (` or a bare parenthesis
    let b = k - 1;
    while (b >= 0 && /\s/.test(code[b]!)) b--;
    const before = code.slice(Math.max(0, b - 8), b + 1);
    // the matching ')' and what follows: `=>`, `{` or `:` make it a parameter list
    let d = 0;
    let e = k;
    for (; e < code.length; e++) {
      const c = code[e]!;
      if (c === '(' || c === '[' || c === '{') d++;
      else if (c === ')' || c === ']' || c === '}') {
        d--;
        if (d === 0) break;
      }
    }
    const after = code.slice(e + 1).trimStart();
    // a parameter list: followed by `=>` or a body, or its rest parameter typed (`...a: T[]`)
    if (after.startsWith('=>') || after.startsWith('{') || /^\.\.\.[\w$]+\s*:/.test(code.slice(at))) continue;
    if (!/[\w$)\]>]$/.test(before)) continue;
    if (/(^|[^\w$])(if|for|while|switch|return|typeof|await|of|in)$/.test(before)) continue;
    found.push(at);
  }
  return found;
}

describe('no spread of an array into call arguments (issue 27, point 6)', () => {
  it('the scanner finds Math.max(...x), push(...x) and fromCharCode(...x), and passes literals, objects and rest parameters', () => {
    const bad = ['Math.max(...x)', 'out.push(...rows)', 'String.fromCharCode(...bytes)', 'Math.min(0, ...xs.map((v) => v))', 'f(a)(...b)', 'Buffer.concat([h, ...c])', 'const s = `${`${f(`x`)}`}`; Math.max(...x)'];
    expect(bad.map((s) => callSpreads(codeOnly(s)).length)).toEqual([1, 1, 1, 1, 1, 0, 1]);
    const ok = [
      'const a = [...x];',
      'const o = { ...p };',
      'const f = (...a: unknown[]) => a;',
      'function g(...a: number[]): void {}',
      'type F = (...a: unknown[]) => unknown;',
      "const s = 'Math.max(...x)';",
      '// Math.max(...x)',
      'const t = `${n} Math.max(...x)`;',
      'const u = `${`a${b}`} Math.max(...x)`;',
      "const r = s.replace(/[\"`']/g, 'Math.max(...x)');",
    ];
    expect(ok.map((s) => callSpreads(codeOnly(s)).length)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('src/ and strategies/ spread no array into a call', () => {
    const hits: string[] = [];
    for (const f of [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'strategies'))]) {
      const src = readFileSync(f, 'utf8');
      for (const at of callSpreads(codeOnly(src))) {
        const line = src.slice(0, at).split('\n').length;
        hits.push(`${relative(ROOT, f)}:${line}: ${src.split('\n')[line - 1]!.trim()}`);
      }
    }
    expect(hits).toEqual([]);
  });
});
