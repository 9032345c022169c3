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
