/**
 * Data-snooping tests of a comparison: do any of the candidates beat a naive baseline after all
 * the searching? On the candidates' per-period out-of-sample returns (loss = −return) against
 * each baseline's: Hansen's SPA (lower, consistent, upper p-values; the upper is White's Reality
 * Check) and its studentized form, Romano-Wolf StepM (the candidates that beat it, family-wise
 * error α), and the Model Confidence Set (method R) of the candidates and the baseline. The same
 * stationary-bootstrap rows, drawn from the run's seed, serve every test.
 */
import seedrandom from 'seedrandom';
import { defaultBlock } from '../stats/bootstrap.js';
import { mcs } from '../stats/mcs.js';
import { bootstrapIndices } from '../stats/resample.js';
import { spaTest, stepM } from '../stats/spa.js';

export interface SnoopingVsBaseline {
  readonly baseline: string;
  /** SPA p-values (arch-compatible statistic); `upper` is White's Reality Check. */
  readonly spa: { readonly lower: number; readonly consistent: number; readonly upper: number };
  /** Hansen's (2005) studentized SPA, consistent p-value. */
  readonly spaStudentized: number;
  readonly realityCheck: number;
  /** The candidates that beat the baseline (StepM at size α). */
  readonly stepM: readonly string[];
  /** The Model Confidence Set (R, level 1 − mcsAlpha) of the candidates and the baseline, with each MCS p-value. */
  readonly mcs: { readonly included: readonly string[]; readonly pValues: Readonly<Record<string, number>> };
}

export interface Snooping {
  readonly candidates: readonly string[];
  readonly periods: number;
  readonly reps: number;
  readonly meanBlock: number;
  readonly alpha: number;
  readonly mcsAlpha: number;
  /** The baseline with the highest out-of-sample return (the verdict's). */
  readonly best: string;
  readonly vs: readonly SnoopingVsBaseline[];
}

/** SPA, StepM and the MCS of the candidates' out-of-sample returns against each naive baseline, with one set of seeded bootstrap rows. */
export function dataSnooping(
  candidates: readonly { readonly name: string; readonly returns: ArrayLike<number> }[],
  baselines: readonly { readonly name: string; readonly returns: ArrayLike<number>; readonly oosReturn: number }[],
  o: { readonly reps: number; readonly block?: number; readonly seed: string; readonly alpha?: number; readonly mcsAlpha?: number },
): Snooping | undefined {
  if (candidates.length === 0 || baselines.length === 0) return undefined;
  const T = candidates[0]!.returns.length;
  if (T < 2) return undefined;
  const alpha = o.alpha ?? 0.05;
  const mcsAlpha = o.mcsAlpha ?? 0.1;
  const block = o.block ?? defaultBlock(T);
  const idx = bootstrapIndices('stationary', T, block, o.reps, seedrandom.alea(`${o.seed}:data-snooping`));
  const loss = (r: ArrayLike<number>): Float64Array => Float64Array.from(r as ArrayLike<number>, (x) => -x);
  const candLoss = candidates.map((c) => loss(c.returns));
  const vs = baselines.map((b): SnoopingVsBaseline => {
    const bl = loss(b.returns);
    const d = candLoss.map((l) => Float64Array.from(l, (x, t) => bl[t]! - x));
    const spa = spaTest(d, idx, block);
    const sm = stepM(spa, alpha);
    const m = mcs([bl, ...candLoss], idx, mcsAlpha, 'R');
    const names = [b.name, ...candidates.map((c) => c.name)];
    return {
      baseline: b.name,
      spa: { ...spa.pValues },
      spaStudentized: spa.studentized.pValues.consistent,
      realityCheck: spa.pValues.upper,
      stepM: sm.superior.map((k) => candidates[k]!.name),
      mcs: { included: m.included.map((k) => names[k]!), pValues: Object.fromEntries(names.map((n, k) => [n, m.pValues[k]!])) },
    };
  });
  const best = baselines.reduce((a, b) => (b.oosReturn > a.oosReturn ? b : a)).name;
  return { candidates: candidates.map((c) => c.name), periods: T, reps: o.reps, meanBlock: block, alpha, mcsAlpha, best, vs };
}
