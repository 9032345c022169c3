/**
 * Worker threads get the process's Node options less those Node refuses for a thread
 * (src/exec-argv.ts): `node --max-old-space-size=... tickfold run ...`, the usual way to give a
 * large run more heap, ended with an internal error (ERR_WORKER_INVALID_EXEC_ARGV) where the
 * backtest pool or the parse threads started.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { threadOptions } from '../../src/exec-argv.js';
import { ROOT } from '../helpers.js';

describe("the process's Node options, as worker threads take them", () => {
  it('V8 and whole-process options are left out, the others kept in their order', () => {
    expect(threadOptions([])).toEqual([]);
    expect(threadOptions(['--enable-source-maps', '--no-warnings'])).toEqual(['--enable-source-maps', '--no-warnings']);
    expect(threadOptions(['--max-old-space-size=256', '--enable-source-maps', '--expose-gc', '--stack-size=2000', '--no-warnings', '--title=x'])).toEqual(['--enable-source-maps', '--no-warnings']);
  });

  it('node --max-old-space-size=... --expose-gc tickfold run and walk-forward: they run (the threads without those options)', () => {
    const data = join(ROOT, 'data/sample_pair_quotes.csv');
    for (const args of [
      ['run', '--strategy', 'flat', '--data', data, '--no-cache', '--quiet'],
      ['walk-forward', '--strategy', 'momentum', '--data', data, '--train', '1h', '--test', '30m', '--workers', '2', '--quiet'],
    ]) {
      const r = spawnSync(process.execPath, ['--max-old-space-size=1024', '--expose-gc', join(ROOT, 'bin/tickfold'), ...args], { encoding: 'utf8' });
      expect([r.status, r.stderr], args[0]).toEqual([0, '']);
    }
  });
});
