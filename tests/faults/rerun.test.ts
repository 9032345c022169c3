/**
 * Reproducibility: every report's manifest lets `tickfold rerun REPORT.json` re-execute the run and
 * confirm its outputs byte for byte; a changed output or changed data is caught.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

/** A working folder with its own copy of the bundled sample data (relative paths, as a user has). */
function workspace(): string {
  const d = tempDir();
  mkdirSync(join(d, 'data'));
  for (const f of ['sample_pair_quotes.csv', 'sample_pair_trades.csv']) copyFileSync(join(ROOT, 'data', f), join(d, 'data', f));
  return d;
}

describe('tickfold rerun', () => {
  it('a run report (JSON, trades CSV, HTML) is reproduced byte for byte', async () => {
    const d = workspace();
    const made = await runCliIn(['run', '--strategy', 'pairs', '--data', 'data/sample_pair_quotes.csv', '--param', 'every=10s', '--fee', '0.5', '--json', 'out/r.json', '--trades', 'out/t.csv', '--report', 'out/r.html', '--quiet'], d);
    expect(made.code, made.stderr).toBe(0);
    const r = await runCliIn(['rerun', 'out/r.json'], d);
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/data {6}data\/sample_pair_quotes\.csv {2}sha1 [0-9a-f]{40} matches/);
    for (const f of ['out/r.json', 'out/t.csv', 'out/r.html']) expect(r.stdout).toContain(`output    ${f}: identical`);
    expect(r.stdout).toContain('reproduced: 3 of 3 outputs byte-identical');
  });

  it('a walk-forward report made with 2 workers is reproduced, and so is one made with 1 (same bytes)', async () => {
    const d = workspace();
    const args = ['walk-forward', '--strategy', 'pairs', '--data', 'data/sample_pair_quotes.csv', '--param', 'every=10s', '--grid', 'entry=1.5,2.5', '--train', '1h', '--test', '30m', '--period', '1m', '--quiet'];
    expect((await runCliIn([...args, '--workers', '2', '--json', 'out/w2.json'], d)).code).toBe(0);
    expect((await runCliIn([...args, '--workers', '1', '--json', 'out/w1.json'], d)).code).toBe(0);
    const r = await runCliIn(['rerun', 'out/w2.json'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('reproduced: 1 of 1 outputs byte-identical');
    // across worker counts: the reports differ only in the command line they record
    const strip = (f: string): string => readFileSync(join(d, f), 'utf8').replace(/"argv": \[[^\]]*\]/, '');
    expect(strip('out/w1.json')).toBe(strip('out/w2.json'));
  });

  it('an altered output is caught, with the first difference', async () => {
    const d = workspace();
    expect((await runCliIn(['run', '--strategy', 'momentum', '--data', 'data/sample_pair_quotes.csv', '--json', 'out/r.json', '--quiet'], d)).code).toBe(0);
    const p = join(d, 'out/r.json');
    writeFileSync(
      p,
      readFileSync(p, 'utf8').replace(/"pnlNet": (-?[\d.]+)/, (_, x: string) => `"pnlNet": ${Number(x) + 1}`),
    );
    const r = await runCliIn(['rerun', 'out/r.json'], d);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/output {4}out\/r\.json: DIFFERS at byte \d+, line \d+: was ".*pnlNet.*", now ".*pnlNet.*"/);
    expect(r.stderr).toContain('1 of 1 outputs differ: the run is not reproduced');
  });

  it('changed data is refused before anything runs', async () => {
    const d = workspace();
    expect((await runCliIn(['run', '--strategy', 'momentum', '--data', 'data/sample_pair_quotes.csv', '--json', 'out/r.json', '--quiet'], d)).code).toBe(0);
    appendFileSync(join(d, 'data/sample_pair_quotes.csv'), '2024-01-02T23:59:59Z,AAA,100,100.01,1,1\n');
    const r = await runCliIn(['rerun', 'out/r.json'], d);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/data file data\/sample_pair_quotes\.csv has changed since the report was made \(SHA-1 [0-9a-f]{40}, the report says [0-9a-f]{40}\)/);
  });

  it('a file that is not a report is a usage error', async () => {
    const d = workspace();
    writeFileSync(join(d, 'x.json'), '{"hello": 1}');
    const r = await runCliIn(['rerun', 'x.json'], d);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('has no command line to rerun');
  });
});
