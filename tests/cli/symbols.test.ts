/**
 * `--symbols` on the command line (data/symbol-selection.ts): on a generated catalog given as data
 * (`--data DIR` of .tfi indexes), `run` and `walk-forward` streamed read only the partitions of
 * the symbols named (the others deleted, nothing notices) and give the reports of the data held
 * whole; the list's mistakes and a strategy naming a symbol left out are said, exit 2 or the
 * strategy's failure, without a stack trace.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCatalogIndex } from '../../src/data/catalog/index-file.js';
import { tempDir } from '../helpers.js';
import { runCliIn as runCli } from '../cli-harness.js';

/** A report without the command line (it names the output and the flags that differ). */
const withoutArgv = (file: string): unknown => {
  const r = JSON.parse(readFileSync(file, 'utf8')) as { tickfold: Record<string, unknown> };
  const { argv: _, ...tickfold } = r.tickfold;
  return { ...r, tickfold };
};

const noStack = (stderr: string): void => expect(stderr).not.toMatch(/\n\s+at /);

describe('--symbols on a generated catalog of 4 symbols', () => {
  let dir: string;
  let cat: string;
  beforeAll(async () => {
    dir = tempDir();
    cat = join(dir, 'cat');
    const g = await runCli(['data', 'generate', '--catalog', cat, '--symbols', '4', '--events', '6000', '--partition-rows', '400'], dir);
    expect(g.code, g.stderr).toBe(0);
  });

  it('run and walk-forward streamed = held whole; the partitions of the other symbols deleted, the streamed runs give the same bytes', async () => {
    const pair = ['--strategy', 'pairs', '--param', 'symbols=S01,S02', '--param', 'every=1m', '--data', cat, '--symbols', 'S02,S01'];
    // (walk-forward on one worker thread: the default, one per core, gives the same report)
    const run = (extra: string[], out: string) => runCli(['run', ...pair, '--json', join(dir, out), ...extra], dir);
    const wf = (extra: string[], out: string) => runCli(['walk-forward', ...pair, '--grid', 'pairs.entry=1.5,2', '--train', '40m', '--test', '20m', '--period', '5m', '--bootstrap', '100', '--quiet', '--workers', '1', '--json', join(dir, out), ...extra], dir);
    for (const r of await Promise.all([run([], 'run-s.json'), run(['--no-cache'], 'run-m.json'), wf([], 'wf-s.json'), wf(['--no-cache'], 'wf-m.json')])) expect(r.code, r.stderr).toBe(0);
    expect(withoutArgv(join(dir, 'run-s.json'))).toEqual(withoutArgv(join(dir, 'run-m.json')));
    expect(withoutArgv(join(dir, 'wf-s.json'))).toEqual(withoutArgv(join(dir, 'wf-m.json')));
    const report = JSON.parse(readFileSync(join(dir, 'run-s.json'), 'utf8')) as { manifest: { window: { events: number } } };
    // S03 and S04 out: every partition of theirs deleted, in both indexes
    for (const kind of ['quotes', 'trades']) {
      const e = readCatalogIndex(join(cat, `${kind}.tfi`));
      for (const name of ['S03', 'S04']) {
        const id = e.symbols.indexOf(name);
        expect(id).toBeGreaterThanOrEqual(0);
        const parts = readdirSync(cat).filter((n) => n.startsWith(`${kind}.${id}.`) && n.endsWith('.tfp'));
        expect(parts.length).toBeGreaterThan(0);
        for (const p of parts) rmSync(join(cat, p));
      }
    }
    const again = await run([], 'run-again.json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(withoutArgv(join(dir, 'run-again.json'))).toEqual(withoutArgv(join(dir, 'run-m.json')));
    const wfAgain = await wf([], 'wf-again.json');
    expect(wfAgain.code, wfAgain.stderr).toBe(0);
    expect(withoutArgv(join(dir, 'wf-again.json'))).toEqual(withoutArgv(join(dir, 'wf-m.json')));
    // the events counted are those of S01 and S02 only; without --symbols the run needs the deleted partitions
    expect(report.manifest.window.events).toBeLessThan(6000 * 0.75);
    const all = await runCli(['run', '--strategy', 'pairs', '--param', 'symbols=S01,S02', '--data', cat, '--quiet'], dir);
    expect(all.code, all.stderr).toBe(2);
    expect(all.stderr).toMatch(/quotes\.tfi|trades\.tfi/);
  });

  it('refuses a symbol not in the data (did you mean, the data symbols), an empty list and a name given twice: exit 2, no stack', async () => {
    const run = (symbols: string) => runCli(['run', '--strategy', 'flat', '--data', cat, '--symbols', symbols, '--quiet'], dir);
    const unknown = await run('S01,S5');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--symbols: S5 is not a symbol of the data; did you mean S0\d\? \(the data's symbols: S01, S02, S03, S04\)/);
    noStack(unknown.stderr);
    for (const [value, said] of [
      [',', /--symbols ',' names no symbol; give the symbols of the data to use/],
      ['S01,,S02', /--symbols 'S01,,S02' has an empty name \(entry 2\)/],
      ['S01,S02,S01', /--symbols 'S01,S02,S01' names S01 twice; name each symbol once/],
    ] as const) {
      const r = await run(value);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(said);
      noStack(r.stderr);
    }
    // walk-forward and check refuse it the same way
    const wf = await runCli(['walk-forward', '--strategy', 'flat', '--data', cat, '--symbols', 'S9', '--train', '40m', '--test', '20m', '--quiet'], dir);
    expect(wf.code).toBe(2);
    expect(wf.stderr).toMatch(/--symbols: S9 is not a symbol of the data/);
    const check = await runCli(['check', '--strategy', 'flat', '--data', cat, '--symbols', 'S01,S01'], dir);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/names S01 twice/);
    // a sizing rule for a symbol of the files left out: not in the data, and the message says why
    const sized = await runCli(['run', '--strategy', 'flat', '--data', cat, '--symbols', 'S01', '--lot-size', 'S02=10', '--quiet'], dir);
    expect(sized.code).toBe(2);
    expect(sized.stderr).toMatch(/name 'S02', which is not in the data.*\(symbols: S01; \* for all; with --symbols the data is only the symbols it names\)/);
    noStack(sized.stderr);
  });

  it("a strategy's parameter naming a symbol left out fails as one naming a symbol not in the files does", async () => {
    const r = await runCli(['run', '--strategy', 'pairs', '--param', 'symbols=S01,S03', '--data', cat, '--symbols', 'S01,S02', '--quiet'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy 'pairs': parameter symbols=S01,S03: symbol 'S03' is not in the data \(S01, S02\)/);
    noStack(r.stderr);
  });
});

describe('--symbols keeping under a quarter of a file: its kept symbols merged by key, its symbol sequence not read', () => {
  it('1 of 8 symbols: the sequence chunks deleted, the same report; 6 of 8 walk the sequence, and miss it', async () => {
    const dir = tempDir();
    const cat = join(dir, 'cat');
    const g = await runCli(['data', 'generate', '--catalog', cat, '--symbols', '8', '--events', '8000', '--partition-rows', '300'], dir);
    expect(g.code, g.stderr).toBe(0);
    const run = (symbols: string, out: string) => runCli(['run', '--strategy', 'buy-and-hold', '--data', cat, '--symbols', symbols, '--json', join(dir, out), '--quiet'], dir);
    const six = 'S01,S02,S03,S04,S05,S06';
    for (const r of await Promise.all([run('S03', 'one.json'), run(six, 'six.json')])) expect(r.code, r.stderr).toBe(0);
    // S03 holds about an eighth of each file's rows (under SEQUENCE_SHARE, merge-stream.ts); six symbols three quarters
    const events = (f: string) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { manifest: { window: { events: number } } }).manifest.window.events;
    expect(events('one.json')).toBeLessThan(8000 * 1.15 * 0.25);
    expect(events('six.json')).toBeGreaterThan(8000 * 1.15 * 0.5);
    const chunks = readdirSync(cat).filter((n) => /^(quotes|trades)\.seq\.\d+\.tfs$/.test(n));
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    for (const c of chunks) rmSync(join(cat, c));
    const again = await run('S03', 'one-again.json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toBe('');
    expect(withoutArgv(join(dir, 'one-again.json'))).toEqual(withoutArgv(join(dir, 'one.json')));
    // six of eight walk each file's sequence: the deleted chunks are found (a generated catalog: exit 2 naming its index)
    const dense = await run(six, 'six-again.json');
    expect(dense.code, dense.stderr).toBe(2);
    expect(dense.stderr).toMatch(/quotes\.tfi|trades\.tfi/);
    noStack(dense.stderr);
  });
});
