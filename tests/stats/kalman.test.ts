import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { KalmanRegression } from '../../src/stats/kalman.js';
import { ols } from '../../src/stats/ols.js';

/**
 * y = a_t + b_t x + noise, x a random walk around 5 (a log price), b_t from `beta(t)`; when b
 * changes, a changes with it so that y does not jump (the legs keep their prices; only the
 * hedge ratio breaks).
 */
function series(n: number, beta: (t: number) => number, seed: string): { x: number[]; y: number[] } {
  const rng = seedrandom(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x: number[] = [];
  const y: number[] = [];
  let lx = 5;
  let a = 0.3;
  for (let t = 0; t < n; t++) {
    lx += 0.01 * g();
    if (t > 0 && beta(t) !== beta(t - 1)) a += (beta(t - 1) - beta(t)) * lx;
    x.push(lx);
    y.push(a + beta(t) * lx + 0.002 * g());
  }
  return { x, y };
}

function start(x: number[], y: number[], n: number, delta: number): KalmanRegression {
  const fit = ols(y.slice(0, n), [x.slice(0, n)]);
  const m = x.slice(0, n).reduce((a, v) => a + v, 0) / n;
  const sxx = x.slice(0, n).reduce((a, v) => a + (v - m) ** 2, 0);
  return KalmanRegression.fromOls(fit.coef[0]!, fit.coef[1]!, n, m, sxx, delta, fit.sigma ** 2);
}

describe('the Kalman hedge (a state-space regression)', () => {
  it('with delta = 0, started from the OLS of the first 100 points, it is the OLS of every point so far at each step (recursive least squares)', () => {
    const { x, y } = series(1000, () => 0.8, 'rls');
    const kf = start(x, y, 100, 0);
    for (let t = 100; t < 1000; t++) {
      kf.update(x[t]!, y[t]!);
      if (t % 150 === 0 || t === 999) {
        const fit = ols(y.slice(0, t + 1), [x.slice(0, t + 1)]);
        expect(Math.abs(kf.b - fit.coef[1]!), `b at ${t}`).toBeLessThan(1e-9 * Math.abs(fit.coef[1]!) + 1e-10);
        expect(Math.abs(kf.a - fit.coef[0]!), `a at ${t}`).toBeLessThan(1e-8);
      }
    }
    // and it converges to the true constant beta
    expect(kf.b).toBeCloseTo(0.8, 2);
  });

  it('tracks a step change of the hedge ratio (0.8 to 1.2) that a constant fit averages away', () => {
    const T = 4000;
    const { x, y } = series(T, (t) => (t < 2000 ? 0.8 : 1.2), 'step');
    const kf = start(x, y, 200, 1e-2);
    const rls = start(x, y, 200, 0);
    let before = NaN;
    let sseKf = 0;
    let sseRls = 0;
    for (let t = 200; t < T; t++) {
      kf.update(x[t]!, y[t]!);
      rls.update(x[t]!, y[t]!);
      if (t === 1999) before = kf.b;
      if (t >= 3000) {
        sseKf += kf.lastError ** 2;
        sseRls += rls.lastError ** 2;
      }
    }
    expect(Math.abs(before - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(kf.b - 1.2)).toBeLessThan(0.02);
    // a constant regression (delta 0) keeps mispricing the new regime: its one-step forecast
    // errors 1000 steps after the break are several times the filter's
    expect(sseRls).toBeGreaterThan(4 * sseKf);
    // the forecast error is from the state before the step: its variance exceeds the observation noise
    expect(kf.lastVariance).toBeGreaterThan(0.002 ** 2 * 0.5);
  });

  it('refuses settings without meaning', () => {
    expect(() => KalmanRegression.fromOls(0, 1, 10, 5, 1, 1, 1)).toThrow(/delta 1/);
    expect(() => new KalmanRegression(0, 1, [1, 0, 1], [0, 0, 0], 0)).toThrow(/observation variance 0/);
    expect(() => KalmanRegression.fromOls(0, 1, 10, 5, 0, 0, 1)).toThrow(/no spread in x/);
  });
});
