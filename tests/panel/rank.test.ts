/**
 * rank (src/panel/cross-section.ts): average ranks of the finite values, ties the mean of their
 * ranks (scipy rankdata 'average'), NaN where the input is not finite, −0 and +0 one tie, in place
 * too; against the definition counted directly, on random rows with many ties.
 */
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { rank } from '../../src/panel/cross-section.js';

/** rank by definition: 1 + (number below) + (number equal − 1) / 2. */
const naive = (x: readonly number[]): number[] =>
  x.map((v) => {
    if (!Number.isFinite(v)) return NaN;
    const f = x.filter((y) => Number.isFinite(y));
    return 1 + f.filter((y) => y < v).length + (f.filter((y) => y === v).length - 1) / 2;
  });

describe('rank', () => {
  it('ties, NaN and infinities, −0 and +0', () => {
    const x = [3, NaN, 1, 3, -0, 0, Infinity, 2, 3, -Infinity];
    expect(Array.from(rank(x, new Float64Array(x.length)))).toEqual([6, NaN, 3, 6, 1.5, 1.5, NaN, 4, 6, NaN]);
  });
  it('equals the definition on random rows with ties, also written in place', () => {
    const rng = seedrandom('rank');
    for (let t = 0; t < 50; t++) {
      const n = 1 + Math.floor(rng() * 300);
      const x = Array.from({ length: n }, () => (rng() < 0.1 ? NaN : Math.round(rng() * 40) / 4));
      const want = naive(x);
      expect(Array.from(rank(x, new Float64Array(n)))).toEqual(want);
      const inPlace = Float64Array.from(x);
      expect(Array.from(rank(inPlace, inPlace))).toEqual(want);
    }
  });
});
