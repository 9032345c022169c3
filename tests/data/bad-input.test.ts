import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { loadData } from '../../src/data/load.js';
import { fixture, runCli } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

// fixture, error code, line, column, words the message must contain
const CASES = [
  ['missing-column.csv', 'bad-header', 1, 0, ["missing column 'ask'", '--columns ask=']],
  ['unknown-column.csv', 'bad-header', 1, 22, ["unknown column 'venue'", '--columns skip=venue']],
  ['non-numeric.csv', 'not-a-number', 3, 26, ['price is not a number', '"1O1.5"']],
  ['nan.csv', 'not-finite', 3, 26, ['price must be a finite number', '"NaN"']],
  ['infinity.csv', 'not-finite', 3, 32, ['size must be a finite number', '"Infinity"']],
  ['price-zero.csv', 'non-positive-price', 3, 26, ['price must be > 0', '"0"']],
  ['negative-size.csv', 'negative-size', 3, 32, ['size must be >= 0', '"-3"']],
  ['crossed-quote.csv', 'crossed-quote', 3, 33, ['crossed quote: bid 100.05 > ask 100.02']],
  ['backwards.csv', 'time-backwards', 4, 1, ['timestamp goes backwards', '--sort']],
  ['bad-timestamp.csv', 'bad-timestamp', 3, 1, ['unparseable timestamp', '2024-13-02T14:30:01Z', 'ISO-8601']],
  ['wrong-column-count.csv', 'wrong-column-count', 3, 0, ['expected 4', 'found 3']],
  ['empty.csv', 'empty-file', 0, 0, ['file is empty', 'header line']],
  ['header-only.csv', 'no-rows', 0, 0, ['header but no data rows']],
  ['binary-garbage.csv', 'binary-file', 1, 0, ['binary', 'NUL']],
] as const;

describe('bad input: a typed error naming file, line, column, value, rule and fix', () => {
  for (const [file, code, line, column, words] of CASES) {
    it(`${file} → ${code} at line ${line}`, async () => {
      const err = await loadData([fixture(`bad/${file}`)], { cache: false }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      const de = err as DataError;
      expect(de.code).toBe(code);
      expect(de.details.line).toBe(line);
      expect(de.details.column).toBe(column);
      expect(de.details.file).toBe(fixture(`bad/${file}`));
      expect(de.message).toContain('fix: ');
      for (const w of words) expect(de.message).toContain(w);
    });
  }

  it('the same errors through the csv-parse reader', async () => {
    for (const [file, code, line, column] of CASES) {
      const err = (await loadData([fixture(`bad/${file}`)], { cache: false, reader: 'csv' }).catch((e: unknown) => e)) as DataError;
      expect(err, file).toBeInstanceOf(DataError);
      expect([err.code, err.details.line, err.details.column], file).toEqual([code, line, column]);
    }
  });

  it('the CLI prints file:line:column, exits 2 and shows no stack trace', async () => {
    for (const [file, , line, column, words] of CASES) {
      const r = await runCliIn(['data', 'inspect', '--no-cache', fixture(`bad/${file}`)]);
      expect(r.code, file).toBe(2);
      const where = line > 0 ? `${fixture(`bad/${file}`)}:${line}${column > 0 ? `:${column}` : ''}` : fixture(`bad/${file}`);
      expect(r.stderr, file).toContain(`tickfold: ${where}: `);
      for (const w of words) expect(r.stderr, file).toContain(w);
      expect(r.stderr, file).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    // and through a real process: the exit code the shell sees, nothing but the message on stderr
    const [file, , line] = CASES[0]!;
    const p = runCli(['data', 'inspect', '--no-cache', fixture(`bad/${file}`)]);
    expect(p.code, p.stderr).toBe(2);
    expect(p.stderr.startsWith(`tickfold: ${fixture(`bad/${file}`)}:${line}: `), p.stderr).toBe(true); // column 0: none said
    expect(p.stderr).not.toMatch(/\n\s+at /);
  });

  it('--on-bad-row skip skips and counts bad rows, and reports them', async () => {
    const { table, files } = await loadData([fixture('bad/some-bad-rows.csv')], { cache: false, onBadRow: 'skip' });
    expect(files[0]!.badRows).toBe(3);
    expect(files[0]!.badSamples.map((b) => b.line)).toEqual([3, 5, 6]);
    expect(Array.from(table.f0)).toEqual([100, 100.2, 100.4]);
    const r = await runCliIn(['data', 'inspect', '--no-cache', '--on-bad-row', 'skip', fixture('bad/some-bad-rows.csv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bad rows: 3');
    expect(r.stdout).toContain('skipped line 5');
  });

  it('--sort accepts rows out of order and sorts them stably', async () => {
    const { table, files } = await loadData([fixture('bad/backwards.csv')], { cache: false, sort: true });
    expect(files[0]!.sorted).toBe(true);
    expect(Array.from(table.f0)).toEqual([100, 100.2, 100.1]);
  });

  it('a missing file and a bad --columns entry are clear errors too', async () => {
    const r = await runCliIn(['data', 'inspect', 'nope.csv']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('nope.csv: no such file or folder');
    const r2 = await runCliIn(['data', 'inspect', '--columns', 'tz=Date', fixture('good/VEND.csv')]);
    expect(r2.code, r2.stderr).toBe(2);
    expect(r2.stderr).toContain("did you mean 'ts'?");
  });
});
