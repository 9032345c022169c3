/**
 * The ledger keys a data file by its content's SHA-1 whether the run read it through the catalog
 * or with --no-cache (which takes no SHA-1 of its own): a cached and a --no-cache run of one file
 * count each other's trials, and a file edited in place to the same size is other data.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describe('trial ledger: the data key with and without the catalog', () => {
  it('pools a cached and a --no-cache run of one file; an edit of the same size is new data', async () => {
    const d = tempDir();
    const file = join(d, 'eu.csv');
    copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), file);
    const ledger = join(d, 'l.sqlite');
    const wf = async (lookback: number, cache: string[], json: string): Promise<number> => {
      const args = ['walk-forward', '--strategy', 'momentum', '--data', file, '--grid', `lookback=${lookback}`, '--train', '2y', '--test', '1y', '--baselines', 'none', '--quiet', '--ledger', ledger, '--json', join(d, json), ...cache];
      const r = await runCliIn(args, d);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(join(d, json), 'utf8')) as { manifest: { ledger: { trialsOnThisData: number } } }).manifest.ledger.trialsOnThisData;
    };
    expect(await wf(10, ['--cache-dir', join(d, 'cache')], 'a.json')).toBe(1);
    // the same file, read without the catalog: the cached run's trial counts
    expect(await wf(20, ['--no-cache'], 'b.json')).toBe(2);
    // one close changed, the size kept (a fixed tick): not the data the two trials ran on
    const text = readFileSync(file, 'utf8');
    const line = text.split('\n')[500]!;
    const price = line.split(',')[2]!;
    const other = price.slice(0, -1) + (price.endsWith('1') ? '2' : '1');
    const edited = text.replace(line, line.split(price).join(other));
    expect(edited.length).toBe(text.length);
    expect(edited).not.toBe(text);
    writeFileSync(file, edited);
    expect(await wf(30, ['--no-cache'], 'c.json')).toBe(1);
  });
});
