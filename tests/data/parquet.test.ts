/**
 * Parquet input against the CSV it was made from (../shared/data/parquet/README: same rows, same
 * order, same values): every column of every row, for the ten copies and the three variants.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData, type LoadOptions } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { describeShared, shared, SHARED_FILES, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const pq = (f: string): string => shared(`parquet/${f}`);

/** Every column of two tables, value for value (NaN equal to NaN), symbols by name. */
function sameTable(a: TickTable, b: TickTable, what: string): void {
  expect(a.length, `${what}: rows`).toBe(b.length);
  expect([...a.symbols], `${what}: symbols`).toEqual([...b.symbols]);
  for (const k of ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3', 'f4', 'barStart', 'symbolKinds'] as const) {
    const x = a[k];
    const y = b[k];
    expect(x.length, `${what}: ${k} length`).toBe(y.length);
    for (let i = 0; i < x.length; i++) {
      if (!(x[i] === y[i] || (Number.isNaN(x[i]) && Number.isNaN(y[i])))) throw new Error(`${what}: ${k}[${i}] = ${x[i]} from Parquet, ${y[i]} from CSV`);
    }
  }
}

const load = async (f: string, o: LoadOptions = {}): Promise<TickTable> => (await loadData([f], { cache: false, ...o })).table;

describeShared('Parquet files load to the same tables as their CSVs', () => {
  it('the ten copies, every value', async () => {
    expect(SHARED_FILES.length).toBe(10);
    for (const [csv] of SHARED_FILES) {
      const name = csv.replace(/\.csv$/, '.parquet');
      sameTable(await load(pq(name)), await load(shared(csv)), name);
    }
  });

  it('zstd with 16,384-row groups: the Binance quotes, every row in order across the groups', async () => {
    sameTable(await load(pq('variants/binance_quotes_zstd_rg16384.parquet')), await load(shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv')), 'zstd');
  });

  it('vendor names with int64 epoch milliseconds: mapped with --columns as a CSV would be', async () => {
    const f = pq('variants/ibm_trades_vendor_epoch_ms.parquet');
    // the same rule as CSV: Volume is not a trades column, and the message says how to map it
    await expect(load(f)).rejects.toThrow(/column 'Volume' \(volume\) does not belong in trades data[\s\S]*--columns size=Volume/);
    sameTable(await load(f, { columns: { size: 'Volume' } }), await load(shared('ibm_trades_tick_2013-10-07_2013-10-11.csv')), 'vendor epoch ms');
    // the epoch unit: from the magnitude, or as --ts-unit says
    sameTable(await load(f, { columns: { size: 'Volume' }, tsUnit: 'ms' }), await load(shared('ibm_trades_tick_2013-10-07_2013-10-11.csv')), 'vendor epoch ms, --ts-unit ms');
  });

  it('date32 dates with an extra adj_close column: midnight UTC, the column ignored (never read as volume)', async () => {
    sameTable(await load(pq('variants/goog_daily_date32_adj_close.parquet')), await load(shared('goog_daily_2004_2013.csv')), 'date32');
  });

  it('a folder of Parquet files, and Parquet beside CSV, load as one stream', async () => {
    const d = tempDir();
    copyFileSync(pq('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.parquet'), join(d, 'q.parquet'));
    copyFileSync(pq('binance_spot_btcusdt_ethusdt_trades_2024-08-08.parquet'), join(d, 't.parquet'));
    const both = await load(d);
    sameTable(both, (await loadData([shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv'), shared('binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv')], { cache: false })).table, 'folder');
    const mixed = (await loadData([join(d, 'q.parquet'), shared('binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv')], { cache: false })).table;
    sameTable(mixed, both, 'mixed');
  });

  it('a backtest on Parquet gives the report of the same backtest on CSV (but for the file names and hashes)', async () => {
    const run = async (f: string) => JSON.parse((await runCliIn(['run', '--data', f, '--strategy', 'momentum', '--param', 'every=1m', '--no-cache', '--json', '-'])).stdout);
    const a = await run(pq('oanda_eurusd_quotes_tick_20140506.parquet'));
    const b = await run(shared('oanda_eurusd_quotes_tick_20140506.csv'));
    expect(a.metrics).toEqual(b.metrics);
    expect(a.tearsheet).toEqual(b.tearsheet);
    expect(a.equity).toEqual(b.equity);
  });
});

describe('bad Parquet input', () => {
  it('a file that is not Parquet is refused with the fix, no stack trace', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'fake.parquet'), 'ts,symbol,price,size\n2024-01-01T00:00:00Z,A,1,1\n');
    const r = await runCliIn(['data', 'inspect', join(d, 'fake.parquet'), '--no-cache']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a Parquet file \(a Parquet file starts and ends with 'PAR1'\)/);
    expect(r.stderr).toMatch(/fix: point tickfold at the \.parquet file itself, or rename a CSV file to \.csv/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describeShared('bad Parquet input (shared files)', () => {
  it('truncated, and --delimiter with Parquet only', async () => {
    const d = tempDir();
    const src = pq('goog_daily_2004_2013.parquet');
    const buf = readFileSync(src);
    writeFileSync(join(d, 'cut.parquet'), Buffer.concat([buf.subarray(0, 2000), Buffer.from('PAR1')]));
    const cut = await runCliIn(['data', 'inspect', join(d, 'cut.parquet'), '--no-cache']);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/the Parquet file cannot be read/);
    expect(cut.stderr).not.toMatch(/\n\s+at /);
    const delim = await runCliIn(['data', 'inspect', src, '--delimiter', ';', '--no-cache']);
    expect(delim.code).toBe(2);
    expect(delim.stderr).toMatch(/--delimiter applies to CSV files, and every input is Parquet/);
  });
});

describeShared('tickfold data convert', () => {
  it('CSV to Parquet: smaller, and loads back value for value; never over its input; only to .parquet', async () => {
    const d = tempDir();
    for (const [csv] of SHARED_FILES) {
      const out = join(d, csv.replace(/\.csv$/, '.parquet'));
      const r = await runCliIn(['data', 'convert', shared(csv), out, '--no-cache']);
      expect(r.code, `${csv}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^wrote .*\.parquet: [\d,]+ (trades|quotes|bars) rows, [\d.]+ MB \(.*: [\d.]+ MB, [\d.]+x\)\n$/);
      sameTable(await load(out), await load(shared(csv)), `converted ${csv}`);
    }
    const self = await runCliIn(['data', 'convert', join(d, 'spy_1h_1998_2021.parquet'), join(d, 'spy_1h_1998_2021.parquet')]);
    expect(self.code).toBe(2);
    expect(self.stderr).toMatch(/is an input of this command: refusing to write over it/);
    const csvOut = await runCliIn(['data', 'convert', shared('goog_daily_2004_2013.csv'), join(d, 'goog.csv')]);
    expect(csvOut.code).toBe(2);
    expect(csvOut.stderr).toMatch(/data convert writes Parquet: name the output .*goog\.parquet/);
  });
});
