/**
 * Successive halving (Jamieson & Talwalkar 2016; the inner loop of Hyperband, Li et al. 2018)
 * over budgets of data: n configurations drawn at random are each measured on the first 1/9 of
 * the training window, the best third of them on the first 1/3, and the best third of those on
 * all of it (η = 3). A configuration's objective at a rung is measured on that share of the
 * window only, with a replay that stops at its end: the early rungs cost a fraction of a replay.
 * Only the last rung's trials are full-budget trials (what the fold chooses among, and PBO's
 * columns); the others are partial trials, counted and marked as such.
 */
import { bestFirst } from './sampler.js';

/** The budgets, as shares of a training window: 1/9, 1/3, 1. */
export const RUNGS: readonly { readonly share: number; readonly label: string }[] = [
  { share: 1 / 9, label: '1/9' },
  { share: 1 / 3, label: '1/3' },
  { share: 1, label: 'full' },
];

export const ETA = 3;

/** Configurations measured at each rung, from n at the first: n, ⌊n/3⌋, ⌊n/9⌋ (at least 1 each). */
export function rungSizes(n: number): number[] {
  const out: number[] = [];
  let k = n;
  for (let r = 0; r < RUNGS.length; r++) {
    out.push(Math.max(1, k));
    k = Math.floor(k / ETA);
  }
  return out;
}

/** Indices of the `keep` best of `values` (higher first; NaN last; ties to the lower index), in that order. */
export function promote(values: readonly number[], keep: number): number[] {
  return values
    .map((value, n) => ({ value, n }))
    .sort(bestFirst)
    .slice(0, keep)
    .map((r) => r.n);
}

/** The end of a rung's share of a window [from, to). */
export const rungEnd = (from: number, to: number, share: number): number => (share >= 1 ? to : from + Math.floor((to - from) * share));
