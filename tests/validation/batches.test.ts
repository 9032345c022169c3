/**
 * Trials run in batches, trial j in batch j mod k (validate.ts): whatever the batches, each trial's
 * figures are those of its own backtest, in trial order.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import { runBacktest } from '../../src/engine/engine.js';
import { computeMetrics } from '../../src/metrics/run-metrics.js';
import { createStrategy } from '../../src/strategy/instance.js';
import { resolveParams } from '../../src/strategy/params.js';
import { walkForward } from '../../src/jobs/walk-forward.js';
import pairs from '../../strategies/pairs.js';
import { ROOT, tempDir } from '../helpers.js';

describe('trial batches', () => {
  it('7 trials on 1 and on 3 workers (batches {1..7} and {1,4,7},{2,5},{3,6}): each trial is its own backtest, in order', async () => {
    const { table } = await loadData([join(ROOT, 'data/sample_pair_quotes.csv')], { cacheDir: tempDir() });
    const o = { strategies: [{ strategy: 'pairs', params: { every: '10s' }, grid: { entry: [1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75] } }], train: '1h', test: '30m', periodUs: 60_000_000, bootstrapReps: 200 };
    const one = await walkForward(table, { ...o, workers: 1 });
    const three = await walkForward(table, { ...o, workers: 3 });
    const a = one.strategies[0]!.trials;
    const b = three.strategies[0]!.trials;
    expect(a.map((t) => t.label)).toEqual(['entry=1.25', 'entry=1.5', 'entry=1.75', 'entry=2', 'entry=2.25', 'entry=2.5', 'entry=2.75']);
    expect(b.map((t) => t.label)).toEqual(a.map((t) => t.label));
    const periodUs = 60e6;
    for (let j = 0; j < a.length; j++) {
      expect(b[j]!.metrics).toEqual(a[j]!.metrics);
      expect(b[j]!.returns).toEqual(a[j]!.returns);
      const params = resolveParams('pairs', pairs.params, { every: '10s', entry: String([1.25, 1.5, 1.75, 2, 2.25, 2.5, 2.75][j]) });
      const alone = runBacktest(table, createStrategy(pairs, params), { strategyName: 'pairs', initialCapital: 100_000, execution: DEFAULT_EXECUTION, periodUs, seed: '1' });
      expect(a[j]!.metrics.pnlNet, a[j]!.label).toBe(computeMetrics(alone, a[j]!.metrics.periodsPerYear).pnlNet);
      expect(a[j]!.metrics.trades).toBe(alone.trades.length);
    }
    // the trials differ (else the order would not show)
    expect(new Set(a.map((t) => t.metrics.pnlNet)).size).toBeGreaterThan(3);
  });
});
