/**
 * The trial ledger's flags for the validation commands (`--ledger PATH`, `--no-ledger`,
 * `--fresh`); the validation job opens the ledger they name (jobs/ledger.ts).
 */
import { Command } from 'commander';
import type { LedgerChoice } from '../jobs/ledger.js';

/** Where the ledger is by default: $TICKFOLD_LEDGER, else .tickfold/ledger.sqlite in the working folder. */
export const defaultLedgerPath = (): string => process.env.TICKFOLD_LEDGER || '.tickfold/ledger.sqlite';

export interface RawLedgerFlags {
  ledger: string | false;
  fresh?: boolean;
}

export function addLedgerOptions(cmd: Command): Command {
  return cmd
    .option('--ledger <path>', 'the trial ledger (SQLite) every trial is recorded in; DSR counts all of its trials on this data (default $TICKFOLD_LEDGER or .tickfold/ledger.sqlite)')
    .option('--no-ledger', "record nothing; DSR counts this command's trials only")
    .option('--fresh', "record the trials, but let DSR count this command's only");
}

/** The ledger the flags name (undefined with --no-ledger). */
export function ledgerChoice(f: RawLedgerFlags): LedgerChoice | undefined {
  if (f.ledger === false) return undefined;
  return { path: typeof f.ledger === 'string' ? f.ledger : defaultLedgerPath(), fresh: f.fresh === true };
}
