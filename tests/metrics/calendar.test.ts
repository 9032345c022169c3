/**
 * The market calendar behind annualisation (src/metrics/calendar.ts): measured from the data on
 * 24/7, 24/5, exchange-session and daily-bar markets, stated with --calendar, and overridden with
 * --periods-per-year.
 */
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { inferCalendar, measureCalendar, parseCalendar, periodsPerYearOf, symbolHint } from '../../src/metrics/calendar.js';
import { choosePeriod } from '../../src/metrics/period.js';
import { parseDuration } from '../../src/data/time.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { tableOf } from '../engine/harness.js';

const MIN = 60e6;

/** Quotes of one symbol every `stepMin` minutes between the given UTC hours, on the given days. */
function quotes(symbol: string, days: readonly string[], fromH: number, toH: number, stepMin = 5): string {
  const rows = ['ts,symbol,bid,ask,bid_size,ask_size'];
  for (const d of days) {
    for (let m = fromH * 60; m < toH * 60; m += stepMin) {
      const t = new Date(Date.parse(`${d}T00:00:00Z`) + (m * MIN) / 1000);
      rows.push(`${t.toISOString()},${symbol},100,100.01,1,1`);
    }
  }
  return rows.join('\n');
}
const days = (from: string, n: number, weekends: boolean): string[] => {
  const out: string[] = [];
  for (let k = 0; out.length < n; k++) {
    const t = new Date(Date.parse(`${from}T00:00:00Z`) + k * 86_400_000);
    const w = t.getUTCDay();
    if (weekends || (w !== 0 && w !== 6)) out.push(t.toISOString().slice(0, 10));
  }
  return out;
};

describe('the calendar is measured from the data', () => {
  it('around the clock, every day: 24x7 (1-minute periods: 525,600 a year)', async () => {
    const t = await tableOf(quotes('XYZ', days('2024-03-04', 14, true), 0, 24));
    const c = inferCalendar(t);
    expect([c.name, c.daysPerYear, c.hoursPerDay, c.assumed]).toEqual(['24x7', 365, 24, false]);
    expect(periodsPerYearOf(c, MIN)).toBe(525_600);
  });
  it('around the clock on weekdays only (FX opening Sunday 22:00 UTC): 24x5, not a 6.5 h session', async () => {
    const week = days('2024-03-04', 10, false);
    // Sunday evening's open is activity on a weekend day, but not a weekend session
    const csv = quotes('XYZ', week, 0, 24) + '\n' + quotes('XYZ', ['2024-03-10'], 22, 24).split('\n').slice(1).join('\n');
    const t = await tableOf(
      csv
        .split('\n')
        .sort((a, b) => (a.startsWith('ts') ? -1 : b.startsWith('ts') ? 1 : a < b ? -1 : 1))
        .join('\n'),
    );
    const c = inferCalendar(t);
    expect([c.name, c.daysPerYear, c.hoursPerDay]).toEqual(['24x5', 260, 24]);
    expect(periodsPerYearOf(c, 5 * MIN)).toBe(260 * 288);
  });
  it('an exchange session: its hours measured (13:30-20:00 UTC is 6.5 h: us-equity), an 8-hour one is 252d:8h', async () => {
    const us = await tableOf(quotes('XYZ', days('2024-03-04', 10, false), 13.5, 20));
    expect(inferCalendar(us).name).toBe('us-equity');
    const eu = await tableOf(quotes('XYZ', days('2024-03-04', 10, false), 8, 16));
    const c = inferCalendar(eu);
    expect([c.name, c.daysPerYear, c.hoursPerDay]).toEqual(['252d:8h', 252, 8]);
    expect(periodsPerYearOf(c, 60 * MIN)).toBe(252 * 8);
  });
  it('a quiet stretch inside a session is still the session (gaps up to 30 minutes are joined)', async () => {
    const t = await tableOf(quotes('XYZ', days('2024-03-04', 10, false), 13.5, 20, 20));
    expect(measureCalendar(t).hoursPerDay).toBeCloseTo(6.5, 0);
  });
  it('too little data to measure: the rest is assumed from the symbols, and the report says so', async () => {
    const short = (sym: string): string => quotes(sym, ['2024-08-08'], 23.9, 24, 1);
    const crypto = inferCalendar(await tableOf(short('BTCUSDT')));
    expect([crypto.name, crypto.assumed]).toEqual(['24x7', true]);
    expect(crypto.basis).toMatch(/assumed: 24 h a day .*crypto pairs.*state it with --calendar/);
    expect(inferCalendar(await tableOf(short('EURUSD'))).name).toBe('24x5');
    expect(inferCalendar(await tableOf(short('IBM'))).name).toBe('us-equity');
    expect([symbolHint(['BTC-USD', 'ETHUSDT']), symbolHint(['EURUSD', 'USDJPY']), symbolHint(['SPY', 'BTCUSDT'])]).toEqual(['crypto', 'fx', undefined]);
  });
  it('--calendar states it: named or <days>d:<hours>h; anything else is refused', () => {
    expect(parseCalendar('24x7')).toMatchObject({ daysPerYear: 365, hoursPerDay: 24 });
    expect(parseCalendar('US-Equity')).toMatchObject({ daysPerYear: 252, hoursPerDay: 6.5 });
    expect(parseCalendar('250d:7.5h')).toMatchObject({ daysPerYear: 250, hoursPerDay: 7.5, name: '250d:7.5h' });
    for (const bad of ['24x6', '400d:8h', '252d:25h', 'weekdays']) expect(parseCalendar(bad), bad).toBeUndefined();
  });
});

describeShared('annualisation on the real files', () => {
  const ppy = async (file: string, period?: string): Promise<{ periodsPerYear: number; calendar: string; basis: string }> => {
    const { table } = await loadData([shared(file)], { cache: false });
    return choosePeriod(table, period === undefined ? undefined : parseDuration(period));
  };
  it('Binance BTCUSDT/ETHUSDT (crypto, around the clock): 1-minute periods are 525,600 a year, not 98,280', async () => {
    const p = await ppy('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv', '1m');
    expect([p.calendar, p.periodsPerYear]).toEqual(['24x7', 525_600]);
  });
  it('Oanda EURUSD (24 h on weekdays): 5-minute periods are 260 × 288 = 74,880 a year, not 19,656', async () => {
    const p = await ppy('oanda_eurusd_quotes_tick_20140506.csv', '5m');
    expect([p.calendar, p.periodsPerYear]).toEqual(['24x5', 74_880]);
    expect(p.basis).toMatch(/measured over .*: 24 h a day/);
  });
  it('USDCHF 30-minute bars: measured 24x5; the calendar gives 12,480 a year and a year of the file holds 12,508 bars', async () => {
    const { table } = await loadData([shared('usdchf_30min_1996_2001.csv')], { cache: false });
    const p = choosePeriod(table, parseDuration('30m'));
    expect([p.calendar, p.periodsPerYear]).toEqual(['24x5', 12_480]);
    const years = (table.ts[table.length - 1]! - table.ts[0]!) / (365.25 * 86_400e6);
    expect(Math.round(table.length / years)).toBe(12_508);
    expect(p.basis).toMatch(/the data holds 12,5\d\d 30m periods with events a year/);
  });
  it('US equities (IBM ticks, 1-minute and hourly SPY bars): a 6.5 h session; daily bars: 252 days', async () => {
    expect((await ppy('ibm_trades_tick_2013-10-07_2013-10-11.csv', '5m')).periodsPerYear).toBe(19_656);
    expect((await ppy('us_equities_1min_2013-10-04_2013-10-11.csv', '1m')).calendar).toBe('us-equity');
    expect((await ppy('spy_1h_1998_2021.csv', '1h')).calendar).toBe('us-equity');
    const goog = await ppy('goog_daily_2004_2013.csv');
    expect([goog.calendar, goog.periodsPerYear]).toEqual(['252d', 252]);
    expect(goog.basis).toMatch(/251\.\d trading days a year \(taken as 252\)/);
  });
  it('the run says its calendar, warns under 30 periods, and takes --calendar and --periods-per-year', async () => {
    const f = shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv');
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', f, '--param', 'every=10s', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/× √525,600; 12 periods/);
    expect(r.stdout).toMatch(/annualisation {2}1m periods, 525,600 a year \(.*calendar 24x7/);
    expect(r.stdout).toMatch(/warning {8}Sharpe and Sortino rest on 12 1m returns \(fewer than 30\)/);
    const stated = await runCliIn(['run', '--strategy', 'momentum', '--data', f, '--param', 'every=10s', '--no-cache', '--calendar', '24x5', '--period', '10s']);
    expect(stated.code, stated.stderr).toBe(0);
    expect(stated.stdout).toMatch(/10s periods, 2,246,400 a year \(period given; periods\/year from the calendar 24x5 given \(260 days a year × 24 h\)/);
    expect(stated.stdout).not.toMatch(/warning/);
    const given = await runCliIn(['run', '--strategy', 'momentum', '--data', f, '--param', 'every=10s', '--no-cache', '--calendar', '24x5', '--periods-per-year', '1000']);
    expect(given.stdout).toMatch(/1m periods, 1,000 a year \(period chosen from the data span; periods\/year given/);
    const bad = await runCliIn(['run', '--strategy', 'momentum', '--data', f, '--no-cache', '--calendar', '24x6']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--calendar '24x6' is not a calendar; write one of 24x7, 24x5, us-equity, or <days>d:<hours>h/);
  });
  it('a validation whose out-of-sample Sharpe rests on fewer than 30 returns says so, and the JSON names the calendar', async () => {
    const f = shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv');
    const d = tempDir();
    const r = await runCliIn(['compare', '--strategies', 'pairs', '--grid', 'pairs.entry=1.5,2', '--param', 'pairs.every=5s', '--param', 'pairs.lookback=20', '--data', f, '--split', '0.5', '--no-cache', '--json', join(d, 'c.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/returns {4}1m periods, 525,600 a year \(calendar 24x7\)/);
    expect(r.stdout).toMatch(/warning {6}out of sample: Sharpe and Sortino rest on \d 1m returns \(fewer than 30\)/);
    const rep = JSON.parse(readFileSync(join(d, 'c.json'), 'utf8')) as { manifest: { period: { calendar: string; periodsPerYear: number } } };
    expect(rep.manifest.period).toMatchObject({ calendar: '24x7', periodsPerYear: 525_600 });
  });
});
