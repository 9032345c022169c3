/**
 * The trial source of a search (`--search random|tpe|halving --trials N --space ...`): where a
 * grid gives every fold the same list of trials, a search runs inside each fold, on its training
 * window only, with a sampler of its own seeded from the run's seed, the strategy and the fold.
 *
 * A study proceeds in rounds: each fold's sampler proposes its next configurations from the
 * objectives it has seen (its window's only), the new ones of all folds run together as trial
 * tasks, and their objectives are handed back. The rounds are fixed by the method and the trial
 * count, never by the number of workers, so the trials, and the bytes of the report, are the same
 * on 1 thread, 2 threads or the queue.
 *
 * - A full-budget trial replays all the data, like a grid's: its metrics on every fold's training
 *   and test window come from one run (metrics/window.ts), and its per-period returns are a
 *   column of the return matrix (PBO). A configuration two folds both propose runs once; each fold
 *   still chooses among its own proposals only (a later fold's sampler has seen later data).
 * - halving's partial trials (halving.ts) replay only up to the end of their share of the window.
 *
 * Resuming: before a round runs, each trial is looked up in the cache (the ledger's stored
 * results, keyed by everything that makes it the same run); only the missing ones run, and a
 * round's results are stored as soon as it ends. A search killed mid-way and run again replays
 * the same rounds from the same seeds, finds the trials already run, and ends with the same bytes.
 */
import { UsageError } from '../errors.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { Params, ParamValue } from '../strategy/types.js';
import type { Fold } from '../validation/folds.js';
import type { Trial } from '../validation/grid.js';
import type { Labeled } from '../runtime/runner.js';
import type { TrialBatchResult, TrialResult, TrialTask } from '../runtime/tasks.js';
import type { BacktestSettings } from '../engine/engine.js';
import { promote, rungEnd, rungSizes, RUNGS } from './halving.js';
import { RandomSampler } from './random.js';
import type { Observation, Sampler } from './sampler.js';
import { pointValues, snap, type Space } from './space.js';
import { TpeSampler, TPE_DEFAULTS } from './tpe.js';

export const SEARCH_METHODS = ['random', 'tpe', 'halving'] as const;
export type SearchMethod = (typeof SEARCH_METHODS)[number];

export interface SearchSpec {
  readonly method: SearchMethod;
  /** Configurations per fold (halving: at its first budget). */
  readonly trials: number;
  readonly space: Space;
}

/**
 * TPE's rounds after its random start: this many proposals per fold from the same observations.
 * Smaller is closer to the paper's one-at-a-time loop, larger keeps more threads busy.
 */
export const TPE_ROUND = 5;

/** Draws a sampler may repeat a configuration its fold already has before the study stops (the space is used up). */
const MAX_REPEATS = 100;

/** Stored results of earlier runs of the same trials (the ledger's), for resuming. */
export interface SearchCache {
  /** What makes a run the same: the strategy, its parameters, the windows measured and where the replay stops. */
  key(strategy: string, params: Params, windows: readonly (readonly [number, number])[], until: number | null): string;
  get(key: string): TrialResult | undefined;
  put(rows: readonly { readonly key: string; readonly result: TrialResult }[]): void;
}

/** One evaluation of a study, in the order its fold proposed it. */
export interface SearchEval {
  /** 0-based, per fold. */
  readonly n: number;
  readonly fold: number;
  /** 'full', or halving's '1/9' / '1/3'. */
  readonly budget: string;
  /** Index among the full-budget trials, or -1 for a partial one. */
  readonly trial: number;
  readonly label: string;
  readonly values: Readonly<Record<string, ParamValue>>;
  /** The objective on the fold's training window (its budget's share of it). */
  readonly isObjective: number;
  /** The objective on the fold's test window (full-budget trials; NaN for partial ones). */
  readonly oosObjective: number;
}

/** A partial trial (halving's early rungs), for the ledger. */
export interface PartialTrial {
  readonly trial: Trial;
  readonly fold: number;
  readonly budget: string;
  readonly result: TrialResult;
}

export interface SearchOutcome {
  readonly method: SearchMethod;
  readonly space: Space;
  /** The full-budget configurations, in order of first proposal. */
  readonly trials: readonly Trial[];
  readonly results: readonly TrialResult[];
  /** Per fold, the full-budget trials it proposed (what it may choose among). */
  readonly owners: readonly (readonly number[])[];
  /** Per fold, its evaluations in order. */
  readonly evals: readonly (readonly SearchEval[])[];
  readonly partial: readonly PartialTrial[];
  /**
   * Configurations the strategy's create() refused (e.g. exit >= entry): never run nor counted as
   * trials; the sampler sees them as failed. The first refusal's message, to say why.
   */
  readonly refused: number;
  readonly refusal: string | null;
  /** Evaluations found in the cache, and run (never in a report: it depends on what ran before). */
  readonly fromCache: number;
  readonly ran: number;
}

export interface SearchContext {
  readonly name: string;
  readonly spec: string;
  readonly search: SearchSpec;
  readonly folds: readonly Fold[];
  readonly run: BacktestSettings;
  readonly objective: (m: RunMetrics) => number;
  /** A configuration as a trial (resolved and checked against the strategy: a refusal is the user's error). */
  readonly makeTrial: (values: Readonly<Record<string, string>>, index: number) => Trial;
  /** Runs trial tasks (in task order). */
  readonly runTasks: (tasks: Labeled<TrialTask>[]) => Promise<TrialBatchResult[]>;
  /** Trials per task at most. */
  readonly batchSize: number;
  readonly cache?: SearchCache;
  /**
   * Where the choices are made, when not the folds' training windows: CPCV's splits (validate.ts),
   * each with a sampler of its own (`seed`), scoring a full-budget trial by `objective` (its
   * returns over the split's training groups). A trial still runs on all the data and measures
   * the folds' windows, so a configuration a fold proposed is the same run. Not with halving (its
   * budgets are shares of one contiguous training window).
   */
  readonly selections?: { readonly count: number; readonly name: string; readonly seed: (k: number) => string; readonly objective: (r: TrialResult, k: number) => number };
  /** Full-budget trials already run (the folds' search): a configuration among them is not run again, and they keep their numbers. */
  readonly prior?: { readonly trials: readonly Trial[]; readonly results: readonly TrialResult[] };
}

/** The evaluations a study plans (the progress bar's count): per fold, every rung. */
export function plannedEvaluations(s: SearchSpec, folds: number): number {
  return folds * (s.method === 'halving' ? rungSizes(s.trials).reduce((a, b) => a + b, 0) : s.trials);
}

export const studySeed = (seed: string, strategy: string, fold: number): string => `${seed}:search:${strategy}:fold${fold + 1}`;

function samplerFor(s: SearchSpec, seed: string): Sampler {
  // halving draws its first rung at random (Hyperband's inner loop)
  return s.method === 'tpe' ? new TpeSampler(s.space, seed, TPE_DEFAULTS) : new RandomSampler(s.space, seed);
}

/** A unit of work: one configuration at one budget (a partial one belongs to its fold's window). */
interface Job {
  readonly values: Record<string, string>;
  readonly label: string;
  readonly fold: number;
  /** Index into RUNGS. */
  readonly rung: number;
}

export async function searchInFolds(c: SearchContext): Promise<SearchOutcome> {
  const { search, folds } = c;
  const F = folds.length;
  if (c.selections && search.method === 'halving') throw new UsageError(`a halving search chooses on shares (1/9, 1/3) of one training window; ${c.selections.name}s' training sets are not one window: use --search tpe or random`);
  // the selections: the folds' training windows, or the caller's (CPCV's splits)
  const S = c.selections?.count ?? F;
  const unit = c.selections?.name ?? 'fold';
  const seedOf = c.selections?.seed ?? ((k: number) => studySeed(c.run.seed, c.name, k));
  // a full-budget trial measures every fold's training window, then every fold's test window
  const fullWindows: [number, number][] = [...folds.map((f): [number, number] => [f.trainStart, f.trainEnd]), ...folds.map((f): [number, number] => [f.testStart, f.testEnd])];
  const trials: Trial[] = [...(c.prior?.trials ?? [])];
  const results: TrialResult[] = [...(c.prior?.results ?? [])];
  const byLabel = new Map<string, number>(trials.map((t, j) => [t.label, j]));
  const owners: number[][] = Array.from({ length: S }, () => []);
  const evals: SearchEval[][] = Array.from({ length: S }, () => []);
  const partial: PartialTrial[] = [];
  let fromCache = 0;
  let ran = 0;
  let refused = 0;
  let refusal: string | null = null;

  /** Runs jobs (full-budget ones shared by label), returning each job's result. */
  const runJobs = async (jobs: readonly Job[]): Promise<TrialResult[]> => {
    type Unit = { job: Job; trial: Trial; windows: [number, number][]; until: number | null; key: string | null; result?: TrialResult };
    const units: Unit[] = [];
    const unitOf: number[] = [];
    const fullUnit = new Map<string, number>();
    for (const job of jobs) {
      if (job.rung === RUNGS.length - 1) {
        const known = byLabel.get(job.label);
        if (known !== undefined) {
          unitOf.push(-1 - known);
          continue;
        }
        const u = fullUnit.get(job.label);
        if (u !== undefined) {
          unitOf.push(u);
          continue;
        }
        const trial = c.makeTrial(job.values, trials.length + fullUnit.size);
        fullUnit.set(job.label, units.length);
        unitOf.push(units.length);
        units.push({ job, trial, windows: fullWindows, until: null, key: c.cache ? c.cache.key(c.name, trial.params, fullWindows, null) : null });
      } else {
        const f = folds[job.fold]!;
        const end = rungEnd(f.trainStart, f.trainEnd, RUNGS[job.rung]!.share);
        const windows: [number, number][] = [[f.trainStart, end]];
        const trial = c.makeTrial(job.values, -1);
        unitOf.push(units.length);
        units.push({ job, trial, windows, until: end, key: c.cache ? c.cache.key(c.name, trial.params, windows, end) : null });
      }
    }
    // the cache first; the rest in tasks of up to batchSize trials of the same windows
    const missing: Unit[] = [];
    for (const u of units) {
      const hit = u.key !== null ? c.cache!.get(u.key) : undefined;
      if (hit) {
        u.result = hit;
        fromCache++;
      } else missing.push(u);
    }
    const groups = new Map<string, Unit[]>();
    for (const u of missing) {
      const g = `${u.until ?? 'all'}|${u.windows.map((w) => w.join(':')).join(',')}`;
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(u);
    }
    const tasks: Labeled<TrialTask>[] = [];
    const taskUnits: Unit[][] = [];
    for (const list of groups.values()) {
      for (let b = 0; b < list.length; b += c.batchSize) {
        const batch = list.slice(b, b + c.batchSize);
        tasks.push({
          task: {
            kind: 'trial',
            strategy: c.spec,
            params: batch.map((u) => u.trial.params),
            labels: batch.map((u) => `search trial (${u.job.label})${u.until !== null ? ` at ${RUNGS[u.job.rung]!.label} of fold ${u.job.fold + 1}'s training window` : ''}`),
            windows: batch[0]!.windows,
            ...(batch[0]!.until !== null ? { until: batch[0]!.until } : {}),
            run: c.run,
          },
          label: c.name,
        });
        taskUnits.push(batch);
      }
    }
    if (tasks.length > 0) {
      const done = await c.runTasks(tasks);
      done.forEach((r, t) => r.trials.forEach((res, m) => (taskUnits[t]![m]!.result = res)));
      ran += missing.length;
      if (c.cache) c.cache.put(missing.filter((u) => u.key !== null).map((u) => ({ key: u.key!, result: u.result! })));
    }
    // new full-budget trials join the pool in the order of their first proposal
    for (const u of units) {
      if (u.until !== null) continue;
      byLabel.set(u.job.label, trials.length);
      trials.push({ ...u.trial, index: trials.length });
      results.push(u.result!);
    }
    return jobs.map((_, j) => {
      const at = unitOf[j]!;
      return at < 0 ? results[-1 - at]! : units[at]!.result!;
    });
  };

  /** Records evaluations of fold jobs: the study's log, the fold's own trials, the partial trials. */
  const record = (jobs: readonly Job[], rs: readonly TrialResult[]): number[] =>
    jobs.map((job, j) => {
      const r = rs[j]!;
      const full = job.rung === RUNGS.length - 1;
      const isObjective = c.selections ? c.selections.objective(r, job.fold) : c.objective(full ? r.windows[job.fold]! : r.windows[0]!);
      const trial = full ? byLabel.get(job.label)! : -1;
      if (full && !owners[job.fold]!.includes(trial)) owners[job.fold]!.push(trial);
      if (!full) partial.push({ trial: c.makeTrial(job.values, -1), fold: job.fold, budget: RUNGS[job.rung]!.label, result: r });
      const values = full ? trials[trial]!.values : c.makeTrial(job.values, -1).values;
      evals[job.fold]!.push({ n: evals[job.fold]!.length, fold: job.fold, budget: RUNGS[job.rung]!.label, trial, label: job.label, values, isObjective, oosObjective: full && !c.selections ? c.objective(r.windows[F + job.fold]!) : NaN });
      return isObjective;
    });

  const samplers = Array.from({ length: S }, (_, k) => samplerFor(search, seedOf(k)));
  const labelOf = (values: Readonly<Record<string, string>>): string => search.space.map((d) => `${d.key}=${values[d.key]}`).join(',');

  /** Up to `count` new configurations for fold k (distinct from its earlier ones), from its observations. */
  const proposeFor = (k: number, count: number, history: readonly Observation[], seen: Set<string>): { job: Job; point: number[] }[] => {
    const out: { job: Job; point: number[] }[] = [];
    let repeats = 0;
    while (out.length < count && repeats < MAX_REPEATS) {
      const point = snap(search.space, samplers[k]!.propose(history));
      const values = pointValues(search.space, point);
      const label = labelOf(values);
      if (seen.has(label)) {
        repeats++;
        continue;
      }
      seen.add(label);
      try {
        c.makeTrial(values, -1);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        // refused by the strategy: a failed trial to the sampler, never run
        refused++;
        refusal ??= e.message;
        (history as Observation[]).push({ point, value: NaN });
        continue;
      }
      out.push({ job: { values, label, fold: k, rung: search.method === 'halving' ? 0 : RUNGS.length - 1 }, point });
    }
    return out;
  };

  const histories: Observation[][] = Array.from({ length: S }, () => []);
  const seen = Array.from({ length: S }, () => new Set<string>());
  if (search.method === 'halving') {
    const sizes = rungSizes(search.trials);
    let rung: { job: Job; value: number }[][] = [];
    for (let r = 0; r < RUNGS.length; r++) {
      const jobs: Job[][] =
        r === 0
          ? folds.map((_, k) => proposeFor(k, sizes[0]!, [], seen[k]!).map((p) => p.job))
          : rung.map((prev) =>
              promote(
                prev.map((p) => p.value),
                Math.min(sizes[r]!, prev.length),
              ).map((i) => ({ ...prev[i]!.job, rung: r })),
            );
      const flat = jobs.flat();
      const values = record(flat, await runJobs(flat));
      let at = 0;
      rung = jobs.map((js) => js.map((job) => ({ job, value: values[at++]! })));
    }
  } else {
    const first = search.method === 'tpe' ? Math.min(search.trials, TPE_DEFAULTS.startup) : search.trials;
    let done = 0;
    while (done < search.trials) {
      const count = done === 0 ? first : Math.min(TPE_ROUND, search.trials - done);
      const proposals = histories.map((h, k) => proposeFor(k, count, h, seen[k]!));
      const flat = proposals.flat();
      if (flat.length === 0) break; // every fold's space is used up
      const values = record(
        flat.map((p) => p.job),
        await runJobs(flat.map((p) => p.job)),
      );
      flat.forEach((p, j) => histories[p.job.fold]!.push({ point: p.point, value: values[j]! }));
      done += count;
    }
  }
  const empty = owners.findIndex((o) => o.length === 0);
  if (empty >= 0) throw new UsageError(`the ${search.method} search of '${c.name}' has no configuration for ${unit} ${empty + 1}: ${refused > 0 ? `the strategy refused all it was offered (${refusal}); narrow the --space` : 'the space is used up'}`);
  return { method: search.method, space: search.space, trials, results, owners, evals, partial, refused, refusal, fromCache, ran };
}
