/**
 * What strategy code may touch: by default no files but its own module, no network, no child
 * processes, no exit of the process. A strategy that reads the data file itself sees prices ahead
 * of the engine's clock (a module reading the CSV passed `tickfold check` 8/8 and made +42% from
 * prices 60 s ahead), so the engine's no-look-ahead guarantee needs this wall.
 *
 * How (measured on Node 20.20, the version tickfold supports):
 * - **Files and child processes: Node's permission model, per worker thread.** Strategy code runs
 *   only on worker threads (src/runtime/pool.ts; modules are loaded and `create()` called there
 *   too), and a worker thread started with `--experimental-permission` in its `execArgv` enforces
 *   it for itself alone: in it `fs.readFileSync('/etc/passwd')`, `child_process.execSync`,
 *   `process.binding('fs')`, the inspector (which could evaluate code on the main thread), native
 *   addons and nested workers all fail with ERR_ACCESS_DENIED / ERR_DLOPEN_DISABLED, while the
 *   main thread, which reads the data and writes the outputs, keeps its access. The check is
 *   in C++ under every way into the file system (node:fs, fs/promises, createRequire, dynamic
 *   import, CommonJS require), which a module-resolve hook is not: it sees imports only, not
 *   `process.binding`, `process.getBuiltinModule` or `require` through `createRequire`. A child
 *   process under the permission model would work too, but the data table would have to be
 *   copied to it (the worker threads share it without a copy).
 * - **Network: the network modules' entry points are replaced** in those threads (Node 20's
 *   permission model has no network permission): net, tls, http, https, http2, dgram, dns and
 *   `fetch` throw a {@link SandboxError}. This is a JavaScript-level wall, not a kernel one; with
 *   `process.binding` denied there is no lower-level way to a socket that we know of.
 * - **process.exit / process.kill** from strategy code throw, naming the module: a worker thread's
 *   process.exit would only end the thread, but it is a strategy bug to say, not a silent stop.
 *
 * The user widens it per run: `--allow-fs PATH` (read and write, repeatable), `--allow-net`,
 * `--allow-child-process`.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SandboxError } from './denied.js';
import type { ModuleKind } from './bundle.js';
import { pushAll } from '../arrays.js';

export interface SandboxPolicy {
  /** Paths strategy code may read and write (files or folders), besides its own module files. */
  readonly allowFs: readonly string[];
  readonly allowNet: boolean;
  readonly allowChildProcess: boolean;
  /**
   * Paths strategy code may read but not write, besides tickfold's install: a queue worker's folder
   * of fetched (authenticated) module files, which the threads import from.
   */
  readonly readFs?: readonly string[];
  /** Environment variables strategy code may read (`--allow-env NAME`); the threads see no other (see {@link sandboxEnv}). */
  readonly allowEnv?: readonly string[];
  /** Whose code the threads run, for the refusals' wording (default: a strategy's). */
  readonly what?: ModuleKind;
}

/** Nothing allowed: what strategy code gets unless the user says otherwise. */
export const STRICT: SandboxPolicy = { allowFs: [], allowNet: false, allowChildProcess: false };

/**
 * tickfold's own install: its compiled code and its dependencies, which the worker threads load:
 * `dist/`, `package.json`, and every `node_modules` folder from the install up (an installed
 * tickfold's dependencies are hoisted next to it: app/node_modules/piscina).
 */
function installPaths(): string[] {
  // this file is dist/src/strategy/sandbox.js (or src/strategy/sandbox.ts in tests, run from dist)
  const here = dirname(fileURLToPath(import.meta.url));
  const root = /[\\/]dist[\\/]src[\\/]strategy$/.test(here) ? resolve(here, '..', '..', '..') : resolve(here, '..', '..');
  const out = [join(root, 'dist'), join(root, 'package.json')];
  for (let d = root; ; d = dirname(d)) {
    if (basename(d) === 'node_modules') pushAll(out, bothPaths(d));
    else if (existsSync(join(d, 'node_modules'))) pushAll(out, bothPaths(join(d, 'node_modules')));
    if (dirname(d) === d) break;
  }
  return out;
}

/** A path as the permission model checks it (it resolves symbolic links): the path and its real path. */
function bothPaths(p: string): string[] {
  const abs = resolve(p);
  try {
    const real = realpathSync(abs);
    return real === abs ? [abs] : [abs, real];
  } catch {
    return [abs];
  }
}

/**
 * `execArgv` for the worker threads that run strategy code: the permission model, reading only
 * tickfold's install and what the policy allows. (Strategy module files reach the threads as text,
 * bundled on the main thread: bundle.ts.)
 */
export function permissionArgv(policy: SandboxPolicy): string[] {
  const read = [...installPaths(), ...policy.allowFs.flatMap(bothPaths), ...(policy.readFs ?? []).flatMap(bothPaths)];
  // one flag per path (Node 20.20 no longer takes a comma-separated list)
  const write = [...new Set(policy.allowFs.flatMap(bothPaths))];
  return ['--experimental-permission', '--disable-warning=ExperimentalWarning', ...[...new Set(read)].map((p) => `--allow-fs-read=${p}`), ...write.map((p) => `--allow-fs-write=${p}`), ...(policy.allowChildProcess ? ['--allow-child-process'] : [])];
}

/**
 * The environment of a sandboxed thread: only the variables the policy names. Node's permission
 * model does not cover `process.env`, and a thread's environment is by default a copy of the
 * process's: a queue worker's credentials (cloud keys, tokens) would be readable by the code of
 * whoever sends it a job, which could return them in its diagnostics. A thread's environment is
 * its own (worker_threads' `env` option), so tickfold's code on the main thread keeps the whole.
 */
export function sandboxEnv(policy: SandboxPolicy, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of policy.allowEnv ?? []) {
    const v = env[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}

const NETWORK: Readonly<Record<string, readonly string[]>> = {
  // _createServerHandle: a listening TCP handle straight from the binding (bind and listen on any
  // port), whose constructor's connect() with a plain object aborted the whole process
  'node:net': ['connect', 'createConnection', 'createServer', 'Socket', 'Server', 'Stream', '_createServerHandle'],
  'node:tls': ['connect', 'createServer', 'TLSSocket', 'Server'],
  'node:http': ['request', 'get', 'createServer', 'Agent', 'Server'],
  'node:https': ['request', 'get', 'createServer', 'Agent', 'Server'],
  'node:http2': ['connect', 'createServer', 'createSecureServer'],
  'node:dgram': ['createSocket', 'Socket', '_createSocketHandle'],
  'node:dns': ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveCaa', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse', 'Resolver'],
  'node:dns/promises': ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveCaa', 'resolveMx', 'resolveNaptr', 'resolveNs', 'resolvePtr', 'resolveSoa', 'resolveSrv', 'resolveTxt', 'reverse', 'Resolver'],
};

let locked = false;

/**
 * Locks the calling worker thread before any strategy code runs on it: the network entry points
 * (unless allowed), process.exit and process.kill. Files and child processes are the permission
 * model's (see {@link permissionArgv}). Idempotent.
 */
export function lockThread(policy: SandboxPolicy): void {
  if (locked) return;
  locked = true;
  const require = createRequire(import.meta.url);
  const who = policy.what ?? 'strategy';
  if (!policy.allowNet) {
    const refuse = (what: string) =>
      function refused(): never {
        throw new SandboxError(`tried to use the network (${what}): ${who} code may not; allow it with --allow-net`);
      };
    for (const [mod, names] of Object.entries(NETWORK)) {
      const m = require(mod) as Record<string, unknown>;
      for (const n of names) if (n in m) Object.defineProperty(m, n, { value: refuse(`${mod.slice(5)}.${n}`), writable: false, configurable: false });
    }
    for (const g of ['fetch', 'WebSocket', 'EventSource'] as const) {
      if (g in globalThis) Object.defineProperty(globalThis, g, { value: refuse(g), writable: false, configurable: false });
    }
    // `import { connect } from 'node:net'` sees the replacements too
    syncBuiltinESMExports();
  }
  // process.report.getReport() is the whole process's: its environment (the variables the thread's
  // own process.env leaves out: a queue worker's credentials, its queue key), its command line (a
  // Redis password in --queue), its host. Node's permission model stops writeReport, not getReport.
  Object.defineProperty(process, 'report', {
    get(): never {
      throw new SandboxError(`read process.report: ${who} code may not (it holds the process's environment and command line)`);
    },
    configurable: false,
  });
  const exit = (code?: unknown): never => {
    throw new SandboxError(`called process.exit(${code === undefined ? '' : String(code)}): ${who} code may not end the process; throw an Error to stop a run`);
  };
  Object.defineProperty(process, 'exit', { value: exit, writable: false, configurable: false });
  Object.defineProperty(process, 'reallyExit', { value: exit, writable: false, configurable: false });
  Object.defineProperty(process, 'abort', { value: exit, writable: false, configurable: false });
  if (!policy.allowChildProcess) {
    Object.defineProperty(process, 'kill', {
      value: () => {
        throw new SandboxError(`called process.kill: ${who} code may not signal processes; allow it with --allow-child-process`);
      },
      writable: false,
      configurable: false,
    });
  }
}
