/**
 * Bootstrap row indices (`../shared/STATS.md`), the same rows for every model of a test, from a
 * seeded generator (or given from outside: the tests replay the indices the python `arch`
 * package drew).
 * - Stationary (Politis-Romano 1994, mean block b): I_i uniform on 0..T−1, U_i uniform on [0,1);
 *   idx_0 = I_0; idx_i = (idx_{i−1} + 1) mod T if U_i > 1/b, else I_i.
 * - Circular block (length b): ⌈T/b⌉ uniform starts S_j; idx = (S_j + 0..b−1) mod T, concatenated,
 *   cut to T.
 */
export type Resampling = 'stationary' | 'circular';

/** Bootstrap rows of a series of length T: stationary (geometric blocks of mean `block`) or circular blocks, from a seeded generator. */
export function bootstrapIndices(kind: Resampling, T: number, block: number, reps: number, rng: () => number): Int32Array[] {
  if (!(block >= 1)) throw new RangeError(`the block length must be >= 1, got ${block}`);
  const out: Int32Array[] = [];
  for (let b = 0; b < reps; b++) {
    const idx = new Int32Array(T);
    if (kind === 'stationary') {
      const p = 1 / block;
      idx[0] = Math.floor(rng() * T);
      for (let i = 1; i < T; i++) {
        const fresh = Math.floor(rng() * T);
        idx[i] = rng() > p ? (idx[i - 1]! + 1) % T : fresh;
      }
    } else {
      const L = Math.round(block);
      for (let i = 0; i < T; i += L) {
        const s = Math.floor(rng() * T);
        for (let j = 0; j < L && i + j < T; j++) idx[i + j] = (s + j) % T;
      }
    }
    out.push(idx);
  }
  return out;
}

/** Mean of column x over the rows idx. */
export function meanAt(x: Float64Array, idx: Int32Array): number {
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += x[idx[i]!]!;
  return s / idx.length;
}

/**
 * The means of many columns over each bootstrap row (B × K), at the cost of the row's runs, not
 * its length: a stationary or circular row is runs of consecutive periods, and a run's sum is a
 * difference of the column's prefix sums. The same means as {@link meanAt} up to rounding (a
 * search's 1,000 trials × 360 periods × 2,000 rows: 51 runs a row at a mean block of 7).
 */
export function bootstrapMeans(columns: readonly Float64Array[], indices: readonly Int32Array[]): Float64Array[] {
  const K = columns.length;
  const T = K > 0 ? columns[0]!.length : 0;
  // period-major: prefix[t·K + k] = the sum of column k's first t rows (a run adds K contiguous differences)
  const prefix = new Float64Array((T + 1) * K);
  for (let k = 0; k < K; k++) {
    const x = columns[k]!;
    if (x.length !== T) throw new RangeError(`column ${k} has ${x.length} rows, column 0 ${T}`);
    for (let t = 0; t < T; t++) prefix[(t + 1) * K + k] = prefix[t * K + k]! + x[t]!;
  }
  const out: Float64Array[] = new Array<Float64Array>(indices.length);
  let from = new Int32Array(16);
  let to = new Int32Array(16);
  for (let b = 0; b < indices.length; b++) {
    const idx = indices[b]!;
    const n = idx.length;
    if (from.length < n) [from, to] = [new Int32Array(n), new Int32Array(n)];
    // the row's runs [from, to) of consecutive periods
    let runs = 0;
    for (let i = 0; i < n; i++) {
      const j = idx[i]!;
      if (!(j >= 0 && j < T)) throw new RangeError(`row ${b} has index ${j}, outside 0..${T - 1}`);
      if (runs > 0 && j === to[runs - 1]!) to[runs - 1] = j + 1;
      else {
        from[runs] = j;
        to[runs++] = j + 1;
      }
    }
    const row = new Float64Array(K);
    for (let r = 0; r < runs; r++) {
      const hi = to[r]! * K;
      const lo = from[r]! * K;
      for (let k = 0; k < K; k++) row[k] = row[k]! + (prefix[hi + k]! - prefix[lo + k]!);
    }
    for (let k = 0; k < K; k++) row[k] = row[k]! / n;
    out[b] = row;
  }
  return out;
}
