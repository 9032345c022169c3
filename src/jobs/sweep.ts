/**
 * The cost sweep job: the same validation at several levels of one cost (the fee schedule's or the
 * fixed slippage's bps), and each candidate's break-even cost (validation/cost-sweep.ts). The
 * levels are not searched parameters: the ledger records none of these validations.
 */
import { UsageError } from '../errors.js';
import { withParam, type ExecutionSettings } from '../broker/settings.js';
import { costSweep, sweepPoint, type CostSweep, type SweepPoint } from '../validation/cost-sweep.js';
import type { ValidationOutcome } from '../validation/validate.js';

/** Which cost is swept, and its levels in bps (increasing). */
export interface SweepSpec {
  readonly cost: 'fees' | 'slippage';
  readonly levels: readonly number[];
}

/** The flag that sets each cost's sweep (for messages). */
export const SWEEP_FLAG: Readonly<Record<SweepSpec['cost'], string>> = { fees: '--fee-sweep', slippage: '--slippage-sweep' };

/** The model whose `bps` each cost's sweep sets. */
const SWEPT_MODEL: Readonly<Record<SweepSpec['cost'], string>> = { fees: 'schedule', slippage: 'fixed' };

/** The most levels a sweep takes (each is a whole validation). */
export const MAX_SWEEP_LEVELS = 20;

/** The execution settings of each level, checked before any work. */
export function sweepSettings(execution: ExecutionSettings, s: SweepSpec): ExecutionSettings[] {
  const flag = SWEEP_FLAG[s.cost];
  const model = SWEPT_MODEL[s.cost];
  if (execution[s.cost].model !== model) throw new UsageError(`${flag} sets ${s.cost}.bps of the ${model} model; this run uses the ${s.cost} model '${execution[s.cost].model}'`);
  const text = s.levels.join(',');
  if (s.levels.length < 2) throw new UsageError(`${flag} '${text}': give at least two levels, e.g. 0,1,2,5`);
  for (let i = 1; i < s.levels.length; i++) if (!(s.levels[i]! > s.levels[i - 1]!)) throw new UsageError(`${flag} '${text}': the levels must increase`);
  if (s.levels.length > MAX_SWEEP_LEVELS) throw new UsageError(`${flag}: ${s.levels.length} levels, at most ${MAX_SWEEP_LEVELS} (each is a whole validation)`);
  return s.levels.map((l) => withParam(execution, s.cost, 'bps', l));
}

/**
 * The sweep: `validateAt` (the same validation with other execution settings) at each level
 * (`settings`, from {@link sweepSettings}), in order, `checkpoint` between them; the points of the
 * candidates named and their break-even.
 */
export async function runSweep(spec: SweepSpec, settings: readonly ExecutionSettings[], candidates: readonly string[], validateAt: (execution: ExecutionSettings) => Promise<ValidationOutcome>, checkpoint?: () => Promise<void>): Promise<CostSweep> {
  const points: Record<string, SweepPoint[]> = Object.fromEntries(candidates.map((n) => [n, []]));
  for (const [k, level] of spec.levels.entries()) {
    await checkpoint?.();
    const o = await validateAt(settings[k]!);
    for (const n of candidates) points[n]!.push(sweepPoint(o, n, level));
  }
  return costSweep(`${spec.cost}.bps`, points);
}
