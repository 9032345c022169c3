/**
 * `--allow-fs PATH`, `--allow-net`, `--allow-child-process`, `--allow-env NAME`: what strategy code
 * may touch beyond the default sandbox (src/strategy/sandbox.ts: no files but its own module, no
 * network, no child processes, no environment variables). Given to every command that runs strategy code.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { Guard } from '../runtime/runner.js';
import { collect } from './options.js';
import { strategyFiles } from './outputs.js';
import { bundleModule, type ModuleKind } from '../strategy/bundle.js';

export interface RawSandboxFlags {
  allowFs: string[];
  allowNet?: boolean;
  allowChildProcess?: boolean;
  allowEnv: string[];
}

export function addSandboxOptions(cmd: Command): Command {
  return cmd
    .option('--allow-fs <path>', 'let strategy code read and write this file or folder (repeatable; by default it may read only its own module file)', collect, [])
    .option('--allow-net', 'let strategy code use the network (by default it may not)')
    .option('--allow-child-process', 'let strategy code start processes (by default it may not)')
    .option('--allow-env <name>', 'let strategy code read this environment variable (repeatable; by default process.env is empty for it)', collect, []);
}

export interface Sandbox extends NonNullable<Guard['sandbox']> {
  /** What each strategy module file imports (its own files' imports, as written). */
  readonly imports: Readonly<Record<string, readonly string[]>>;
}

/**
 * The sandbox of the threads that run `specs` (strategy names and files, as given): the policy
 * from the flags, and each module file bundled here (read and compiled, not run).
 */
export async function toSandbox(f: RawSandboxFlags, specs: readonly string[], what: ModuleKind = 'strategy'): Promise<Sandbox> {
  for (const p of f.allowFs) if (!existsSync(p)) throw new UsageError(`--allow-fs ${p}: no such file or folder`);
  for (const n of f.allowEnv) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new UsageError(`--allow-env ${n}: not a variable's name (letters, digits and _, e.g. --allow-env API_TOKEN)`);
    if (process.env[n] === undefined) throw new UsageError(`--allow-env ${n}: no such variable is set here; set it (export ${n}=...) or leave the option out`);
  }
  const modules: Record<string, string> = {};
  const imports: Record<string, readonly string[]> = {};
  for (const spec of new Set(strategyFiles(specs))) {
    if (!existsSync(spec)) throw new UsageError(`${what} file ${spec} does not exist`);
    // with its source map: an error of the module's code is told in the lines of the user's file
    // (factor/module-task.ts, runtime/task-run.ts)
    const b = await bundleModule(spec, what);
    modules[spec] = b.code;
    imports[spec] = b.imports;
  }
  return {
    policy: { allowFs: f.allowFs.map((p) => resolve(p)), allowNet: f.allowNet === true, allowChildProcess: f.allowChildProcess === true, ...(f.allowEnv.length > 0 ? { allowEnv: [...new Set(f.allowEnv)] } : {}), ...(what !== 'strategy' ? { what } : {}) },
    modules,
    imports,
  };
}
