/**
 * A search's resume cache in the trial ledger (search/in-folds.ts asks it before running a round):
 * each trial's whole result, V8-serialised so every float comes back with the same bits, keyed by
 * everything that makes it the same run. Killed mid-search, the same command runs only what the
 * ledger does not hold, and its report is byte-identical to an uninterrupted run.
 */
import { serialize, deserialize } from 'node:v8';
import { createHash } from 'node:crypto';
import { canonicalJson } from '../ledger/keys.js';
import type { Ledger } from '../ledger/ledger.js';
import type { SearchCache } from '../search/in-folds.js';
import type { TrialResult } from '../runtime/tasks.js';

/**
 * The resume cache of searches in the trial ledger: each trial's whole result (V8-serialised, so
 * every float comes back with the same bits), keyed by everything that makes it the same run.
 */
export function ledgerSearchCache(ledger: Ledger, ctx: { dataHash: string; execution: unknown; periodUs: number; periodsPerYear: number; initialCapital: number; seed: string; version: string; moduleHash: (strategy: string) => string }): SearchCache {
  return {
    key: (strategy, params, windows, until) =>
      createHash('sha1')
        .update(canonicalJson({ ...ctx, moduleHash: ctx.moduleHash(strategy), strategy, params, windows: windows.map(([a, b]) => [a, Number.isFinite(b) ? b : null]), until }))
        .digest('hex'),
    get: (key) => {
      const b = ledger.storedResult(key);
      return b ? (deserialize(b) as TrialResult) : undefined;
    },
    put: (rows) => ledger.storeResults(rows.map((r) => ({ key: r.key, result: serialize(r.result) }))),
  };
}
