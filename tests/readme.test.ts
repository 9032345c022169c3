import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, ROOT, runCli } from './helpers.js';
import { runCliIn } from './cli-harness.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README examples run as written', () => {
  it('the "Write your own strategy" module runs through tickfold run', () => {
    const code = /```ts\n(\/\/ my-strategy\.ts\n[\s\S]*?)```/.exec(readme)?.[1];
    expect(code).toBeDefined();
    // inside this package, where `import ... from 'tickfold'` resolves as where tickfold is installed
    const d = join(ROOT, 'out', 'readme-strategy-run');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'my-strategy.ts'), code!);
    const r = runCli(['run', '--strategy', './my-strategy.ts', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--param', 'maxSpreadBps=3', '--no-cache', '--json', 'r.json'], d);
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('tickfold run: spread-watch maxSpreadBps=3');
    const rep = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
    expect(rep.metrics.fills).toBeGreaterThan(0);
  });
  it('the "Write your own strategy" module type-checks under strict, its parameters typed by defineStrategy (issue 27, point 14)', () => {
    const code = /```ts\n(\/\/ my-strategy\.ts\n[\s\S]*?)```/.exec(readme)![1]!;
    // typed parameters: defineStrategy, and no cast of a parameter
    expect(code).toMatch(/export default defineStrategy\(\{/);
    expect(code).not.toMatch(/ as (number|string|boolean)\b/);
    const d = join(ROOT, 'out', 'readme-strategy-typecheck');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'my-strategy.ts'), code);
    const strict = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--noUncheckedIndexedAccess', '--exactOptionalPropertyTypes'];
    // and a wrong use of the typed parameter is a compile error: both files in one run of tsc (one
    // load of tickfold's types), the module without an error, the wrong use with exactly its own
    writeFileSync(join(d, 'wrong.ts'), code.replace('bps < p.maxSpreadBps', 'p.maxSpreadBps.startsWith("x")'));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...strict, join(d, 'my-strategy.ts'), join(d, 'wrong.ts')], { encoding: 'utf8' });
    const errors = tsc.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(
      errors.filter((l) => !l.includes('wrong.ts(')),
      tsc.stdout + tsc.stderr,
    ).toEqual([]);
    expect(errors, tsc.stdout).toHaveLength(1);
    expect(errors[0]).toMatch(/Property 'startsWith' does not exist on type 'number'/);
  });
  it('the execution section lists every model and every parameter', async () => {
    const { MODELS } = await import('../src/broker/models/index.js');
    const section = readme.slice(readme.indexOf('### How orders fill'), readme.indexOf('### Strategies'));
    for (const [slot, models] of Object.entries(MODELS)) {
      for (const m of models) {
        const row = section.split('\n').find((l) => l.startsWith(`| ${slot} | \`${m.name}\` |`));
        expect(row, `${slot}=${m.name}`).toBeDefined();
        for (const k of Object.keys(m.params)) expect(row, `${slot}.${k}`).toContain(`\`${k}\``);
      }
    }
  });
  it('the quick start is exactly the two commands', () => {
    const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quick).toBe('npm ci && npm start\nnpm test\n');
  });
});

describe('README output examples are what the commands print', () => {
  for (const [cmd, block] of [...readme.matchAll(/```\n\$ npx tickfold ([^\n]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!] as const)) {
    // an example on the real files in ../shared/data skips, saying so, on a clone without it
    const needsShared = cmd.includes('../shared/') && !HAS_SHARED;
    // `tickfold ui` serves until Ctrl-C: its first line is checked by tests/ui/server.test.ts
    if (cmd.startsWith('ui ')) continue;
    // in this process (tests/cli-harness.ts): what is tested is the output, not the process
    (needsShared ? it.skip : it)(`${cmd.split(' ').slice(0, 3).join(' ')}${needsShared ? ' [skipped: ../shared/data is absent]' : ''}`, async () => {
      const args = cmd.split(' ');
      // the validation commands on one worker thread: the default (one per core) prints the same
      // (tests/validation/walk-forward.test.ts: 1 and 2 threads give the same bytes), with a thread
      // more to start
      const threads = args[0] === 'walk-forward' || args[0] === 'compare' ? ['--workers', '1'] : [];
      const r = await runCliIn([...args, '--no-cache', ...threads], ROOT);
      expect(r.code, r.stderr).toBe(0);
      // a line `...` marks lines the README leaves out
      for (const line of block.trimEnd().split('\n')) if (line !== '...') expect(r.stdout).toContain(line);
    });
  }
});
