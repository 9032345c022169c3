import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  const root = mkdtempSync(join(tmpdir(), 'tickfold-suite-run-'));
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
