/**
 * A user's mistake on the command line never silently changes a result: every --param and --grid
 * entry lands on a strategy or is refused, durations mean what they say, and a plan that would
 * explode is refused before any work.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBoolean } from '../../src/strategy/params.js';
import { durationError, parseDuration } from '../../src/data/time.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { ROOT, tempDir, type CliResult } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const d = tempDir();
copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(d, 'eu.csv'));
writeFileSync(
  join(d, 'sma.mjs'),
  `export default { name: 'sma-cross', description: 'SMA cross', params: { fast: { type: 'integer', default: 10, min: 1, doc: 'fast window' }, slow: { type: 'integer', default: 30, min: 2, doc: 'slow window' } },
    create(p) { const c = []; return { onBar(ctx, b) { if (b.symbol !== 'DAX') return; c.push(b.close); if (c.length < p.slow) return;
      const m = (n) => c.slice(-n).reduce((a, x) => a + x, 0) / n; const pos = ctx.position('DAX');
      if (m(p.fast) > m(p.slow) && pos === 0) ctx.submit({ symbol: 'DAX', side: 'buy', notional: ctx.equity * 0.9 });
      else if (m(p.fast) <= m(p.slow) && pos > 0) ctx.submit({ symbol: 'DAX', side: 'sell', qty: pos }); } }; } };\n`,
);
const cli = async (...args: string[]): Promise<CliResult> => await runCliIn([...args, '--no-cache'], d);
const SPLIT = ['--data', 'eu.csv', '--split', '0.6'];
// the runs that succeed take one worker thread (the default is one per core): the same report
// (tests/validation/walk-forward.test.ts checks 1 and 2 threads give the same bytes), a thread less

describe('options that are never dropped', () => {
  it('an option of one value given twice with two values is refused, naming both (commander kept the last); the same value twice, and repeatable options, are taken', async () => {
    const strat = await cli('run', '--strategy', 'flat', '--strategy', 'buy-and-hold', '--data', 'eu.csv');
    expect(strat.code).toBe(2);
    expect(strat.stderr).toMatch(/--strategy is given twice \(flat, then buy-and-hold\): it takes one value; give it once/);
    const from = await cli('run', '--strategy', 'flat', '--data', 'eu.csv', '--from', '1992-01-01', '--from=1993-01-01');
    expect(from.code).toBe(2);
    expect(from.stderr).toMatch(/--from is given twice \(1992-01-01, then 1993-01-01\)/);
    const same = await cli('run', '--strategy', 'flat', '--strategy', 'flat', '--quiet', '--quiet', '--data', 'eu.csv');
    expect(same.code, same.stderr).toBe(0);
    const adds = await cli('run', '--strategy', 'momentum', '--data', 'eu.csv', '--param', 'lookback=5', '--param', 'symbol=DAX', '--quiet');
    expect(adds.code, adds.stderr).toBe(0);
  });
});

describe('a parameter that names what the data does not hold', () => {
  it("a symbol the data does not hold is the user's mistake (exit 2, did-you-mean, fix), not the strategy's failure (exit 3)", async () => {
    for (const [strategy, param] of [
      ['linreg', 'symbol=DAXX'],
      ['buy-and-hold', 'symbol=DAXX'],
      ['pairs', 'symbols=DAX,SMII'],
    ] as const) {
      const r = await cli('run', '--strategy', strategy, '--data', 'eu.csv', '--param', param, '--quiet');
      expect(r.code, `${strategy}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`strategy '${strategy}': parameter ${param}: symbol '(DAXX|SMII)' is not in the data \\(CAC, DAX, FTSE, SMI\\); did you mean '(DAX|SMI)'\\?`));
      expect(r.stderr).toMatch(/fix: name symbols the data holds/);
      expect(r.stderr).not.toMatch(/failed at|threw/);
    }
  });
});

describe('parameters that are never dropped', () => {
  it('a wrong prefix, or no prefix among several strategies, is a usage error with did-you-mean', async () => {
    const wrong = await cli('compare', '--strategies', 'pairs,linreg', ...SPLIT, '--param', 'pair.entry=3');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--param 'pair\.entry=3': no strategy called 'pair' in this command; did you mean 'pairs'\?/);
    const none = await cli('compare', '--strategies', 'pairs,linreg', ...SPLIT, '--param', 'entry=3');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--param 'entry=3': with several strategies, prefix the key with the strategy's name, e\.g\. --param pairs\.entry=3/);
    const grid = await cli('compare', '--strategies', 'pairs,linreg', ...SPLIT, '--grid', 'pair.entry=1,2');
    expect(grid.code).toBe(2);
    expect(grid.stderr).toMatch(/did you mean 'pairs'/);
  });
  it("a module file's parameters reach it by its name; a typo in one is refused", async () => {
    const typo = await cli('compare', '--strategies', './sma.mjs,flat', ...SPLIT, '--param', 'sma-cross.fsat=5');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/strategy 'sma-cross' has no parameter 'fsat'; did you mean 'fast'\?/);
    const ok = await cli('compare', '--strategies', './sma.mjs,flat', ...SPLIT, '--param', 'sma-cross.fast=5', '--quiet', '--workers', '1', '--json', 'p.json');
    expect(ok.code, ok.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(d, 'p.json'), 'utf8')) as { manifest: { strategies: { name: string; params: { fast?: number } }[] } };
    expect(rep.manifest.strategies.find((s) => s.name === 'sma-cross')!.params.fast).toBe(5);
  });
  it('a module file can be named and gridded in compare (--strategies sma=./sma.mjs --grid sma.fast=5,10)', async () => {
    const r = await cli('compare', '--strategies', 'sma=./sma.mjs', ...SPLIT, '--grid', 'sma.fast=5,10', '--quiet', '--workers', '1', '--json', 'g.json');
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(readFileSync(join(d, 'g.json'), 'utf8')) as { strategies: { name: string; trials: { label: string }[] }[] };
    expect(rep.strategies[0]!.name).toBe('sma');
    expect(rep.strategies[0]!.trials.map((t) => t.label)).toEqual(['fast=5', 'fast=10']);
    // the path as written works as a prefix too
    expect((await cli('compare', '--strategies', './sma.mjs', ...SPLIT, '--grid', './sma.mjs.fast=5,10', '--quiet', '--workers', '1')).code).toBe(0);
  });
  it('run takes its own name as a prefix and refuses another', async () => {
    expect((await cli('run', '--strategy', 'momentum', '--data', 'eu.csv', '--param', 'momentum.lookback=5', '--quiet')).code).toBe(0);
    const r = await cli('run', '--strategy', 'momentum', '--data', 'eu.csv', '--param', 'pairs.lookback=5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no strategy called 'pairs'/);
  });
  it('booleans: true/false, yes/no, on/off, 1/0 in any case; anything else is refused', async () => {
    for (const [v, b] of [
      ['TRUE', true],
      ['Yes', true],
      ['on', true],
      ['1', true],
      ['False', false],
      ['NO', false],
      ['off', false],
      ['0', false],
    ] as const)
      expect(parseBoolean(v), v).toBe(b);
    expect(parseBoolean('maybe')).toBeUndefined();
    const r = await cli('run', '--strategy', 'momentum', '--data', 'eu.csv', '--param', 'allowShort=OFF');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/allowShort=false/);
    expect((await cli('run', '--strategy', 'momentum', '--data', 'eu.csv', '--param', 'allowShort=maybe')).stderr).toMatch(/is not true or false \(also yes\/no, on\/off, 1\/0, in any case\)/);
  });
  it('execution: --exec typos get "did you mean"; a flag and its --exec key, or a flag of another model, are refused', async () => {
    const run = async (...a: string[]) => await cli('run', '--strategy', 'buy-and-hold', '--data', join(d, 'eu.csv'), ...a);
    for (const [args, msg] of [
      [['--exec', 'queu=touch'], /no slot 'queu'.*did you mean 'queue'/],
      [['--exec', 'slippage=sqrt-impakt'], /no slippage model 'sqrt-impakt'; did you mean 'sqrt-impact'/],
      [['--exec', 'slippage=sqrt-impact', '--exec', 'slippage.Y=2'], /slippage model 'sqrt-impact' has no parameter 'Y'; did you mean 'y'/],
      [['--fee', '2', '--exec', 'fees.bps=3'], /--fee and --exec fees.bps set the same parameter/],
      [['--slippage', '3', '--exec', 'slippage=volume-share'], /--slippage sets the slippage model 'fixed'/],
      [['--exec', 'queue'], /--exec 'queue' must be slot=model or slot.param=value/],
      [['--lot-size', 'GDAXI'], /--lot-size 'GDAXI' must be SYMBOL=x/],
    ] as const) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const ok = await run('--exec', 'slippage=sqrt-impact', '--exec', 'slippage.y=0.5', '--latency', '50ms', '--lot-size', '*=1');
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/execution +latency: constant \(entry=50ms\); .*slippage: sqrt-impact \(y=0.5\)/);
  });
  it('--help shows each default once, and --spread says it is the half-spread', async () => {
    const help = (await cli('run', '--help')).stdout;
    expect(help).not.toMatch(/\(default\) \(default/);
    expect(help).toMatch(/--spread <bps>\s+HALF-spread/);
  });
});

describe('work that cannot explode', () => {
  it('durations: m is minutes, mo months, y years, w weeks; ambiguous and unitless ones are explained', () => {
    expect(parseDuration('6m')).toBe(6 * 60e6);
    expect(parseDuration('6mo')).toBe(Math.round(6 * (365.25 / 12) * 86_400e6));
    expect(parseDuration('2y')).toBe(Math.round(2 * 365.25 * 86_400e6));
    expect(parseDuration('2w')).toBe(14 * 86_400e6);
    for (const bad of ['6M', '6 months', '6', '1yr', '3x']) expect(parseDuration(bad), bad).toBeNaN();
    expect(durationError('--test', '6M', '6mo')).toMatch(/'M' is ambiguous: write 6mo for months or 6m for minutes/);
    expect(durationError('--test', '6 months', '6mo')).toMatch(/write 6mo for months/);
    expect(durationError('--period', '5', '5m')).toMatch(/give a unit \(5s, 5m, 5d\.\.\.\)/);
  });
  it('a plan of more folds than --max-folds is refused before any work, with the count and the fix; the plan is printed first', async () => {
    // "before any work" is what the run left behind, not how long it took: no trial in its ledger
    const ledger = join(tempDir(), 'ledger.sqlite');
    const r = await runCliIn(['walk-forward', '--strategy', 'momentum', '--data', 'eu.csv', '--train', '1y', '--test', '6m', '--grid', 'lookback=5,20', '--no-cache'], d, { TICKFOLD_LEDGER: ledger });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--train 1y --test 6m make about [\d,]+ folds over .* more than --max-folds 1000: use a longer --test \(6m is 6 minutes; 6 months is 6mo\), or raise --max-folds/);
    expect(existsSync(ledger) ? Ledger.open(ledger).rows() : []).toEqual([]);
    const ok = await cli('walk-forward', '--strategy', 'momentum', '--data', 'eu.csv', '--train', '1y', '--test', '6mo', '--grid', 'lookback=5,20', '--workers', '1', '--json', 'wf.json');
    expect(ok.code, ok.stderr).toBe(0);
    // 2 momentum trials and one per baseline
    expect(ok.stderr).toMatch(
      /^plan: 13 folds \(first: train 1991-07-02 → 1992-07-01T06:00:00Z, test → 1992-12-30T21:00:00Z; last: test 1998-07-01T18:00:00Z → the end\); 6 trials \(one replay each\) × 13 in-sample choices, then 5 out-of-sample runs; each backtest stopped after 30m \(--timeout default; none for no limit\)$/m,
    );
    const rep = JSON.parse(readFileSync(join(d, 'wf.json'), 'utf8')) as { folds: unknown[] };
    expect(rep.folds).toHaveLength(13);
    expect((await cli('walk-forward', '--strategy', 'momentum', '--data', 'eu.csv', '--train', '1y', '--test', '6mo', '--max-folds', '5')).stderr).toMatch(/more than --max-folds 5/);
  });
});

describe('--version', () => {
  it('prints the version and nothing else, alone (-V too) and before --help', async () => {
    const { VERSION } = await import('../../src/version.js');
    for (const args of [['--version'], ['-V'], ['--version', '--help']]) {
      const r = await runCliIn(args);
      expect([r.code, r.stdout, r.stderr], args.join(' ')).toEqual([0, `${VERSION}\n`, '']);
    }
  });
});
