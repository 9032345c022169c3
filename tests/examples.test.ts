/**
 * The documented library (README, "Use as a library"): the examples run, type-check, and work
 * from a package installed with npm, as a user would have it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.js';
import { runCliIn } from './cli-harness.js';

const node = (args: string[], cwd: string) => spawnSync(process.execPath, args, { cwd, encoding: 'utf8', maxBuffer: 16 << 20 });
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const STRICT = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--skipLibCheck', '--noUncheckedIndexedAccess', '--exactOptionalPropertyTypes'];

describe('the library examples', () => {
  it('examples/library.ts runs: load, a backtest with the default execution, walk-forward, DSR, cointegration', () => {
    const r = node(['--import', 'tsx', 'examples/library.ts'], ROOT);
    expect(r.status, r.stderr).toBe(0);
    // the same figures as the command line (README's pairs run, Johansen's oracle)
    expect(r.stdout).toContain('pairs: PnL 519.57, hit rate 61.1% of 18, Sharpe 38.42');
    expect(r.stdout).toMatch(/walk-forward: [a-z ]+; DSR \d\.\d\d, PBO \d\.\d\d, SPA p \d\.\d{3}; 5 strategies/);
    expect(r.stdout).toContain('Engle-Granger DAX on CAC: p = 0.5465, hedge 1.547');
    expect(r.stdout).toContain('Johansen: trace 46.48, 18.88, 3.97, 0.31; rank 0');
    expect(r.stdout).toContain('basket');
  });

  it('they type-check under strict settings, and a parameter used as the wrong type does not', () => {
    const d = join(ROOT, 'out', 'typing-check');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'wrong.ts'), `import { defineStrategy } from 'tickfold';\nexport default defineStrategy({ name: 'x', description: '', params: { lookback: { type: 'integer', default: 5, doc: '' } }, create(p) { const s: string = p.lookback; void s; return {}; } });\n`);
    // one run of tsc over the four (one load of tickfold's types): the examples without an
    // error, the wrong use with exactly its own
    const r = node([TSC, ...STRICT, 'examples/library.ts', 'examples/typed-params.ts', 'examples/skip-momentum.ts', join(d, 'wrong.ts')], ROOT);
    const errors = r.stdout.split('\n').filter((l) => /error TS\d+/.test(l));
    expect(
      errors.filter((l) => !l.includes('wrong.ts(')),
      r.stdout + r.stderr,
    ).toEqual([]);
    expect(errors, r.stdout).toHaveLength(1);
    expect(errors[0]).toMatch(/Type 'number' is not assignable to type 'string'/);
  });

  // in this process (tests/cli-harness.ts): what is tested is the command's output, not the process
  it('the typed strategy runs through tickfold run', async () => {
    const r = await runCliIn(['run', '--strategy', join(ROOT, 'examples/typed-params.ts'), '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^tickfold run: typed-momentum allowShort=true lookback=20 symbol=AAA/);
  });
});

describe('npm pack, installed into an empty folder', () => {
  it('npx tickfold run works, and so does the library example', () => {
    const t = tempDir();
    // --ignore-scripts: dist/ is built (global setup); a rebuild here would race the other tests' CLI runs
    const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', t], { cwd: ROOT, encoding: 'utf8' });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(t).find((f) => f.endsWith('.tgz'))!;
    const app = join(t, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    // --ignore-scripts: no native build of better-sqlite3 (the trial ledger's; neither of these uses it)
    const inst = spawnSync('npm', ['install', join(t, tgz), '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, encoding: 'utf8' });
    expect(inst.status, inst.stderr).toBe(0);
    const run = spawnSync('npx', ['tickfold', 'run', '--strategy', 'buy-and-hold', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--param', 'symbol=DAX', '--no-cache'], { cwd: app, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('PnL net        239,217.79');
    copyFileSync(join(ROOT, 'examples/library.ts'), join(app, 'library.ts'));
    const ex = node(['--import', 'tsx', 'library.ts', join(ROOT, 'data/sample_pair_quotes.csv'), join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv')], app);
    expect(ex.status, ex.stderr).toBe(0);
    expect(ex.stdout).toContain('pairs: PnL 519.57');
    // a project made by `npm init -y` (CommonJS): the example as library.mts, as README says. The
    // project is a folder inside `app`, so that its package.json (no "type": CommonJS) is the one
    // that rules library.mts, and `tickfold` resolves, as Node resolves it, to the copy installed
    // just above in app/node_modules: what differs from the ESM app is the project's module type,
    // not the install, which a second `npm install` of the same tarball repeated (~9 s of CPU)
    const cjs = join(app, 'cjs-app');
    mkdirSync(cjs);
    const init = spawnSync('npm', ['init', '-y'], { cwd: cjs, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(cjs, 'package.json'), 'utf8')).type ?? 'commonjs').toBe('commonjs');
    copyFileSync(join(ROOT, 'examples/library.ts'), join(cjs, 'library.mts'));
    const ex2 = node(['--import', 'tsx', 'library.mts', join(ROOT, 'data/sample_pair_quotes.csv'), join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv')], cjs);
    expect(ex2.status, ex2.stderr).toBe(0);
    expect(ex2.stdout).toContain('pairs: PnL 519.57');
  });
});
