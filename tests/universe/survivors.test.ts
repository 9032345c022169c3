/** The survivorship warning's rule (src/universe/survivors.ts): no removal among >= 2 symbols of the data. */
import { describe, expect, it } from 'vitest';
import type { MemberSpan, MembersFile } from '../../src/universe/members.js';
import { survivorWarning } from '../../src/universe/survivors.js';

const END = Date.UTC(2018, 1, 7) * 1000;
const span = (from: number, to: number): MemberSpan[] => [{ from, to, delistingReturn: NaN, line: 2 }];
const file = (spans: Record<string, MemberSpan[]>): MembersFile => ({ file: 'm.csv', spans: new Map(Object.entries(spans)) });

describe('survivorWarning', () => {
  it('warns when every symbol of the data is a member to its end, late entries or not', () => {
    const w = survivorWarning(file({ A: span(0, END), B: span(1e15, END), C: span(0, END + 86_400e6) }), ['A', 'B', 'C'], END);
    expect(w).toContain('no symbol of m.csv leaves the universe before the data ends (2018-02-07)');
    expect(w).toContain('the 3 names that survived');
  });
  it('one name leaving before the end: no warning', () => {
    expect(survivorWarning(file({ A: span(0, END), B: span(0, END - 86_400e6) }), ['A', 'B'], END)).toBeUndefined();
  });
  it('fewer than two symbols of the data in the file: no warning', () => {
    expect(survivorWarning(file({ A: span(0, END), Z: span(0, END) }), ['A', 'B'], END)).toBeUndefined();
  });
});
