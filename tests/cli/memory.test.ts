/**
 * `tickfold run --memory`: parsed once (jobs/settings.ts), a default that fits a laptop, refused
 * when it is not a size or too small for one partition per stream and the smallest block: exit 2,
 * a message that says what the replay holds and the size to give, no stack trace.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, memoryBytes } from '../../src/jobs/settings.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const data = ['data/sample_pair_quotes.csv', 'data/sample_pair_trades.csv'].map((f) => join(ROOT, f));

describe('--memory', () => {
  it('sizes in binary units; anything else refused naming the flag and the form', async () => {
    expect(DEFAULTS.memory).toBe('1g');
    expect(memoryBytes('1g')).toBe(2 ** 30);
    expect(memoryBytes('512m')).toBe(512 * 2 ** 20);
    expect(memoryBytes('1.5G')).toBe(1.5 * 2 ** 30);
    expect(memoryBytes('64kb')).toBe(64 * 2 ** 10);
    for (const bad of ['', '1', 'lots', '-1g', '0m', '1t']) expect(() => memoryBytes(bad), bad).toThrow(/--memory .*not a size; give a number with k, m or g/);
  });

  it('too small for this data: exit 2, what a streamed run holds and the size to give; a bound that holds it runs', async () => {
    const d = tempDir();
    const small = await runCliIn(['run', '--strategy', 'flat', '--data', ...data, '--cache-dir', join(d, 'cat'), '--memory', '100m', '--quiet'], d);
    expect(small.code).toBe(2);
    expect(small.stderr).toMatch(
      /--memory 100m is too small for this data: a streamed run holds the process .*, one partition per stream of the merge \(4 streams, partitions of up to [\d.]+ MB\) and up to as much again read ahead \(\d+ MB\), and a block of at least \d+ rows .*; give --memory \d+m or more/,
    );
    expect(small.stderr).not.toMatch(/\n\s+at /);
    const bad = await runCliIn(['run', '--strategy', 'flat', '--data', ...data, '--memory', 'plenty', '--quiet'], d);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--memory plenty: not a size/);
    // not streamed: --memory would go unused, so it is refused
    const held = await runCliIn(['run', '--strategy', 'flat', '--data', ...data, '--no-cache', '--memory', '2g', '--quiet'], d);
    expect(held.code).toBe(2);
    expect(held.stderr).toMatch(/--memory bounds a run streamed from the catalog; with --no-cache the data is held whole: leave out --memory/);
    const ok = await runCliIn(['run', '--strategy', 'flat', '--data', ...data, '--cache-dir', join(d, 'cat'), '--memory', '300m', '--json', join(d, 'r.json'), '--quiet'], d);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('a run that cannot be streamed says that a given --memory goes unused (and says nothing when it was not given)', async () => {
    const d = tempDir();
    const given = await runCliIn(['run', '--strategy', 'momentum', '--data', ...data, '--cache-dir', join(d, 'cat'), '--exec', 'slippage=sqrt-impact', '--memory', '500m', '--quiet'], d);
    expect(given.code).toBe(0);
    expect(given.stderr).toMatch(/tickfold: note: --memory 500m is not used: the data is held whole, since the sqrt-impact slippage model/);
    const unsaid = await runCliIn(['run', '--strategy', 'momentum', '--data', ...data, '--cache-dir', join(d, 'cat'), '--exec', 'slippage=sqrt-impact', '--quiet'], d);
    expect(unsaid.code).toBe(0);
    expect(unsaid.stderr).toBe('');
  });
});
