/**
 * Loader gaps a user's files find: other delimiters, duplicated bars, local times, mixed folders.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { parseIso } from '../../src/data/time.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const d = tempDir();
const put = (name: string, text: string): string => {
  const p = join(d, name);
  writeFileSync(p, text);
  return p;
};
const EU = readFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), 'utf8');

describe('delimiters', () => {
  it('semicolon and tab files are detected from the header, load the same values, and data inspect says so', async () => {
    const comma = await loadData([put('eu.csv', EU)], { cache: false });
    for (const [name, delim, word] of [['eu-semi.csv', ';', 'semicolon'], ['eu-tab.csv', '\t', 'tab']] as const) {
      const f = put(name, EU.replaceAll(',', delim));
      const t = await loadData([f], { cache: false });
      expect(t.files[0]!.delimiter).toBe(delim);
      expect(Array.from(t.table.f3)).toEqual(Array.from(comma.table.f3));
      expect(Array.from(t.table.ts)).toEqual(Array.from(comma.table.ts));
      const r = await runCliIn(['data', 'inspect', f, '--no-cache']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`${word}-delimited`));
    }
    // an error in a semicolon file names the right column
    const bad = put('bad-semi.csv', 'ts;symbol;price;size\n2024-01-02T10:00:00Z;A;1O1.5;1\n');
    const r = await runCliIn(['data', 'inspect', bad, '--no-cache']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad-semi\.csv:2:24: price is not a number/);
    // and --delimiter states it
    expect((await loadData([put('one.csv', 'ts;symbol;price;size\n2024-01-02T10:00:00Z;A;1;1\n')], { cache: false, delimiter: ';' })).table.length).toBe(1);
  });
});

describe('duplicated bars', () => {
  const bars = 'ts,symbol,open,high,low,close,volume\n2024-01-02,A,1,2,1,2,5\n2024-01-03,A,2,3,2,3,5\n2024-01-03,B,2,3,2,3,5\n2024-01-03,A,2,3,2,3,5\n2024-01-04,A,3,4,3,4,5\n';
  it('the same symbol and start twice is an error naming both lines; --on-bad-row skip keeps the first and counts the rest', async () => {
    for (const [name, text] of [['dup.csv', bars], ['dup-semi.csv', bars.replaceAll(',', ';')]] as const) {
      const f = put(name, text);
      const r = await runCliIn(['data', 'inspect', f, '--no-cache']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`${name}:5:1: duplicate bar: A already has a bar starting at 2024-01-03 \\(line 3\\)`));
      expect(r.stderr).toMatch(/fix: remove one of the two lines, or pass --on-bad-row skip/);
      const t = await loadData([f], { cache: false, onBadRow: 'skip' });
      expect(t.table.length).toBe(4);
      expect(t.files[0]!.badRows).toBe(1);
    }
  });
  it('identical trade rows stay: several prints in one instant are real events', async () => {
    const t = await loadData([put('prints.csv', 'ts,symbol,price,size\n2024-01-02T10:00:00Z,A,1,1\n2024-01-02T10:00:00Z,A,1,1\n')], { cache: false });
    expect(t.table.length).toBe(2);
  });
});

describe('time zones', () => {
  const local = 'ts,symbol,price,size\n2024-01-15 09:30:00,A,1,1\n2024-07-15 09:30:00,A,2,1\n';
  it('datetimes without a zone are UTC, and the run says so; --tz reads them as local times of an IANA zone', async () => {
    const f = put('local.csv', local);
    const utc = await loadData([f], { cache: false });
    expect(Array.from(utc.table.ts)).toEqual([parseIso('2024-01-15T09:30:00Z'), parseIso('2024-07-15T09:30:00Z')]);
    expect(utc.files[0]!.tsZone).toBe('local');
    const ny = await loadData([f], { cache: false, tz: 'America/New_York' });
    // EST in January (UTC-5), EDT in July (UTC-4)
    expect(Array.from(ny.table.ts)).toEqual([parseIso('2024-01-15T14:30:00Z'), parseIso('2024-07-15T13:30:00Z')]);
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', f, '--no-cache']);
    expect(r.stdout).toMatch(/note {5}the times in .*local\.csv have no zone and were read as UTC; if they are local times, give --tz/);
    const given = await runCliIn(['run', '--strategy', 'flat', '--data', f, '--no-cache', '--tz', 'America/New_York']);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).not.toMatch(/note/);
    expect(given.stdout).toMatch(/2024-01-15T14:30:00Z → 2024-07-15T13:30:00Z/);
  });
  it('zoned times and dates are never shifted; a daylight-saving gap and overlap are resolved as documented; a bad zone is refused', async () => {
    const z = await loadData([put('zoned.csv', 'ts,symbol,price,size\n2024-01-15T09:30:00Z,A,1,1\n')], { cache: false, tz: 'Europe/Berlin' });
    expect(z.table.ts[0]).toBe(parseIso('2024-01-15T09:30:00Z'));
    const dst = await loadData([put('dst.csv', 'ts,symbol,price,size\n2024-03-31T02:30:00,A,1,1\n2024-10-27T02:30:00,A,1,1\n')], { cache: false, tz: 'Europe/Berlin' });
    expect(Array.from(dst.table.ts)).toEqual([parseIso('2024-03-31T01:30:00Z'), parseIso('2024-10-27T00:30:00Z')]);
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', put('x.csv', local), '--tz', 'Europe/Berln']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--tz 'Europe\/Berln' is not an IANA time zone; did you mean 'Europe\/Berlin'\?/);
  });
});

describe('folders', () => {
  it('a folder that mixes bar lengths (or bars and ticks) for one symbol is an error naming the files', async () => {
    const dir = join(d, 'mixed');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a_1m.csv'), 'ts,symbol,open,high,low,close,volume\n2024-01-02T10:00:00Z,A,1,2,1,2,5\n2024-01-02T10:01:00Z,A,2,3,2,3,5\n2024-01-02T10:02:00Z,A,2,3,2,3,5\n');
    writeFileSync(join(dir, 'a_1d.csv'), 'ts,symbol,open,high,low,close,volume\n2024-01-02,A,1,2,1,2,5\n2024-01-03,A,2,3,2,3,5\n2024-01-04,A,2,3,2,3,5\n');
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', dir, '--no-cache']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mixed: the folder mixes 1d bars and 1m bars of A: .*a_1d\.csv \(1d bars\), .*a_1m\.csv \(1m bars\)/);
    expect(r.stderr).toMatch(/fix: give the files you mean one by one/);
    const ticks = join(d, 'mixed2');
    mkdirSync(ticks);
    writeFileSync(join(ticks, 'bars.csv'), 'ts,symbol,open,high,low,close,volume\n2024-01-02T10:00:00Z,A,1,2,1,2,5\n2024-01-02T10:01:00Z,A,2,3,2,3,5\n');
    writeFileSync(join(ticks, 'trades.csv'), 'ts,symbol,price,size\n2024-01-02T10:00:30Z,A,1,1\n');
    expect((await runCliIn(['run', '--strategy', 'flat', '--data', ticks, '--no-cache'])).stderr).toMatch(/mixes .*ticks.* of A|mixes 1m bars and ticks of A/);
  });
});
