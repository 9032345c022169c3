/**
 * The parse cache's checksum covers its metadata as well as its columns: one flipped bit in the
 * symbols or the kind used to be read as a good entry (a symbol relabelled, quotes read as
 * trades, exit 0) and the damaged file was kept. Now it is said, the file parsed again, the cache
 * rewritten. (The metadata is the catalog's index, data/catalog/entry.ts; its partitions'
 * damage: tests/data/catalog.test.ts.)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../../src/data/load.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const QUOTES = join(ROOT, 'data/sample_pair_quotes.csv');

/** Flips bit `bit` of the first byte of `marker`'s value in the cache file's metadata. */
function flipInMeta(file: string, marker: string, bit: number): void {
  const b = readFileSync(file);
  const at = b.indexOf(marker, 0, 'latin1');
  expect(at, `${marker} in the cache file`).toBeGreaterThan(0);
  b[at + marker.length] = b[at + marker.length]! ^ (1 << bit);
  writeFileSync(file, b);
}

describe('the parse cache checksum covers its metadata', () => {
  it('a flipped bit in a symbol name: found, said in a note, parsed again and rewritten (no relabelled symbol)', async () => {
    const d = tempDir();
    const args = ['run', '--strategy', 'buy-and-hold', '--data', QUOTES, '--cache-dir', join(d, 'cache'), '--json', '-'];
    const first = await runCliIn(args, d);
    expect(first.code, first.stderr).toBe(0);
    const [cacheFile] = readdirSync(join(d, 'cache')).filter((f) => f.endsWith('.tfi')).map((f) => join(d, 'cache', f));
    flipInMeta(cacheFile!, '"symbols":["', 0); // AAA -> @AA
    const second = await runCliIn(args, d);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/note: the catalog index \S+\.tfi is damaged \(checksum mismatch\); \S+sample_pair_quotes\.csv is parsed again and the cache rewritten/);
    expect(second.stdout).not.toContain('@AA');
    expect(second.stdout).toBe(first.stdout); // the report of the parsed file, byte for byte
    // rewritten: the next run reads the cache again, without a note
    const third = await runCliIn(args, d);
    expect(third.stderr).not.toContain('note');
    expect(third.stdout).toBe(first.stdout);
  });

  it('a flipped bit in the kind: quotes are not read as trades', async () => {
    const d = tempDir();
    const notes: string[] = [];
    const opts = { cache: true, cacheDir: join(d, 'cache'), onNote: (m: string) => notes.push(m) };
    const first = await loadFile(QUOTES, opts);
    const [cacheFile] = readdirSync(opts.cacheDir).filter((f) => f.endsWith('.tfi')).map((f) => join(opts.cacheDir, f));
    flipInMeta(cacheFile!, '"kind":', 0);
    const again = await loadFile(QUOTES, opts);
    expect(again.summary.source).toBe('fast');
    expect(again.table.kind).toBe(first.table.kind);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('checksum mismatch');
    const third = await loadFile(QUOTES, opts);
    expect(third.summary.source).toBe('cache');
    expect(third.table.kind).toBe(first.table.kind);
    // the index, a partition per symbol and the file's symbol sequence (one chunk)
    expect(readdirSync(opts.cacheDir).sort().map((f) => f.slice(24))).toEqual(['.0.0.tfp', '.1.0.tfp', '.seq.0.tfs', '.tfi']);
  });
});
