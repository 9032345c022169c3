/**
 * White's Reality Check in its original use, over a search's own trials (issue 33): is the best
 * of the N configurations a search evaluated better than the benchmark, once the search that
 * found it is accounted for? Hansen's SPA (stats/spa.ts: the lower, consistent and upper p-values,
 * the upper being White's Reality Check, and the studentized consistent one) of every full-budget
 * trial's per-period returns on the in-sample periods against the benchmark's returns on the same
 * periods: d_{t,k} = r_{k,t} − r_{bench,t} (the loss is −return, so d > 0 when trial k beat it).
 *
 * - The trials: every full-budget trial the search ran (each fold's, and with --cpcv each split's),
 *   once each. Halving's partial-budget trials are left out, as they are from PBO: their returns
 *   stop at a share of one training window, so they have no common sample with the others.
 * - The periods: the in-sample mask DSR compares the trials on (the union of the walk-forward
 *   training windows). With --cpcv the splits' trials are measured on the same periods: each
 *   split's own training groups differ, and a test of the best of N needs one common sample.
 * - The benchmark: the naive baseline the verdict names (the best out of sample); when no baseline
 *   ran (--baselines none), flat: a return of 0 every period, what the flat baseline earns.
 * - The bootstrap: stationary rows over the T in-sample periods, mean block --bootstrap-block (or
 *   T^(1/3)), B = --bootstrap (the setting of the baselines' p-values and of the out-of-sample
 *   SPA), from seedrandom.alea(`${seed}:search-spa:${strategy}`).
 * It is reported (JSON, text, HTML, the verdict's text); the verdict's rule does not read it.
 * The ledger's earlier trials count in DSR's N, not here: this is the command's own search.
 */
import seedrandom from 'seedrandom';
import { defaultBlock } from '../stats/bootstrap.js';
import { bootstrapIndices } from '../stats/resample.js';
import { spaTest } from '../stats/spa.js';

/** The benchmark when no baseline ran. */
export const FLAT_BENCHMARK = 'flat (0 every period; no baseline ran)';

export interface SearchSpa {
  /** The baseline the trials are tested against (the verdict's best naive baseline), or {@link FLAT_BENCHMARK}. */
  readonly benchmark: string;
  /** N: the full-budget trials tested. */
  readonly trials: number;
  /** Halving's partial-budget trials, left out (as from PBO). */
  readonly partialExcluded: number;
  /** T: the in-sample periods. */
  readonly periods: number;
  /** The in-sample periods as [from, to) index ranges into the trials' returns (whole data). */
  readonly inSample: readonly (readonly [number, number])[];
  readonly reps: number;
  readonly block: number;
  /** The rows' generator: seedrandom.alea of this. */
  readonly seed: string;
  /** SPA p-values (arch-compatible statistic); `upper` is White's Reality Check. */
  readonly lower: number;
  readonly consistent: number;
  readonly upper: number;
  /** Hansen's (2005) studentized SPA, consistent p-value. */
  readonly studentized: number;
  /** The trial with the highest mean in-sample return over the benchmark (the statistic's), and that mean. */
  readonly bestTrial: { readonly label: string; readonly meanDiffPerPeriod: number };
}

/** The Reality Check of a search, or why there is none. */
export type SearchSpaOutcome = { readonly spa: SearchSpa; readonly note: null } | { readonly spa: null; readonly note: string };

/** The runs of 1s of a mask as [from, to) ranges. */
export function maskRanges(mask: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < mask.length; k++) {
    if (!mask[k]) continue;
    const from = k;
    while (k < mask.length && mask[k]) k++;
    out.push([from, k]);
  }
  return out;
}

/**
 * SPA of the trials' in-sample returns over the benchmark's (see the module comment).
 * `trials`: each full-budget trial's label and per-period returns over the whole data;
 * `benchmark`: the baseline's returns over the whole data, or null for flat (0); `seed`: the run's.
 */
export function searchSpa(
  trials: readonly { readonly label: string; readonly returns: Float64Array }[],
  benchmark: { readonly name: string; readonly returns: Float64Array } | null,
  mask: Uint8Array,
  o: { readonly reps: number; readonly block?: number; readonly seed: string; readonly strategy: string; readonly partialExcluded: number },
): SearchSpaOutcome {
  if (trials.length === 0) return { spa: null, note: 'no full-budget trial ran' };
  const inSample = maskRanges(mask);
  let T = 0;
  for (const [a, b] of inSample) T += b - a;
  if (T < 2) return { spa: null, note: `${T} in-sample period${T === 1 ? '' : 's'}: too few to resample` };
  const rows = new Int32Array(T);
  let at = 0;
  for (const [a, b] of inSample) for (let k = a; k < b; k++) rows[at++] = k;
  const bench = new Float64Array(T);
  if (benchmark) {
    if (benchmark.returns.length !== mask.length) throw new Error(`internal: ${benchmark.name} has ${benchmark.returns.length} periods, the trials ${mask.length}`);
    for (let t = 0; t < T; t++) bench[t] = benchmark.returns[rows[t]!]!;
  }
  const d: Float64Array[] = new Array<Float64Array>(trials.length);
  for (let k = 0; k < trials.length; k++) {
    const r = trials[k]!.returns;
    if (r.length !== mask.length) throw new Error(`internal: trial ${trials[k]!.label} has ${r.length} periods, the mask ${mask.length}`);
    const x = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      x[t] = r[rows[t]!]! - bench[t]!;
      if (!Number.isFinite(x[t]!)) return { spa: null, note: `trial ${trials[k]!.label} has a non-finite return in sample (period ${rows[t]! + 1})` };
    }
    d[k] = x;
  }
  const block = o.block ?? defaultBlock(T);
  const seed = `${o.seed}:search-spa:${o.strategy}`;
  const idx = bootstrapIndices('stationary', T, block, o.reps, seedrandom.alea(seed));
  const s = spaTest(d, idx, block);
  return {
    spa: {
      benchmark: benchmark ? benchmark.name : FLAT_BENCHMARK,
      trials: trials.length,
      partialExcluded: o.partialExcluded,
      periods: T,
      inSample,
      reps: o.reps,
      block,
      seed,
      lower: s.pValues.lower,
      consistent: s.pValues.consistent,
      upper: s.pValues.upper,
      studentized: s.studentized.pValues.consistent,
      bestTrial: { label: trials[s.argmax]!.label, meanDiffPerPeriod: s.statistic },
    },
    note: null,
  };
}
