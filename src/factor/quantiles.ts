/**
 * Value-based quantile labels as pandas.qcut(x, Q, labels=False) + 1 (alphalens' quantize_factor
 * without groups): edges at the linear-interpolated order statistics, bins (e_{j-1}, e_j], the
 * first closed on the left; a value equal to an edge goes to the lower bin, equal values always
 * share a label. Quantile 1 holds the lowest values.
 */

/** Edges e_0..e_Q of the sorted values (integer arithmetic for the positions, as numpy 'linear'). */
export function quantileEdges(sorted: ArrayLike<number>, q: number, out: Float64Array = new Float64Array(q + 1)): Float64Array {
  const n = sorted.length;
  for (let j = 0; j <= q; j++) {
    const lo = Math.floor(((n - 1) * j) / q);
    const rem = ((n - 1) * j) % q;
    out[j] = rem === 0 ? sorted[lo]! : sorted[lo]! + (rem / q) * (sorted[lo + 1]! - sorted[lo]!);
  }
  return out;
}

/** 1 + the number of inner edges below x. */
export function quantileOf(x: number, edges: ArrayLike<number>, q: number): number {
  let label = 1;
  for (let j = 1; j < q; j++) if (x > edges[j]!) label++;
  return label;
}

/** True when two edges coincide (pandas.qcut raises "Bin edges must be unique"). */
export function duplicateEdges(edges: ArrayLike<number>): boolean {
  for (let j = 1; j < edges.length; j++) if (edges[j] === edges[j - 1]) return true;
  return false;
}
