/**
 * The CLI in this process: `main()` of src/cli/main.ts with its own working folder, environment
 * and captured stdout/stderr, for the tests whose subject is a command's behaviour and not the
 * process boundary (a process start and the build it runs cost ~0.5-1 s per call; the suite made
 * 168 of them). What only a real process shows (exit codes through the OS, signals, stdout piped
 * into a reader, a crash's "no stack trace", the atomic outputs of a killed run) stays with
 * `runCli` (tests/helpers.ts), which spawns bin/tickfold.
 *
 * One call at a time (calls queue): the working folder, the environment and the two streams are
 * the process's. Vitest runs each test file in a forked process of its own (pool 'forks', see
 * vitest.config.ts), so `process.chdir` is allowed and touches no other file's tests.
 *
 * Everything a call changes is put back when it ends, whatever happened: the working folder,
 * every environment variable, `process.exitCode`, the streams' `write` and `isTTY` (false during a
 * call, as on the pipe of a spawned CLI: no progress bar draws), the listeners a command added to
 * `process` (a worker's SIGINT/SIGTERM handlers, ...), and `process.exit`, which during a call
 * records its code and ends the command (the code is the call's exit status) instead of the fork.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, type CliResult } from './helpers.js';

/**
 * The built CLI (dist/, as bin/tickfold runs it; vitest's global setup builds it from the sources
 * first): Node loads it natively (vitest.config.ts keeps dist/ out of vite's transform), about a
 * second less per test file than transforming the TypeScript sources, and the worker threads the
 * commands start run dist/ in any case.
 */
const MAIN = pathToFileURL(join(ROOT, 'dist/src/cli/main.js')).href;

/** Events whose listeners a command may add; any it leaves behind are removed after the call. */
const PROCESS_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection', 'warning'] as const;

/** `process.exit` called during an in-process call: the command's end, with its code. */
class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code}) called by the command`);
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `tickfold <args>` in this process, as `runCli` runs it in a child: the working folder is
 * `cwd` (a fresh temp folder unless given), the environment is this process's plus a trial ledger
 * of its own (TICKFOLD_LEDGER in a fresh folder, so one test's trials never deflate another's
 * Sharpe) plus `env` (a value `undefined` removes the variable). `signal` is always null (no
 * process was killed).
 */
export function runCliIn(args: readonly string[], cwd?: string, env: Readonly<Record<string, string | undefined>> = {}): Promise<CliResult> {
  const run = queue.then(() => runOnce(args, cwd, env));
  queue = run.catch(() => undefined);
  return run;
}

async function runOnce(args: readonly string[], cwd: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<CliResult> {
  const { main } = (await import(MAIN)) as typeof import('../src/cli/main.js');
  const saved = {
    cwd: process.cwd(),
    env: { ...process.env },
    exitCode: process.exitCode,
    exit: process.exit,
    out: { write: process.stdout.write, isTTY: process.stdout.isTTY },
    err: { write: process.stderr.write, isTTY: process.stderr.isTTY },
    listeners: new Map(PROCESS_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))])),
  };
  const out: string[] = [];
  const err: string[] = [];
  let exited: number | undefined;
  const decoder = (): ((c: unknown, enc?: unknown) => string) => {
    const d = new TextDecoder();
    return (c, enc) => (typeof c === 'string' ? (typeof enc === 'string' && enc !== 'utf8' && enc !== 'utf-8' ? Buffer.from(c, enc as BufferEncoding).toString('utf8') : c) : d.decode(c as Uint8Array, { stream: true }));
  };
  const capture = (into: string[]): typeof process.stdout.write => {
    const text = decoder();
    return ((chunk: unknown, enc?: unknown, cb?: unknown) => {
      into.push(text(chunk, enc));
      const done = typeof enc === 'function' ? enc : cb;
      if (typeof done === 'function') queueMicrotask(() => (done as (e?: Error | null) => void)(null));
      return true;
    }) as typeof process.stdout.write;
  };
  try {
    process.chdir(cwd ?? mkdtempSync(join(tmpdir(), 'tickfold-cli-')));
    process.env.TICKFOLD_LEDGER = join(mkdtempSync(join(tmpdir(), 'tickfold-ledger-')), 'ledger.sqlite');
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.stdout.write = capture(out);
    process.stderr.write = capture(err);
    process.stdout.isTTY = false;
    process.stderr.isTTY = false;
    process.exit = ((code?: number | string | null) => {
      exited = Number(code ?? process.exitCode ?? 0);
      throw new ExitCalled(exited);
    }) as typeof process.exit;
    let code: number;
    try {
      code = await main(args);
    } catch (e) {
      if (!(e instanceof ExitCalled)) throw e;
      code = e.code;
    }
    return { code: exited ?? code, signal: null, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.exit = saved.exit;
    process.stdout.write = saved.out.write;
    process.stderr.write = saved.err.write;
    process.stdout.isTTY = saved.out.isTTY;
    process.stderr.isTTY = saved.err.isTTY;
    process.exitCode = saved.exitCode;
    for (const k of Object.keys(process.env)) if (!(k in saved.env)) delete process.env[k];
    Object.assign(process.env, saved.env);
    process.chdir(saved.cwd);
    for (const [e, before] of saved.listeners) {
      for (const l of process.listeners(e as NodeJS.Signals)) if (!before.has(l)) process.removeListener(e, l);
    }
  }
}
