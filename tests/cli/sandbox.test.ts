/**
 * Strategy code runs sandboxed (src/strategy/sandbox.ts): no file but its own module, no child
 * process, no network, no process.exit, unless the user allows it; its module's top-level code and
 * create() run on a guarded worker thread, under --timeout. A module that read the data file
 * itself passed `tickfold check` 8/8 (+42% from prices 60 s ahead); one that spawned a process ran
 * it; one that looped at its top level ignored --timeout; process.exit(0) there made run,
 * walk-forward and check exit 0 with no output.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HAS_SHARED, ROOT, shared, tempDir, type CliResult } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const QUOTES = join(ROOT, 'data/sample_pair_quotes.csv');
const d = tempDir();
/** The data file a peeking module reads: the shared data when present (as in the issue), else the sample. */
const PEEKED = HAS_SHARED ? shared('oanda_eurusd_quotes_tick_20140506.csv') : QUOTES;
const module = (name: string, text: string): string => {
  writeFileSync(join(d, name), text);
  return `./${name}`;
};
// reads the data itself, by a relative path as the probe did (../shared/data from the project)
const PEEK = module(
  'peek.mjs',
  `import { readFileSync } from 'node:fs';
export default { name: 'peek', description: 'reads prices ahead', params: {}, create() { let rows = []; return {
  onStart() { rows = readFileSync(${JSON.stringify(relative(d, PEEKED))}, 'utf8').split('\\n'); },
  onTick(ctx, t) { if (rows.length < 2) throw new Error('no rows'); } }; } };\n`,
);
const SPAWN = module(
  'spawn.mjs',
  `import { execFileSync } from 'node:child_process';
export default { name: 'spawner', description: '', params: {}, create() { return { onStart() { execFileSync(process.execPath, ['-e', '1']); } }; } };\n`,
);
const NET = module('net.mjs', `import { connect } from 'node:net';\nexport default { name: 'caller', description: '', params: {}, create() { return { onStart() { connect(9, '127.0.0.1'); } }; } };\n`);
const run = async (strategy: string, ...more: string[]): Promise<CliResult> => await runCliIn(['run', '--strategy', strategy, '--data', QUOTES, '--no-cache', ...more], d);

describe('strategy code is sandboxed', () => {
  it('a module that reads the data file itself is refused, named with the file and the flag; --allow-fs allows it', async () => {
    const r = await run(PEEK);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`strategy 'peek' failed at 2024-01-02T14:30:00.003521Z: onStart tried to read ${PEEKED}: strategy code may not touch files`);
    expect(r.stderr).toContain(`allow it with --allow-fs ${PEEKED}`);
    expect(r.stdout).toBe('');
    const ok = await run(PEEK, '--allow-fs', PEEKED);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('check refuses it too (it passed 8/8), and reports what it imports', async () => {
    const r = await runCliIn(['check', '--strategy', PEEK, '--data', QUOTES, '--no-cache'], d);
    expect(r.code, r.stdout).toBe(3);
    expect(r.stderr).toMatch(/strategy 'peek' failed at \S+: onStart tried to read \S+: strategy code may not touch files/);
    const allowed = await runCliIn(['check', '--strategy', PEEK, '--data', QUOTES, '--no-cache', '--allow-fs', PEEKED], d);
    expect(allowed.stdout).toMatch(/^ {2}imports +ok: node:fs$/m);
    const spawner = await runCliIn(['check', '--strategy', SPAWN, '--data', QUOTES, '--no-cache', '--allow-child-process'], d);
    expect(spawner.stdout).toMatch(/^ {2}imports +ok: node:child_process$/m);
    // imported but not allowed: said before it runs
    const net = await runCliIn(['check', '--strategy', NET, '--data', QUOTES, '--no-cache', '--allow-net'], d);
    expect(net.stdout).toMatch(/^ {2}imports +ok: node:net$/m);
  });

  it('a module that starts a process is refused; --allow-child-process allows it', async () => {
    const r = await run(SPAWN);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain("strategy 'spawner' failed at 2024-01-02T14:30:00.003521Z: onStart tried to start a child process: strategy code may not; allow it with --allow-child-process");
    const ok = await run(SPAWN, '--allow-child-process');
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('the network is refused; --allow-net allows it', async () => {
    const r = await run(NET);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain('onStart tried to use the network (net.connect): strategy code may not; allow it with --allow-net');
    const ok = await run(NET, '--allow-net');
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a TypeScript module and its own helper files load (bundled; nothing to allow)', async () => {
    module('helper.ts', 'export const weight = (n: number): number => n / 2;\n');
    const ts = module('typed.ts', `import { weight } from './helper.ts';\nexport default { name: 'typed', description: '', params: {}, create() { return { onStart(ctx: { targetPercent(s: string, w: number): void }) { ctx.targetPercent('AAA', weight(1)); } }; } };\n`);
    const r = await run(ts, '--json', '-');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"strategy": "typed"');
  });
});

describe("a module's top level and create() are guarded like handlers", () => {
  const LOOP_TOP = module('loop-top.mjs', `for (;;) {}\nexport default { name: 'x', description: '', params: {}, create() { return {}; } };\n`);
  const LOOP_CREATE = module('loop-create.mjs', `export default { name: 'slowmake', description: '', params: {}, create() { for (;;) {} } };\n`);
  const EXIT_TOP = module('exit-top.mjs', `process.exit(0);\nexport default { name: 'x', description: '', params: { n: { type: 'integer', default: 1, doc: '' } }, create() { return {}; } };\n`);

  it('an endless loop at the top level or in create() meets --timeout, named', async () => {
    const top = await run(LOOP_TOP, '--timeout', '2s');
    expect(top.code, top.stderr).toBe(3);
    expect(top.stderr).toContain(`strategy ${LOOP_TOP}: did not finish within 2s (--timeout) loading its module or in create(), so the thread was stopped`);
    // the run's one instance is made where it runs (jobs/run.ts): a create() that loops is stopped there
    const make = await run(LOOP_CREATE, '--timeout', '2s');
    expect(make.code, make.stderr).toBe(3);
    expect(make.stderr).toContain(`strategy 'slowmake': did not finish within 2s (--timeout, per run); it was handling its start (create(), onStart or before the first event), so the thread was stopped`);
    const wf = await runCliIn(['walk-forward', '--strategy', LOOP_TOP, '--data', QUOTES, '--no-cache', '--train', '1h', '--test', '30m', '--timeout', '2s', '--workers', '1'], d);
    expect(wf.code, wf.stderr).toBe(3);
    expect(wf.stderr).toContain(`strategy ${LOOP_TOP}: did not finish within 2s`);
  });

  it('SIGTERM, or SIGINT, while a module loops at its top level: stopped at once (it waited for kill -9)', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const marker = join(d, `looping-${signal}`);
      // the module says it has started looping (a file it is allowed to write), then loops
      const s = module(`loop-said-${signal}.mjs`, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\nfor (;;) {}\nexport default { name: 'x', description: '', params: {}, create() { return {}; } };\n`);
      const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [join(ROOT, 'bin/tickfold'), 'run', '--strategy', s, '--data', QUOTES, '--no-cache', '--allow-fs', d], { cwd: d });
        let stderr = '';
        child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        const poll = setInterval(() => {
          if (existsSync(marker)) {
            clearInterval(poll);
            child.kill(signal);
          }
        });
        child.on('exit', (code) => {
          clearInterval(poll);
          done({ code, stderr });
        });
      });
      expect(r.code, r.stderr).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(r.stderr).toContain(`interrupted (${signal})`);
    }
  });

  it('process.exit(0) at the top level is an error naming the module in run, walk-forward and check (it was exit 0, no output)', async () => {
    const out = join(d, 'out-exit.json');
    for (const args of [
      ['run', '--strategy', EXIT_TOP, '--data', QUOTES, '--json', out],
      ['walk-forward', '--strategy', EXIT_TOP, '--data', QUOTES, '--train', '1h', '--test', '30m', '--workers', '1', '--json', out],
      ['check', '--strategy', EXIT_TOP, '--data', QUOTES, '--json', out],
    ]) {
      const r = await runCliIn([...args, '--no-cache'], d);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`strategy ${EXIT_TOP} called process.exit(0): strategy code may not end the process`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('the objects a strategy is handed hold nothing but what they show: no table (the rows ahead of the clock), no engine', async () => {
    // tick.t (the engine's table, a TypeScript `protected`) and ctx.run (the backtest, a
    // TypeScript `private`) were plain properties: tick.t.ts[tick.t.length - 1] was the day's last
    // stamp at the first tick. The module lists every own property of the tick and the context
    // that holds an object (ctx.symbols, the symbols' names, aside) and fails with what it found.
    const SNOOP = module(
      'snoop.mjs',
      `export default { name: 'snoop', description: '', params: {}, create() { return { onTick(ctx, t) {
  const found = [];
  const look = (name, o) => { for (const k of Reflect.ownKeys(o)) { const v = o[k]; if (v !== null && typeof v === 'object' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) found.push(name + '.' + String(k)); } };
  look('tick', t);
  look('ctx', ctx);
  throw new Error('found ' + JSON.stringify(found) + ' ' + typeof t.t + ' ' + typeof ctx.run);
} }; } };\n`,
    );
    for (const cache of [['--no-cache'], []]) {
      const r = await runCliIn(['run', '--strategy', SNOOP, '--data', QUOTES, ...cache], d);
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toContain('onTick threw Error: found [] undefined undefined');
    }
  });

  it("a streamed run's catalog (the cache's partitions, a generated catalog given as data) is no readable file of strategy code: it holds every future price", async () => {
    // the threads once had read access to the catalog folders to stream their rows: a module
    // read .tickfold-cache/*.tfp from onStart (now the reader thread serves the replay its files,
    // runtime/catalog-server.ts)
    const peekIn = (dir: string): string =>
      module(
        `peek-${dir.replace(/\W/g, '')}.mjs`,
        `import { readdirSync, readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport default { name: 'catalog-peek', description: '', params: {}, create() { return { onStart() { const f = readdirSync(${JSON.stringify(dir)}).find((n) => n.endsWith('.tfp')); readFileSync(join(${JSON.stringify(dir)}, f)); } }; } };\n`,
      );
    const cache = join(d, '.tickfold-cache');
    const fromCache = peekIn(cache);
    const plain = await runCliIn(['run', '--strategy', 'flat', '--data', QUOTES, '--json', 'plain.json'], d);
    expect(plain.code, plain.stderr).toBe(0);
    expect(existsSync(cache)).toBe(true);
    for (const args of [
      ['run', '--strategy', fromCache, '--data', QUOTES],
      ['walk-forward', '--strategy', fromCache, '--data', QUOTES, '--train', '1h', '--test', '30m'],
    ]) {
      const r = await runCliIn(args, d);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toContain(`onStart tried to read ${cache}: strategy code may not touch files`);
    }
    const made = await runCliIn(['data', 'generate', '--events', '2000', '--catalog', 'gen-catalog'], d);
    expect(made.code, made.stderr).toBe(0);
    const r = await runCliIn(['run', '--strategy', peekIn(join(d, 'gen-catalog')), '--data', 'gen-catalog'], d);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`onStart tried to read ${join(d, 'gen-catalog')}: strategy code may not touch files`);
    // --allow-fs still allows it, and the run streams as before
    const allowed = await runCliIn(['run', '--strategy', fromCache, '--data', QUOTES, '--allow-fs', cache], d);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it("strategy code sees no environment variable but those --allow-env names (a worker's credentials stay its own)", async () => {
    // the module says what it saw by failing with it
    const ENV = module('env.mjs', `export default { name: 'env', description: '', params: {}, create() { return { onStart() { throw new Error('saw ' + JSON.stringify(Object.keys(process.env)) + ' ' + process.env.TICKFOLD_TEST_SECRET); } }; } };\n`);
    const env = { TICKFOLD_TEST_SECRET: 's3cret', TICKFOLD_TEST_OTHER: 'x' };
    const hidden = await runCliIn(['run', '--strategy', ENV, '--data', QUOTES, '--no-cache'], d, env);
    expect(hidden.code).toBe(3);
    expect(hidden.stderr).toContain('onStart threw Error: saw [] undefined');
    const allowed = await runCliIn(['run', '--strategy', ENV, '--data', QUOTES, '--no-cache', '--allow-env', 'TICKFOLD_TEST_SECRET'], d, env);
    expect(allowed.stderr).toContain('onStart threw Error: saw ["TICKFOLD_TEST_SECRET"] s3cret');
    // a name that is not set here, or is not a name: refused before anything runs
    const unset = await runCliIn(['run', '--strategy', ENV, '--data', QUOTES, '--no-cache', '--allow-env', 'TICKFOLD_TEST_NOT_SET'], d, env);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain('--allow-env TICKFOLD_TEST_NOT_SET: no such variable is set here');
    const bad = await runCliIn(['run', '--strategy', ENV, '--data', QUOTES, '--no-cache', '--allow-env', 'A=B'], d, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--allow-env A=B: not a variable's name");
  });

  it("nor through process.report, whose report is the whole process's (its environment, its command line); nor a listening socket from net._createServerHandle", async () => {
    // both worked: getReport() gave every variable of the process (a queue worker's credentials
    // and TICKFOLD_QUEUE_KEY) to a module that saw an empty process.env, and _createServerHandle
    // (not replaced with net's other entry points) opened a port any machine could connect to
    const REPORT = module('report.mjs', `export default { name: 'report', description: '', params: {}, create() { return { onStart() { throw new Error('saw ' + process.report.getReport().environmentVariables.TICKFOLD_TEST_SECRET); } }; } };\n`);
    const got = await runCliIn(['run', '--strategy', REPORT, '--data', QUOTES, '--no-cache'], d, { TICKFOLD_TEST_SECRET: 's3cret' });
    expect(got.code).toBe(3);
    expect(got.stderr).not.toContain('s3cret');
    expect(got.stderr).toContain('onStart read process.report: strategy code may not');
    const LISTEN = module(
      'listen.mjs',
      `import { _createServerHandle } from 'node:net';\nexport default { name: 'listener', description: '', params: {}, create() { return { onStart() { const h = _createServerHandle('127.0.0.1', 0, 4); throw new Error('listening: ' + typeof h); } }; } };\n`,
    );
    const listened = await run(LISTEN);
    expect(listened.code).toBe(3);
    expect(listened.stderr).toContain('tried to use the network (net._createServerHandle)');
    expect((await run(LISTEN, '--allow-net')).stderr).toContain('listening: object');
  });
});
