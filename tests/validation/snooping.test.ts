import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { dataSnooping } from '../../src/validation/snooping.js';

/** Gaussian returns from a seeded generator (Box-Muller). */
function normal(n: number, mean: number, sd: number, seed: string): Float64Array {
  const r = seedrandom.alea(seed);
  return Float64Array.from({ length: n }, () => mean + sd * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
}

describe('data snooping: known truth', () => {
  it('a planted signal among noise candidates: it is in the StepM set and SPA p < 0.05', () => {
    const T = 750;
    const cands = [...Array.from({ length: 9 }, (_, k) => ({ name: `noise${k}`, returns: normal(T, 0, 0.01, `n${k}`) })), { name: 'planted', returns: normal(T, 0.0015, 0.01, 'planted') }];
    const flat = { name: 'flat', returns: new Float64Array(T), oosReturn: 0 };
    const s = dataSnooping(cands, [flat], { reps: 1000, seed: 'known' })!;
    const v = s.vs[0]!;
    expect(v.spa.consistent).toBeLessThan(0.05);
    expect(v.stepM).toContain('planted');
    expect(v.stepM.every((n) => n === 'planted')).toBe(true);
  });
  it('pure noise: SPA p > 0.05 in at least 5 of 6 seeds', () => {
    const T = 750;
    let above = 0;
    for (let seed = 0; seed < 6; seed++) {
      const cands = Array.from({ length: 10 }, (_, k) => ({ name: `noise${k}`, returns: normal(T, 0, 0.01, `s${seed}:${k}`) }));
      const s = dataSnooping(cands, [{ name: 'flat', returns: new Float64Array(T), oosReturn: 0 }], { reps: 1000, seed: `run${seed}` })!;
      if (s.vs[0]!.spa.consistent > 0.05) above++;
    }
    expect(above).toBeGreaterThanOrEqual(5);
  });
  it('candidates that all lose to the baseline: no evidence, every p-value (the studentized one too) is large', () => {
    const T = 500;
    const cands = [0, 1].map((k) => ({ name: `loser${k}`, returns: normal(T, -0.002, 0.01, `l${k}`) }));
    const v = dataSnooping(cands, [{ name: 'flat', returns: new Float64Array(T), oosReturn: 0 }], { reps: 1000, seed: 'lose' })!.vs[0]!;
    expect(v.spa.consistent).toBeGreaterThan(0.5);
    expect(v.spaStudentized).toBeGreaterThan(0.5);
    expect(v.stepM).toEqual([]);
  });
  it('the same seed gives the same p-values; no candidates or baselines: nothing to test', () => {
    const c = [{ name: 'a', returns: normal(200, 0.001, 0.01, 'a') }];
    const b = [{ name: 'flat', returns: new Float64Array(200), oosReturn: 0 }];
    expect(dataSnooping(c, b, { reps: 300, seed: 'x' })).toEqual(dataSnooping(c, b, { reps: 300, seed: 'x' }));
    expect(dataSnooping([], b, { reps: 300, seed: 'x' })).toBeUndefined();
    expect(dataSnooping(c, [], { reps: 300, seed: 'x' })).toBeUndefined();
  });
});
