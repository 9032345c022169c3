/**
 * Avellaneda & Lee (2010), "Statistical arbitrage in the US equities market", Quantitative
 * Finance 10(7): the state of a universe at one date, and the paper's trading rule. The steps
 * and their conventions are those of ../shared/oracles/avellaneda_lee_sp500.json:
 * 1. R: daily log returns, W × N, oldest first (the last row is the return into the date);
 * 2-3. PCA of the correlation matrix over the last `pcaWindow` rows (stats/pca.ts), top m;
 * 4. eigenportfolios Q_ij = v_ij / σ_i; their returns over the regression window F = R Q (raw
 *    returns, not demeaned);
 * 5. per stock, OLS with intercept R_i = β0 + Σ β_ij F_j + ε (one QR of [1 F] for all stocks);
 * 6. X_k = ε_1 + ... + ε_k; AR(1) with intercept on (X_k, X_k+1): b, a, var ζ (ddof 0, over W−1);
 *    valid when 0 < b < 1: κ = −ln b · 252, m = a / (1 − b), σ_eq = √(var ζ / (1 − b²));
 * 7. s = (X_W − m) / σ_eq; centred: m − m̄ with m̄ the mean of m over the valid stocks;
 * 8. the rule: open long below −1.25, open short above 1.25 (only when κ > 252/30: mean reversion
 *    within 30 sessions), close a long above −0.5, close a short below 0.75; an invalid stock
 *    keeps its state; one transition per stock and date.
 */
import { correlationPca } from '../stats/pca.js';

export interface AlOptions {
  readonly pcaWindow: number;
  readonly regressionWindow: number;
  readonly factors: number;
  /** Sessions a year (κ's annualisation), 252. */
  readonly annualisation: number;
}

export const AL_DEFAULTS: AlOptions = { pcaWindow: 60, regressionWindow: 60, factors: 15, annualisation: 252 };

export interface AlRule {
  readonly openLongBelow: number;
  readonly openShortAbove: number;
  readonly closeLongAbove: number;
  readonly closeShortBelow: number;
  /** Opening needs κ above this (252/30 = 8.4: mean reversion within 30 sessions). */
  readonly kappaMin: number;
}

export const AL_RULE: AlRule = { openLongBelow: -1.25, openShortAbove: 1.25, closeLongAbove: -0.5, closeShortBelow: 0.75, kappaMin: 252 / 30 };

export interface AlState {
  readonly n: number;
  readonly m: number;
  /** All nonzero eigenvalues, decreasing. */
  readonly eigenvalues: Float64Array;
  /** N × m row-major, sign-fixed. */
  readonly eigenvectors: Float64Array;
  /** Regression window × m row-major. */
  readonly factorReturns: Float64Array;
  readonly sigma: Float64Array;
  readonly beta0: Float64Array;
  /** N × m row-major. */
  readonly betas: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly varZeta: Float64Array;
  readonly kappa: Float64Array;
  readonly mu: Float64Array;
  readonly sigmaEq: Float64Array;
  readonly xLast: Float64Array;
  readonly s: Float64Array;
  readonly sCentred: Float64Array;
  readonly valid: Uint8Array;
  readonly eligible: Uint8Array;
  /** Mean of m over the valid stocks. */
  readonly mBar: number;
}

/**
 * The state from `r` (rows × N log returns, row-major, oldest first; the last row is the date's);
 * uses the last max(pcaWindow, regressionWindow) rows. Every value used must be finite.
 */
export function alState(r: Float64Array, rows: number, N: number, o: AlOptions = AL_DEFAULTS, rule: AlRule = AL_RULE): AlState {
  const Wp = o.pcaWindow;
  const Wr = o.regressionWindow;
  const m = o.factors;
  if (rows < Math.max(Wp, Wr)) throw new RangeError(`alState: ${rows} returns, the windows need ${Math.max(Wp, Wr)}`);
  const pca = correlationPca(r.subarray((rows - Wp) * N, rows * N), Wp, N, m);
  const v = pca.vectors;
  // eigenportfolio returns over the regression window
  const F = new Float64Array(Wr * m);
  const base = (rows - Wr) * N;
  for (let k = 0; k < Wr; k++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += (v[i * m + j]! / pca.sigma[i]!) * r[base + k * N + i]!;
      F[k * m + j] = s;
    }
  // QR of the design [1 F] (Wr × (m+1)) by modified Gram-Schmidt, twice (reorthogonalised)
  const p = m + 1;
  const Q = new Float64Array(Wr * p);
  const R = new Float64Array(p * p);
  for (let k = 0; k < Wr; k++) {
    Q[k * p] = 1;
    for (let j = 0; j < m; j++) Q[k * p + j + 1] = F[k * m + j]!;
  }
  for (let c = 0; c < p; c++) {
    for (let pass = 0; pass < 2; pass++)
      for (let q = 0; q < c; q++) {
        let d = 0;
        for (let k = 0; k < Wr; k++) d += Q[k * p + q]! * Q[k * p + c]!;
        R[q * p + c] = R[q * p + c]! + d;
        for (let k = 0; k < Wr; k++) Q[k * p + c] = Q[k * p + c]! - d * Q[k * p + q]!;
      }
    let norm = 0;
    for (let k = 0; k < Wr; k++) norm += Q[k * p + c]! ** 2;
    norm = Math.sqrt(norm);
    R[c * p + c] = norm;
    for (let k = 0; k < Wr; k++) Q[k * p + c] = Q[k * p + c]! / norm;
  }
  const beta0 = new Float64Array(N);
  const betas = new Float64Array(N * m);
  const a = new Float64Array(N);
  const b = new Float64Array(N);
  const varZeta = new Float64Array(N);
  const kappa = new Float64Array(N).fill(NaN);
  const mu = new Float64Array(N).fill(NaN);
  const sigmaEq = new Float64Array(N).fill(NaN);
  const xLast = new Float64Array(N);
  const s = new Float64Array(N).fill(NaN);
  const sCentred = new Float64Array(N).fill(NaN);
  const valid = new Uint8Array(N);
  const eligible = new Uint8Array(N);
  const qty = new Float64Array(p);
  const coef = new Float64Array(p);
  const x = new Float64Array(Wr);
  for (let i = 0; i < N; i++) {
    // Q'y, then R coef = Q'y; residuals y − Q Q'y
    for (let c = 0; c < p; c++) {
      let d = 0;
      for (let k = 0; k < Wr; k++) d += Q[k * p + c]! * r[base + k * N + i]!;
      qty[c] = d;
    }
    for (let c = p - 1; c >= 0; c--) {
      let t = qty[c]!;
      for (let q = c + 1; q < p; q++) t -= R[c * p + q]! * coef[q]!;
      coef[c] = t / R[c * p + c]!;
    }
    beta0[i] = coef[0]!;
    for (let j = 0; j < m; j++) betas[i * m + j] = coef[j + 1]!;
    let cum = 0;
    for (let k = 0; k < Wr; k++) {
      let fit = 0;
      for (let c = 0; c < p; c++) fit += Q[k * p + c]! * qty[c]!;
      cum += r[base + k * N + i]! - fit;
      x[k] = cum;
    }
    // AR(1) with intercept on the Wr − 1 pairs (X_k, X_k+1)
    const n = Wr - 1;
    let mx = 0;
    let my = 0;
    for (let k = 0; k < n; k++) {
      mx += x[k]!;
      my += x[k + 1]!;
    }
    mx /= n;
    my /= n;
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < n; k++) {
      sxy += (x[k]! - mx) * (x[k + 1]! - my);
      sxx += (x[k]! - mx) ** 2;
    }
    const bi = sxy / sxx;
    const ai = my - bi * mx;
    let sz = 0;
    for (let k = 0; k < n; k++) sz += (x[k + 1]! - ai - bi * x[k]!) ** 2;
    a[i] = ai;
    b[i] = bi;
    varZeta[i] = sz / n;
    xLast[i] = x[Wr - 1]!;
    if (bi > 0 && bi < 1) {
      valid[i] = 1;
      kappa[i] = -Math.log(bi) * o.annualisation;
      mu[i] = ai / (1 - bi);
      sigmaEq[i] = Math.sqrt(varZeta[i]! / (1 - bi * bi));
      s[i] = (xLast[i]! - mu[i]!) / sigmaEq[i]!;
      eligible[i] = kappa[i]! > rule.kappaMin ? 1 : 0;
    }
  }
  let mSum = 0;
  let nValid = 0;
  for (let i = 0; i < N; i++)
    if (valid[i] === 1) {
      mSum += mu[i]!;
      nValid++;
    }
  const mBar = nValid > 0 ? mSum / nValid : NaN;
  for (let i = 0; i < N; i++) if (valid[i] === 1) sCentred[i] = (xLast[i]! - mu[i]! + mBar) / sigmaEq[i]!;
  return { n: N, m, eigenvalues: pca.values, eigenvectors: v, factorReturns: F, sigma: pca.sigma, beta0, betas, a, b, varZeta, kappa, mu, sigmaEq, xLast, s, sCentred, valid, eligible, mBar };
}

/**
 * One application of the rule to a stock: the new state (+1 long, 0 flat, −1 short) from the
 * current one and the date's score.
 */
export function alStep(state: number, score: number, valid: boolean, eligible: boolean, rule: AlRule = AL_RULE): number {
  if (!valid) return state;
  if (state === 0) {
    if (eligible && score < rule.openLongBelow) return 1;
    if (eligible && score > rule.openShortAbove) return -1;
    return 0;
  }
  if (state === 1) return score > rule.closeLongAbove ? 0 : 1;
  return score < rule.closeShortBelow ? 0 : -1;
}
