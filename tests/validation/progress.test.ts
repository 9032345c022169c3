/**
 * The progress of the tasks on the threads, read from the clock cells their engines write
 * (TaskRunner.partial): what moves the progress bar within a batch of trials.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import { TaskRunner } from '../../src/runtime/pool.js';
import { ROOT, tempDir } from '../helpers.js';

describe('progress within tasks', () => {
  it('a batch of 3 slow trials reads as 0..3 backtests done while it runs, never backwards, and 0 in flight after', async () => {
    const d = tempDir();
    const mod = join(d, 'slow.mjs');
    // slow by sleeping 1 ms every 100 ticks (Atomics.wait: the seconds the trials take, not CPU)
    writeFileSync(
      mod,
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; const nap = new Int32Array(new SharedArrayBuffer(4)); return { onTick() { if (++n % 100 === 0) Atomics.wait(nap, 0, 0, 1); } }; } };\n`,
    );
    const { table } = await loadData([join(ROOT, 'data/sample_pair_quotes.csv')], { cacheDir: tempDir(), shared: true });
    const runner = new TaskRunner(1, {});
    runner.use(table);
    const seen: number[] = [];
    const finished: number[] = [];
    runner.onDone = (runs) => finished.push(runs);
    const timer = setInterval(() => seen.push(runner.partial()), 20);
    try {
      const run = { execution: DEFAULT_EXECUTION, initialCapital: 100_000, periodUs: 60e6, periodsPerYear: 98_280, seed: '1' };
      await runner.runAll([{ task: { kind: 'trial', strategy: mod, params: [{ k: 1 }, { k: 2 }, { k: 3 }], labels: ['a', 'b', 'c'], windows: [], run }, label: 'slow' }]);
    } finally {
      clearInterval(timer);
      await runner.close();
    }
    expect(finished).toEqual([3]);
    const moving = seen.filter((x) => x > 0 && x < 3);
    expect(moving.length).toBeGreaterThan(3); // it moved within the task
    for (let i = 1; i < seen.length; i++) if (seen[i]! > 0) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(Math.max(...seen)).toBeLessThanOrEqual(3);
    expect(runner.partial()).toBe(0);
  });
});
