/**
 * A --param key given twice with two values is refused (exit 2, both values named), as --grid and
 * --columns refuse theirs; before, the last one won and the first was dropped without a word.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseParamPairs } from '../../src/strategy/params.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describe('--param given twice', () => {
  it('two values of one key are refused; the same value twice is one', () => {
    expect(() => parseParamPairs(['lookback=5', 'lookback=7'])).toThrow(/--param gives 'lookback' twice \(lookback=5, then lookback=7\); give it once/);
    expect(parseParamPairs(['lookback=5', 'every=1m', 'lookback=5'])).toEqual({ lookback: '5', every: '1m' });
  });

  it('run refuses it with exit 2 before any work', async () => {
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--param', 'lookback=5', '--param', 'momentum.lookback=7', '--no-cache'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--param gives 'lookback' twice \(lookback=5, then lookback=7\)/);
  });
});
