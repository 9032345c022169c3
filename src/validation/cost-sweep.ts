/**
 * Cost sensitivity: the same validation at several cost levels (a fee or a slippage, in bps), and
 * the break-even cost at which each candidate's out-of-sample edge over the best naive baseline
 * disappears (linear between the two levels around the first sign change).
 */
import type { ValidationOutcome } from './validate.js';

export interface SweepPoint {
  readonly level: number;
  /** OOS return minus the best baseline's (compounded over the OOS span); its bootstrap p-value. */
  readonly edge: number;
  readonly pValue: number;
  readonly baseline: string;
}

export interface CostSweep {
  /** The parameter swept: fees.bps or slippage.bps. */
  readonly key: string;
  readonly levels: readonly number[];
  readonly candidates: Readonly<Record<string, readonly SweepPoint[]>>;
  /** Per candidate: the cost (bps) at which its edge reaches 0; null when it never crosses within the levels. */
  readonly breakEven: Readonly<Record<string, number | null>>;
  /** Per candidate, in words: "1.8 bps", "above 5 bps (still ahead)", "below 0 bps (behind at every level)". */
  readonly breakEvenText: Readonly<Record<string, string>>;
}

/** The point of one candidate of a validation outcome at one cost level. */
export function sweepPoint(o: ValidationOutcome, name: string, level: number): SweepPoint {
  const s = o.strategies.find((x) => x.name === name)!;
  const best = s.vsBaselines.length > 0 ? s.vsBaselines.reduce((a, b) => (b.baselineReturnPct > a.baselineReturnPct ? b : a)) : undefined;
  return { level, edge: best ? best.edgeReturnPct : NaN, pValue: best ? best.pValue : NaN, baseline: best?.baseline ?? 'none' };
}

export function costSweep(key: string, points: Readonly<Record<string, readonly SweepPoint[]>>): CostSweep {
  const breakEven: Record<string, number | null> = {};
  const text: Record<string, string> = {};
  const levels = Object.values(points)[0]?.map((p) => p.level) ?? [];
  for (const [name, ps] of Object.entries(points)) {
    let be: number | null = null;
    for (let i = 1; i < ps.length && be === null; i++) {
      const a = ps[i - 1]!;
      const b = ps[i]!;
      if (a.edge > 0 && !(b.edge > 0)) be = a.level + ((b.level - a.level) * a.edge) / (a.edge - b.edge);
    }
    breakEven[name] = be;
    const first = ps[0];
    const last = ps.at(-1);
    text[name] = be !== null ? `${be.toFixed(2)} bps` : first && !(first.edge > 0) ? `below ${first.level} bps (behind the baseline at every level)` : `above ${last?.level ?? NaN} bps (still ahead at every level)`;
  }
  return { key, levels, candidates: points, breakEven, breakEvenText: text };
}
