/**
 * The trial ledger: trials recorded once (a rerun adds none), DSR's N and V from every trial on
 * the same data, safe with two writers at once, after a kill -9 mid-write, and a damaged file
 * reported with the fix and left as it was.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger, LedgerError, type LedgerTrial } from '../../src/ledger/ledger.js';
import { pairsWalkForward, ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const trial = (k: string, strategy = 'pairs', isSharpe = 0.1, data = 'd1'): LedgerTrial => ({
  key: k,
  dataHash: data,
  strategy,
  moduleHash: 'm',
  params: '{}',
  scheme: '{}',
  execution: '{}',
  command: 'test',
  isSharpe,
  periods: 3,
  returns: Float64Array.from([0.01, -0.02, 0.005]),
});

describe('trial ledger', () => {
  it('records a trial once; counts the trials on one data set for the strategies asked; keeps the returns', () => {
    const p = join(tempDir(), 'sub', 'l.sqlite');
    const l = Ledger.open(p);
    expect(l.record([trial('a'), trial('b', 'pairs', 0.2), trial('c', 'linreg', NaN), trial('x', 'pairs', 0.3, 'd2')])).toBe(4);
    expect(l.record([trial('a'), trial('b')])).toBe(0);
    expect(l.population('d1', ['pairs'])).toEqual({ trials: 2, sharpes: [0.1, 0.2] });
    expect(l.population('d1', ['pairs', 'linreg']).trials).toBe(3);
    const shown = l.show('c')!;
    expect(Array.from(shown.returns)).toEqual(Array.from(Float32Array.from([0.01, -0.02, 0.005])));
    expect(shown.isSharpe).toBeNaN();
    expect(l.forget({ strategy: 'linreg' })).toBe(1);
    expect(l.rows()).toHaveLength(3);
    l.close();
  });

  it("V's Sharpes are per the command's period: one recorded at another period is converted (x sqrt of the ratio), one recorded without its period is taken as it is; an older ledger gains the column", () => {
    const p = join(tempDir(), 'periods.sqlite');
    // a ledger of schema 1 as written before the period was stored
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (p: string) => { exec(q: string): void; prepare(q: string): { all(): { name: string }[] }; close(): void };
    const old = new Database(p);
    old.exec(`CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL); INSERT INTO meta VALUES ('schema', '1');
      CREATE TABLE trials (key TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, data_hash TEXT NOT NULL, strategy TEXT NOT NULL,
        module_hash TEXT NOT NULL, params TEXT NOT NULL, scheme TEXT NOT NULL, execution TEXT NOT NULL,
        command TEXT NOT NULL, is_sharpe REAL, periods INTEGER NOT NULL, returns BLOB NOT NULL);
      INSERT INTO trials VALUES ('o', 't', 'd1', 'pairs', 'm', '{}', '{}', '{}', 'old', 0.5, 3, x'00');`);
    old.close();
    const l = Ledger.open(p);
    const m15 = 15 * 60e6;
    const h1 = 60 * 60e6;
    expect(
      l.record([
        { ...trial('a', 'pairs', 0.1), periodUs: m15 },
        { ...trial('b', 'pairs', 0.3), periodUs: h1 },
      ]),
    ).toBe(2);
    // rows in key order: a (15m), b (1h), o (no period)
    expect(l.population('d1', ['pairs'])).toEqual({ trials: 3, sharpes: [0.1, 0.3, 0.5] });
    expect(l.population('d1', ['pairs'], h1)).toEqual({ trials: 3, sharpes: [0.1 * 2, 0.3, 0.5] });
    expect(l.population('d1', ['pairs'], m15)).toEqual({ trials: 3, sharpes: [0.1, 0.3 * Math.sqrt(0.25), 0.5] });
    l.close();
    const cols = new Database(p);
    expect(
      cols
        .prepare('PRAGMA table_info(trials)')
        .all()
        .map((c) => c.name),
    ).toContain('period_us');
    cols.close();
  });

  it('DSR counts every trial on this data: a second command with a smaller grid still deflates by all of them; --fresh and --no-ledger count its own', async () => {
    const d = tempDir();
    const ledger = join(d, 'l.sqlite');
    const wf = async (grid: string, ...more: string[]) => {
      const r = await runCliIn(pairsWalkForward(grid, '--baselines', 'flat', '--json', join(d, 'r.json'), ...more), d, { TICKFOLD_LEDGER: ledger });
      expect(r.code, r.stderr).toBe(0);
      const rep = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
      return { out: r.stdout, of: rep.strategies[0].overfitting, manifest: rep.manifest };
    };
    const first = await wf('1.5,2,2.5');
    expect(first.of.configurations).toBe(3);
    const second = await wf('1.5,3');
    expect(second.out).toMatch(/this command: 2 candidate trials; ledger: 4 on this data \(1 new; .*l\.sqlite\), DSR counts them all/);
    expect(second.of).toMatchObject({ configurations: 4, commandConfigurations: 2, ledgerConfigurations: 4 });
    expect((await wf('1.5,3', '--fresh')).of).toMatchObject({ configurations: 2, commandConfigurations: 2 });
    const none = await wf('1.5,3', '--no-ledger');
    expect(none.of).toMatchObject({ configurations: 2, ledgerConfigurations: null });
    expect(none.out).toMatch(/; no ledger/);
    // the same command again adds nothing, and its report is the same bytes
    const again = readFileSync(join(d, 'r.json'));
    await wf('1.5,3', '--no-ledger');
    expect(readFileSync(join(d, 'r.json')).equals(again)).toBe(true);
    // tickfold ledger list / export / forget
    const list = await runCliIn(['ledger', 'list', '--ledger', ledger], d);
    expect(list.stdout).toMatch(/4 trials[\s\S]*pairs +4/);
    const ex = await runCliIn(['ledger', 'export', '--ledger', ledger, '--format', 'csv', '--out', '-'], d);
    expect(ex.stdout.trim().split('\n')).toHaveLength(5);
    expect(ex.stdout.split('\n')[0]).toBe('key,recordedAt,dataHash,strategy,moduleHash,command,params,scheme,execution,isSharpe,periods');
    expect((await runCliIn(['ledger', 'forget', '--ledger', ledger], d)).stderr).toMatch(/needs --data-hash, --strategy or --all/);
    expect((await runCliIn(['ledger', 'forget', '--ledger', ledger, '--all'], d)).stdout).toMatch(/forgot 4 trials/);
  });

  it("ledger forget --data-hash '_' or '%' deletes nothing: a prefix is plain hex, never a LIKE pattern; a real prefix deletes its own trials only", async () => {
    const d = tempDir();
    const ledger = join(d, 'l.sqlite');
    const h1 = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
    const h2 = 'ffeeddccbbaa00112233445566778899aabbccdd';
    const l = Ledger.open(ledger);
    // 14 trials on two data sets (as issue 29 found them: '_' deleted all 14)
    l.record([...Array.from({ length: 10 }, (_, k) => trial(`k${k}`, 'pairs', 0.1, h1)), ...Array.from({ length: 4 }, (_, k) => trial(`m${k}`, 'linreg', 0.2, h2))]);
    // the library: '_' and '%' are characters to compare, not wildcards
    expect(l.rows({ dataHash: '_' })).toHaveLength(0);
    expect(l.rows({ dataHash: '%' })).toHaveLength(0);
    expect(l.rows({ dataHash: 'a1_2' })).toHaveLength(0);
    expect(l.show('_')).toBeUndefined();
    expect(l.show('k_')).toBeUndefined();
    expect(l.rows({ dataHash: 'a1b2' })).toHaveLength(10);
    l.close();
    for (const bad of ['_', '%', 'a1%', '']) {
      const r = await runCliIn(['ledger', 'forget', '--ledger', ledger, '--data-hash', bad], d);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--data-hash '.*': a hash prefix is hexadecimal \(0-9, a-f\)/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await runCliIn(['ledger', 'show', '--ledger', ledger, '_'], d)).code).toBe(2);
    expect((await runCliIn(['ledger', 'list', '--ledger', ledger], d)).stdout).toMatch(/14 trials/);
    // a true prefix (any case) forgets that data's trials, and only those
    const ok = await runCliIn(['ledger', 'forget', '--ledger', ledger, '--data-hash', 'FFEE'], d);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/forgot 4 trials/);
    expect((await runCliIn(['ledger', 'list', '--ledger', ledger], d)).stdout).toMatch(/10 trials[\s\S]*a1b2c3d4e5f6 +pairs +10/);
  });

  const writer = (path: string, tag: string, batches: number, size: number): string => `
    const { Ledger } = await import(${JSON.stringify(join(ROOT, 'dist/src/ledger/ledger.js'))});
    const l = Ledger.open(${JSON.stringify(path)});
    for (let b = 0; b < ${batches}; b++) {
      const rows = Array.from({ length: ${size} }, (_, k) => ({ key: '${tag}-' + b + '-' + k, dataHash: 'd', strategy: 's', moduleHash: 'm', params: '{}', scheme: '{}', execution: '{}', command: 'w', isSharpe: 0.1, periods: 500, returns: new Float64Array(500).fill(b) }));
      l.record(rows);
      if (b === 0) process.stdout.write('started\\n');
    }
    l.close();`;

  it('two processes writing at once: every trial of both is there', async () => {
    const p = join(tempDir(), 'l.sqlite');
    Ledger.open(p).close();
    const run = (tag: string): Promise<number> => new Promise((res) => spawn(process.execPath, ['--input-type=module', '-e', writer(p, tag, 150, 20)], { stdio: 'ignore' }).on('exit', (c) => res(c ?? -1)));
    expect(await Promise.all([run('a'), run('b')])).toEqual([0, 0]);
    const l = Ledger.open(p);
    expect(l.rows()).toHaveLength(2 * 150 * 20);
    l.close();
  });

  it('a process killed (kill -9) mid-write leaves a consistent ledger: whole batches only', async () => {
    const p = join(tempDir(), 'l.sqlite');
    const child = spawn(process.execPath, ['--input-type=module', '-e', writer(p, 'k', 1_000_000, 50)], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise<void>((res) => child.stdout.once('data', () => res()));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const l = Ledger.open(p); // opens: the integrity check passes
    const n = l.rows().length;
    expect(n).toBeGreaterThan(0);
    expect(n % 50).toBe(0);
    l.close();
  });

  it('a damaged file (or one that is not a ledger) is reported with the fix and left as it was', async () => {
    const d = tempDir();
    const p = join(d, 'l.sqlite');
    writeFileSync(p, 'ts,symbol,price\n2024-01-01,A,1\n'.repeat(200));
    const before = readFileSync(p);
    expect(() => Ledger.open(p)).toThrow(LedgerError);
    expect(() => Ledger.open(p)).toThrow(/damaged or not a ledger[\s\S]*fix: move it aside \(mv .*l\.sqlite .*\.damaged\)/);
    const r = await runCliIn(['walk-forward', '--strategy', 'pairs', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--ledger', p, '--no-cache'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the trial ledger is damaged or not a ledger/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(p).equals(before)).toBe(true);
    // a ledger with pages overwritten in the middle
    const q = join(d, 'm.sqlite');
    const l = Ledger.open(q);
    for (let b = 0; b < 20; b++) l.record(Array.from({ length: 50 }, (_, k) => trial(`t${b}-${k}`)));
    l.close();
    const bytes = readFileSync(q);
    bytes.fill(0x5a, 4096, 4096 * 3);
    writeFileSync(q, bytes);
    expect(() => Ledger.open(q)).toThrow(/damaged|malformed|cannot use/);
  });
});

describe('ledger export for tickfold overfit', () => {
  it("--format returns writes the trials' returns as a matrix that tickfold overfit reads", async () => {
    const d = tempDir();
    const ledger = join(d, 'l.sqlite');
    const r = await runCliIn(pairsWalkForward('1.5,2,2.5', '--baselines', 'flat', '--quiet', '--ledger', ledger), d);
    expect(r.code, r.stderr).toBe(0);
    const ex = await runCliIn(['ledger', 'export', '--ledger', ledger, '--format', 'returns', '--out', 'm.csv'], d);
    expect(ex.code, ex.stderr).toBe(0);
    const lines = readFileSync(join(d, 'm.csv'), 'utf8').trim().split('\n');
    expect(lines[0]!.split(',')).toHaveLength(3);
    expect(lines[0]).toMatch(/pairs entry=1\.5 every=10s/);
    const o = await runCliIn(['overfit', '--returns', 'm.csv', '--periods-per-year', '98280', '--partitions', '8'], d);
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toMatch(new RegExp(`^3 trials × ${lines.length - 1} periods`));
  });
});
