/**
 * The search space and the samplers: parsing, rounding, Optuna's TPE estimator (its bandwidths,
 * clip, weights and γ, computed by hand from optuna/samplers/_tpe), successive halving's rungs,
 * and TPE against random on a smooth objective (the same number of evaluations).
 */
import { describe, expect, it } from 'vitest';
import { checkSpace, coordRange, coordValue, parseSpace, pointValues, snap, spaceSize } from '../../src/search/space.js';
import { RandomSampler } from '../../src/search/random.js';
import { gamma, numericEstimator, observationWeights, parzenEstimator, parzenLogPdf, TpeSampler, TPE_DEFAULTS } from '../../src/search/tpe.js';
import { promote, rungEnd, rungSizes } from '../../src/search/halving.js';
import type { Observation, Sampler } from '../../src/search/sampler.js';
import { correlationRatio, spearman } from '../../src/search/study.js';
import pairs from '../../strategies/pairs.js';
import { normalCdf } from '../../src/stats/normal.js';

describe('space', () => {
  it('parses int, float, log and choice dimensions, sorted by key', () => {
    const s = parseSpace(['lookback=int:10..500:log', 'entry=float:0.5..3', 'hedge=choice:ols,kalman']);
    expect(s.map((d) => d.key)).toEqual(['entry', 'hedge', 'lookback']);
    expect(s[2]).toEqual({ key: 'lookback', kind: 'int', low: 10, high: 500, log: true });
    expect(s[1]).toEqual({ key: 'hedge', kind: 'choice', choices: ['ols', 'kalman'] });
    expect(spaceSize(parseSpace(['a=int:1..10', 'b=choice:x,y']))).toBe(20);
    expect(spaceSize(s)).toBe(Infinity);
  });
  it('refuses malformed entries, naming the rule', () => {
    expect(() => parseSpace(['a=int:1.5..3'])).toThrow(/an int range has integer ends/);
    expect(() => parseSpace(['a=float:2..2'])).toThrow(/high > low/);
    expect(() => parseSpace(['a=choice:x'])).toThrow(/one choice; a fixed value is --param a=x/);
    expect(() => parseSpace(['a=choice:x,,y'])).toThrow(/empty choice/);
    expect(() => parseSpace(['a=float:0..1:log'])).toThrow(/:log range needs low > 0/);
    expect(() => parseSpace(['a'])).toThrow(/must be key=int:low\.\.high/);
  });
  it('checks keys and types against the schema', () => {
    expect(() => checkSpace(parseSpace(['lookback=int:5..20']), 'pairs', pairs.params, {}, [])).toThrow(/low 5 is below the parameter's minimum 10/);
    expect(() => checkSpace(parseSpace(['entry=float:1..2']), 'pairs', pairs.params, { entry: '2' }, [])).toThrow(/both in --param and in --space/);
    expect(() => checkSpace(parseSpace(['hedge=int:1..2']), 'pairs', pairs.params, {}, [])).toThrow(/is a string: use choice:a,b/);
    expect(() => checkSpace(parseSpace(['entry=float:1..2', 'hedge=choice:rolling,kalman', 'lookback=int:10..20']), 'pairs', pairs.params, {}, [])).not.toThrow();
  });
  it('rounds integers (log ones in log space) and writes floats with 6 significant digits; snap is idempotent', () => {
    const [e, h, l] = parseSpace(['l=int:10..500:log', 'e=float:0.5..3', 'h=choice:ols,kalman']);
    expect(l!.kind === 'int' && coordRange(l!)).toEqual([Math.log(9.5), Math.log(500.5)]);
    expect(coordValue(l!, Math.log(9.6))).toBe('10');
    expect(coordValue(l!, Math.log(500.4))).toBe('500');
    expect(coordValue(e!, 1.23456789)).toBe('1.23457');
    expect(coordValue(h!, 1.2)).toBe('kalman');
    const space = [e!, h!, l!];
    const p = snap(space, [1.23456789, 0.3, Math.log(77.7)]);
    expect(pointValues(space, p)).toEqual({ e: '1.23457', h: 'ols', l: '78' });
    expect(snap(space, p)).toEqual(p);
  });
});

describe('TPE as Optuna defines it', () => {
  it('γ(n) = min(⌈0.1 n⌉, 25); weights 1 up to 25 observations, then a ramp from 1/n for the older ones', () => {
    expect([1, 10, 11, 100, 250, 1000].map(gamma)).toEqual([1, 1, 2, 10, 25, 25]);
    expect(observationWeights(3)).toEqual([1, 1, 1]);
    const w = observationWeights(30);
    expect(w).toHaveLength(30);
    expect(w[0]).toBeCloseTo(1 / 30, 15);
    expect(w[4]).toBeCloseTo(1, 15);
    expect(w.slice(5)).toEqual(new Array(25).fill(1));
    expect(w[2]).toBeCloseTo((1 / 30 + 1) / 2, 15);
  });
  it('bandwidths: the wider neighbour gap, the outermost their inner gap, clipped to [range/min(100, n+2), range]; the prior at the centre with the range', () => {
    // observations 0.1, 0.15, 0.9 in [0, 1]; with the prior 0.5: sorted 0.1 0.15 0.5 0.9
    const m = numericEstimator([0.1, 0.15, 0.9], 0, 1, 1);
    expect(m.mu).toEqual([0.1, 0.15, 0.9, 0.5]);
    // 0.1: inner gap 0.05 → clipped up to 1/5; 0.15: max(0.05, 0.35); 0.9: inner gap 0.4; prior: 1
    expect(m.sigma[0]).toBeCloseTo(0.2, 15);
    expect(m.sigma[1]).toBeCloseTo(0.35, 15);
    expect(m.sigma[2]).toBeCloseTo(0.4, 15);
    expect(m.sigma[3]).toBe(1);
    expect(m.w).toEqual([0.25, 0.25, 0.25, 0.25]);
    // a density: integrates to 1 over the range
    const e = parzenEstimator(parseSpace(['x=float:0..1']), [[0.1], [0.15], [0.9]], 1);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) sum += Math.exp(parzenLogPdf(e, [(i + 0.5) / 10_000], [0])) / 10_000;
    expect(sum).toBeCloseTo(1, 6);
  });
  it('choices: each observation its value plus the prior spread over all', () => {
    const e = parzenEstimator(parseSpace(['k=choice:a,b,c']), [[0], [0], [1]], 1);
    const p = [0, 1, 2].map((c) => Math.exp(parzenLogPdf(e, [c], [0])));
    // kernels 4: rows (1.25, .25, .25)/1.75 twice, (.25, 1.25, .25)/1.75, and the prior (1/3 each), weights 1/4
    expect(p[0]).toBeCloseTo((2 * (1.25 / 1.75) + 0.25 / 1.75 + 1 / 3) / 4, 15);
    expect(p[2]).toBeCloseTo((3 * (0.25 / 1.75) + 1 / 3) / 4, 15);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    const empty = parzenEstimator(parseSpace(['k=choice:a,b,c,d']), [], 1);
    for (let c = 0; c < 4; c++) expect(Math.exp(parzenLogPdf(empty, [c], [0]))).toBeCloseTo(0.25, 15);
  });
  it("an integer is scored on the mass of its rounding bin: the values' probabilities sum to 1, and a joint estimator multiplies the dimensions per kernel", () => {
    // the space's order is by key: m (its log), n
    const space = parseSpace(['n=int:1..5', 'm=int:2..40:log']);
    const e = parzenEstimator(
      space,
      [
        [Math.log(3), 2],
        [Math.log(30), 4],
      ],
      1,
    );
    let sumN = 0;
    for (let v = 1; v <= 5; v++) sumN += Math.exp(parzenLogPdf(e, [v], [1]));
    expect(sumN).toBeCloseTo(1, 12);
    let sumM = 0;
    for (let v = 2; v <= 40; v++) sumM += Math.exp(parzenLogPdf(e, [Math.log(v)], [0]));
    expect(sumM).toBeCloseTo(1, 12);
    // the joint sums to 1 too, and is not the product of the marginals (the kernels pair the observations' coordinates)
    let joint = 0;
    for (let v = 1; v <= 5; v++) for (let w = 2; w <= 40; w++) joint += Math.exp(parzenLogPdf(e, [Math.log(w), v], [0, 1]));
    expect(joint).toBeCloseTo(1, 12);
    const pair = parzenLogPdf(e, [Math.log(3), 2], [0, 1]);
    const product = parzenLogPdf(e, [Math.log(3)], [0]) + parzenLogPdf(e, [2], [1]);
    expect(Math.abs(pair - product)).toBeGreaterThan(0.1);
  });
  it('does not propose a configuration it has proposed or seen while the space has others: a 3 × 3 space is covered in 9 proposals', () => {
    const space = parseSpace(['a=int:0..2', 'k=choice:x,y,z']);
    for (const multivariate of [false, true]) {
      const s = new TpeSampler(space, 'cover', { ...TPE_DEFAULTS, startup: 0, multivariate });
      const h: Observation[] = [];
      const keys = new Set<string>();
      for (let i = 0; i < 9; i++) {
        const point = snap(space, s.propose(h));
        keys.add(point.join(','));
        h.push({ point, value: -((point[0]! - 1) ** 2) - (point[1] === 2 ? 0 : 1) });
      }
      expect(keys.size).toBe(9);
    }
  });
  it('the same seed and observations give the same proposals; the first 10 are random draws', () => {
    const space = parseSpace(['x=float:0..1', 'k=choice:a,b,c']);
    const a = new TpeSampler(space, 's');
    const b = new TpeSampler(space, 's');
    const r = new RandomSampler(space, 's');
    for (let i = 0; i < 10; i++) expect(a.propose([])).toEqual(r.propose());
    const hist: Observation[] = Array.from({ length: 12 }, (_, i) => ({ point: [i / 12, i % 3], value: -((i / 12 - 0.3) ** 2) }));
    for (let i = 0; i < 10; i++) b.propose([]);
    expect(a.propose(hist)).toEqual(b.propose(hist));
  });
  it("a round's proposals from the same observations array (estimators and bins kept) equal a fresh copy's each time (nothing kept)", () => {
    const space = parseSpace(['entry=float:0.8..3', 'lookback=int:10..200:log', 'exit=float:0..0.6', 'hedge=choice:rolling,kalman']);
    const f = (p: readonly number[]): number => Math.sin(p[0]! * 3) + Math.cos(p[1]! * 2) - p[2]! + p[3]! * 0.3;
    const kept = new TpeSampler(space, 'round');
    const fresh = new TpeSampler(space, 'round');
    const h: Observation[] = [];
    while (h.length < 120) {
      const round: number[][] = [];
      for (let i = 0; i < (h.length === 0 ? 10 : 5); i++) {
        const a = kept.propose(h);
        expect(fresh.propose(h.slice())).toEqual(a);
        round.push(snap(space, a));
      }
      for (const point of round) h.push({ point, value: f(point) });
    }
  });
  it('the log density of the joint estimator is the log of the sum over kernels of weight × product of the dimensions (computed by hand)', () => {
    const space = parseSpace(['x=float:0..1', 'n=int:1..5']);
    // the space's order is by key: n, x
    const pts = [
      [2, 0.2],
      [4, 0.7],
    ];
    const e = parzenEstimator(space, pts, 1);
    const m = numericEstimator([0.2, 0.7], 0, 1, 1);
    const mn = numericEstimator([2, 4], 0.5, 5.5, 1);
    const phi = (z: number): number => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    const cdf = normalCdf;
    let sum = 0;
    for (let j = 0; j < 3; j++) {
      const s = m.sigma[j]!;
      const fx = phi((0.5 - m.mu[j]!) / s) / s / (cdf((1 - m.mu[j]!) / s) - cdf((0 - m.mu[j]!) / s));
      const t = mn.sigma[j]!;
      const pn = (cdf((3.5 - mn.mu[j]!) / t) - cdf((2.5 - mn.mu[j]!) / t)) / (cdf((5.5 - mn.mu[j]!) / t) - cdf((0.5 - mn.mu[j]!) / t));
      sum += m.w[j]! * fx * pn;
    }
    expect(parzenLogPdf(e, [3, 0.5], [0, 1])).toBeCloseTo(Math.log(sum), 6);
  });
  it('beats random search on a smooth 3-d objective with the same 60 evaluations (median over 15 seeds)', () => {
    const space = parseSpace(['x=float:0..1', 'y=float:0..1', 'n=int:1..100:log']);
    // the space's order is by key: n (its log), x, y
    const f = (p: readonly number[]): number => -(((p[0]! - Math.log(30)) / 4) ** 2) - (p[1]! - 0.71) ** 2 - (p[2]! - 0.23) ** 2;
    const run = (s: Sampler): number => {
      const h: Observation[] = [];
      for (let i = 0; i < 60; i++) {
        const point = snap(space, s.propose(h));
        h.push({ point, value: f(point) });
      }
      return Math.max(...h.map((o) => o.value));
    };
    const med = (xs: number[]): number => xs.sort((a, b) => a - b)[(xs.length - 1) / 2]!;
    const tpe = med(Array.from({ length: 15 }, (_, k) => run(new TpeSampler(space, `t${k}`))));
    const rnd = med(Array.from({ length: 15 }, (_, k) => run(new RandomSampler(space, `t${k}`))));
    expect(tpe).toBeGreaterThan(rnd);
    expect(tpe).toBeGreaterThan(-0.005);
  });
});

describe('successive halving', () => {
  it('rungs of n, ⌊n/3⌋, ⌊n/9⌋ at 1/9, 1/3 and all of the window; the best go on, NaN last, ties to the earlier', () => {
    expect(rungSizes(27)).toEqual([27, 9, 3]);
    expect(rungSizes(10)).toEqual([10, 3, 1]);
    expect(promote([1, NaN, 3, 3, 2], 3)).toEqual([2, 3, 4]);
    expect(promote([NaN, NaN, 0], 2)).toEqual([2, 0]);
    expect(rungEnd(0, 900, 1 / 9)).toBe(100);
    expect(rungEnd(0, 900, 1 / 3)).toBe(300);
    expect(rungEnd(0, Infinity, 1)).toBe(Infinity);
  });
});

describe('study measures', () => {
  it('η²: 1 when the groups explain all, 0 when none; Spearman ρ on ranks', () => {
    expect(correlationRatio(['a', 'a', 'b', 'b'], [1, 1, 3, 3])).toBe(1);
    expect(correlationRatio(['a', 'b', 'a', 'b'], [1, 1, 3, 3])).toBe(0);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1, 15);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 15);
  });
});
