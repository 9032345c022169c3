/**
 * A regression whose coefficients drift: the Kalman filter of the state-space model
 *
 *   y_t = a_t + b_t x_t + v_t,      v_t ~ N(0, R)        (observation)
 *   (a_t, b_t) = (a_{t−1}, b_{t−1}) + w_t,  w_t ~ N(0, Q)   (state: a random walk)
 *
 * E. Chan ("Algorithmic Trading", ch. 3) takes Q = δ/(1 − δ) I, which depends on the units of x
 * and y: on log prices (x ≈ 4.6, residuals ~1e-4) δ = 1e-4 lets the filter follow every tick.
 * Here Q is stated in the units of the starting fit, so that δ means the same on any data:
 * Q = δ/(1 − δ) · R (X′X/n)⁻¹, the covariance of a one-observation fit, scaled by δ. In
 * coordinates where the regressors are standardised the signal-to-noise ratio is δ, and the
 * filter remembers about 1/√δ steps (δ = 1e-4: about 100). δ = 0 is a constant regression.
 * Each step predicts y_t from the state
 * before it (the forecast error e_t and its variance S_t = h′P h + R, h = (1, x_t), are the
 * spread and its variance, from the past only), then updates the state with y_t.
 *
 * Started from an OLS fit (θ₀ = its coefficients, P₀ = R (X′X)⁻¹ of its sample), the filter
 * with δ = 0 is recursive least squares: after each step its state is the OLS fit of every
 * observation so far, to rounding. Hand-written: two states, a dozen flops a step, no allocation
 * (it runs on every decision of the pairs strategy); no npm Kalman package is kept up better than
 * these lines.
 */
export class KalmanRegression {
  a: number;
  b: number;
  private p00: number;
  private p01: number;
  private p11: number;
  private readonly q00: number;
  private readonly q01: number;
  private readonly q11: number;
  private readonly r: number;
  /** The last step's forecast error y − (a + b x) and its variance, before the update. */
  lastError = NaN;
  lastVariance = NaN;

  /** `p` and `q` = [·00, ·01, ·11] of the starting state's covariance and of the state noise. */
  constructor(a: number, b: number, p: readonly [number, number, number], q: readonly [number, number, number], obsVariance: number) {
    if (!(obsVariance > 0)) throw new RangeError(`observation variance ${obsVariance}: must be > 0`);
    this.a = a;
    this.b = b;
    [this.p00, this.p01, this.p11] = p;
    [this.q00, this.q01, this.q11] = q;
    this.r = obsVariance;
  }

  /**
   * Starts from the OLS fit (a, b) of y on x over n points whose x have mean `meanX` and centred
   * sum of squares `sxx`: P₀ = R (X′X)⁻¹ = R [[1/n + m²/Sxx, −m/Sxx], [−m/Sxx, 1/Sxx]], and
   * Q = δ/(1 − δ) · n P₀.
   */
  static fromOls(a: number, b: number, n: number, meanX: number, sxx: number, delta: number, obsVariance: number): KalmanRegression {
    if (!(delta >= 0 && delta < 1)) throw new RangeError(`delta ${delta}: must be in [0, 1)`);
    if (!(sxx > 0 && n > 0)) throw new RangeError('the starting regression has no spread in x');
    const r = obsVariance;
    const p: [number, number, number] = [r * (1 / n + (meanX * meanX) / sxx), (-r * meanX) / sxx, r / sxx];
    const k = (delta / (1 - delta)) * n;
    return new KalmanRegression(a, b, p, [k * p[0], k * p[1], k * p[2]], obsVariance);
  }

  /** One observation: forecast error and variance (kept in lastError, lastVariance), then the update. */
  update(x: number, y: number): void {
    const p00 = this.p00 + this.q00;
    const p01 = this.p01 + this.q01;
    const p11 = this.p11 + this.q11;
    const ph0 = p00 + x * p01;
    const ph1 = p01 + x * p11;
    const s = ph0 + x * ph1 + this.r;
    const e = y - (this.a + this.b * x);
    this.lastError = e;
    this.lastVariance = s;
    this.a += (ph0 / s) * e;
    this.b += (ph1 / s) * e;
    this.p00 = p00 - (ph0 * ph0) / s;
    this.p01 = p01 - (ph0 * ph1) / s;
    this.p11 = p11 - (ph1 * ph1) / s;
  }
}
