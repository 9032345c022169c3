/**
 * What strategy code was refused by the sandbox (sandbox.ts), said as the rest of a sentence that
 * names the module or the handler: "strategy './s.mjs' tried to read /data/x.csv: ...". Kept apart
 * from sandbox.ts so that the engine can word a handler's refusal without importing node:fs.
 */
import { resolve } from 'node:path';
import { TickfoldError } from '../errors.js';
import type { ModuleKind } from './bundle.js';

/** Strategy code tried something the sandbox does not allow (exit 3, as other strategy faults). Its message reads after a subject: "tried to ...". */
export class SandboxError extends TickfoldError {
  constructor(message: string) {
    super('sandbox', message, 3);
    this.name = 'SandboxError';
  }
}

/**
 * "tried to read /x: ..." for a refusal (Node's permission model's ERR_ACCESS_DENIED, or a
 * {@link SandboxError}), with the flag that allows it; undefined for any other error. `who`
 * says whose code it was (a strategy's, or a factor module's).
 */
export function deniedText(e: unknown, who: ModuleKind = 'strategy'): string | undefined {
  if (e instanceof SandboxError) return e.message;
  const err = e as { code?: string; permission?: string; resource?: string; message?: string } | null;
  if (err?.code !== 'ERR_ACCESS_DENIED') return undefined;
  const what = err.permission ?? '';
  if (what.startsWith('FileSystem')) {
    const verb = what === 'FileSystemWrite' ? 'write' : 'read';
    // the path as the strategy wrote it may be relative: said from the root, as --allow-fs takes it
    const path = err.resource ? resolve(err.resource) : undefined;
    return `tried to ${verb}${path ? ` ${path}` : ' a file'}: ${who} code may not touch files (a ${who} that reads the data itself sees prices ahead of the clock); if it needs this, allow it with --allow-fs ${path ?? 'PATH'}`;
  }
  if (what === 'ChildProcess') return `tried to start a child process: ${who} code may not; allow it with --allow-child-process`;
  if (what === 'WorkerThreads') return `tried to start a worker thread: ${who} code may not`;
  return `tried something ${who} code may not do (${what || err.message || 'access denied'})`;
}
