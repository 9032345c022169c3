/**
 * The Node options of this process that worker threads may be started with.
 *
 * The threads tickfold starts (the backtest pool, the parse threads) are given `process.execArgv`
 * so that a loader or a Node option the user ran tickfold with (`--import`, `--conditions`,
 * `--enable-source-maps`, ...) applies to the code they run too. Node refuses, when a thread is
 * made, V8's options and those of the whole process (`--max-old-space-size`, `--expose-gc`,
 * `--stack-size`, `--title`: ERR_WORKER_INVALID_EXEC_ARGV), and that refusal used to end the
 * command with an internal error (`node --max-old-space-size=8192 $(which tickfold) run ...`, the
 * usual way to give a large run more heap). Those apply to the process already; the threads get
 * the rest. There is no list of the options a thread takes (the set is Node's and changes with it),
 * so the refusal itself names them: one probe thread, made only when the process has options,
 * once per process.
 */
import { Worker } from 'node:worker_threads';

let kept: readonly string[] | undefined;

/** `process.execArgv` less the options Node refuses for a worker thread (see the file's comment). */
export function workerExecArgv(): string[] {
  kept ??= threadOptions(process.execArgv);
  return [...kept];
}

/** `argv` less what a worker thread refuses: each refusal names the flags, which are left out. */
export function threadOptions(argv: readonly string[]): string[] {
  let left = [...argv];
  while (left.length > 0) {
    let refused: string[];
    try {
      // a thread of nothing: refused when it is made (before it starts), else ended at once
      void new Worker('', { eval: true, execArgv: left, stdout: true, stderr: true }).terminate();
      return left;
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
      // "Initiated Worker with invalid execArgv flags: --a=1, --b"
      const named = /flags?: (.*)$/.exec((e as Error).message)?.[1]?.split(', ') ?? [];
      refused = left.filter((a) => named.includes(a));
    }
    // nothing the message names is in the list: keep none rather than loop
    left = refused.length > 0 ? left.filter((a) => !refused.includes(a)) : [];
  }
  return left;
}
