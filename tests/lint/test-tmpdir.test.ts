import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';

describe('the suite keeps its temporary files in one folder of the run', () => {
  it('os.tmpdir() in a test file is the run folder made by tests/global-setup.ts, removed at the end', () => {
    expect(basename(tmpdir())).toMatch(/^tickfold-suite-run-/);
    expect(dirname(tempDir())).toBe(tmpdir());
  });
});
