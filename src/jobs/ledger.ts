/**
 * The trial ledger in a validation job: the history hook that records the job's candidate trials
 * and returns every trial the ledger holds on this data for these strategies (DSR's N and V).
 */
import { Ledger } from '../ledger/ledger.js';
import { canonicalJson, moduleHash, trialKey } from '../ledger/keys.js';
import type { HistoryTrial } from '../validation/validate.js';

/** Which ledger, and whether DSR counts this job's trials only (`--fresh`: recorded all the same). */
export interface LedgerChoice {
  readonly path: string;
  readonly fresh: boolean;
}

export interface LedgerUse {
  readonly ledger: Ledger;
  readonly history: (trials: readonly HistoryTrial[]) => { readonly trials: number; readonly sharpes: readonly number[] };
  /** What the last call recorded: new trials, and the ledger's count. */
  readonly recorded: { added: number; held: number };
}

/** Opens the ledger (see {@link LedgerUse}). */
export function useLedger(f: LedgerChoice, ctx: { dataHash: string; command: string; scheme: unknown; execution: unknown; periodUs: number; version: string; specs: ReadonlyMap<string, { spec: string; builtin: boolean }> }): LedgerUse {
  const ledger = Ledger.open(f.path);
  const recorded = { added: 0, held: 0 };
  const modules = new Map<string, string>();
  const modOf = (name: string): string => {
    let h = modules.get(name);
    if (h === undefined) {
      const s = ctx.specs.get(name)!;
      h = moduleHash(s.spec, s.builtin, ctx.version);
      modules.set(name, h);
    }
    return h;
  };
  return {
    ledger,
    recorded,
    history(trials) {
      const rows = trials.map((t) => {
        const params = { ...t.base, ...t.values };
        const moduleH = modOf(t.strategy);
        // a search's partial trial is marked in its scheme (and so keyed apart from the full one)
        const scheme = t.budget !== undefined ? { ...(ctx.scheme as object), budget: t.budget } : ctx.scheme;
        return {
          key: trialKey({ dataHash: ctx.dataHash, strategy: t.strategy, moduleHash: moduleH, params, scheme, execution: ctx.execution, periodUs: ctx.periodUs }),
          dataHash: ctx.dataHash,
          strategy: t.strategy,
          moduleHash: moduleH,
          params: canonicalJson(params),
          scheme: canonicalJson(scheme),
          execution: canonicalJson(ctx.execution),
          command: ctx.command,
          isSharpe: t.isSharpe,
          periods: t.periods,
          periodUs: ctx.periodUs,
          returns: t.returns,
        };
      });
      recorded.added = ledger.record(rows);
      // V in this command's period: a trial recorded at another period has its Sharpe converted
      const pop = ledger.population(ctx.dataHash, [...new Set(trials.map((t) => t.strategy))], ctx.periodUs);
      recorded.held = pop.trials;
      // --fresh: recorded, but N and V are this command's
      return f.fresh ? { trials: trials.length, sharpes: trials.map((t) => t.isSharpe).filter(Number.isFinite) } : pop;
    },
  };
}
