/**
 * The time limit of a task on a worker thread (`--timeout`) counts from the moment the thread takes
 * the task, not from the moment it is handed over: a thread's own start (its code loaded, ~0.5 s on
 * a quiet machine and several seconds on a busy one) and a wait for a free thread are not the
 * strategy's time. The thread says it has started in a shared cell ({@link startedCell}, set by
 * worker.ts before any strategy code runs); the main thread waits for it without blocking
 * (Atomics.waitAsync) and only then starts the clock.
 */

/** Atomics.waitAsync (Node 16+; in TypeScript's lib from ES2024, this project's lib is ES2022). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

/** The shared cell a worker thread sets to 1 when it takes a task. */
export const startedCell = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));

/** On the worker thread: the task has started (its clock may run). */
export function markStarted(cell: Int32Array | undefined): void {
  if (!cell) return;
  Atomics.store(cell, 0, 1);
  Atomics.notify(cell, 0);
}

/**
 * A signal that aborts `limitMs` after `cell` is set (never, if the task ends first); call `stop`
 * when the task has ended, whatever happened, to clear the timer and the wait.
 */
export function clockFromStart(cell: Int32Array, limitMs: number): { readonly signal: AbortSignal; stop(): void } {
  const timer = new AbortController();
  let over = false;
  let handle: NodeJS.Timeout | undefined;
  const start = (): void => {
    if (!over) handle = setTimeout(() => timer.abort(new Error(`time limit of ${limitMs} ms`)), limitMs);
  };
  const wait = waitAsync(cell, 0, 0);
  if (wait.async) void wait.value.then(start);
  else start();
  return {
    signal: timer.signal,
    stop: () => {
      over = true;
      clearTimeout(handle);
      // release the wait of a task that never started (its thread failed first)
      Atomics.notify(cell, 0);
    },
  };
}
