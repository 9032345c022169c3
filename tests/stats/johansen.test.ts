import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { johansen, symmetricEigen, type DetOrder } from '../../src/stats/johansen.js';
import { halfLife } from '../../src/stats/adf.js';
import { resolve } from 'node:path';
import {} from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { closeRel, euCloses, oracle } from '../oracles.js';

const ORDER = ['DAX', 'SMI', 'CAC', 'FTSE'] as const;

describe('Johansen against tests/fixtures/oracles/johansen_eustock.json (statsmodels coint_johansen)', () => {
  const ref = () => oracle('johansen_eustock.json');
  const levels = async (): Promise<number[][]> => {
    const c = await euCloses();
    return ORDER.map((s) => c[s]!.map(Math.log));
  };

  it('every case: eigenvalues, trace and max-eigenvalue statistics, critical values, ranks and first-element-1 vectors within the stated tolerances', async () => {
    const x = await levels();
    const o = ref();
    expect(x[0]!.length).toBe(o.input.rows);
    expect(o.cases.length).toBe(6);
    for (const c of o.cases) {
      const tol = c.det_order === -1 ? o.tolerance['det_order_-1'] : o.tolerance.det_order_0_and_1;
      const r = johansen(x, c.det_order as DetOrder, c.k_ar_diff);
      const tag = `det ${c.det_order} k ${c.k_ar_diff}`;
      expect(r.nobs, tag).toBe(c.nobs_effective);
      for (let i = 0; i < 4; i++) {
        expect(closeRel(r.eig[i]!, c.eig[i], tol.eig_rel), `${tag} eig ${i}: ${r.eig[i]} vs ${c.eig[i]}`).toBe(true);
        expect(closeRel(r.trace[i]!, c.trace_stat[i], tol.stat_rel), `${tag} trace ${i}`).toBe(true);
        expect(closeRel(r.maxEig[i]!, c.max_eig_stat[i], tol.stat_rel), `${tag} max-eig ${i}`).toBe(true);
        expect([...r.traceCrit[i]!], `${tag} trace crit ${i}`).toEqual(c.trace_crit_90_95_99[i]);
        expect([...r.maxEigCrit[i]!], `${tag} max-eig crit ${i}`).toEqual(c.max_eig_crit_90_95_99[i]);
        ORDER.forEach((s, k) => {
          const want = c.eigenvectors_first_element_1[i][s] as number;
          expect(Math.abs(r.normalized[i]![k]! - want) <= tol.eigenvector_first1 * Math.max(1, Math.abs(want)), `${tag} vector ${i} ${s}: ${r.normalized[i]![k]} vs ${want}`).toBe(true);
        });
      }
      expect(r.rankTrace, `${tag} rank (trace)`).toBe(c.rank_trace_95);
      expect(r.rankMaxEig, `${tag} rank (max-eig)`).toBe(c.rank_maxeig_95);
      // the raw vectors: v'S11v = 1 makes them statsmodels' up to sign; vector 0 has statsmodels' sign
      ORDER.forEach((s, k) => expect(closeRel(r.vectors[0]![k]!, c.eigenvectors_statsmodels[0][s], tol.eigenvector_first1 * 10), `${tag} raw vector 0 ${s}`).toBe(true));
      for (let i = 1; i < 4; i++) {
        const sign = Math.sign(c.eigenvectors_statsmodels[i].DAX);
        ORDER.forEach((s, k) => expect(closeRel(sign * r.vectors[i]![k]!, c.eigenvectors_statsmodels[i][s], tol.eigenvector_first1 * 10), `${tag} raw vector ${i} ${s}`).toBe(true));
      }
    }
  });

  it('the spread of the first vector (det 0, k 1), its mean and AR(1) half-life', async () => {
    const x = await levels();
    const sp = ref().spread_det0_k1;
    const tol = ref().tolerance;
    const r = johansen(x, 0, 1);
    const b = r.normalized[0]!;
    ORDER.forEach((s, k) => expect(Math.abs(b[k]! - sp.vector_first_element_1[s]) <= 1e-8 * Math.max(1, Math.abs(sp.vector_first_element_1[s]))).toBe(true));
    const s = x[0]!.map((_, t) => ORDER.reduce((acc, _s, k) => acc + b[k]! * x[k]![t]!, 0));
    sp.first10.forEach((v: number, t: number) => expect(closeRel(s[t]!, v, tol.spread_rel), `s[${t}]`).toBe(true));
    expect(closeRel(s.reduce((a, v) => a + v, 0) / s.length, sp.mean, tol.spread_rel)).toBe(true);
    expect(closeRel(halfLife(s), sp.ar1_half_life.half_life_obs, tol.half_life_rel)).toBe(true);
  });
});

describe('Johansen on constructed data', () => {
  it('the Jacobi eigen-solver: A v = λ v on a random symmetric matrix, vectors orthonormal', () => {
    const a = [
      [4, 1, -2, 0.5],
      [1, 3, 0.2, -1],
      [-2, 0.2, 5, 0.3],
      [0.5, -1, 0.3, 2],
    ];
    const { values, vectors } = symmetricEigen(a);
    for (let j = 0; j < 4; j++) {
      for (let i = 0; i < 4; i++) {
        const av = a[i]!.reduce((s, x, k) => s + x * vectors[k]![j]!, 0);
        expect(av).toBeCloseTo(values[j]! * vectors[i]![j]!, 12);
      }
      for (let k = 0; k < 4; k++) expect(vectors.reduce((s, r) => s + r[j]! * r[k]!, 0)).toBeCloseTo(j === k ? 1 : 0, 12);
    }
  });

  it('finds rank 1 in two random walks sharing one stochastic trend, and rank 0 in independent walks (at 95%: in at least 4 of 5 seeds)', () => {
    let shared = 0;
    let independent = 0;
    for (const seed of ['a', 'b', 'c', 'd', 'e']) {
      const rng = seedrandom(seed);
      const rnd = (): number => rng() - 0.5;
      const T = 1500;
      const w = [0];
      const c = [0];
      for (let t = 1; t < T; t++) {
        w.push(w[t - 1]! + rnd());
        c.push(c[t - 1]! + rnd());
      }
      const a = w.map((v) => v + 0.3 * rnd());
      const b = w.map((v) => 2 * v + 0.3 * rnd());
      const r = johansen([a, b], 0, 1);
      if (r.rankTrace === 1) shared++;
      // the cointegrating vector is (1, -1/2)
      expect(r.normalized[0]![1]!).toBeCloseTo(-0.5, 2);
      if (johansen([a, c], 0, 1).rankTrace === 0) independent++;
    }
    expect(shared).toBeGreaterThanOrEqual(4);
    expect(independent).toBeGreaterThanOrEqual(4);
  });

  it('refuses what it cannot test, with the reason', () => {
    expect(() => johansen([[1, 2, 3]], 0, 1)).toThrow(/at least two series/);
    expect(() =>
      johansen(
        [
          [1, 2, 3],
          [1, 2, 4],
        ],
        0,
        1,
      ),
    ).toThrow(/too few/);
    expect(() => johansen([[1], [2]], 2 as DetOrder, 1)).toThrow(/det_order 2/);
    expect(() => johansen([[1], [2]], 0, 0)).toThrow(/k_ar_diff 0/);
  });
});

describe('tickfold coint --method johansen', () => {
  const EU = resolve(import.meta.dirname, '../../data/eustockmarkets_daily_1991_1998.csv');
  it('on the bundled EuStockMarkets: the oracle figures (det 0, k 1 and det 1, k 2), in JSON and in the text', async () => {
    const o = oracle('johansen_eustock.json');
    for (const [det, k] of [
      [0, 1],
      [1, 2],
    ] as const) {
      const r = await runCliIn(['coint', '--data', EU, '--symbols', 'DAX,SMI,CAC,FTSE', '--method', 'johansen', '--det-order', String(det), '--k-ar-diff', String(k), '--json', '-']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      const c = o.cases.find((x: { det_order: number; k_ar_diff: number }) => x.det_order === det && x.k_ar_diff === k);
      expect(j.nobs).toBe(c.nobs_effective);
      j.tests.forEach((t: { trace: number; maxEig: number; traceCrit: Record<string, number> }, i: number) => {
        expect(closeRel(t.trace, c.trace_stat[i], 1e-8)).toBe(true);
        expect(closeRel(t.maxEig, c.max_eig_stat[i], 1e-8)).toBe(true);
        expect(t.traceCrit['95%']).toBe(c.trace_crit_90_95_99[i][1]);
      });
      expect(j.rankTrace).toBe(c.rank_trace_95);
      expect(j.rankMaxEig).toBe(c.rank_maxeig_95);
    }
    const text = await runCliIn(['coint', '--data', EU, '--symbols', 'DAX,SMI,CAC,FTSE', '--method', 'johansen']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('first vector   DAX  1.0000, SMI  2.7202, CAC -0.9814, FTSE -5.5039');
    expect(text.stdout).toMatch(/half-life {6}34\.5 obs/);
    expect(text.stdout).toMatch(/rank at 95%: 0 by the trace test, 1 by the max-eigenvalue test/);
  });

  it('refuses a wrong method, a det order it does not know, Johansen options with Engle-Granger, and three symbols without Johansen', async () => {
    const cases: [string[], RegExp][] = [
      [['--symbols', 'DAX,CAC', '--method', 'johanson'], /--method 'johanson' is not a method; did you mean 'johansen'\?/],
      [['--symbols', 'DAX,CAC,SMI', '--method', 'johansen', '--det-order', '2'], /--det-order '2' must be -1 \(none\), 0 \(constant\) or 1/],
      [['--symbols', 'DAX,CAC', '--k-ar-diff', '2'], /--k-ar-diff applies to --method johansen/],
      [['--symbols', 'DAX,CAC,SMI'], /Engle-Granger tests two symbols; for 3 use --method johansen/],
      [['--symbols', 'DAX,CAC,DAX', '--method', 'johansen'], /must name different symbols/],
      [['--symbols', 'DAX,CAX', '--method', 'johansen'], /symbol 'CAX' is not in the data; did you mean 'CAC'\?/],
      [['--symbols', 'DAX,CAC', '--method', 'johansen', '--k-ar-diff', '0'], /--k-ar-diff .*a whole number from 1 to 50/],
    ];
    for (const [args, re] of cases) {
      const r = await runCliIn(['coint', '--data', EU, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
