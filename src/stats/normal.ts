/**
 * The standard normal distribution, accurate to ~1e-15 (STATS.md asks for ~1e-12: a cheap erf
 * approximation, such as the 1e-7 ones in common libraries, is not enough for PSR/DSR tails).
 * Written by hand because simple-statistics' `cumulativeStdNormalProbability` is table-based
 * (~1e-4) and its `probit` is a low-order approximation.
 *
 * Φ uses the positive-term series of erf for |x| < 2.5 and Lentz's continued fraction for erfc
 * beyond, so both the body and the tails keep full relative precision. Φ⁻¹ starts from
 * Abramowitz-Stegun 26.2.23 (error < 4.5e-4) and refines with Halley steps on the accurate Φ.
 */
const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;

/** erf(x) for |x| < 2.5: (2/√π) e^{−x²} Σ (2x²)^n x / (1·3·…·(2n+1)); all terms positive. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc(x) for x >= 2.5 by the continued fraction e^{−x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcContinuedFraction(x: number): number {
  // modified Lentz for f = x + a1/(x + a2/(x + ...)), a_k = k/2
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? tiny : d;
    c = x + a / c;
    c = Math.abs(c) < tiny ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / SQRT_PI / f;
}

/** erfc(x) with full relative precision in both tails. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2.5) return erfcContinuedFraction(x);
  if (x <= -2.5) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/** Standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = -z / SQRT2;
  // for z > 0 compute 1 − Φ(−z) via erfc of a negative argument only through the series range
  if (x > -2.5) return 0.5 * erfc(x);
  return 1 - 0.5 * erfcContinuedFraction(-x);
}

/** Standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/** Inverse standard normal CDF Φ⁻¹(p); NaN outside [0, 1], ±Infinity at 0 and 1. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // solve in the lower tail, Φ(x) = q with q = min(p, 1 − p), for relative precision; mirror back
  const lower = p < 0.5;
  const q = lower ? p : 1 - p;
  const t = Math.sqrt(-2 * Math.log(q));
  let x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t));
  for (let i = 0; i < 8; i++) {
    const dens = normalPdf(x);
    if (dens === 0) break;
    const u = (normalCdf(x) - q) / dens;
    const step = u / (1 + (x * u) / 2); // Halley
    x -= step;
    if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return lower ? x : -x;
}
