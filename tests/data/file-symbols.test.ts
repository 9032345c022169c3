/**
 * `--symbol` never merges instruments (issue 27, point 2): one `--symbol NAME` over several files
 * without a symbol column is refused with the fix; `--symbol FILE=NAME` (repeatable, `*` allowed)
 * names each file; every --symbol is used or refused.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchesFile, parseSymbolFlags } from '../../src/data/file-symbols.js';
import { fixture, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const COLS = ['--columns', 'ts=transact_time,skip=agg_trade_id,skip=first_trade_id,skip=last_trade_id,skip=is_buyer_maker', '--no-cache'];
const d = tempDir();
mkdirSync(join(d, 'binance'));
for (const s of ['BTCUSDT', 'ETHUSDT']) copyFileSync(fixture(`load/aggtrades/${s}-aggTrades-2024-08-08.csv`), join(d, `binance/${s}-aggTrades-2024-08-08.csv`));
const symbols = (stdout: string): string[] => (JSON.parse(stdout) as { manifest: { data: { symbols: string[] }[] } }).manifest.data.flatMap((f) => f.symbols);

describe('--symbol over several files without a symbol column', () => {
  it('one --symbol BTCUSDT with a BTC and an ETH aggTrades file is refused, with --symbol FILE=NAME and the file names as the fix', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'binance', '--symbol', 'BTCUSDT', ...COLS], d);
    // today's code: one instrument BTCUSDT of both files, buy-and-hold +2,195% (fixture: the first 300 trades of each)
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/internal error|    at /);
    expect(r.stderr).toMatch(
      /--symbol BTCUSDT would make one instrument of 2 files without a symbol column \(binance\/BTCUSDT-aggTrades-2024-08-08\.csv, binance\/ETHUSDT-aggTrades-2024-08-08\.csv\)/,
    );
    expect(r.stderr).toMatch(/Name each file: --symbol BTCUSDT-aggTrades-2024-08-08\.csv=<NAME> --symbol ETHUSDT-aggTrades-2024-08-08\.csv=<NAME>/);
    expect(r.stderr).toMatch(/or leave --symbol out to name each by its file name \(BTCUSDT-aggTrades-2024-08-08, ETHUSDT-aggTrades-2024-08-08\)/);
    // the same refusal in every command that loads data
    for (const cmd of [['leadlag', '--symbols', 'BTCUSDT,ETHUSDT', '--grid', '100ms..1s'], ['compare', '--strategies', 'flat', '--split', '0.5']]) {
      const c = await runCliIn([...cmd, '--data', 'binance', '--symbol', 'BTCUSDT', ...COLS], d);
      expect(c.code).toBe(2);
      expect(c.stderr).toMatch(/would make one instrument of 2 files/);
    }
  });

  it('--symbol FILE=NAME per file names each instrument', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'binance', '--symbol', 'BTCUSDT-aggTrades-2024-08-08.csv=BTCUSDT', '--symbol', 'binance/ETHUSDT-aggTrades-2024-08-08.csv=ETHUSDT', '--json', '-', ...COLS], d);
    expect(r.code).toBe(0);
    expect(symbols(r.stdout)).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('a FILE with * names the daily files of one instrument (and only them)', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'binance', '--symbol', 'BTC*.csv=BTC', '--symbol', 'ETH*=ETH', '--json', '-', ...COLS], d);
    expect(r.code).toBe(0);
    expect(symbols(r.stdout)).toEqual(['BTC', 'ETH']);
    expect(matchesFile('BTCUSDT-*.csv', 'x/BTCUSDT-aggTrades-2024-08-08.csv')).toBe(true);
    expect(matchesFile('BTCUSDT-*.csv', 'x/ETHUSDT-aggTrades-2024-08-08.csv')).toBe(false);
  });

  it('no --symbol: each file is named by its file name, as before', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'binance', '--json', '-', ...COLS], d);
    expect(r.code).toBe(0);
    expect(symbols(r.stdout)).toEqual(['BTCUSDT-aggTrades-2024-08-08', 'ETHUSDT-aggTrades-2024-08-08']);
  });

  it('one --symbol with one file without a symbol column still names it', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'binance/BTCUSDT-aggTrades-2024-08-08.csv', '--symbol', 'BTCUSDT', '--json', '-', ...COLS], d);
    expect(r.code).toBe(0);
    expect(symbols(r.stdout)).toEqual(['BTCUSDT']);
  });
});

describe('every --symbol is used or refused', () => {
  it('a FILE that matches no data file is refused, naming the files', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'binance', '--symbol', 'SOL*.csv=SOL', ...COLS], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--symbol SOL\*\.csv=SOL: 'SOL\*\.csv' is none of the data files \(BTCUSDT-aggTrades-2024-08-08\.csv, ETHUSDT-aggTrades-2024-08-08\.csv\)/);
  });

  it('--symbol on files that all have a symbol column is refused; FILE=NAME on such a file too', async () => {
    const e = tempDir();
    copyFileSync(fixture('load/goog_2004_2006.csv'), join(e, 'goog.csv'));
    const plain = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'goog.csv', '--symbol', 'GOOGL', '--no-cache'], e);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--symbol GOOGL names the instrument of a file without a symbol column, and every data file has one \(goog\.csv\): leave --symbol out/);
    const named = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'goog.csv', '--symbol', 'goog.csv=GOOGL', '--no-cache'], e);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/goog\.csv has a symbol column, which names its instruments/);
  });

  it('a plain symbol with = (Yahoo\'s EURUSD=X) is a name; plain and FILE=NAME together are refused', () => {
    expect(parseSymbolFlags(['EURUSD=X'])).toEqual({ symbol: 'EURUSD=X' });
    expect(parseSymbolFlags(['a.csv=A', 'dir/b.csv=B'])).toEqual({ fileSymbols: [{ file: 'a.csv', symbol: 'A' }, { file: 'dir/b.csv', symbol: 'B' }] });
    expect(() => parseSymbolFlags(['A', 'b.csv=B'])).toThrow(/give --symbol FILE=NAME for each/);
    expect(() => parseSymbolFlags(['A', 'B'])).toThrow(/is given once/);
  });
});
