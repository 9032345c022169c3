/**
 * Memory stays bounded in a streamed replay: a catalog several times larger than `--memory` is
 * replayed with a peak RSS under the bound, and a catalog four times larger again peaks at about
 * the same RSS (flat in the data's size). Each replay runs in a child process of its own
 * (stream-memory.child.mjs, on the built code), measured by the kernel's peak RSS of that
 * process. The assertions are on memory, never on time.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

const CHILD = join(ROOT, 'tests/engine/stream-memory.child.mjs');
const MB = 2 ** 20;

interface ChildOut {
  ok: boolean;
  bytes: number;
  events: number;
  seen: number;
  maxRssBytes: number;
}

function child(...args: string[]): ChildOut {
  return JSON.parse(execFileSync(process.execPath, [CHILD, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 })) as ChildOut;
}

describe('a streamed replay holds a bounded amount of memory', () => {
  it('a catalog of 12M quotes (~530 MB of partitions) replays under --memory 300m, at the RSS of one a quarter of its size', () => {
    const d = tempDir();
    const small = join(d, 'small');
    const big = join(d, 'big');
    try {
      measure(small, big);
    } finally {
      rmSync(d, { recursive: true, force: true }); // (hundreds of MB)
    }
  }, 600_000);
});

function measure(small: string, big: string): void {
  {
    const made = { small: child('make', small, String(3_000_000)), big: child('make', big, String(12_000_000)) };
    expect(made.small.ok && made.big.ok).toBeTruthy();
    const memory = '300m';
    expect(made.big.bytes, 'the catalog is larger than --memory').toBeGreaterThan(1.5 * 300 * MB);
    const a = child('replay', small, memory);
    const b = child('replay', big, memory);
    expect(a.events).toBe(3_000_000);
    expect(b.events).toBe(12_000_000);
    expect(b.seen).toBe(12_000_000);
    // under the bound, and flat in the data's size (4x the rows: within 25% of the RSS)
    expect(b.maxRssBytes, `peak RSS ${(b.maxRssBytes / MB).toFixed(0)} MB, --memory ${memory}`).toBeLessThan(300 * MB);
    expect(b.maxRssBytes, `peak RSS ${(b.maxRssBytes / MB).toFixed(0)} MB for 12M rows vs ${(a.maxRssBytes / MB).toFixed(0)} MB for 3M`).toBeLessThan(1.25 * a.maxRssBytes);
  }
}
