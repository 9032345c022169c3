/**
 * Nothing is ever written over an input: every output path is checked before any work, through
 * the real CLI, with the files' hashes compared before and after.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const sha = (f: string): string => createHash('sha1').update(readFileSync(f)).digest('hex');
const hashes = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.csv') || f.endsWith('.mjs'))
      .map((f) => [f, sha(join(dir, f))]),
  );

/** A folder with copies of two data files and a strategy module: what a user has. */
function workspace(): string {
  const d = tempDir();
  copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(d, 'eu.csv'));
  copyFileSync(join(ROOT, 'data/sample_pair_quotes.csv'), join(d, 'quotes.csv'));
  writeFileSync(join(d, 'hold.mjs'), `export default { name: 'hold', description: '', params: {}, create() { return {}; } };\n`);
  mkdirSync(join(d, 'folder'));
  copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(d, 'folder/eu2.csv'));
  return d;
}

describe('outputs never land on inputs', () => {
  const cases: [string, string[], RegExp][] = [
    ['data inspect --json takes no data file as its output', ['data', 'inspect', '--json', 'eu.csv', 'quotes.csv'], /--json eu\.csv: the report is JSON, not a \.csv file; did you forget the file name/],
    ['run --json over its data', ['run', '--strategy', 'flat', '--data', 'eu.csv', '--json', 'eu.csv'], /--json eu\.csv: the report is JSON/],
    ['run --trades over its data', ['run', '--strategy', 'flat', '--data', 'eu.csv', '--trades', 'eu.csv'], /--trades eu\.csv is an input of this command: refusing to write over it/],
    ['run --trades over its data, named another way', ['run', '--strategy', 'flat', '--data', './folder/../eu.csv', '--trades', 'eu.csv'], /is an input of this command/],
    ['run --report over its data', ['run', '--strategy', 'flat', '--data', 'eu.csv', '--report', 'eu.csv'], /--report eu\.csv: the report is HTML/],
    ['run --trades over its strategy module', ['run', '--strategy', './hold.mjs', '--data', 'eu.csv', '--trades', 'hold.mjs'], /--trades hold\.mjs: the trades are CSV/],
    ['a .csv into a data folder it reads', ['run', '--strategy', 'flat', '--data', 'folder', '--trades', 'folder/trades.csv'], /a \.csv file in a data folder this command reads/],
    ['compare --report over its data', ['compare', '--strategies', 'flat', '--data', 'eu.csv', '--split', '0.5', '--report', 'quotes.csv'], /--report quotes\.csv: the report is HTML/],
    ['walk-forward --json followed by an option', ['walk-forward', '--json', '--strategy', 'pairs', '--data', 'eu.csv', '--split', '0.5'], /--json needs a file name, but is followed by --strategy; write e\.g\. --json out\/report\.json, or --json - for standard output/],
    ['coint --json followed by an option', ['coint', '--data', 'eu.csv', '--json', '--symbols', 'DAX,CAC'], /--json needs a file name, but is followed by --symbols/],
    ['--json last', ['data', 'inspect', 'eu.csv', '--json'], /--json needs a file name \(it is the last argument\)/],
    ['overfit --json over its matrix', ['overfit', '--returns', 'eu.csv', '--json', 'eu.csv'], /--json eu\.csv: the report is JSON/],
  ];
  for (const [name, args, re] of cases) {
    it(name, async () => {
      const d = workspace();
      const before = { ...hashes(d), ...Object.fromEntries(Object.entries(hashes(join(d, 'folder'))).map(([k, v]) => [`folder/${k}`, v])) };
      const r = await runCliIn(args, d);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const after = { ...hashes(d), ...Object.fromEntries(Object.entries(hashes(join(d, 'folder'))).map(([k, v]) => [`folder/${k}`, v])) };
      expect(after).toEqual(before);
      expect(existsSync(join(d, 'folder/trades.csv'))).toBe(false);
    });
  }

  it("data generate never writes into the bundled data/ (npm start's inputs), by default or by name", async () => {
    const before = hashes(join(ROOT, 'data'));
    for (const out of ['data', join(ROOT, 'data'), 'data/sub']) {
      const r = await runCliIn(['data', 'generate', '--out', out], ROOT);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/is tickfold's bundled data\/ folder \(npm start's inputs\): refusing to write there/);
    }
    // its default is the current folder
    const d = tempDir();
    expect((await runCliIn(['data', 'generate', '--events', '100'], d)).code).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['sample_pair_quotes.csv', 'sample_pair_trades.csv']);
    expect(hashes(join(ROOT, 'data'))).toEqual(before);
    expect(existsSync(join(ROOT, 'data/sub'))).toBe(false);
  });

  it('nor a --name with a path in it, nor the catalog (--cache-dir), nor the ledger; a ledger over an input is refused before any work', async () => {
    const before = hashes(join(ROOT, 'data'));
    const d = tempDir();
    const q = join(ROOT, 'data/sample_pair_quotes.csv');
    const cases: [string[], RegExp][] = [
      [['data', 'generate', '--out', d, '--name', '../../../' + join(ROOT, 'data/sample_pair'), '--events', '100'], /--name '.*' is a file name prefix, not a path/],
      [['run', '--strategy', 'flat', '--data', q, '--cache-dir', join(ROOT, 'data/c'), '--quiet'], /--cache-dir .* is tickfold's bundled data\/ folder/],
      [['walk-forward', '--strategy', 'flat', '--data', q, '--train', '1h', '--test', '1h', '--ledger', join(ROOT, 'data/l.sqlite'), '--quiet'], /--ledger .* is in tickfold's bundled data\/ folder/],
      [['walk-forward', '--strategy', 'flat', '--data', q, '--train', '1h', '--test', '1h', '--ledger', q, '--quiet'], /--ledger .* is an input of this command: refusing to write over it; name another file \(e\.g\. --ledger out\/ledger\.sqlite\)/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliIn(args, d);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/^plan:/m); // refused before any work
    }
    expect(hashes(join(ROOT, 'data'))).toEqual(before);
    expect(readdirSync(d)).toEqual([]);
  });

  it('no output of run may go to the bundled data/ either', async () => {
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', 'data/sample_pair_quotes.csv', '--trades', 'data/trades.csv'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bundled data\/ folder/);
    expect(existsSync(join(ROOT, 'data/trades.csv'))).toBe(false);
  });

  it('--json - prints the JSON on standard output, in every command', async () => {
    const d = workspace();
    for (const args of [
      ['data', 'inspect', 'eu.csv', '--json', '-'],
      ['coint', '--data', 'eu.csv', '--symbols', 'DAX,CAC', '--json', '-'],
      ['run', '--strategy', 'buy-and-hold', '--data', 'eu.csv', '--json', '-'],
    ]) {
      const r = await runCliIn(args, d);
      expect(r.code, r.stderr).toBe(0);
      expect(() => JSON.parse(r.stdout), args.join(' ')).not.toThrow();
    }
    // and a file, written atomically, next to nothing else
    const r = await runCliIn(['data', 'inspect', 'eu.csv', '--json', 'inspect.json'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'inspect.json'), 'utf8')).files).toHaveLength(1);
  });
});
