/**
 * Combinatorial purged CV over a candidate's configurations (AFML ch. 12), on the per-period
 * return series each configuration made over the whole data (its trial): the periods are the
 * rows; in each of the C(N,k) splits the configuration with the best in-sample Sharpe over the
 * split's training periods (purged and embargoed, see cpcv.ts) is chosen; each of the φ backtest
 * paths stitches, group by group, the returns of the configuration chosen by the split that tests
 * that group in that path. The result is the distribution of out-of-sample Sharpe over the
 * paths: its mean, spread and the share of paths below 0.
 *
 * The paths are recombined from the configurations' returns, as AFML does: not replayed (a
 * position open at a group's edge is not closed there, no cost of switching is paid). A
 * validation replays the same paths through its scheme pipeline (validate.ts, scheme.ts) and
 * reports this recombination beside them.
 */
import { mean, sharpePerPeriod, stdev } from '../metrics/returns.js';
import { planCpcv, trainRows, type CpcvPlan } from './cpcv.js';
import { maxOf, minOf } from '../arrays.js';

export interface CpcvPath {
  readonly path: number;
  readonly sharpeAnnualized: number;
  readonly returnFraction: number;
  /** Round trips of the replayed path (absent for a recombined one). */
  readonly trades?: number;
  /** For each group, the label of the configuration that trades it. */
  readonly chosen: readonly string[];
}

export interface SharpeSummary {
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly max: number;
  readonly shareBelowZero: number;
}

/** Mean, spread (ddof 1), extremes and the share below 0 of the paths' annual Sharpe. */
export function pathSharpeSummary(paths: readonly CpcvPath[]): SharpeSummary {
  const sh = paths.map((x) => x.sharpeAnnualized).filter(Number.isFinite);
  return { mean: mean(sh), sd: sh.length > 1 ? stdev(sh, 1) : NaN, min: minOf(sh), max: maxOf(sh), shareBelowZero: sh.filter((x) => x < 0).length / sh.length };
}

export interface CpcvOutcome {
  readonly groups: number;
  readonly testGroups: number;
  readonly purgePeriods: number;
  readonly embargoPeriods: number;
  readonly splits: number;
  readonly periods: number;
  /** Per split: the configuration chosen in sample. */
  readonly chosenBySplit: readonly string[];
  readonly paths: readonly CpcvPath[];
  readonly sharpe: SharpeSummary;
  /** Whether the paths were replayed (validate.ts) or recombined from the trials' returns (here). */
  readonly replayed?: boolean;
  /** With replayed paths: the recombination of the same choices, for comparison. */
  readonly recombined?: { readonly sharpe: SharpeSummary; readonly paths: readonly CpcvPath[] };
  /** With a search: each split searched on its own training groups (validate.ts): its evaluations, and the trials new to the folds' search. */
  readonly search?: { readonly method: string; readonly trialsPerSplit: readonly number[]; readonly newTrials: number };
}

/** Per split, the trial with the best score over its training periods (ties: the lower trial). */
export function chooseBySplit(plan: CpcvPlan, returns: readonly Float64Array[], score: (r: readonly number[]) => number = sharpePerPeriod): number[] {
  return plan.splits.map((s) => {
    const rows = trainRows(s);
    let best = 0;
    let bestV = -Infinity;
    returns.forEach((r, j) => {
      const v = score(rows.map((i) => r[i]!));
      if (v > bestV) [best, bestV] = [j, v];
    });
    return best;
  });
}

export function cpcvPaths(
  trials: readonly { readonly label: string; readonly returns: Float64Array }[],
  o: { readonly groups: number; readonly testGroups: number; readonly purgePeriods: number; readonly embargoPeriods: number; readonly periodsPerYear: number; readonly score?: (r: readonly number[]) => number; readonly chosen?: readonly number[] },
): CpcvOutcome {
  const T = trials[0]!.returns.length;
  const plan: CpcvPlan = planCpcv(T, o.groups, o.testGroups, o.purgePeriods, o.embargoPeriods);
  // the splits' choices as given (each split's own search: validate.ts), or the best of all trials
  const chosen =
    o.chosen ??
    chooseBySplit(
      plan,
      trials.map((t) => t.returns),
      o.score,
    );
  const paths: CpcvPath[] = [];
  for (let p = 0; p < plan.nPaths; p++) {
    const r = new Float64Array(T);
    const labels: string[] = [];
    plan.groups.forEach(([a, b], g) => {
      const t = trials[chosen[plan.pathsSplitOfGroup[g]![p]!]!]!;
      labels.push(t.label);
      for (let i = a; i < b; i++) r[i] = t.returns[i]!;
    });
    let growth = 1;
    for (const x of r) growth *= 1 + x;
    paths.push({ path: p, sharpeAnnualized: sharpePerPeriod(r) * Math.sqrt(o.periodsPerYear), returnFraction: growth - 1, chosen: labels });
  }
  return {
    groups: o.groups,
    testGroups: o.testGroups,
    purgePeriods: o.purgePeriods,
    embargoPeriods: o.embargoPeriods,
    splits: plan.splits.length,
    periods: T,
    chosenBySplit: chosen.map((j) => trials[j]!.label),
    paths,
    sharpe: pathSharpeSummary(paths),
  };
}
