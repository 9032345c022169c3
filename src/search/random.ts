/**
 * Random search: each dimension drawn independently and uniformly in its coordinate (space.ts):
 * uniform in value, log-uniform with `:log`, a choice with equal probability. Draws come from
 * seedrandom's Alea generator seeded by the study (the run's seed, the strategy, the fold).
 */
import seedrandom from 'seedrandom';
import { coordRange, type Dimension, type Space } from './space.js';
import type { Sampler } from './sampler.js';

/** One uniform draw of a dimension's coordinate. */
export function drawUniform(d: Dimension, u: number): number {
  if (d.kind === 'choice') return Math.min(d.choices.length - 1, Math.floor(u * d.choices.length));
  const [lo, hi] = coordRange(d);
  return lo + u * (hi - lo);
}

export class RandomSampler implements Sampler {
  private readonly rng: () => number;
  constructor(
    private readonly space: Space,
    seed: string,
  ) {
    this.rng = seedrandom.alea(seed);
  }

  propose(): number[] {
    return this.space.map((d) => drawUniform(d, this.rng()));
  }
}
