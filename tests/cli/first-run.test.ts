/**
 * A first run takes the file's SHA-1 and writes its catalog entry (the index and its partitions,
 * which `run` streams its rows from): the report's hash is the file's, the entry is there
 * afterwards (bar lengths included), and the second run, from the catalog, writes the same report.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

it('first run: hash and cache written while the worker replays; the cached second run gives the same report', async () => {
  const dir = tempDir();
  const file = join(dir, 'VEND.csv');
  const lines = ['Date,Open,High,Low,Close,Volume'];
  let px = 100;
  for (let i = 0; i < 3000; i++) {
    const t = new Date(Date.UTC(2021, 0, 4, 0, 0) + i * 60_000).toISOString().replace('T', ' ').slice(0, 19);
    const next = Math.round((px + Math.sin(i / 7) * 0.8) * 100) / 100;
    lines.push(`${t},${px},${Math.max(px, next) + 0.05},${Math.min(px, next) - 0.05},${next},${1000 + i}`);
    px = next;
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const cache = join(dir, 'cache');
  const args = (out: string): string[] => ['run', '--strategy', 'momentum', '--data', file, '--cache-dir', cache, '--quiet', '--json', join(dir, out)];
  const first = await runCliIn(args('a.json'));
  expect(first.code, first.stderr).toBe(0);
  const a = JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'));
  expect(a.manifest.data[0].sha1).toBe(createHash('sha1').update(readFileSync(file)).digest('hex'));
  expect(readdirSync(cache).filter((f) => f.endsWith('.tfi'))).toHaveLength(1); // the catalog's index
  expect(readdirSync(cache).filter((f) => f.endsWith('.tfp'))).toHaveLength(1); // and its partition (one symbol)
  const inspect = await runCliIn(['data', 'inspect', file, '--cache-dir', cache, '--json', '-']);
  const summary = JSON.parse(inspect.stdout).files[0].summary;
  expect(summary.source).toBe('cache');
  expect(summary.barLengthUs).toEqual({ VEND: 60e6 });
  const second = await runCliIn(args('b.json'));
  expect(second.code, second.stderr).toBe(0);
  const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
  for (const r of [a, b]) delete r.tickfold.argv;
  expect(b).toEqual(a);
});
