import fc from 'fast-check';
import { expect, it } from 'vitest';
import { inferBarLengths } from '../../src/data/bars.js';
import type { FileTable } from '../../src/data/table.js';

/** The definition: the lower median of the sorted positive gaps between a symbol's starts. */
function byDefinition(ts: number[], sym: number[], nSym: number): number[] {
  return Array.from({ length: nSym }, (_, s) => {
    const own = ts.filter((_, i) => sym[i] === s);
    const gaps = own.slice(1).map((t, i) => t - own[i]!).filter((d) => d > 0).sort((a, b) => a - b);
    return gaps.length === 0 ? NaN : gaps[Math.floor((gaps.length - 1) / 2)]!;
  });
}

it('bar lengths: counted medians equal the sorted-gaps median, per symbol (runs, ties, repeats, one bar)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom(0, 60, 60, 60, 120, 900, 3600, 61), fc.integer({ min: 0, max: 2 })), { maxLength: 200 }),
      (steps) => {
        let t = 0;
        const ts: number[] = [];
        const sym: number[] = [];
        for (const [d, s] of steps) {
          t += d;
          ts.push(t);
          sym.push(s);
        }
        const table = { kind: 2, length: ts.length, symbols: ['A', 'B', 'C'], ts: Float64Array.from(ts), sym: Uint16Array.from(sym), cols: [] } as unknown as FileTable;
        expect(inferBarLengths(table)).toEqual(byDefinition(ts, sym, 3));
      },
    ),
    { numRuns: 300 },
  );
});
