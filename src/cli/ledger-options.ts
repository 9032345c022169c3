/**
 * The trial ledger's flags for the validation commands (`--ledger PATH`, `--no-ledger`,
 * `--fresh`) and the history hook that records a command's trials and returns the ledger's count.
 */
import { Command } from 'commander';
import { Ledger } from '../ledger/ledger.js';
import { canonicalJson, moduleHash, trialKey } from '../ledger/keys.js';
import type { HistoryTrial } from '../validation/validate.js';

/** Where the ledger is by default: $TICKFOLD_LEDGER, else .tickfold/ledger.sqlite in the working folder. */
export const defaultLedgerPath = (): string => process.env.TICKFOLD_LEDGER || '.tickfold/ledger.sqlite';

export interface RawLedgerFlags {
  ledger: string | false;
  fresh?: boolean;
}

export function addLedgerOptions(cmd: Command): Command {
  return cmd
    .option('--ledger <path>', 'the trial ledger (SQLite) every trial is recorded in; DSR counts all of its trials on this data (default $TICKFOLD_LEDGER or .tickfold/ledger.sqlite)')
    .option('--no-ledger', 'record nothing; DSR counts this command\'s trials only')
    .option('--fresh', 'record the trials, but let DSR count this command\'s only');
}

export interface LedgerUse {
  readonly ledger: Ledger;
  readonly history: (trials: readonly HistoryTrial[]) => { readonly trials: number; readonly sharpes: readonly number[] };
  /** What the last call recorded: new trials, and the ledger's count. */
  readonly recorded: { added: number; held: number };
}

/** Opens the ledger the flags name (undefined with --no-ledger). */
export function useLedger(
  f: RawLedgerFlags,
  ctx: { dataHash: string; command: string; scheme: unknown; execution: unknown; periodUs: number; version: string; specs: ReadonlyMap<string, { spec: string; builtin: boolean }> },
): LedgerUse | undefined {
  if (f.ledger === false) return undefined;
  const path = typeof f.ledger === 'string' ? f.ledger : defaultLedgerPath();
  const ledger = Ledger.open(path);
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
          returns: t.returns,
        };
      });
      recorded.added = ledger.record(rows);
      const pop = ledger.population(ctx.dataHash, [...new Set(trials.map((t) => t.strategy))]);
      recorded.held = pop.trials;
      // --fresh: recorded, but N and V are this command's
      return f.fresh ? { trials: trials.length, sharpes: trials.map((t) => t.isSharpe).filter(Number.isFinite) } : pop;
    },
  };
}
