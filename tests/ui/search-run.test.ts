/**
 * A search is one run in the UI: a halving search records its partial trials (1/9 and 1/3 of each
 * fold's window) with their budget in the scheme (jobs/ledger.ts); the runs page groups them with
 * the full-budget trials of the same command, not as a run per budget and fold, and the run's
 * trials say which are partial. Its best in-sample Sharpe is over full-budget trials only (a
 * Sharpe over a ninth of a window is not comparable).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerView } from '../../src/ui/ledger-view.js';
import { runCliIn } from '../cli-harness.js';
import { ROOT, tempDir } from '../helpers.js';

describe('a search in the UI', () => {
  it('a halving search is one run; its partial trials are among its trials, marked', async () => {
    const d = tempDir();
    const ledger = join(d, 'ledger.sqlite');
    const r = await runCliIn(
      [
        'walk-forward',
        '--strategy',
        'pairs',
        '--data',
        join(ROOT, 'data/sample_pair_quotes.csv'),
        '--param',
        'pairs.every=10s',
        '--space',
        'pairs.entry=float:1.2..3',
        '--space',
        'pairs.lookback=int:30..300:log',
        '--search',
        'halving',
        '--trials',
        '9',
        '--train',
        '1h',
        '--test',
        '30m',
        '--period',
        '1m',
        '--workers',
        '1',
        '--no-cache',
        '--ledger',
        ledger,
        '--quiet',
        '--json',
        join(d, 'r.json'),
      ],
      d,
    );
    expect(r.code, r.stderr).toBe(0);
    const view = new LedgerView(ledger);
    const state = view.current();
    if (!state.ok) throw new Error(state.message);
    const pairsRuns = state.snapshot.runs.filter((x) => x.strategies.includes('pairs'));
    expect(pairsRuns).toHaveLength(1);
    const run = pairsRuns[0]!;
    const page = view.trials(run.id, 0, 10_000);
    if (!page || 'error' in page) throw new Error(String(page && page.error));
    const partial = page.rows.filter((t) => t.budget !== null);
    const full = page.rows.filter((t) => t.budget === null);
    expect(partial.length).toBeGreaterThan(0);
    expect(full.length).toBeGreaterThan(0);
    for (const t of partial) expect(t.budget).toMatch(/^1\/(9|3) of fold \d+$/);
    expect(page.total).toBe(page.rows.length);
    // the best in-sample Sharpe is a full-budget trial's
    const bestFull = full.reduce((m, t) => Math.max(m, t.isSharpe ?? -Infinity), -Infinity);
    expect(run.bestIsSharpe).toBeCloseTo(bestFull, 12);
  });
});
