/**
 * `--universe` on `walk-forward` and `compare`: read before any work (a bad row exits 2 naming
 * file, line and column), the symbols of the file not in the data noted; the universe baseline
 * (equal-weight-members, random-long-short) run beside the naive ones.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const DATA = join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv');

describe('walk-forward and compare --universe', () => {
  it('a walk-forward runs point in time; a symbol of the file not in the data is noted', async () => {
    const members = join(tempDir(), 'members.csv');
    writeFileSync(members, 'symbol,from,to,delisting_return\nCAC,1991-07-01,1998-08-14,\nDAX,1991-07-01,1995-06-30,-0.5\nSMI,1993-01-04,1998-08-14,\nFTSE,1991-07-01,1998-08-14,\nXXX,1991-07-01,1992-01-01,\n');
    const r = await runCliIn(['walk-forward', '--strategy', 'buy-and-hold', '--data', DATA, '--universe', members, '--train', '365d', '--test', '365d', '--bootstrap', '200', '--workers', '1', '--no-ledger']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`1 symbol of ${members} is not in the data: XXX`);
    expect(r.stderr).not.toContain('survivorship'); // DAX leaves in 1995: written point in time
    // the file reaches the folds: DAX leaves in 1995 at -50%, SMI joins in 1993 (not so without it)
    const without = await runCliIn(['walk-forward', '--strategy', 'buy-and-hold', '--data', DATA, '--train', '365d', '--test', '365d', '--bootstrap', '200', '--workers', '1', '--no-ledger']);
    expect(without.code, without.stderr).toBe(0);
    expect(r.stdout).not.toBe(without.stdout);
    // the universe baseline runs beside the naive ones, only with a universe
    expect(r.stdout).toMatch(/\n  equal-weight-members +1 .* baseline\n/);
    expect(r.stdout).toMatch(/\n  random-long-short +1 .* baseline\n/);
    expect(without.stdout).not.toContain('equal-weight-members');
    expect(without.stdout).not.toContain('random-long-short');
  });

  it("a universe of the names alive at the data's end: warned as chosen on the same data", async () => {
    const members = join(tempDir(), 'survivors.csv');
    writeFileSync(members, 'symbol,from,to\nCAC,1991-07-01,1998-08-14\nDAX,1991-07-01,1998-08-14\nSMI,1993-01-04,1998-08-14\n');
    const r = await runCliIn(['compare', '--strategies', 'buy-and-hold', '--data', DATA, '--universe', members, '--train', '365d', '--test', '365d', '--bootstrap', '200', '--workers', '1', '--no-ledger']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`tickfold: warning: no symbol of ${members} leaves the universe before the data ends (1998-08-14): a list of the 3 names that survived to the end is chosen on the same data (survivorship bias)`);
  });

  it('compare with a bad membership row: exit 2, file:line:column, before any work', async () => {
    const members = join(tempDir(), 'members.csv');
    writeFileSync(members, 'symbol,from,to\nCAC,1991-07-01,1990-01-01\n');
    const r = await runCliIn(['compare', '--strategies', 'buy-and-hold', '--data', DATA, '--universe', members, '--train', '365d', '--test', '365d', '--no-ledger']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${members}:2:`);
    expect(r.stderr).not.toContain('plan:');
    expect(r.stderr).not.toContain('    at ');
  });
});
