/**
 * Ordinary least squares (STATS.md "Regression and cointegration"): classical standard errors
 * with s² = RSS/(n − k), R² = 1 − RSS/TSS (TSS about the mean when there is an intercept).
 *
 * Solved by Householder QR rather than the normal equations, so that nearly collinear regressors
 * (lagged differences in ADF, levels of co-moving prices) keep full precision. Hand-written:
 * simple-statistics offers only the one-regressor fit and no standard errors.
 */

export interface OlsFit {
  /** Coefficients in the order of the columns given (the intercept first when added). */
  readonly coef: Float64Array;
  readonly se: Float64Array;
  readonly t: Float64Array;
  readonly resid: Float64Array;
  readonly n: number;
  /** Number of coefficients. */
  readonly k: number;
  readonly rss: number;
  readonly tss: number;
  readonly r2: number;
  readonly adjR2: number;
  /** √(RSS / (n − k)). */
  readonly sigma: number;
  /** Gaussian log-likelihood at the fit: −n/2 (ln 2π + ln(RSS/n) + 1). */
  readonly llf: number;
  /** −2 llf + 2k (as statsmodels). */
  readonly aic: number;
}

/** A regression whose regressors are (nearly) linearly dependent. */
export class CollinearError extends Error {}

/**
 * Householder QR of the columns, in place: afterwards `cols[j][j..]` holds the j-th Householder
 * vector, `cols[j][i < j]` the entries of R above its diagonal, `rdiag` its diagonal, and `qty`
 * is Qᵀy.
 */
function householder(y: ArrayLike<number>, cols: Float64Array[]): { qty: Float64Array; rdiag: Float64Array } {
  const n = y.length;
  const k = cols.length;
  const qty = Float64Array.from(y);
  const rdiag = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const a = cols[j]!;
    let norm = 0;
    for (let i = j; i < n; i++) norm += a[i]! * a[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) throw new CollinearError(`regressor ${j} is zero or a combination of the others`);
    const alpha = a[j]! > 0 ? -norm : norm;
    const v0 = a[j]! - alpha;
    // v = (v0, a[j+1..n-1]); vᵀv = v0² + Σ a[i]² (i > j)
    const vtv = v0 * v0 + (norm * norm - a[j]! * a[j]!);
    a[j] = v0;
    if (vtv > 0) {
      // the columns after j (and Qᵀy) four at a time: each dot product still sums its rows in
      // order (the same numbers), but four independent sums share one pass, so the add latency
      // that bounds a single sum is hidden (refits in strategies run this hundreds of times)
      const target = (c: number): Float64Array => (c < k ? cols[c]! : qty);
      let c = j + 1;
      for (; c + 3 <= k; c += 4) {
        const b0 = target(c);
        const b1 = target(c + 1);
        const b2 = target(c + 2);
        const b3 = target(c + 3);
        let d0 = 0;
        let d1 = 0;
        let d2 = 0;
        let d3 = 0;
        for (let i = j; i < n; i++) {
          const ai = a[i]!;
          d0 += ai * b0[i]!;
          d1 += ai * b1[i]!;
          d2 += ai * b2[i]!;
          d3 += ai * b3[i]!;
        }
        const f0 = (2 * d0) / vtv;
        const f1 = (2 * d1) / vtv;
        const f2 = (2 * d2) / vtv;
        const f3 = (2 * d3) / vtv;
        for (let i = j; i < n; i++) {
          const ai = a[i]!;
          b0[i]! -= f0 * ai;
          b1[i]! -= f1 * ai;
          b2[i]! -= f2 * ai;
          b3[i]! -= f3 * ai;
        }
      }
      for (; c <= k; c++) {
        const b0 = target(c);
        let d0 = 0;
        for (let i = j; i < n; i++) d0 += a[i]! * b0[i]!;
        const f0 = (2 * d0) / vtv;
        for (let i = j; i < n; i++) b0[i]! -= f0 * a[i]!;
      }
    }
    rdiag[j] = alpha;
  }
  return { qty, rdiag };
}

/** QR of `cols` (in place), the collinearity check, and the coefficients by back-substitution. */
function solveQr(y: ArrayLike<number>, cols: Float64Array[]): { rdiag: Float64Array; coef: Float64Array; rss: number } {
  const n = y.length;
  const k = cols.length;
  const { qty, rdiag } = householder(y, cols);
  let maxDiag = 0;
  for (let j = 0; j < k; j++) maxDiag = Math.max(maxDiag, Math.abs(rdiag[j]!));
  for (let j = 0; j < k; j++) {
    if (Math.abs(rdiag[j]!) <= 1e-12 * maxDiag) throw new CollinearError(`regressor ${j} is a linear combination of the others`);
  }
  // back-substitution R β = (Qᵀy)[0..k); R above its diagonal is cols[j][i < j]
  const coef = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = qty[i]!;
    for (let j = i + 1; j < k; j++) s -= cols[j]![i]! * coef[j]!;
    coef[i] = s / rdiag[i]!;
  }
  let rss = 0;
  for (let i = k; i < n; i++) rss += qty[i]! * qty[i]!;
  return { rdiag, coef, rss };
}

function totalSumOfSquares(y: ArrayLike<number>, intercept: boolean): number {
  const n = y.length;
  let tss = 0;
  if (intercept) {
    let m = 0;
    for (let i = 0; i < n; i++) m += y[i]!;
    m /= n;
    for (let i = 0; i < n; i++) tss += (y[i]! - m) ** 2;
  } else for (let i = 0; i < n; i++) tss += y[i]! ** 2;
  return tss;
}

/**
 * The coefficients and R² of {@link ols} only, for a strategy that refits often: the same QR and
 * the same operations in the same order (so the same numbers, bit for bit), without the standard
 * errors, residuals and likelihood. `cols` are the full design matrix's columns (the intercept's
 * ones included when `intercept`), each at least `y.length` long; they are factorised in place,
 * so the caller passes scratch columns it owns. The linreg strategy's refits spent 60% of its
 * replay in ols() building what it never read.
 */
export function olsCoefficients(y: ArrayLike<number>, cols: Float64Array[], intercept: boolean): { coef: Float64Array; r2: number } {
  const n = y.length;
  const k = cols.length;
  if (n <= k) throw new RangeError(`OLS needs more observations (${n}) than coefficients (${k})`);
  const { coef, rss } = solveQr(y, cols);
  return { coef, r2: 1 - rss / totalSumOfSquares(y, intercept) };
}

/**
 * Fits y = X β + e. `columns` are the regressors (each of length n); with `intercept` a column of
 * ones is put first.
 */
export function ols(y: ArrayLike<number>, columns: readonly ArrayLike<number>[], intercept = true): OlsFit {
  const n = y.length;
  const cols: Float64Array[] = [];
  if (intercept) cols.push(new Float64Array(n).fill(1));
  for (const c of columns) {
    if (c.length !== n) throw new RangeError(`regressor of length ${c.length}, expected ${n}`);
    cols.push(Float64Array.from(c));
  }
  const k = cols.length;
  if (n <= k) throw new RangeError(`OLS needs more observations (${n}) than coefficients (${k})`);
  const { rdiag, coef, rss } = solveQr(y, cols);
  const R = (i: number, j: number): number => (i === j ? rdiag[i]! : cols[j]![i]!); // i < j: above the diagonal
  // residuals from the original data
  const resid = Float64Array.from(y);
  const orig: ArrayLike<number>[] = intercept ? [new Float64Array(n).fill(1), ...columns] : [...columns];
  for (let j = 0; j < k; j++) {
    const c = orig[j]!;
    const b = coef[j]!;
    for (let i = 0; i < n; i++) resid[i]! -= b * c[i]!;
  }
  // (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ
  const rinv = new Float64Array(k * k); // row-major upper triangular
  for (let i = k - 1; i >= 0; i--) {
    rinv[i * k + i] = 1 / R(i, i);
    for (let j = i + 1; j < k; j++) {
      let s = 0;
      for (let m = i + 1; m <= j; m++) s += R(i, m) * rinv[m * k + j]!;
      rinv[i * k + j] = -s / R(i, i);
    }
  }
  const df = n - k;
  const s2 = rss / df;
  const se = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let v = 0;
    for (let j = i; j < k; j++) v += rinv[i * k + j]! ** 2;
    se[i] = Math.sqrt(v * s2);
  }
  const tss = totalSumOfSquares(y, intercept);
  const r2 = 1 - rss / tss;
  const llf = (-n / 2) * (Math.log(2 * Math.PI) + Math.log(rss / n) + 1);
  return {
    coef,
    se,
    t: coef.map((b, i) => b / se[i]!),
    resid,
    n,
    k,
    rss,
    tss,
    r2,
    adjR2: 1 - ((1 - r2) * (n - (intercept ? 1 : 0))) / df,
    sigma: Math.sqrt(s2),
    llf,
    aic: -2 * llf + 2 * k,
  };
}

/**
 * Rolling simple regression y = a + b x over a window of `window` rows ending at each index
 * (inclusive), updated in O(1) per step with centred running moments (add and remove), which keep
 * precision where raw sums of squares of price levels would cancel. Hand-written because it runs
 * once per tick in strategies.
 */
export class RollingOls {
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  private head = 0;
  private n = 0;
  private mx = 0;
  private my = 0;
  private sxx = 0;
  private sxy = 0;
  private syy = 0;
  constructor(readonly window: number) {
    if (!(Number.isInteger(window) && window >= 3)) throw new RangeError('rolling window must be an integer >= 3');
    this.xs = new Float64Array(window);
    this.ys = new Float64Array(window);
  }
  /** Adds a point (dropping the oldest when the window is full). */
  push(x: number, y: number): void {
    if (this.n === this.window) {
      const ox = this.xs[this.head]!;
      const oy = this.ys[this.head]!;
      // remove (inverse of the add update)
      const n1 = this.n - 1;
      const mx1 = (this.n * this.mx - ox) / n1;
      const my1 = (this.n * this.my - oy) / n1;
      this.sxx -= (ox - mx1) * (ox - this.mx);
      this.sxy -= (ox - mx1) * (oy - this.my);
      this.syy -= (oy - my1) * (oy - this.my);
      this.mx = mx1;
      this.my = my1;
      this.n = n1;
    }
    // add
    this.n++;
    const dx = x - this.mx;
    const dy = y - this.my;
    this.mx += dx / this.n;
    this.my += dy / this.n;
    this.sxx += dx * (x - this.mx);
    this.sxy += dx * (y - this.my);
    this.syy += dy * (y - this.my);
    this.xs[this.head] = x;
    this.ys[this.head] = y;
    this.head = (this.head + 1) % this.window;
  }
  get count(): number {
    return this.n;
  }
  get full(): boolean {
    return this.n === this.window;
  }
  get slope(): number {
    return this.sxx > 0 ? this.sxy / this.sxx : NaN;
  }
  get intercept(): number {
    return this.my - this.slope * this.mx;
  }
  /** R² of the window's fit. */
  get r2(): number {
    return this.sxx > 0 && this.syy > 0 ? (this.sxy * this.sxy) / (this.sxx * this.syy) : NaN;
  }
  /** Classical standard error of the slope. */
  get seSlope(): number {
    const rss = this.syy - (this.sxy * this.sxy) / this.sxx;
    return this.n > 2 && this.sxx > 0 ? Math.sqrt(Math.max(0, rss) / (this.n - 2) / this.sxx) : NaN;
  }
  get meanX(): number {
    return this.mx;
  }
  get meanY(): number {
    return this.my;
  }
  /**
   * The fit into `out`: [intercept, slope, residSigma], the three getters at once. For a caller
   * that reads them every tick: numbers returned from a call the optimiser does not inline are
   * allocated each time (in pairs, the getters were a third of a trial's allocations, measured);
   * numbers written to a typed array are not.
   */
  fitInto(out: Float64Array): void {
    const b = this.sxx > 0 ? this.sxy / this.sxx : NaN;
    out[0] = this.my - b * this.mx;
    out[1] = b;
    const rss = this.syy - (this.sxy * this.sxy) / this.sxx;
    out[2] = this.n > 2 && this.sxx > 0 ? Math.sqrt(Math.max(0, rss) / (this.n - 2)) : NaN;
  }
  /** √(RSS / (n − 2)): the standard deviation of the window's residuals y − a − b x. */
  get residSigma(): number {
    const rss = this.syy - (this.sxy * this.sxy) / this.sxx;
    return this.n > 2 && this.sxx > 0 ? Math.sqrt(Math.max(0, rss) / (this.n - 2)) : NaN;
  }
}

/**
 * RSS of every nested model y ~ the first m columns (m = 1..k, the intercept first when added),
 * from ONE QR decomposition: the first m columns of Q span the first m regressors, so
 * RSS(m) = Σ_{i≥m} (Qᵀy)_i². This is how ADF lag selection compares all lags at once.
 */
export function nestedRss(y: ArrayLike<number>, columns: readonly ArrayLike<number>[], intercept = true): Float64Array {
  const n = y.length;
  const cols: Float64Array[] = [];
  if (intercept) cols.push(new Float64Array(n).fill(1));
  for (const c of columns) cols.push(Float64Array.from(c));
  const k = cols.length;
  const { qty } = householder(y, cols);
  const rss = new Float64Array(k);
  let tail = 0;
  for (let i = n - 1; i >= k; i--) tail += qty[i]! * qty[i]!;
  for (let m = k; m >= 1; m--) {
    rss[m - 1] = tail;
    tail += qty[m - 1]! * qty[m - 1]!;
  }
  return rss;
}
