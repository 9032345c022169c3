/**
 * The library's walkForward() is the CLI's validation job with typed arguments: the README's
 * library example (step 3) and `tickfold walk-forward` with the same settings give the same
 * report, byte for byte, but for the command line the CLI records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { walkForward, walkForwardReport } from '../../src/jobs/walk-forward.js';
import { renderValidationJson } from '../../src/report/validation-report.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const DATA = 'data/sample_pair_quotes.csv';
// README's library section, step 3
const OPTIONS = { strategies: [{ strategy: 'pairs', params: { symbols: 'BBB,AAA', every: '10s' }, grid: { entry: [1.5, 2] } }], train: '1h', test: '30m', workers: 1, bootstrapReps: 500 };

/** The report without the command line it records. */
const withoutArgv = (json: string): unknown => {
  const r = JSON.parse(json) as { tickfold: { argv?: unknown } };
  delete r.tickfold.argv;
  return r;
};

describe('the library and the CLI call the same validation job', () => {
  it('walkForward() (README step 3) and tickfold walk-forward give identical JSON but for the recorded command line', async () => {
    const d = tempDir();
    const out = join(d, 'wf.json');
    const cli = await runCliIn(
      ['walk-forward', '--strategy', 'pairs', '--param', 'symbols=BBB,AAA', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--workers', '1', '--bootstrap', '500', '--data', DATA, '--no-cache', '--no-ledger', '--quiet', '--json', out],
      ROOT,
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const loaded = await loadData([DATA], { cache: false });
    const lib = renderValidationJson(await walkForwardReport(loaded, OPTIONS));
    const fromCli = readFileSync(out, 'utf8');
    expect(withoutArgv(lib)).toEqual(withoutArgv(fromCli));
    // and only the command line differs: the rest is the same bytes
    expect(JSON.stringify(withoutArgv(lib))).toBe(JSON.stringify(withoutArgv(fromCli)));
    // walkForward() (the README's call) is that report's outcome
    const v = await walkForward(loaded.table, OPTIONS);
    const report = JSON.parse(fromCli) as { strategies: { name: string; verdict: string }[] };
    expect(v.strategies.map((s) => [s.name, s.verdict])).toEqual(report.strategies.map((s) => [s.name, s.verdict]));
  });
  it('a search: walkForward({ search }) with a typed space and tickfold walk-forward --search tpe --trials --space give the same bytes but for the command line', async () => {
    const d = tempDir();
    const out = join(d, 'search.json');
    const cli = await runCliIn(
      [
        'walk-forward',
        '--strategy',
        'pairs',
        '--param',
        'symbols=BBB,AAA',
        '--param',
        'every=10s',
        '--search',
        'tpe',
        '--trials',
        '14',
        '--space',
        'entry=float:1..3',
        '--space',
        'lookback=int:20..200:log',
        '--space',
        'hedge=choice:rolling,kalman',
        '--train',
        '1h',
        '--test',
        '30m',
        '--workers',
        '1',
        '--bootstrap',
        '500',
        '--data',
        DATA,
        '--no-cache',
        '--no-ledger',
        '--quiet',
        '--json',
        out,
      ],
      ROOT,
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const loaded = await loadData([DATA], { cache: false });
    const search = { method: 'tpe', trials: 14, space: { entry: { float: [1, 3] }, lookback: { int: [20, 200], log: true }, hedge: { choice: ['rolling', 'kalman'] } } } as const;
    const lib = renderValidationJson(await walkForwardReport(loaded, { ...OPTIONS, strategies: [{ strategy: 'pairs', params: { symbols: 'BBB,AAA', every: '10s' }, search }] }));
    const fromCli = readFileSync(out, 'utf8');
    expect(JSON.stringify(withoutArgv(lib))).toBe(JSON.stringify(withoutArgv(fromCli)));
    const r = JSON.parse(fromCli) as { strategies: { name: string; overfitting: { trials: number }; study?: unknown }[] };
    expect(r.strategies[0]!.study).toBeDefined();
    expect(r.strategies[0]!.overfitting.trials).toBeGreaterThan(14);
    // the CLI's text form of a dimension is accepted too, and bad input is refused with the rule and the fix
    const text = renderValidationJson(
      await walkForwardReport(loaded, { ...OPTIONS, strategies: [{ strategy: 'pairs', params: { symbols: 'BBB,AAA', every: '10s' }, search: { ...search, space: { entry: 'float:1..3', lookback: 'int:20..200:log', hedge: 'choice:rolling,kalman' } } }] }),
    );
    expect(text).toBe(lib);
    const bad = (s: object, rule: RegExp): Promise<void> => expect(walkForward(loaded.table, { ...OPTIONS, strategies: [{ strategy: 'pairs', params: { symbols: 'BBB,AAA', every: '10s' }, search: s as never }] })).rejects.toThrow(rule);
    await bad({ ...search, method: 'grid' }, /strategies\[0\]\.search\.method 'grid' is not a search method; give one of random, tpe, halving/);
    await bad({ ...search, trials: 0 }, /search\.trials 0: give an integer from 1/);
    await bad({ ...search, method: 'halving', trials: 5 }, /give 9 or more trials/);
    await bad({ ...search, space: { entry: { float: [3] } } }, /search\.space\.entry\.float must be \[low, high\]/);
    await bad({ ...search, space: { nope: { float: [1, 2] } } }, /nope/);
    await bad({ ...search, space: {} }, /search\.space is empty/);
  });
});
