/**
 * The sample cross-correlation of two equally spaced series (STATS.md conventions: the means and
 * population standard deviations of the whole series, sums over the overlap divided by n, as
 * statsmodels' `ccf(adjusted=False)` and R's `ccf` do):
 *
 *   ρ(k) = (1/n) Σ_t (x_t − x̄)(y_{t+k} − ȳ) / (s_x s_y),   k = −L..L.
 *
 * ρ(k) > 0 at k > 0: x today goes with y k steps later, so x leads y by k steps.
 */
export function crossCorrelation(x: ArrayLike<number>, y: ArrayLike<number>, maxLag: number): Float64Array {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`series of different lengths (${n}, ${y.length})`);
  let mx = 0;
  let my = 0;
  for (let t = 0; t < n; t++) {
    mx += x[t]!;
    my += y[t]!;
  }
  mx /= n;
  my /= n;
  let vx = 0;
  let vy = 0;
  for (let t = 0; t < n; t++) {
    vx += (x[t]! - mx) ** 2;
    vy += (y[t]! - my) ** 2;
  }
  const norm = Math.sqrt(vx * vy);
  const out = new Float64Array(2 * maxLag + 1);
  for (let k = -maxLag; k <= maxLag; k++) {
    let s = 0;
    const t0 = Math.max(0, -k);
    const t1 = Math.min(n, n - k);
    for (let t = t0; t < t1; t++) s += (x[t]! - mx) * (y[t + k]! - my);
    out[k + maxLag] = norm > 0 ? s / norm : NaN;
  }
  return out;
}
