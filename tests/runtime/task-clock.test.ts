/**
 * A task's time limit counts from when its worker thread takes it (runtime/task-clock.ts): the
 * thread's own start, however slow the machine, is not the strategy's time.
 */
import { describe, expect, it } from 'vitest';
import { clockFromStart, markStarted, startedCell } from '../../src/runtime/task-clock.js';
import run from '../../src/runtime/worker.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const aborted = (s: AbortSignal): Promise<void> => (s.aborted ? Promise.resolve() : new Promise((r) => s.addEventListener('abort', () => r(), { once: true })));

describe('the time limit of a task', () => {
  it('does not run before the thread takes the task, however long that takes; runs out after', async () => {
    const cell = startedCell();
    const clock = clockFromStart(cell, 1);
    try {
      await sleep(100); // a slow thread start, 100 times the limit
      expect(clock.signal.aborted).toBe(false);
      markStarted(cell);
      await aborted(clock.signal); // would hang (the suite's bound) were the clock never started
      expect(clock.signal.aborted).toBe(true);
    } finally {
      clock.stop();
    }
  });

  it('a task over before its thread took it (the thread failed): the clock never starts', async () => {
    const cell = startedCell();
    const clock = clockFromStart(cell, 1);
    clock.stop();
    markStarted(cell);
    await sleep(100);
    expect(clock.signal.aborted).toBe(false);
  });

  it('the worker thread marks the task started before it runs any of it', async () => {
    const cell = startedCell();
    const progress = new Float64Array(new SharedArrayBuffer(24)).fill(-1);
    // a strategy that does not exist: the task fails, after the mark
    const out = (await run({ table: undefined as never, task: { kind: 'run', strategy: 'no-such-strategy', params: {} } as never, progress, started: cell })) as { kind: string };
    expect(out.kind).toBe('failure');
    expect(Atomics.load(cell, 0)).toBe(1);
  });
});
