/**
 * The order path allocates nothing per order in a run's steady state: working orders are pooled,
 * an event's fills go to reused columns, and the working lists never give up their storage. Shown
 * with V8's sampling heap profiler (objects collected by minor GCs included) over a strategy that
 * trades on most ticks: what the broker's code allocated, per order.
 */
import { Session } from 'node:inspector/promises';
import { expect, it } from 'vitest';
import { heavyTrading } from './harness.js';

interface Node {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: Node[];
}

it('broker: no allocation per order (pooled orders, reused fill columns, lists that keep their storage)', async () => {
  const { run } = await heavyTrading(60_000);
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
});
