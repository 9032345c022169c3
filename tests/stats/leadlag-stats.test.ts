import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { crossCorrelation } from '../../src/stats/cross-correlation.js';
import { hayashiYoshida } from '../../src/stats/hayashi-yoshida.js';

/** The estimator by its definition: every pair of intervals, O(n_A n_B). */
function hyBrute(ta: number[], pa: number[], tb: number[], pb: number[], theta: number): number {
  let cov = 0;
  for (let i = 1; i < ta.length; i++) {
    for (let j = 1; j < tb.length; j++) {
      if (tb[j - 1]! - theta < ta[i]! && ta[i - 1]! < tb[j]! - theta) cov += (pa[i]! - pa[i - 1]!) * (pb[j]! - pb[j - 1]!);
    }
  }
  return cov;
}

/** One latent path W observed by A at random times, and by B at other random times `lag` later. */
function asyncPair(seed: string, n: number, lag: number): { ta: number[]; pa: number[]; tb: number[]; pb: number[] } {
  const rng = seedrandom(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  // W on a fine clock of 0.01 s
  const W = [0];
  for (let k = 1; k < n * 20; k++) W.push(W[k - 1]! + g());
  const at = (t: number): number => W[Math.max(0, Math.min(W.length - 1, Math.floor(t / 0.01)))]!;
  const obs = (rate: number, shift: number, noise: number): { t: number[]; p: number[] } => {
    const t: number[] = [];
    const p: number[] = [];
    for (let s = 0; s < n * 0.2; s += -Math.log(1 - rng()) / rate) {
      t.push(s);
      p.push(at(s - shift) + noise * g());
    }
    return { t, p };
  };
  const a = obs(3, 0, 0.5);
  const b = obs(2, lag, 0.5);
  return { ta: a.t, pa: a.p, tb: b.t, pb: b.p };
}

describe('lead-lag statistics', () => {
  it('Hayashi-Yoshida: the linear sweep equals the definition, pair by pair, at several shifts', () => {
    const { ta, pa, tb, pb } = asyncPair('hy', 400, 0.3);
    for (const theta of [-1, -0.25, 0, 0.1, 0.3, 2]) {
      const want = hyBrute(ta, pa, tb, pb, theta);
      expect(Math.abs(hayashiYoshida(ta, pa, tb, pb, theta).cov - want), `θ=${theta}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
    }
    // a shared observation clock: HY is the realised covariance of the synchronous returns
    const t = [0, 1, 2, 3, 4];
    const x = [0, 1, 3, 2, 5];
    const y = [1, 0, 2, 2, 4];
    expect(hayashiYoshida(t, x, t, y).cov).toBeCloseTo(1 * -1 + 2 * 2 + -1 * 0 + 3 * 2, 12);
  });

  it('Hayashi-Yoshida finds a 0.3 s lead of A over B in asynchronous observations', () => {
    const { ta, pa, tb, pb } = asyncPair('lead', 3000, 0.3);
    let best = 0;
    let bestRho = -Infinity;
    for (let k = -20; k <= 20; k++) {
      const rho = hayashiYoshida(ta, pa, tb, pb, k * 0.05).corr;
      if (Math.abs(rho) > bestRho) [best, bestRho] = [k * 0.05, Math.abs(rho)];
    }
    expect(best).toBeCloseTo(0.3, 5);
    expect(bestRho).toBeGreaterThan(0.3);
  });

  it('cross-correlation: y = x three steps later peaks at +3, as its definition says', () => {
    const rng = seedrandom('ccf');
    const x = Array.from({ length: 2000 }, () => rng() - 0.5);
    const y = x.map((_, t) => (t >= 3 ? x[t - 3]! : 0) + 0.5 * (rng() - 0.5));
    const c = crossCorrelation(x, y, 10);
    let k = 0;
    for (let j = 0; j < c.length; j++) if (c[j]! > c[k]!) k = j;
    expect(k - 10).toBe(3);
    // by hand at lag 0: Σ (x−x̄)(y−ȳ) / √(Σ(x−x̄)² Σ(y−ȳ)²)
    const mx = x.reduce((a, v) => a + v, 0) / x.length;
    const my = y.reduce((a, v) => a + v, 0) / y.length;
    const num = x.reduce((a, v, t) => a + (v - mx) * (y[t]! - my), 0);
    const den = Math.sqrt(x.reduce((a, v) => a + (v - mx) ** 2, 0) * y.reduce((a, v) => a + (v - my) ** 2, 0));
    expect(c[10]!).toBeCloseTo(num / den, 12);
  });
});
