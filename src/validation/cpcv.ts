/**
 * Combinatorial purged cross-validation (López de Prado, AFML ch. 12; `../shared/STATS.md`), on
 * row positions 0..T−1:
 * - N contiguous groups of ⌊T/N⌋ rows, the last one taking the T mod N leftover rows;
 * - the C(N,k) splits, the choices of k test groups in lexicographic order; adjacent test groups
 *   form one contiguous test block;
 * - purging: row i carries the label window [i, i+h]; a training row whose window overlaps a
 *   test row's (|i − j| <= h) is dropped: h rows before and h rows after each test block;
 * - embargo: the e rows after those (f+h+1 .. f+h+e after a block ending at f) are dropped too;
 * - paths: φ = k·C(N,k)/N; path p takes group g from the p-th split whose test groups hold g.
 * Checked row for row against `../shared/oracles/cpcv_splits.json` (and skfolio's own test values).
 */
import { UsageError } from '../errors.js';

export interface CpcvSplit {
  readonly split: number;
  readonly testGroups: readonly number[];
  /** Contiguous test blocks, [first, last] rows inclusive. */
  readonly testBlocks: readonly (readonly [number, number])[];
  /** Training rows as half-open runs [start, end). */
  readonly trainRanges: readonly (readonly [number, number])[];
  readonly purged: readonly number[];
  readonly embargoed: readonly number[];
  /** For each test group (in increasing order), the path it feeds. */
  readonly pathIds: readonly number[];
}

export interface CpcvPlan {
  readonly rows: number;
  readonly groups: readonly (readonly [number, number])[];
  readonly splits: readonly CpcvSplit[];
  readonly nPaths: number;
  /** pathsSplitOfGroup[g][p]: the split whose test set supplies group g in path p. */
  readonly pathsSplitOfGroup: readonly (readonly number[])[];
}

/** C(n, k) exactly (small n). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** The k-subsets of 0..n−1 in lexicographic order (itertools.combinations). */
function* combinations(n: number, k: number): Generator<number[]> {
  const c = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    yield [...c];
    let i = k - 1;
    while (i >= 0 && c[i] === n - k + i) i--;
    if (i < 0) return;
    c[i]!++;
    for (let j = i + 1; j < k; j++) c[j] = c[j - 1]! + 1;
  }
}

/** The most splits a plan may have (C(N, k) grows fast: C(20, 10) = 184,756). */
export const MAX_CPCV_SPLITS = 10_000;

/** The C(N,k) combinatorial purged CV splits of `rows` observations, their purged and embargoed training sets and the paths' map (see the module comment). */
export function planCpcv(rows: number, groups: number, testGroups: number, horizon = 0, embargo = 0): CpcvPlan {
  const T = rows;
  const N = groups;
  const k = testGroups;
  if (!(Number.isInteger(N) && N >= 2)) throw new UsageError(`--groups ${N}: needs a whole number >= 2`);
  if (!(Number.isInteger(k) && k >= 1 && k < N)) throw new UsageError(`--test-groups ${k}: needs a whole number from 1 to ${N - 1} (below --groups ${N})`);
  if (!(Number.isInteger(horizon) && horizon >= 0)) throw new UsageError(`the label horizon ${horizon} must be a whole number of rows >= 0`);
  if (!(Number.isInteger(embargo) && embargo >= 0)) throw new UsageError(`the embargo ${embargo} must be a whole number of rows >= 0`);
  const size = Math.floor(T / N);
  if (size < 1) throw new UsageError(`${T} rows cannot make ${N} groups (each needs at least one row)`);
  const nSplits = binomial(N, k);
  if (nSplits > MAX_CPCV_SPLITS) throw new UsageError(`--groups ${N} --test-groups ${k} makes C(${N},${k}) = ${nSplits.toLocaleString('en-US')} splits, more than ${MAX_CPCV_SPLITS.toLocaleString('en-US')}; use fewer groups or test groups`);
  const bounds: [number, number][] = Array.from({ length: N }, (_, g) => [g * size, g === N - 1 ? T : (g + 1) * size]);
  const nPaths = (k * nSplits) / N;
  const seen = new Array<number>(N).fill(0);
  const pathsSplitOfGroup: number[][] = Array.from({ length: N }, () => []);
  const splits: CpcvSplit[] = [];
  let split = 0;
  for (const tg of combinations(N, k)) {
    // contiguous test blocks
    const blocks: [number, number][] = [];
    for (const g of tg) {
      const [s, e] = bounds[g]!;
      const last = blocks.at(-1);
      if (last && last[1] + 1 === s) last[1] = e - 1;
      else blocks.push([s, e - 1]);
    }
    // 0 train, 1 test, 2 purged, 3 embargoed
    const mark = new Uint8Array(T);
    for (const [s, f] of blocks) mark.fill(1, s, f + 1);
    for (const [s, f] of blocks) {
      for (let i = Math.max(0, s - horizon); i < s; i++) if (mark[i] === 0) mark[i] = 2;
      for (let i = f + 1; i <= Math.min(T - 1, f + horizon); i++) if (mark[i] === 0) mark[i] = 2;
    }
    for (const [, f] of blocks) for (let i = f + horizon + 1; i <= Math.min(T - 1, f + horizon + embargo); i++) if (mark[i] === 0) mark[i] = 3;
    const trainRanges: [number, number][] = [];
    const purged: number[] = [];
    const embargoed: number[] = [];
    for (let i = 0; i < T; i++) {
      if (mark[i] === 0) {
        const last = trainRanges.at(-1);
        if (last && last[1] === i) last[1] = i + 1;
        else trainRanges.push([i, i + 1]);
      } else if (mark[i] === 2) purged.push(i);
      else if (mark[i] === 3) embargoed.push(i);
    }
    const pathIds = tg.map((g) => {
      const p = seen[g]!++;
      pathsSplitOfGroup[g]!.push(split);
      return p;
    });
    splits.push({ split, testGroups: tg, testBlocks: blocks, trainRanges, purged, embargoed, pathIds });
    split++;
  }
  return { rows: T, groups: bounds, splits, nPaths, pathsSplitOfGroup };
}

/** The training rows of a split, in order. */
export function trainRows(s: CpcvSplit): number[] {
  const out: number[] = [];
  for (const [a, b] of s.trainRanges) for (let i = a; i < b; i++) out.push(i);
  return out;
}
