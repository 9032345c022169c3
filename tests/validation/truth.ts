/**
 * Data whose truth is known, for validation tests: two symbols of 1-minute bars, either with a
 * planted relationship (ln B = 0.8 ln A + s, s a fast-reverting AR(1): a pairs trade has a real
 * edge) or pure noise (independent random walks: no edge to find). Seeded, so the same bytes.
 * ln A is a random walk of 0.1% a minute in both kinds.
 *
 * `spread` sets the planted AR(1), s_t = phi·s_{t−1} + sd·ε_t (default phi 0.8, sd 0.002: a
 * half-life of 3 minutes, a very large edge); a slower spread (phi nearer 1) is a smaller edge.
 */
import seedrandom from 'seedrandom';

export interface PlantedSpread {
  readonly phi: number;
  readonly sd: number;
}

/**
 * The verdict benchmark's planted spread (bench/search-verdicts.ts): phi 0.9 (a half-life of 6.6
 * minutes), innovations of 0.1452% (a stationary spread of 0.333%): a modest edge next to the
 * default's.
 */
export const MODEST_SPREAD: PlantedSpread = { phi: 0.9, sd: 0.001452 };

export function twoSymbolBars(kind: 'planted' | 'noise', n: number, seed: string, spread: PlantedSpread = { phi: 0.8, sd: 0.002 }): string {
  const rng = seedrandom(seed);
  const gauss = (): number => {
    let u = 0;
    while (u === 0) u = rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  let la = Math.log(100);
  let lb = Math.log(50);
  let s = 0;
  let pa = 100;
  let pb = 50;
  const rows = ['ts,symbol,open,high,low,close'];
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    la += 0.001 * gauss();
    if (kind === 'planted') {
      s = spread.phi * s + spread.sd * gauss();
      lb = Math.log(50) + 0.8 * (la - Math.log(100)) + s;
    } else lb += 0.001 * gauss();
    const ts = new Date(t0 + i * 60_000).toISOString();
    const a = Math.exp(la);
    const b = Math.exp(lb);
    rows.push(`${ts},A,${pa.toFixed(4)},${Math.max(pa, a).toFixed(4)},${Math.min(pa, a).toFixed(4)},${a.toFixed(4)}`);
    rows.push(`${ts},B,${pb.toFixed(4)},${Math.max(pb, b).toFixed(4)},${Math.min(pb, b).toFixed(4)},${b.toFixed(4)}`);
    pa = a;
    pb = b;
  }
  return rows.join('\n') + '\n';
}
