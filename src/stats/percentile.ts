/** The linear (type 7, numpy's default) percentile of `x` at fraction q in [0, 1]; NaN when empty. */
export function percentileLinear(x: ArrayLike<number>, q: number): number {
  const n = x.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(x).sort();
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}
