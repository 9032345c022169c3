/**
 * Errors of the machine, not of tickfold nor of the input: a full disk, a folder that may not be
 * written, a link that leads nowhere. Each is said plainly, with what to do, and exits 2 (as a
 * usage error: the user can fix it); none is reported as "internal error (a bug in tickfold)".
 */
import { TickfoldError } from './errors.js';

/** What each system error means to a user, and what to do about it. */
const MEANING: Readonly<Record<string, readonly [string, string]>> = {
  ENOSPC: ['no space left on the device', 'free some space, or write to another disk'],
  EDQUOT: ['the disk quota is used up', 'free some space, or write to another disk'],
  EROFS: ['the file system is read-only', 'write to a writable folder'],
  EACCES: ['permission denied', 'write to a folder you may write to, or change its permissions'],
  EPERM: ['operation not permitted', 'write to a folder you may write to, or change its permissions'],
  ENOTDIR: ['a part of the path is a file, not a folder', 'give a path whose folders are folders'],
  EISDIR: ['it is a folder', 'name a file'],
  ELOOP: ['symbolic links in the path lead in a loop', 'fix or remove the link'],
  ENOENT: ['no such file or folder', 'check the path'],
  ENAMETOOLONG: ['the path is too long', 'use a shorter path'],
  EMFILE: ['too many open files in this process', 'raise the limit (ulimit -n)'],
  ENFILE: ['too many open files on this system', 'close other programs, or raise the system limit'],
  EIO: ['an input/output error from the device', 'check the disk (dmesg)'],
  EBUSY: ['the file or device is busy', 'try again, or use another path'],
  EXDEV: ['it is on another device', 'use a path on the same disk'],
};

/** A system error that is the environment's (exit 2). */
export class EnvironmentError extends TickfoldError {
  constructor(message: string) {
    super('environment', message, 2);
    this.name = 'EnvironmentError';
  }
}

/**
 * `e` as an {@link EnvironmentError} when it is a system error of the environment: "`what`: no
 * space left on the device (ENOSPC); `after`; free some space ...". Undefined for anything else.
 */
export function environmentError(e: unknown, what?: string, after?: string): EnvironmentError | undefined {
  if (e instanceof TickfoldError) return undefined;
  const err = e as NodeJS.ErrnoException | null;
  const code = err?.code;
  if (typeof code !== 'string') return undefined;
  const m = MEANING[code];
  if (!m) return undefined;
  const subject = what ?? `${err!.syscall ?? 'cannot use'} ${err!.path ?? ''}`.trim();
  return new EnvironmentError(`${subject}: ${m[0]} (${code})${after ? `; ${after}` : ''}; ${m[1]}`);
}
