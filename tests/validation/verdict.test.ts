/** The verdict rules (README, "Verdict"), on constructed statistics. */
import { describe, expect, it } from 'vitest';
import { verdictOf, type BaselineEdge, type Overfitting } from '../../src/validation/validate.js';
import type { PboResult } from '../../src/stats/pbo.js';

const of = (pbo: number | null, dsr: number): Overfitting => ({
  trials: 9,
  configurations: 9,
  commandConfigurations: 9,
  ledgerConfigurations: null,
  trialSharpeVariance: 1e-3,
  inSamplePeriods: 300,
  psr: 0.9,
  dsr,
  sr0: 0.05,
  expectedMaxZ: 1.5,
  minTrl: 100,
  minBtlYears: 1,
  targetSharpe: 1,
  bestTrial: { index: 0, label: 'x=1', sharpeAnnualized: 2, dsr },
  pbo: pbo === null ? null : ({ pbo } as PboResult),
  pboNote: pbo === null ? 'one trial' : null,
});
const edge = (e: number, p: number): BaselineEdge[] => [{ baseline: 'flat', baselineReturnPct: 0, edgeReturnPct: e, meanDiffPerPeriod: e / 100, pValue: p, meanBlock: 5, reps: 2000 }];
const v = (o: Overfitting, vs: BaselineEdge[], isSharpe: number, oosSharpe: number): string => verdictOf({ overfitting: o, vsBaselines: vs, baseline: false, isSharpe, oosSharpe }).cls;

describe('verdicts', () => {
  it('loses in sample: nothing good was selected, so nothing is called overfit', () => {
    expect(v(of(0.9, 0), edge(-0.05, 1), -41, -65)).toBe('loses in sample');
  });
  it('likely overfit only when the in-sample choice looked good and failed out of sample', () => {
    expect(v(of(0.7, 0.99), edge(0.01, 0.2), 3, 0.5)).toBe('likely overfit');
    expect(v(of(0.7, 0.99), edge(0.01, 0.2), 3, -1)).toBe('likely overfit');
    // PBO high, but the one real out-of-sample run held up: said, not called overfit (nor real)
    const held = verdictOf({ overfitting: of(0.71, 0.7), vsBaselines: edge(0.0001, 0.12), baseline: false, isSharpe: 166.85, oosSharpe: 203.32 });
    expect(held.cls).toBe('no significant edge');
    expect(held.text).toMatch(/PBO 0\.71: the in-sample choice is unstable, but the out-of-sample run held up: Sharpe 203\.32 vs 166\.85 in sample/);
    expect(v(of(0.6, 0.99), edge(0.05, 0.001), 3, 2.9)).toBe('no significant edge');
  });
  it('likely real needs a positive edge with p < 0.05, DSR >= 0.95 and PBO below 0.5', () => {
    expect(v(of(0.1, 0.99), edge(0.05, 0.01), 3, 2)).toBe('likely real');
    expect(v(of(0.1, 0.9), edge(0.05, 0.01), 3, 2)).toBe('no significant edge');
    expect(v(of(0.1, 0.99), edge(0.05, 0.06), 3, 2)).toBe('no significant edge');
    expect(v(of(null, 0.99), edge(0.05, 0.01), 3, 2)).toBe('likely real');
  });
});
