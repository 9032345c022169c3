/**
 * Issue 27, points 7-11: users' files that should load (or be refused with the working fix),
 * through the real CLI on vendor-shaped fixtures (tests/fixtures/vendor, made by
 * make-vendor-fixtures.mjs beside them), and both readers agreeing on each.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile, type LoadOptions } from '../../src/data/load.js';
import { fixture, ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const vendor = (f: string): string => fixture(join('vendor', f));
const utc = (y: number, mo: number, d: number, h = 0, mi = 0): number => Date.UTC(y, mo - 1, d, h, mi) * 1000;

interface Inspected {
  files: { summary: { rows: number; badRows: number; badSamples: { line: number; message: string }[]; timestamps?: string; kind: string; source: string }; firstUs: number; lastUs: number; symbols: { rows: number; medianSpacingUs: number; barLengthUs?: number }[] }[];
}
async function inspect(args: readonly string[]): Promise<Inspected> {
  const r = await runCliIn(['data', 'inspect', ...args, '--no-cache', '--json', '-']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Inspected;
}
async function refused(args: readonly string[]): Promise<string> {
  const r = await runCliIn(['data', 'inspect', ...args, '--no-cache']);
  expect(r.code, r.stdout).toBe(2);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  return r.stderr;
}
/** Both readers give the same table (byte reader and csv-parse). */
async function bothReaders(file: string, opts: LoadOptions): Promise<void> {
  const a = await loadFile(file, { ...opts, cache: false, reader: 'fast' });
  const b = await loadFile(file, { ...opts, cache: false, reader: 'csv' });
  expect(Array.from(a.table.ts)).toEqual(Array.from(b.table.ts));
  a.table.cols.forEach((c, k) => expect(Array.from(c)).toEqual(Array.from(b.table.cols[k]!)));
  expect(a.summary.source).toBe('fast');
}

describe('issue 27.7: US and European dates', () => {
  it('US dates (10/14/2013 09:30) load as month/day/year, settled by the first row with a day above 12 (line 158), and data inspect says so', async () => {
    const j = await inspect([vendor('us_5min_bars.csv')]);
    const f = j.files[0]!;
    expect(f.summary.rows).toBe(312);
    expect(f.firstUs).toBe(utc(2013, 10, 10, 9, 30));
    expect(f.lastUs).toBe(utc(2013, 10, 15, 15, 55));
    expect(f.symbols[0]!.barLengthUs).toBe(300e6);
    expect(f.summary.timestamps).toMatch(/dates month\/day\/year, settled by line 158 \(10\/14\/2013 09:30/);
    await bothReaders(vendor('us_5min_bars.csv'), {});
  });

  it('European dates with semicolons (02.01.2014) load as day/month/year; --date-order dmy agrees, mdy is refused at the first row it cannot read, naming the fix', async () => {
    const j = await inspect([vendor('dax_daily_eu.csv')]);
    expect(j.files[0]!.firstUs).toBe(utc(2014, 1, 2));
    expect(j.files[0]!.lastUs).toBe(utc(2014, 2, 28));
    expect(j.files[0]!.summary.rows).toBe(42);
    expect(j.files[0]!.summary.timestamps).toMatch(/day\/month\/year, settled by line 9 \(13\.01\.2014/);
    expect((await inspect([vendor('dax_daily_eu.csv'), '--date-order', 'dmy'])).files[0]!.lastUs).toBe(utc(2014, 2, 28));
    const e = await refused([vendor('dax_daily_eu.csv'), '--date-order', 'mdy']);
    expect(e).toMatch(/dax_daily_eu\.csv:9:1: not a date in month\/day\/year order/);
    expect(e).toMatch(/13\.01\.2014/);
    expect(e).toMatch(/pass --date-order dmy/);
    await bothReaders(vendor('dax_daily_eu.csv'), {});
  });

  it('a file whose dates never show a day above 12 is refused with --date-order mdy|dmy, and either option reads it', async () => {
    const e = await refused([vendor('eu_ambiguous.csv')]);
    expect(e).toMatch(/eu_ambiguous\.csv:2: the order of day and month is ambiguous: no date in the file \(11 rows\)/);
    expect(e).toMatch(/01\.10\.2013 could be month\/day\/year \(month 1, day 10\) or day\/month\/year \(day 1, month 10\)/);
    expect(e).toMatch(/--date-order mdy .*--date-order dmy/);
    expect((await inspect([vendor('eu_ambiguous.csv'), '--date-order', 'dmy'])).files[0]!.lastUs).toBe(utc(2013, 10, 11));
    expect((await inspect([vendor('eu_ambiguous.csv'), '--date-order', 'mdy'])).files[0]!.lastUs).toBe(utc(2013, 11, 10));
  });

  it('a later row that contradicts the settled order is an error naming the other order; ymd on a year-last file and dmy on an ISO file are refused', async () => {
    const dir = tempDir();
    const p = join(dir, 'mixed.csv');
    writeFileSync(p, 'Date,Close\n10/14/2013,1\n10/15/2013,2\n16/10/2013,3\n');
    const e = await refused([p]);
    expect(e).toMatch(/mixed\.csv:4:1: not a date in month\/day\/year order/);
    expect(e).toMatch(/settled by line 2 \(10\/14\/2013/);
    expect(e).toMatch(/pass --date-order dmy/);
    // a row in no order (12-hour time) is not blamed on the order
    const pm = join(dir, 'pm.csv');
    writeFileSync(pm, 'Date,Close\n10/14/2013 1:30,1\n10/14/2013 1:31 PM,2\n');
    const e2 = await refused([pm]);
    expect(e2).toMatch(/pm\.csv:3:1: unparseable timestamp/);
    expect(e2).toMatch(/write dates month\/day\/year like the rows before it.*no AM\/PM/);
    expect(await refused([p, '--date-order', 'ymd'])).toMatch(/--date-order ymd does not fit this file: its dates put the year last/);
    expect(await refused([vendor('aig_1min_date_time.csv'), '--date-order', 'dmy'])).toMatch(/--date-order dmy does not fit this file: its dates are ISO-8601/);
  });

  it('--date-order is an option of every command that loads data', async () => {
    for (const cmd of [['run'], ['walk-forward'], ['compare'], ['data', 'inspect'], ['data', 'convert'], ['coint'], ['pairs', 'scan'], ['leadlag'], ['check']]) {
      const r = await runCliIn([...cmd, '--help']);
      expect(r.stdout, cmd.join(' ')).toMatch(/--date-order <order>/);
      expect(r.stdout, cmd.join(' ')).toMatch(/--header <names>/);
    }
  });
});

describe('issue 27.8: Date and Time columns', () => {
  it('a Date and a Time column are joined into one timestamp: 60 one-minute bars, not duplicates of one daily bar', async () => {
    const j = await inspect([vendor('aig_1min_date_time.csv')]);
    const f = j.files[0]!;
    expect(f.summary.rows).toBe(60);
    expect(f.summary.badRows).toBe(0);
    expect(f.firstUs).toBe(utc(2013, 10, 4, 13, 30));
    expect(f.lastUs).toBe(utc(2013, 10, 4, 14, 29));
    expect(f.symbols[0]!.barLengthUs).toBe(60e6);
    expect(f.summary.timestamps).toMatch(/date column 'Date' \+ time column 'Time'/);
    await bothReaders(vendor('aig_1min_date_time.csv'), {});
    // a run over it trades minute bars
    const r = await runCliIn(['run', '--data', vendor('aig_1min_date_time.csv'), '--strategy', 'buy-and-hold', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/60 events|60 bars/);
  });

  it('a bad time of day is named in its own column; --tz reads Date+Time as local time', async () => {
    const dir = tempDir();
    const p = join(dir, 'dt.csv');
    writeFileSync(p, 'Date,Time,Close\n2013-10-04,09:30,1\n2013-10-04,9:31,2\n2013-10-04,25:00,3\n');
    const e = await refused([p]);
    expect(e).toMatch(/dt\.csv:4:12: unparseable time of day/);
    expect(e).toMatch(/column 'Time', value "25:00"/);
    writeFileSync(p, 'Date,Time,Close\n2013-10-04,09:30,1\n2013-10-04,9:31,2\n');
    const j = await inspect([p, '--tz', 'America/New_York']);
    expect(j.files[0]!.firstUs).toBe(utc(2013, 10, 4, 13, 30));
    expect(j.files[0]!.lastUs).toBe(utc(2013, 10, 4, 13, 31));
  });

  it("MetaTrader's headerless export (2013.10.14,00:00,o,h,l,c,v) is refused with the --header that reads it, and that --header reads it as hourly bars", async () => {
    const e = await refused([vendor('EURUSD60.csv')]);
    expect(e).toMatch(/EURUSD60\.csv:1:1: the file seems to have no header/);
    expect(e).toMatch(/--header date,time,open,high,low,close,volume/);
    const j = await inspect([vendor('EURUSD60.csv'), '--header', 'date,time,open,high,low,close,volume']);
    const f = j.files[0]!;
    expect(f.summary.rows).toBe(48);
    expect(f.firstUs).toBe(utc(2013, 10, 14, 0, 0));
    expect(f.lastUs).toBe(utc(2013, 10, 15, 23, 0));
    expect(f.symbols[0]!.barLengthUs).toBe(3600e6);
    await bothReaders(vendor('EURUSD60.csv'), { header: ['date', 'time', 'open', 'high', 'low', 'close', 'volume'] });
  });

  it("MetaTrader 5's export with its header (<DATE>\t<TIME>\t...<TICKVOL>\t<VOL>\t<SPREAD>) loads as it is: date + time joined, tick volume and spread not loaded", async () => {
    const dir = tempDir();
    const p = join(dir, 'EURUSD_H1.csv');
    writeFileSync(p, '<DATE>\t<TIME>\t<OPEN>\t<HIGH>\t<LOW>\t<CLOSE>\t<TICKVOL>\t<VOL>\t<SPREAD>\n2013.10.14\t00:00:00\t1.35\t1.36\t1.34\t1.355\t120\t0\t2\n2013.10.14\t01:00:00\t1.355\t1.36\t1.35\t1.356\t110\t0\t2\n');
    const f = (await inspect([p])).files[0]!;
    expect([f.summary.rows, f.firstUs, f.lastUs]).toEqual([2, utc(2013, 10, 14), utc(2013, 10, 14, 1)]);
    expect(f.summary.timestamps).toMatch(/date column '<DATE>' \+ time column '<TIME>'/);
  });
});

describe('issue 27.9: headerless files', () => {
  it('a Binance aggTrades dump: the error says there is no header and shows --header skip,price,size,skip,skip,ts,skip,skip, which reads it', async () => {
    const e = await refused([vendor('BTCUSDT-aggTrades-2024-08-08.csv')]);
    expect(e).toMatch(/:1:1: the file seems to have no header: its first line is data \(8 fields\)/);
    expect(e).toMatch(/--header skip,price,size,skip,skip,ts,skip,skip \(Binance aggTrades' columns\)/);
    const header = 'skip,price,size,skip,skip,ts,skip,skip';
    const j = await inspect([vendor('BTCUSDT-aggTrades-2024-08-08.csv'), '--header', header, '--symbol', 'BTCUSDT']);
    const f = j.files[0]!;
    expect([f.summary.kind, f.summary.rows]).toEqual(['trades', 200]);
    expect(f.firstUs).toBe(Date.UTC(2024, 7, 8, 23, 54, 14, 87) * 1000);
    expect(f.summary.timestamps).toMatch(/no header line: columns named by --header/);
    const r = await loadFile(vendor('BTCUSDT-aggTrades-2024-08-08.csv'), { cache: false, header: header.split(',') });
    expect([r.table.cols[0]![0], r.table.cols[1]![0]]).toEqual([61837.43, 0.001]); // line 1 is a row
    await bothReaders(vendor('BTCUSDT-aggTrades-2024-08-08.csv'), { header: header.split(',') });
  });

  it('a Binance klines dump: --header ts,open,high,low,close,volume,skip x6 is shown and reads 1-minute bars', async () => {
    const e = await refused([vendor('BTCUSDT-1m-2024-08-08.csv')]);
    expect(e).toMatch(/--header ts,open,high,low,close,volume,skip,skip,skip,skip,skip,skip \(Binance klines' columns\)/);
    const j = await inspect([vendor('BTCUSDT-1m-2024-08-08.csv'), '--header', 'ts,open,high,low,close,volume,skip,skip,skip,skip,skip,skip']);
    expect(j.files[0]!.summary.rows).toBe(120);
    expect(j.files[0]!.symbols[0]!.barLengthUs).toBe(60e6);
    expect(j.files[0]!.firstUs).toBe(utc(2024, 8, 8));
  });

  it('--header on a file that has a header, or with the wrong number of names, is refused', async () => {
    expect(await refused([vendor('GOOG_yahoo.csv'), '--header', 'ts,open,high,low,close,skip,volume'])).toMatch(/--header names the columns of a file without a header line, and this file's first line is a header/);
    expect(await refused([vendor('EURUSD60.csv'), '--header', 'date,time,open,high,low,close'])).toMatch(/--header gives 6 names .* and the first line has 7 fields/);
  });

  it('Binance dumps written with their header line load without options', async () => {
    const dir = tempDir();
    const p = join(dir, 'BTCUSDT-aggTrades-2025-01-01.csv');
    writeFileSync(p, 'agg_trade_id,price,quantity,first_trade_id,last_trade_id,transact_time,is_buyer_maker,is_best_match\n1,100.5,0.1,1,1,1735689600000,True,True\n2,100.6,0.2,2,3,1735689600100,False,True\n');
    const j = await inspect([p]);
    expect([j.files[0]!.summary.kind, j.files[0]!.summary.rows, j.files[0]!.firstUs]).toEqual(['trades', 2, utc(2025, 1, 1)]);
  });
});

describe('issue 27.10: --columns', () => {
  it('--columns given several times adds up (the last no longer silently wins)', async () => {
    const dir = tempDir();
    const p = join(dir, 'vendor.csv');
    writeFileSync(p, 'When,Last,Junk\n2024-01-02T10:00:00Z,10,x\n2024-01-02T10:01:00Z,11,y\n');
    const j = await inspect([p, '--columns', 'ts=When', '--columns', 'close=Last', '--columns', 'skip=Junk']);
    expect([j.files[0]!.summary.kind, j.files[0]!.summary.rows]).toEqual(['bars', 2]);
    expect(await refused([p, '--columns', 'ts=When', '--columns', 'ts=Last'])).toMatch(/--columns maps 'ts' twice, to 'When' and to 'Last'/);
    expect(await refused([p, '--columns', 'ts=When', '--columns', 'close=Last', '--columns', 'price=Last'])).toMatch(/--columns maps column 'Last' to two fields, 'close' and 'price'/);
  });

  it('all unknown columns are named in one error, each with its suggestion, and the --columns that drops them all', async () => {
    const dir = tempDir();
    const p = join(dir, 'vendor.csv');
    writeFileSync(p, 'Date,Prise,Qty,Exchange,Conditions\n2024-01-02T10:00:00Z,10,1,N,@\n');
    const e = await refused([p]);
    expect(e).toMatch(/3 unknown columns: 'Prise', 'Exchange', 'Conditions'/);
    expect(e).toMatch(/'Prise': did you mean 'price'\?/);
    expect(e).toMatch(/--columns skip=Prise,skip=Exchange,skip=Conditions/);
    // and --columns naming several columns the header lacks, and several unknown fields
    expect(await refused([p, '--columns', 'price=Price', '--columns', 'skip=Exchang'])).toMatch(/--columns names 2 columns that the header does not have: 'Price', 'Exchang'/);
    expect(await refused([p, '--columns', 'prise=Prise,sise=Qty'])).toMatch(/2 unknown fields in --columns: 'prise' \(did you mean 'price'\?\), 'sise' \(did you mean 'size'\?\)/);
  });
});

describe('issue 27.11: null rows, thousands separators, a non-data file', () => {
  it("Yahoo's null rows are named as such, with --on-bad-row skip as the fix, which loads the rest and reports the row", async () => {
    const e = await refused([vendor('GOOG_yahoo.csv')]);
    expect(e).toMatch(/GOOG_yahoo\.csv:3:12: open is 'null': the file has no value here \(Yahoo writes null for a day without data\)/);
    expect(e).toMatch(/--on-bad-row skip/);
    const j = await inspect([vendor('GOOG_yahoo.csv'), '--on-bad-row', 'skip']);
    expect([j.files[0]!.summary.rows, j.files[0]!.summary.badRows, j.files[0]!.summary.badSamples[0]!.line]).toEqual([19, 1, 3]);
  });

  it('quoted numbers with thousands separators are named, with --thousands comma, which reads 3,900.14 as 3900.14', async () => {
    const e = await refused([vendor('spx_thousands.csv')]);
    expect(e).toMatch(/spx_thousands\.csv:2:12: open has thousands separators/);
    expect(e).toMatch(/pass --thousands comma to read 3,900\.00 as 3900\.00/);
    await inspect([vendor('spx_thousands.csv'), '--thousands', 'comma']);
    const r = await loadFile(vendor('spx_thousands.csv'), { cache: false, thousands: 'comma' });
    expect([r.table.length, r.table.cols[0]![1], r.table.cols[4]![1]]).toEqual([20, 3900.14, 3919000]);
  });

  it('a README passed as data is named as a Markdown document, with the fix', async () => {
    const dir = tempDir();
    copyFileSync(join(ROOT, 'README.md'), join(dir, 'README.md'));
    const r = await runCliIn(['run', '--data', join(dir, 'README.md'), '--strategy', 'buy-and-hold', '--no-cache']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/README\.md:1: README\.md is not a data file: it is a Markdown document, not CSV or Parquet market data/);
    expect(r.stderr).toMatch(/pass the CSV or Parquet data files themselves, or a folder of them/);
    expect(r.stderr).not.toMatch(/unknown column/);
  });
});
