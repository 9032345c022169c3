/**
 * The library's walkForward() takes a strategy object, as runOnTable does (issue 27, point 14:
 * `{ strategy: module }` was a TypeError from inside, the object taken for a module path).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { walkForward } from '../../src/jobs/walk-forward.js';
import { defineStrategy } from '../../src/strategy/types.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { ROOT } from '../helpers.js';

/** A strategy of the user's own, defined in the calling code (not a file tickfold can load). */
const own = defineStrategy({
  name: 'own-momentum',
  description: 'momentum under another name, defined in the test',
  params: { lookback: { type: 'integer', default: 20, min: 1, doc: 'ticks back' } },
  create: (p) => BUILTIN_STRATEGIES.get('momentum')!.create({ symbol: '', every: '1m', fraction: 0.95, lookback: p.lookback, allowShort: true }),
});

describe('walkForward takes strategy objects', () => {
  it('{ strategy: object } and a bare object: the same result as the built-in by name', async () => {
    const { table } = await loadData([join(ROOT, 'data/sample_pair_quotes.csv')], { cache: false });
    const opts = { train: '1h', test: '30m', workers: 1, bootstrapReps: 200 } as const;
    const byObject = await walkForward(table, { ...opts, strategies: [{ strategy: own, grid: { lookback: [10, 40] } }] });
    const cand = byObject.strategies.find((s) => !s.baseline)!;
    expect(cand.name).toBe('own-momentum');
    expect(cand.trials).toHaveLength(2);
    const byName = await walkForward(table, { ...opts, strategies: [{ strategy: 'momentum', params: { every: '1m' }, grid: { lookback: [10, 40] } }] });
    const ref = byName.strategies.find((s) => !s.baseline)!;
    expect(cand.oos.metrics.pnlNet).toBe(ref.oos.metrics.pnlNet);
    expect(cand.oos.metrics.trades).toBe(ref.oos.metrics.trades);
    // a bare object in the list
    const bare = await walkForward(table, { ...opts, strategies: [own] });
    expect(bare.strategies.find((s) => !s.baseline)!.name).toBe('own-momentum');
    // something that is neither: a usage error naming it
    await expect(walkForward(table, { ...opts, strategies: [{ strategy: { name: 'x' } as never }] })).rejects.toThrow(/strategies\[0\]\.strategy is neither a strategy name nor a strategy object/);
  });
});
