/**
 * Interrupts (SIGINT, SIGTERM) end a command cleanly: backtests run on worker threads (see
 * runtime/pool.ts), so the main thread is free to notice at once; it stops them, writes
 * nothing, and exits 130 (SIGINT) or 143 (SIGTERM). Output files are only ever written whole
 * (temp file + rename, after every check), so an interrupted run leaves the previous file or none.
 * A second interrupt exits immediately.
 */
import { InterruptedError } from '../runtime/runner.js';

const controller = new AbortController();

/** Aborted when the user interrupts; its reason is the signal's name. */
export const interruptSignal: AbortSignal = controller.signal;

let installed = false;

export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (controller.signal.aborted) {
        process.stderr.write(`tickfold: ${sig} again; exiting now\n`);
        process.exit(sig === 'SIGINT' ? 130 : 143);
      }
      controller.abort(sig);
    });
  }
}

/**
 * Throws {@link InterruptedError} when an interrupt has arrived (call before writing outputs).
 * A signal's handler runs only when the event loop has a turn: one that came while this thread
 * was busy (building and rendering a report, synchronously) is still pending here, and a check
 * without a turn first would miss it and write the outputs (a SIGTERM then exited 0). So the
 * loop gets a full turn before the check: a timer (the next iteration), then an immediate (after
 * that iteration's poll phase, where pending signals are delivered; one immediate alone is not
 * enough on the loop's first iteration, measured).
 */
export async function checkInterrupted(): Promise<void> {
  await new Promise<void>((r) => setTimeout(r, 0));
  await new Promise<void>((r) => setImmediate(r));
  if (controller.signal.aborted) throw new InterruptedError(String(controller.signal.reason));
}
