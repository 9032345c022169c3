/**
 * Outputs are written as a set: all of a command's files appear together or none do, and the temp
 * files of a killed run are removed by the next. The faults are injected (a full disk at fsync, a
 * read-only folder at open): tests run as root, where permissions do not bite.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../helpers.js';

const fault: { on?: 'fsync' | 'open'; code?: string; after?: number } = {};
let calls = 0;
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const fail = (what: 'fsync' | 'open'): void => {
    if (fault.on === what && calls++ >= (fault.after ?? 0)) throw Object.assign(new Error(`${fault.code}: injected`), { code: fault.code, syscall: what });
  };
  return {
    ...real,
    fsyncSync: (fd: number) => (fail('fsync'), real.fsyncSync(fd)),
    openSync: (p: fs.PathLike, flags: fs.OpenMode, mode?: fs.Mode) => (flags === 'w' && String(p).includes('.tickfold-tmp-') ? fail('open') : undefined, real.openSync(p, flags, mode)),
  };
});
const { writeFilesAtomic, removeStaleTemps } = await import('../../src/atomic.js');

beforeEach(() => {
  delete fault.on;
  calls = 0;
});

const OLD = { 'report.json': 'old json', 'trades.csv': 'old csv', 'report.html': 'old html' };
function oldSet(): string {
  const d = tempDir();
  for (const [n, t] of Object.entries(OLD)) fs.writeFileSync(join(d, n), t);
  return d;
}
const newSet = (d: string) => Object.keys(OLD).map((n) => ({ path: join(d, n), data: `new ${n}` }));
const contents = (d: string): Record<string, string> =>
  Object.fromEntries(
    fs
      .readdirSync(d)
      .sort()
      .map((n) => [n, fs.readFileSync(join(d, n), 'utf8')]),
  );

describe('outputs are written as a set', () => {
  it('a full disk while writing the second of three outputs: the old set stays whole, no temp file, a clear error', () => {
    const d = oldSet();
    Object.assign(fault, { on: 'fsync', code: 'ENOSPC', after: 1 });
    expect(() => writeFilesAtomic(newSet(d))).toThrow(/cannot write \S+trades\.csv: no space left on the device \(ENOSPC\); none of the outputs was written; the previous files are as they were; free some space/);
    expect(contents(d)).toEqual(OLD); // not a new JSON beside the old CSV and HTML, and no temp
  });

  it('a read-only folder: exit 2 (an environment error), the old set stays', async () => {
    const d = oldSet();
    Object.assign(fault, { on: 'open', code: 'EROFS', after: 0 });
    let err: unknown;
    try {
      writeFilesAtomic(newSet(d));
    } catch (e) {
      err = e;
    }
    const { EnvironmentError } = await import('../../src/environment.js');
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as { exitCode: number }).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/the file system is read-only \(EROFS\)/);
    expect(contents(d)).toEqual(OLD);
  });

  it('without a fault, all three are replaced', () => {
    const d = oldSet();
    writeFilesAtomic(newSet(d));
    expect(contents(d)).toEqual(
      Object.fromEntries(
        Object.keys(OLD)
          .sort()
          .map((n) => [n, `new ${n}`]),
      ),
    );
  });

  it("temp files of a killed run are removed by the next write; a running process's are kept", () => {
    const d = oldSet();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!; // a PID whose process has ended
    const stale = `.report.json.tickfold-tmp-${gone}-1`;
    const live = `.report.json.tickfold-tmp-${process.pid}-99`;
    fs.writeFileSync(join(d, stale), 'x'.repeat(1 << 20));
    fs.writeFileSync(join(d, live), 'y');
    expect(removeStaleTemps(d)).toEqual([stale]);
    fs.writeFileSync(join(d, stale), 'x');
    writeFilesAtomic(newSet(d));
    expect(fs.existsSync(join(d, stale))).toBe(false);
    expect(fs.existsSync(join(d, live))).toBe(true);
  });
});
