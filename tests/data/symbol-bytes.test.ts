/** The symbols a byte reader has met, found from their bytes (data/symbol-bytes.ts). */
import { describe, expect, it } from 'vitest';
import { SymbolBytes } from '../../src/data/symbol-bytes.js';

describe('SymbolBytes', () => {
  it('finds each of 70,000 symbols, short or long, in a line of text, and no other', () => {
    const names = Array.from({ length: 70_000 }, (_, k) => (k % 7 === 0 ? `LONG.NAME.${k}.XNYS` : `S${k}`));
    const s = new SymbolBytes();
    const entry = new Map<string, number>();
    const wrong: string[] = []; // collected, one expect at the end (an expect per symbol is slow)
    for (const [k, n] of names.entries()) {
      const line = Buffer.from(`2024-01-02,${n},1`);
      if (s.find(line, 11, 11 + n.length) !== -1) wrong.push(`${n} found before it was added`);
      entry.set(n, s.add(line, 11, 11 + n.length, 1000 + k));
    }
    expect(s.size).toBe(names.length);
    expect(new Set(entry.values()).size).toBe(names.length);
    for (const [k, n] of names.entries()) {
      const line = Buffer.from(`x;${n};`);
      const e = s.find(line, 2, 2 + n.length);
      if (e !== entry.get(n) || s.idAt(e) !== 1000 + k || !s.is(e, line, 2, 2 + n.length)) wrong.push(`${n}: entry ${e}`);
    }
    expect(wrong).toEqual([]);
    // prefixes, extensions and the empty spelling are other symbols
    for (const t of ['S', 'S70000', 'LONG.NAME.7.XNY', 'LONG.NAME.7.XNYSE', '']) expect(s.find(Buffer.from(t), 0, t.length), t).toBe(-1);
    expect(s.find(Buffer.from('S12345'), 0, 4)).toBe(entry.get('S123'));
  });

  it('a few symbols: found by a scan, the same entries', () => {
    const s = new SymbolBytes();
    const a = s.add(Buffer.from('AAA'), 0, 3, 0);
    const b = s.add(Buffer.from('xBBB'), 1, 4, 1);
    expect([s.find(Buffer.from('BBB'), 0, 3), s.find(Buffer.from('AAA'), 0, 3), s.find(Buffer.from('AA'), 0, 2)]).toEqual([b, a, -1]);
  });
});
