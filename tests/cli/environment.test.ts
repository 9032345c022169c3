/**
 * Errors of the environment are not bugs: an output folder that cannot be written (checked before
 * any work), a dangling or looping link in a data folder, more than 65,535 symbols. Each used to
 * print "internal error (a bug in tickfold)"; each is now a clear message and exit 2.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const QUOTES = join(ROOT, 'data/sample_pair_quotes.csv');

describe('environment errors: a clear message, exit 2', () => {
  it('an output under a file is refused before any work: no trial recorded', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'notadir'), 'x');
    const ledger = join(d, 'ledger', 'trials.sqlite');
    const r = await runCliIn(['walk-forward', '--strategy', 'pairs', '--data', QUOTES, '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--workers', '1', '--json', join(d, 'notadir/out/report.json')], d, { TICKFOLD_LEDGER: ledger });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`--json ${join(d, 'notadir/out/report.json')}: ${join(d, 'notadir')} is a file, not a folder (ENOTDIR); nothing was run`);
    expect(r.stderr).not.toContain('internal error');
    expect(existsSync(ledger)).toBe(false); // no work, no trials
  });

  it('a dangling link in a data folder names the link and its target', async () => {
    const d = tempDir();
    mkdirSync(join(d, 'data'));
    copyFileSync(QUOTES, join(d, 'data/quotes.csv'));
    symlinkSync(join(d, 'gone.csv'), join(d, 'data/old.csv'));
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'data', '--no-cache'], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`data/old.csv: is a symbolic link to ${join(d, 'gone.csv')}, which does not exist (a dangling link)`);
    expect(r.stderr).not.toContain('internal error');
  });

  it('a link in a loop is said as one', async () => {
    const d = tempDir();
    mkdirSync(join(d, 'data'));
    copyFileSync(QUOTES, join(d, 'data/quotes.csv'));
    symlinkSync('loop.csv', join(d, 'data/loop.csv'));
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'data', '--no-cache'], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('data/loop.csv: is a symbolic link in a loop');
  });

  it('more than 65,535 symbols: a data error naming the file and the first symbol over', async () => {
    const d = tempDir();
    const rows = ['ts,symbol,price,size'];
    for (let k = 0; k <= 65_535; k++) rows.push(`2024-01-02T14:30:${String(k % 60).padStart(2, '0')}Z,S${k},1,1`);
    // times must not go backwards: one second apart per symbol block
    const sorted = rows.slice(1).map((r, k) => r.replace(/^[^,]+/, new Date(Date.UTC(2024, 0, 2) + k * 1000).toISOString()));
    writeFileSync(join(d, 'many.csv'), [rows[0], ...sorted].join('\n') + '\n');
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'many.csv', '--no-cache'], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/many\.csv: more than 65,535 symbols in one file/);
    expect(r.stderr).toContain('S65535');
    expect(r.stderr).not.toContain('internal error');
  });
});
