import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** tmpfs's magic number (statfs(2) f_type). */
const TMPFS = 0x01021994;
/** The room the suite's temporary files may need at once (the largest, stream-memory's ~0.7 GB of catalogs, removed by their test). */
const ROOM = 4 * 2 ** 30;

/**
 * Where the run's temporary folder goes: TMPDIR when the user set it; else /dev/shm when it is a
 * tmpfs this process may write, mounted without noexec, with ROOM free; else the system's.
 *
 * The catalog writes every partition, index and sequence chunk atomically, each fsync'd with its
 * folder (src/atomic.ts): on /tmp on a disk, tests/data/catalog.test.ts spent 12.1 s of CPU (5.5 s
 * of it in the kernel) and 16.4 s of wall on a quiet machine, 98 s with the machine busy, mostly
 * waiting on fsync; on tmpfs, where fsync has nothing to do, 8.0 s and 6.4 s. The same calls run,
 * in the same order: what no test can observe (the data on the disk after a power cut) is all
 * that changes.
 */
function tempRoot(): string {
  if (process.env.TMPDIR) return tmpdir();
  try {
    const shm = '/dev/shm';
    const s = statfsSync(shm);
    accessSync(shm, constants.W_OK);
    const mount = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' '))
      .find((f) => f[1] === shm);
    if (s.type === TMPFS && s.bavail * s.bsize >= ROOM && mount && !mount[3]!.split(',').includes('noexec')) return shm;
  } catch {
    /* no /dev/shm here (not Linux): the system's temporary folder */
  }
  return tmpdir();
}

/**
 * CLI tests run bin/tickfold, which runs dist/: build it from the current sources first. In build
 * mode (`tsc -b`), which compares the sources' times with its record in dist/ and recompiles only
 * what changed: an unchanged tree costs about 0.3 s of CPU instead of the ~20 s of a full `tsc -p`
 * (measured here), a one-file change a few seconds.
 *
 * Every test file, and every process it starts, makes its temporary folders under one folder of
 * this run (TMPDIR, which `os.tmpdir()` reads and the forked test processes inherit), removed at
 * the end: tests need not clean up after themselves, and a run leaves nothing in /tmp (one run used
 * to leave about 300 folders there, some with copies of ../shared/data).
 */
export default function setup(): () => void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { stdio: 'inherit' });
  const previous = process.env.TMPDIR;
  const root = mkdtempSync(join(tempRoot(), 'tickfold-suite-run-'));
  process.env.TMPDIR = root;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (process.env.TICKFOLD_KEEP_TEST_TMP === '1') {
      process.stdout.write(`test temporary files kept in ${root}\n`);
      return;
    }
    rmSync(root, { recursive: true, force: true });
  };
}
