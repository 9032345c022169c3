/**
 * A validation scheme: where parameters are chosen (its selections) and how out-of-sample
 * stretches are put together (its paths). One split, walk-forward folds and combinatorial purged
 * CV are three schemes, consumed by one pipeline (validate.ts): every trial is measured on each
 * selection's training windows, the best trial of each selection is chosen there, and each path is
 * one replayed out-of-sample run of the folded strategy (folded.ts) in which segment k trades its
 * test window with the choice of its selection, after a warm-up.
 *
 * - split and walk-forward (folds.ts): one selection per fold (its training window) and one path,
 *   the folds' test windows in order;
 * - CPCV (cpcv.ts): one selection per split (its purged and embargoed training groups, several
 *   windows), and φ = k·C(N,k)/N paths, each of all N groups in order, group g tested with the
 *   choice of the split that supplies g to that path.
 */
import type { CpcvPlan } from './cpcv.js';
import type { FoldPlan } from './folds.js';

export interface Selection {
  readonly index: number;
  /** The training windows [from, to) whose union the choice is made on. */
  readonly train: readonly (readonly [number, number])[];
  readonly label: string;
}

export interface PathSegment {
  /** The selection whose choice trades this segment. */
  readonly selection: number;
  readonly warmupStart: number;
  readonly testStart: number;
  /** Exclusive; Infinity for the last. */
  readonly testEnd: number;
}

export interface SchemePath {
  readonly index: number;
  readonly segments: readonly PathSegment[];
}

export interface Scheme {
  readonly name: 'split' | 'walk-forward' | 'cpcv';
  readonly selections: readonly Selection[];
  readonly paths: readonly SchemePath[];
}

/** Split or walk-forward: a selection per fold, one path of the folds. */
export function foldScheme(plan: FoldPlan): Scheme {
  return {
    name: plan.mode,
    selections: plan.folds.map((f, k) => ({ index: k, train: [[f.trainStart, f.trainEnd]], label: `fold ${k + 1}` })),
    paths: [{ index: 0, segments: plan.folds.map((f, k) => ({ selection: k, warmupStart: f.warmupStart, testStart: f.testStart, testEnd: f.testEnd })) }],
  };
}

/**
 * CPCV on the trials' return periods (`sampleTs`: each period's end). Rows [a, b) of periods are
 * the time window from the end of period a − 1 (or the data's start) to the end of period b − 1,
 * which owns exactly those periods (metrics/window.ts). Each segment warms up for one group's
 * length before its test window (not before the data).
 */
export function cpcvScheme(plan: CpcvPlan, sampleTs: Float64Array, dataStart: number): Scheme {
  const T = sampleTs.length;
  const from = (a: number): number => (a > 0 ? sampleTs[a - 1]! : dataStart);
  const to = (b: number): number => (b < T ? sampleTs[b - 1]! : Infinity);
  return {
    name: 'cpcv',
    selections: plan.splits.map((s, k) => ({ index: k, train: s.trainRanges.map(([a, b]) => [a > 0 ? sampleTs[a - 1]! : -Infinity, sampleTs[b - 1]!] as const), label: `split ${k + 1} (test groups ${s.testGroups.map((g) => g + 1).join(',')})` })),
    paths: Array.from({ length: plan.nPaths }, (_, p) => ({
      index: p,
      segments: plan.groups.map(([a, b], g) => {
        const start = from(a);
        const length = (b < T ? sampleTs[b - 1]! : sampleTs[T - 1]!) - start;
        return { selection: plan.pathsSplitOfGroup[g]![p]!, warmupStart: Math.max(dataStart, start - length), testStart: start, testEnd: to(b) };
      }),
    })),
  };
}
