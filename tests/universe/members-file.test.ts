/**
 * The membership file: its spans as read (the S&P 500 members file of ../shared/data too), and
 * each kind of bad row refused naming the file, line, column, value, rule and fix.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { readMembersFile } from '../../src/universe/members.js';
import { Membership } from '../../src/universe/membership.js';
import { describeShared, shared, tempDir } from '../helpers.js';

const file = (text: string): string => {
  const p = join(tempDir(), 'members.csv');
  writeFileSync(p, text);
  return p;
};
const DAY = 86_400e6;
const d = (s: string): number => Date.parse(`${s}T00:00:00Z`) * 1000;

describe('membership file', () => {
  it('spans, re-entries and delisting returns; membership by session', () => {
    const f = readMembersFile(file('symbol,from,to,delisting_return\nA,2020-01-01,2020-03-31,\nB,2020-01-01,2020-01-31,-1\nA,2020-06-01,2020-12-31,-0.25\n'));
    expect(f.spans.get('A')!.map((s) => [s.from, s.to, s.delistingReturn])).toEqual([
      [d('2020-01-01'), d('2020-03-31'), NaN],
      [d('2020-06-01'), d('2020-12-31'), -0.25],
    ]);
    const m = new Membership(['A', 'B', 'C'], f, d('2020-12-31'));
    expect(m.isMember(0, d('2020-03-31'))).toBe(true);
    expect(m.isMember(0, d('2020-04-01'))).toBe(false);
    expect(m.isMember(0, d('2020-06-01'))).toBe(true);
    expect(m.isMember(2, d('2020-06-01'))).toBe(false); // C has no span
    // A's second span ends with the data: no removal; B's -100%
    expect(m.removals.map((r) => [r.sym, r.session, r.delistingReturn])).toEqual([
      [1, d('2020-01-31'), -1],
      [0, d('2020-03-31'), 0],
    ]);
    expect(new Membership(['A'], f, Infinity).absent).toEqual(['B']);
    void DAY;
  });

  const bad = (text: string, re: RegExp): void => {
    const p = file(text);
    let e: unknown;
    try {
      readMembersFile(p);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(DataError);
    expect((e as Error).message).toContain(p);
    expect((e as Error).message).toMatch(re);
    expect((e as Error).message).toContain('fix:');
  };
  it('bad rows: header, date, order, return, overlap', () => {
    bad('name,start\nA,2020-01-01\n', /needs the columns symbol, from and to/);
    bad('symbol,from,to\nA,2020-13-45,2020-02-01\n', /:2:3: 'from' must be a date/);
    bad('symbol,from,to\nA,2020-03-01,2020-02-01\n', /:2:14: 'to' is before 'from'/);
    bad('symbol,from,to,delisting_return\nA,2020-01-01,2020-02-01,-2\n', /a delisting return must be a number >= -1[\s\S]*value "-2"/);
    bad('symbol,from,to\nA,2020-01-01,2020-02-01\nA,2020-01-15,2020-03-01\n', /:3:.*overlaps the one on line 2/);
  });
});

describeShared('the S&P 500 members file reads as a universe', () => {
  it('505 symbols, first_ts/last_ts as from/to, 29 late entries', () => {
    const f = readMembersFile(shared('sp500_daily_2013_2018_members.csv'));
    expect(f.spans.size).toBe(505);
    const late = [...f.spans.values()].filter((s) => s[0]!.from > d('2013-02-08')).length;
    expect(late).toBe(29);
  });
});
