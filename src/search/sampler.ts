/**
 * What a sampler sees and does: it proposes a point of the space (space.ts) from the observations
 * of its study so far (each a point and its objective, maximised; NaN for a trial without one).
 * A sampler's draws come from its own seeded generator, so the same seed and the same
 * observations give the same proposals.
 */
import type { Point } from './space.js';

export interface Observation {
  readonly point: Point;
  /** The objective (higher is better); NaN ranks below every number. */
  readonly value: number;
}

export interface Sampler {
  /** A new point, from the observations of completed trials (in the order they were proposed). */
  propose(history: readonly Observation[]): number[];
}

/** Observation order for "best first": higher value first, NaN last, then the earlier one. */
export function bestFirst(a: { value: number; n: number }, b: { value: number; n: number }): number {
  const va = Number.isNaN(a.value) ? -Infinity : a.value;
  const vb = Number.isNaN(b.value) ? -Infinity : b.value;
  return va > vb ? -1 : va < vb ? 1 : a.n - b.n;
}
