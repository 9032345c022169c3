/**
 * The Hayashi-Yoshida (2005) covariance of two asynchronously observed log-price paths, and its
 * lead-lag version (Hoffmann, Rosenbaum & Yoshida 2013): with A's observation intervals
 * I_i = (a_{i−1}, a_i] and B's J_j = (b_{j−1}, b_j], B's clock shifted back by θ,
 *
 *   U(θ) = Σ_i Σ_j ΔA(I_i) ΔB(J_j) 1{I_i ∩ (J_j − θ) ≠ ∅},
 *   ρ(θ) = U(θ) / √(Σ_i ΔA(I_i)² Σ_j ΔB(J_j)²).
 *
 * No sampling grid, so no Epps effect from previous-tick interpolation. ρ(θ) peaks at θ > 0
 * when B follows A by θ (A leads). The observation times should be those of price changes
 * (an observation without a change splits an interval and changes U).
 *
 * For each i the overlapping J_j form one run j = first..last, so the inner sum is
 * B(b_last) − B(b_{first−1}); both ends move forward with i, so one θ costs O(n_A + n_B).
 */
export function hayashiYoshida(ta: ArrayLike<number>, pa: ArrayLike<number>, tb: ArrayLike<number>, pb: ArrayLike<number>, theta = 0): { cov: number; corr: number } {
  const out = new Float64Array(1);
  hyBlocks(ta, pa, tb, pb, theta, undefined, out);
  const va = squaredChanges(pa);
  const vb = squaredChanges(pb);
  return { cov: out[0]!, corr: va > 0 && vb > 0 ? out[0]! / Math.sqrt(va * vb) : NaN };
}

/** Σ (p_i − p_{i−1})², the realised variance of a path. */
export function squaredChanges(p: ArrayLike<number>): number {
  let v = 0;
  for (let i = 1; i < p.length; i++) v += (p[i]! - p[i - 1]!) ** 2;
  return v;
}

/**
 * U(θ) split by blocks of A's intervals: `out[blockOfA[i]]` accumulates interval i's terms
 * (all into out[0] without blocks), so that a block bootstrap can recombine them.
 */
export function hyBlocks(ta: ArrayLike<number>, pa: ArrayLike<number>, tb: ArrayLike<number>, pb: ArrayLike<number>, theta: number, blockOfA: Int32Array | undefined, out: Float64Array): void {
  const na = ta.length;
  const nb = tb.length;
  if (na < 2 || nb < 2) return;
  let first = 1; // smallest j >= 1 with tb[j] − θ > ta[i−1]
  let next = 1; // smallest j >= 1 with tb[j − 1] − θ >= ta[i]
  for (let i = 1; i < na; i++) {
    const lo = ta[i - 1]! + theta;
    const hi = ta[i]! + theta;
    while (first < nb && !(tb[first]! > lo)) first++;
    if (next < first) next = first;
    while (next < nb && tb[next - 1]! < hi) next++;
    // j overlaps iff tb[j−1] < hi and tb[j] > lo: j in [first, next − 1]
    const last = next - 1;
    if (last >= first) out[blockOfA ? blockOfA[i]! : 0]! += (pa[i]! - pa[i - 1]!) * (pb[last]! - pb[first - 1]!);
  }
}
