/**
 * The same data from two files is never replayed twice (issue 27, point 1): a copy (a CSV and its
 * Parquet from `data convert`, a second CSV copy) or a part of another file is loaded once and
 * said; a file named twice (a folder and a file in it) is read once; any other shared bar or tick
 * row is refused naming both files and lines (or, with --on-bad-row skip, dropped from the later
 * file and counted).
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { findOverlap, relation } from '../../src/data/overlap.js';
import { TRADE } from '../../src/data/schema.js';
import type { FileTable } from '../../src/data/table.js';
import { describeShared, fixture, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const pnl = (stdout: string): number => (JSON.parse(stdout) as { summary: { pnlNet: number } }).summary.pnlNet;
const events = (stdout: string): number => (JSON.parse(stdout) as { manifest: { window: { events: number } } }).manifest.window.events;

describeShared('the GOOG daily CSV beside its Parquet copy (the issue\'s case)', () => {
  it('a folder with goog_daily_2004_2013.csv and its data-convert copy loads every bar once, with the PnL of the CSV alone, and says so', async () => {
    const d = tempDir();
    mkdirSync(join(d, 'goog'));
    copyFileSync(shared('goog_daily_2004_2013.csv'), join(d, 'goog/goog_daily_2004_2013.csv'));
    const conv = await runCliIn(['data', 'convert', 'goog/goog_daily_2004_2013.csv', 'goog/goog_daily_2004_2013.parquet'], d);
    expect(conv.code).toBe(0);
    const alone = await runCliIn(['run', '--strategy', 'momentum', '--data', 'goog/goog_daily_2004_2013.csv', '--json', '-'], d);
    const both = await runCliIn(['run', '--strategy', 'momentum', '--data', 'goog', '--json', '-'], d);
    expect(both.code).toBe(0);
    // today's code: 4,296 bars and +232,451; the CSV alone: 2,148 bars and +586,893
    expect(events(both.stdout)).toBe(2148);
    expect(pnl(both.stdout)).toBe(pnl(alone.stdout));
    expect(pnl(alone.stdout)).toBeCloseTo(586_893.44, 2);
    const j = JSON.parse(both.stdout) as { manifest: { leftOut: { file: string; sameAs: string; why: string; rows: number }[] } };
    expect(j.manifest.leftOut).toEqual([{ file: 'goog/goog_daily_2004_2013.parquet', sameAs: 'goog/goog_daily_2004_2013.csv', why: 'copy', kind: 'bars', rows: 2148 }]);
    const text = await runCliIn(['run', '--strategy', 'momentum', '--data', 'goog'], d);
    expect(text.stdout).toMatch(/note {5}loaded once: goog\/goog_daily_2004_2013\.parquet holds the same 2,148 bars as goog\/goog_daily_2004_2013\.csv \(a copy\), so only goog\/goog_daily_2004_2013\.csv was loaded/);
    expect(text.stdout).toMatch(/PnL net {8}586,893\.44/);
  });

  it('the 12-ETF file and a GOOG file cut from it: GOOG.csv is a part of it, left out and said', async () => {
    const d = tempDir();
    const etf = readFileSync(shared('us_equities_etfs_daily_1998_2021.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(d, 'GOOG.csv'), [etf[0], ...etf.filter((l) => l.includes(',GOOG,'))].join('\n') + '\n');
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', shared('us_equities_etfs_daily_1998_2021.csv'), 'GOOG.csv', '--json', '-'], d);
    expect(r.code).toBe(0);
    expect(events(r.stdout)).toBe(51_554);
    const j = JSON.parse(r.stdout) as { manifest: { leftOut: { file: string; why: string }[] } };
    expect(j.manifest.leftOut.map((x) => [x.file, x.why])).toEqual([['GOOG.csv', 'part']]);
  });
});

describe('copies, parts and files named twice', async () => {
  const d = tempDir();
  copyFileSync(fixture('load/goog_2004_2006.csv'), join(d, 'goog.csv'));
  copyFileSync(fixture('load/goog_2004_2006.csv'), join(d, 'goog_copy.csv'));
  const single = await runCliIn(['run', '--strategy', 'momentum', '--data', 'goog.csv', '--json', '-', '--no-cache'], d);

  it('a CSV and a second CSV copy load once (the run names the copy left out)', async () => {
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', 'goog.csv', 'goog_copy.csv', '--no-cache'], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data {5}597 events/);
    expect(r.stdout).toMatch(/loaded once: goog_copy\.csv holds the same 597 bars as goog\.csv \(a copy\)/);
    const j = await runCliIn(['run', '--strategy', 'momentum', '--data', 'goog_copy.csv', 'goog.csv', '--json', '-', '--no-cache'], d);
    expect(pnl(j.stdout)).toBe(pnl(single.stdout));
  });

  it('a folder given plus a file within it: the file is read once', async () => {
    const e = tempDir();
    mkdirSync(join(e, 'data'));
    copyFileSync(fixture('load/goog_2004_2006.csv'), join(e, 'data/goog.csv'));
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', 'data', 'data/goog.csv', '--no-cache'], e);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data {5}597 events/);
    expect(r.stdout).toMatch(/note {5}read once: data\/goog\.csv was named twice\n/);
    const j = await runCliIn(['run', '--strategy', 'momentum', '--data', 'data', 'data/goog.csv', '--json', '-', '--no-cache'], e);
    expect(pnl(j.stdout)).toBe(pnl(single.stdout));
  });

  it('two exports that share a year (same values, neither a part of the other) are refused naming both files and lines', async () => {
    const e = tempDir();
    copyFileSync(fixture('load/goog_2004_2006.csv'), join(e, 'a.csv'));
    copyFileSync(fixture('load/goog_2006_2008.csv'), join(e, 'b.csv'));
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', 'a.csv', 'b.csv', '--no-cache'], e);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/internal error|    at /);
    // 2006 has 251 trading days; the first, 2006-01-03, is a.csv line 348 and b.csv line 2
    expect(r.stderr).toMatch(/^tickfold: b\.csv:2: 251 bars of this file are also in a\.csv \(the same symbol and bar start\), and would be replayed twice; the first: the bar of GOOG starting 2006-01-03, a\.csv line 348 and b\.csv line 2/);
    expect(r.stderr).toMatch(/fix: load each bar once: give one of the two files, or remove the shared span from one of them; or pass --on-bad-row skip/);
    // the same from the cache (no lines kept there: found again)
    await runCliIn(['data', 'inspect', 'a.csv', 'b.csv'], e);
    const cached = await runCliIn(['run', '--strategy', 'momentum', '--data', 'a.csv', 'b.csv'], e);
    expect(cached.stderr).toMatch(/a\.csv line 348 and b\.csv line 2/);
  });

  it('--on-bad-row skip keeps the first file\'s bars of the shared span and counts the later file\'s', async () => {
    const e = tempDir();
    copyFileSync(fixture('load/goog_2004_2006.csv'), join(e, 'a.csv'));
    copyFileSync(fixture('load/goog_2006_2008.csv'), join(e, 'b.csv'));
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', 'a.csv', 'b.csv', '--on-bad-row', 'skip', '--no-cache'], e);
    expect(r.code).toBe(0);
    // 597 + 755 - 251 shared
    expect(r.stdout).toMatch(/data {5}1,101 events/);
    expect(r.stdout).toMatch(/skipped  251 of 755 rows of b\.csv \(33\.2%\), as bad \(--on-bad-row skip\); the first: line 2: 251 bars of this file are also in a\.csv/);
    expect(r.stderr).toMatch(/tickfold: WARNING: 251 of 755 rows \(33\.2%\) of b\.csv were skipped/);
  });

  it('a bar of one start in two files with different values is refused, both values shown', async () => {
    const e = tempDir();
    const lines = readFileSync(fixture('load/goog_2004_2006.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(e, 'a.csv'), lines.join('\n') + '\n');
    // b: a.csv's last 10 bars with one close changed (within its bar's range)
    const tail = lines.slice(-10).map((l, i) => (i === 3 ? l.replace(/^(([^,]*,){5})([^,]*)/, (_m, p: string) => `${p}${(Number(l.split(',')[4]) + 0.01).toFixed(2)}`) : l));
    writeFileSync(join(e, 'b.csv'), [lines[0], ...tail].join('\n') + '\n');
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', 'a.csv', 'b.csv', '--no-cache'], e);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/10 bars of this file are also in a\.csv/);
    expect(r.stderr).toMatch(/their values differ \(the first: GOOG 2006-12-20: .*close [\d.]+, volume \d+ in a\.csv, .*close [\d.]+, volume \d+ in b\.csv\)/);
  });

  it('a daily and an hourly file of one symbol, given one by one, are two series, not duplicates', async () => {
    const e = tempDir();
    writeFileSync(join(e, 'day.csv'), 'ts,symbol,open,high,low,close,volume\n2024-01-02,X,10,11,9,10,1\n2024-01-03,X,10,11,9,10.5,1\n2024-01-04,X,10,11,9,10.2,1\n');
    writeFileSync(join(e, 'hour.csv'), 'ts,symbol,open,high,low,close,volume\n2024-01-03T00:00:00Z,X,10,10.1,9.9,10,1\n2024-01-03T01:00:00Z,X,10,10.1,9.9,10.05,1\n2024-01-03T02:00:00Z,X,10,10.1,9.9,10.02,1\n');
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'day.csv', 'hour.csv', '--no-cache'], e);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data {5}6 events/);
  });
});

describe('tick rows from two files', () => {
  it('a trades file and its copy load once; a file sharing some of its prints is refused naming both lines', async () => {
    const e = tempDir();
    const t = readFileSync(fixture('load/aggtrades/BTCUSDT-aggTrades-2024-08-08.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(e, 'btc.csv'), t.join('\n') + '\n');
    writeFileSync(join(e, 'btc_copy.csv'), t.join('\n') + '\n');
    // a second download: trades 101-300 of the first, then 50 later ones of its own
    const later = Array.from({ length: 50 }, (_, i) => `${9000 + i},61000.5,0.01,1,1,${1723165000000 + i},true`);
    writeFileSync(join(e, 'btc_more.csv'), [t[0], ...t.slice(101), ...later].join('\n') + '\n');
    const cols = ['--columns', 'ts=transact_time,skip=agg_trade_id,skip=first_trade_id,skip=last_trade_id,skip=is_buyer_maker', '--no-cache'];
    const copy = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'btc.csv', 'btc_copy.csv', '--symbol', 'btc*.csv=BTCUSDT', ...cols], e);
    expect(copy.code).toBe(0);
    expect(copy.stdout).toMatch(/data {5}300 events \(BTCUSDT\)/);
    expect(copy.stdout).toMatch(/loaded once: btc_copy\.csv holds the same 300 trades as btc\.csv \(a copy\)/);
    const some = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', 'btc.csv', 'btc_more.csv', '--symbol', 'btc*.csv=BTCUSDT', ...cols], e);
    expect(some.code).toBe(2);
    expect(some.stderr).toMatch(/^tickfold: btc_more\.csv:2: 200 trades of this file are also in btc\.csv \(the same time, symbol and values\), and would be replayed twice; the first: BTCUSDT 2024-08-0[89]T[\d:.]+Z price [\d.]+, size [\d.]+, btc\.csv line 102 and btc_more\.csv line 2/);
  });

  it('repeated prints match one to one: two equal prints in one file and one in the other share one row', () => {
    const table = (rows: [number, number, number][]): FileTable => ({
      kind: TRADE,
      length: rows.length,
      symbols: ['A'],
      ts: Float64Array.from(rows, (r) => r[0]),
      sym: new Uint16Array(rows.length),
      cols: [Float64Array.from(rows, (r) => r[1]), Float64Array.from(rows, (r) => r[2])],
    });
    const a = table([[1, 10, 1], [1, 10, 1], [2, 11, NaN]]);
    const b = table([[1, 10, 1], [2, 11, NaN], [2, 11, 2]]);
    const o = findOverlap(a, b, true);
    expect(o.count).toBe(2); // the print at 1 once; the print at 2 with an unknown size (NaN = NaN)
    expect(Array.from(o.sharedB!)).toEqual([1, 1, 0]);
    expect(relation(a, b, o)).toBe('overlap');
    expect(relation(a, a, findOverlap(a, a, false))).toBe('copy');
  });

  it('the library\'s loadData returns the files left out', async () => {
    const e = tempDir();
    copyFileSync(fixture('load/goog_2004_2006.csv'), join(e, 'a.csv'));
    copyFileSync(fixture('load/goog_2004_2006.csv'), join(e, 'b.csv'));
    const l = await loadData([join(e, 'a.csv'), join(e, 'b.csv')], { cache: false });
    expect(l.table.length).toBe(597);
    expect(l.leftOut).toEqual([{ file: join(e, 'b.csv'), sameAs: join(e, 'a.csv'), why: 'copy', kind: 'bars', rows: 597 }]);
  });
});
