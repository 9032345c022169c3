/**
 * Augmented Dickey-Fuller and Engle-Granger tests (STATS.md), as statsmodels `adfuller` and
 * `coint`: Δy_t = [a] + [b t] + γ y_{t−1} + Σ_{j=1..p} d_j Δy_{t−j} + e_t; the statistic is γ̂/se(γ̂);
 * the sample loses 1 + p observations. Lags fixed or chosen by AIC over 0..maxlag on the common
 * sample, then refitted on the full sample with the chosen lag.
 */
import { nestedRss, ols, type OlsFit } from './ols.js';
import { mackinnonCrit, mackinnonP, type CriticalValues, type Deterministic } from './mackinnon.js';
import { pushAll } from '../arrays.js';

export interface AdfResult {
  readonly stat: number;
  readonly pValue: number;
  readonly usedLag: number;
  readonly nobs: number;
  readonly crit: CriticalValues;
  readonly regression: Deterministic;
  /** γ̂: the coefficient of y_{t−1}. */
  readonly gamma: number;
  /** Best AIC of the lag search (autolag only). */
  readonly icBest?: number;
}

export interface AdfOptions {
  readonly regression?: Deterministic;
  /** Fixed number of lagged differences; with `autolag` the largest tried. */
  readonly maxLag?: number;
  readonly autolag?: 'aic' | 'none';
}

/** statsmodels' default: ceil(12 (n/100)^¼), at most n/2 − (number of trend terms) − 1. */
export function defaultMaxLag(n: number, regression: Deterministic): number {
  const nTrend = regression === 'n' ? 0 : regression === 'c' ? 1 : 2;
  return Math.min(Math.floor(n / 2) - nTrend - 1, Math.ceil(12 * (n / 100) ** 0.25));
}

/** Target and regressors of the ADF regression with `lag` lagged differences from Δy index `first`. */
function adfDesign(y: ArrayLike<number>, lag: number, first: number, regression: Deterministic): { dy: Float64Array; cols: Float64Array[] } {
  const n = y.length;
  const rows = n - 1 - first;
  const dy = new Float64Array(rows);
  const level = new Float64Array(rows);
  const lags = Array.from({ length: lag }, () => new Float64Array(rows));
  for (let r = 0; r < rows; r++) {
    const t = first + r; // Δy index: Δy_t = y[t+1] − y[t]
    dy[r] = y[t + 1]! - y[t]!;
    level[r] = y[t]!;
    for (let j = 1; j <= lag; j++) lags[j - 1]![r] = y[t + 1 - j]! - y[t - j]!;
  }
  const cols: Float64Array[] = [];
  if (regression === 'ct') cols.push(Float64Array.from({ length: rows }, (_, r) => r + 1));
  cols.push(level);
  pushAll(cols, lags);
  return { dy, cols };
}

function adfRegression(y: ArrayLike<number>, lag: number, first: number, regression: Deterministic): OlsFit {
  const { dy, cols } = adfDesign(y, lag, first, regression);
  return ols(dy, cols, regression !== 'n');
}

/** Index of γ among the fitted coefficients. */
const gammaIndex = (regression: Deterministic): number => (regression === 'n' ? 0 : regression === 'c' ? 1 : 2);

/** The augmented Dickey-Fuller test as statsmodels `adfuller`: statistic, MacKinnon p-value, critical values, the lag (fixed or by AIC). */
export function adf(y: ArrayLike<number>, opts: AdfOptions = {}): AdfResult {
  const regression = opts.regression ?? 'c';
  const autolag = opts.autolag ?? 'aic';
  const maxLag = opts.maxLag ?? defaultMaxLag(y.length, regression);
  if (!(Number.isInteger(maxLag) && maxLag >= 0)) throw new RangeError('maxLag must be an integer >= 0');
  if (y.length < maxLag + 4) throw new RangeError(`ADF needs more than ${maxLag + 3} observations, got ${y.length}`);
  let lag = maxLag;
  let icBest: number | undefined;
  if (autolag === 'aic') {
    // every candidate on the same sample (rows from Δy index maxLag); the candidates are nested,
    // so one QR of the largest gives every candidate's RSS
    const { dy, cols } = adfDesign(y, maxLag, maxLag, regression);
    const rss = nestedRss(dy, cols, regression !== 'n');
    const nTrend = regression === 'n' ? 0 : regression === 'c' ? 1 : 2;
    const nobs = dy.length;
    let best = Infinity;
    for (let L = 0; L <= maxLag; L++) {
      const k = nTrend + 1 + L;
      const llf = (-nobs / 2) * (Math.log(2 * Math.PI) + Math.log(rss[k - 1]! / nobs) + 1);
      const aic = -2 * llf + 2 * k;
      if (aic < best) {
        best = aic;
        lag = L;
      }
    }
    icBest = best;
  }
  const fit = adfRegression(y, lag, lag, regression);
  const g = gammaIndex(regression);
  const stat = fit.t[g]!;
  return {
    stat,
    pValue: mackinnonP(stat, regression, 1),
    usedLag: lag,
    nobs: fit.n,
    crit: mackinnonCrit(regression, 1, fit.n),
    regression,
    gamma: fit.coef[g]!,
    ...(icBest !== undefined ? { icBest } : {}),
  };
}

export interface CointResult {
  readonly stat: number;
  /** MacKinnon (1994), N = 2, constant: as statsmodels `coint`. */
  readonly pValue: number;
  readonly crit: CriticalValues;
  /** Hedge ratio: slope of y on x. */
  readonly hedgeRatio: number;
  readonly intercept: number;
  readonly usedLag: number;
  readonly nobs: number;
  /** Half-life of the residual spread, in observations (NaN when it does not mean-revert). */
  readonly halfLife: number;
  readonly resid: Float64Array;
}

/**
 * Engle-Granger test of y on x: OLS y = a + b x, then ADF with no constant on the residuals;
 * p-value from MacKinnon's N = 2 surface (not the univariate ADF table).
 */
export function engleGranger(y: ArrayLike<number>, x: ArrayLike<number>, opts: Omit<AdfOptions, 'regression'> = {}): CointResult {
  const fit = ols(y, [x], true);
  const resid = fit.resid;
  const a = adf(resid, { regression: 'n', autolag: opts.autolag ?? 'aic', ...(opts.maxLag !== undefined ? { maxLag: opts.maxLag } : {}) });
  return {
    stat: a.stat,
    pValue: mackinnonP(a.stat, 'c', 2),
    crit: mackinnonCrit('c', 2, y.length - 1),
    hedgeRatio: fit.coef[1]!,
    intercept: fit.coef[0]!,
    usedLag: a.usedLag,
    nobs: a.nobs,
    halfLife: halfLife(resid),
    resid,
  };
}

/** Half-life of mean reversion from the AR(1) fit Δs_t = a + γ s_{t−1}: −ln 2 / ln(1 + γ̂). */
export function halfLife(s: ArrayLike<number>): number {
  if (s.length < 4) return NaN;
  const dy = new Float64Array(s.length - 1);
  const lvl = new Float64Array(s.length - 1);
  for (let t = 1; t < s.length; t++) {
    dy[t - 1] = s[t]! - s[t - 1]!;
    lvl[t - 1] = s[t - 1]!;
  }
  const g = ols(dy, [lvl], true).coef[1]!;
  return g < 0 && g > -1 ? -Math.LN2 / Math.log(1 + g) : NaN;
}
