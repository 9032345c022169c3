/**
 * Rows skipped by `--on-bad-row skip` are said (issue 27, point 3): the text of run, walk-forward
 * and compare says how many, of which file, and the first reason; the JSON carries them; more than
 * 1% of a file skipped is a WARNING on stderr, from every command that loads data.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataNoteLines, dataWarnings } from '../../src/report/data-notes.js';
import { fixture, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const d = tempDir();
copyFileSync(fixture('load/eurusd_quotes_crossed_2pct.csv'), join(d, 'eurusd.csv'));
copyFileSync(fixture('load/eurusd_quotes_crossed_03pct.csv'), join(d, 'eurusd_few.csv'));
const SKIP = ['--on-bad-row', 'skip', '--no-cache'];
// the first crossed quote of the fixture: line 51 (the 50th data row), bid in column 5
const SAID = /skipped +20 of 1,000 rows of eurusd\.csv \(2\.0%\), as bad \(--on-bad-row skip\); the first: line 51:\d+: crossed quote: bid 1\.\d+ > ask 1\.\d+/;
const WARNED = /^tickfold: WARNING: 20 of 1,000 rows \(2\.0%\) of eurusd\.csv were skipped as bad \(--on-bad-row skip\), and the results leave them out; the first: line 51:\d+: crossed quote/m;

describe('a quote feed with 2% crossed quotes, read with --on-bad-row skip', () => {
  it('run: the text says 20 of 1,000 rows of eurusd.csv were skipped and why; stderr warns', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'eurusd.csv', ...SKIP], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data {5}980 events/);
    expect(r.stdout).toMatch(SAID);
    expect(r.stderr).toMatch(WARNED);
    const j = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'eurusd.csv', '--json', '-', ...SKIP], d);
    const m = (JSON.parse(j.stdout) as { manifest: { skippedRows: unknown } }).manifest;
    expect(m.skippedRows).toEqual([{ file: 'eurusd.csv', skipped: 20, of: 1000, first: { line: 51, reason: expect.stringMatching(/^line 51:\d+: crossed quote/) } }]);
    // with --json - the warning still reaches the user
    expect(j.stderr).toMatch(WARNED);
  });

  it('walk-forward and compare: the same line in their text', async () => {
    const wf = await runCliIn(['walk-forward', '--strategy', 'momentum', '--data', 'eurusd.csv', '--train', '10m', '--test', '5m', '--no-ledger', '--workers', '1', ...SKIP], d);
    expect(wf.code).toBe(0);
    expect(wf.stdout).toMatch(SAID);
    expect(wf.stderr).toMatch(WARNED);
    const cmp = await runCliIn(['compare', '--strategies', 'momentum', '--data', 'eurusd.csv', '--split', '0.6', '--no-ledger', '--workers', '1', ...SKIP], d);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(SAID);
    expect(cmp.stderr).toMatch(WARNED);
  });

  it('check, data inspect and data convert say it too (check on stderr), warning included', async () => {
    const chk = await runCliIn(['check', '--strategy', 'buy-and-hold', '--data', 'eurusd.csv', ...SKIP], d);
    expect(chk.stderr).toMatch(/^tickfold: skipped 20 of 1,000 rows of eurusd\.csv \(2\.0%\)/m);
    expect(chk.stderr).toMatch(WARNED);
    const ins = await runCliIn(['data', 'inspect', 'eurusd.csv', ...SKIP], d);
    expect(ins.stdout).toMatch(/bad rows: 20/);
    expect(ins.stderr).toMatch(WARNED);
    const conv = await runCliIn(['data', 'convert', 'eurusd.csv', 'eurusd.parquet', ...SKIP], d);
    expect(conv.code).toBe(0);
    expect(conv.stdout).toMatch(SAID);
    expect(conv.stderr).toMatch(WARNED);
  });

  it('0.3% skipped: said in the text, no warning', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'eurusd_few.csv', ...SKIP], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped +3 of 1,000 rows of eurusd_few\.csv \(0\.3%\), as bad \(--on-bad-row skip\); the first: line 334:/);
    expect(r.stderr).not.toMatch(/WARNING/);
  });

  it('nothing skipped: nothing said; exactly 1%: no warning, above it: one', () => {
    expect(dataNoteLines({ skippedRows: [], leftOut: [] }, 9)).toEqual([]);
    expect(dataWarnings({ skippedRows: [{ file: 'f.csv', skipped: 10, of: 1000, first: null }], leftOut: [] })).toEqual([]);
    expect(dataWarnings({ skippedRows: [{ file: 'f.csv', skipped: 11, of: 1000, first: null }], leftOut: [] })).toHaveLength(1);
  });
});
