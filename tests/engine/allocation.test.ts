/**
 * The order path allocates nothing per order in a run's steady state: working orders are pooled,
 * an event's fills go to reused columns, and the working lists never give up their storage. Shown
 * with V8's sampling heap profiler (objects collected by minor GCs included) over a strategy that
 * trades on most ticks: what the broker's code allocated, per order.
 */
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/broker.js';
import { generatePair, DEFAULT_PAIR } from '../../src/data/generate.js';
import { loadData } from '../../src/data/load.js';
import { runBacktest } from '../../src/engine/engine.js';
import { resolveParams } from '../../src/strategy/params.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { tempDir } from '../helpers.js';

interface Node { callFrame: { functionName: string; url: string }; selfSize: number; children: Node[] }

it('broker: no allocation per order (pooled orders, reused fill columns, lists that keep their storage)', async () => {
  const dir = tempDir();
  const trades = join(dir, 't.csv');
  generatePair({ ...DEFAULT_PAIR, events: 60_000, tradeProb: 1 }, join(dir, 'q.csv'), trades);
  const { table } = await loadData([trades], { cache: false });
  const m = BUILTIN_STRATEGIES.get('momentum')!;
  const run = () => runBacktest(table, m.create(resolveParams('momentum', m.params, { lookback: '5' })), { strategyName: 'momentum', initialCapital: 1e5, execution: DEFAULT_EXECUTION, periodUs: 3600e6, seed: '1' });
  run(); // compile first
  const s = new Session();
  s.connect();
  await s.post('HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true });
  const rec = run();
  const { profile } = (await s.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: Node } };
  s.disconnect();
  let broker = 0;
  const walk = (n: Node): void => {
    if (/src\/broker\/broker\.[jt]s$/.test(n.callFrame.url)) {
      broker += n.selfSize;
    }
    n.children.forEach(walk);
  };
  walk(profile.head);
  expect(rec.orders.length).toBeGreaterThan(10_000);
  // before: ~150 bytes an order (a working list emptied to length 0 lost its storage; splice;
  // an object per fill); now what is left is the optimiser boxing a number now and then (~9 B
  // an order on average under the test runner, ~0 in the built code), less than one object
  expect(broker / rec.orders.length).toBeLessThan(16);
}, 60_000);
