/**
 * Output files are written atomically, and the outputs of one command as a set.
 *
 * {@link writeFilesAtomic}: every file goes first to a temporary file beside its target
 * (`.NAME.tickfold-tmp-PID`), written and fsync'd; only when all are on disk are they renamed over
 * their targets, one after the other, and the folders fsync'd. A failure while writing (a full
 * disk, a read-only folder) removes the temporary files and leaves the previous set as it was:
 * a new JSON never stands beside the old CSV and HTML. What remains is the window of the renames
 * themselves (microseconds, no data written in it): a kill -9 exactly between two renames leaves
 * some new files and some old, and no file is ever half written. POSIX has no rename of several
 * files at once; a folder swapped by one rename would be atomic but changes where outputs live.
 *
 * Temporary files of a run that was killed are recognisable by name and hold the PID of their
 * writer; the next write into the same folder removes those whose process is gone
 * ({@link removeStaleTemps}).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { environmentError } from './environment.js';

const TEMP = /^\.(.+)\.tickfold-tmp-(\d+)(?:-\d+)?$/;
let counter = 0;

/** The temporary file a target is written to first: hidden, named after it and this process. */
export const tempPathFor = (path: string): string => join(dirname(path), `.${basename(path)}.tickfold-tmp-${process.pid}-${++counter}`);

const alive = (pid: number): boolean => {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // someone else's process, alive
  }
};

/** Removes the temporary files in `dir` left by tickfold processes that no longer run; returns their names. */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = TEMP.exec(n);
    if (!m || alive(Number(m[2]))) continue;
    try {
      rmSync(join(dir, n), { force: true });
      removed.push(n);
    } catch {
      /* another process cleaned it, or we may not: the next run tries again */
    }
  }
  return removed;
}

function writeSynced(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, 'w');
  try {
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* some file systems cannot fsync a folder; the renames are done either way */
  }
}

export interface OutputFile {
  readonly path: string;
  readonly data: string | Uint8Array;
}

/**
 * Writes all files or none (see the module comment). Errors of the environment (ENOSPC, EACCES,
 * EROFS, ...) become a clear error naming the file (exit 2); the previous files are kept.
 */
export function writeFilesAtomic(files: readonly OutputFile[]): void {
  const temps: { tmp: string; path: string }[] = [];
  const folders = new Set<string>();
  try {
    for (const f of files) {
      const dir = dirname(resolve(f.path));
      mkdirSync(dir, { recursive: true });
      if (!folders.has(dir)) removeStaleTemps(dir);
      folders.add(dir);
      const tmp = tempPathFor(f.path);
      temps.push({ tmp, path: f.path });
      writeSynced(tmp, f.data);
    }
  } catch (e) {
    for (const t of temps) rmSync(t.tmp, { force: true });
    const at = temps[temps.length - 1]?.path ?? files[0]?.path ?? '';
    throw environmentError(e, `cannot write ${at}`, files.length > 1 ? 'none of the outputs was written; the previous files are as they were' : 'the previous file is as it was') ?? e;
  }
  let done = 0;
  try {
    for (const t of temps) {
      renameSync(t.tmp, t.path);
      done++;
    }
  } catch (e) {
    for (const t of temps.slice(done)) rmSync(t.tmp, { force: true });
    const left = temps
      .slice(done)
      .map((t) => t.path)
      .join(', ');
    throw (
      environmentError(
        e,
        `cannot put ${temps[done]?.path ?? ''} in place`,
        done > 0
          ? `${temps
              .slice(0, done)
              .map((t) => t.path)
              .join(', ')} are new; ${left} are the previous ones`
          : 'the previous files are as they were',
      ) ?? e
    );
  }
  for (const d of folders) syncFolder(d);
}

/** One file, atomically (a set of one). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  writeFilesAtomic([{ path, data }]);
}
