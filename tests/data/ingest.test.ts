/**
 * The first streamed run of a large CSV writes its catalog chunk by chunk (catalog/ingest.ts):
 * the rows the streamed merge then gives are the in-memory table's, the rows it holds while it
 * writes are bounded by its symbols and partition size (not by the file's length), and a file it
 * cannot take chunk by chunk (an error in a later chunk, rows back in time across a chunk's edge)
 * leaves nothing behind and gets the whole-table parse's result or error. (Chunks of a few KB and
 * partitions of 300 rows here, so each file is cut many times.)
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey, sha1OfFile } from '../../src/data/cache.js';
import { ingestCsv } from '../../src/data/catalog/ingest.js';
import { planWindow } from '../../src/data/catalog/load-window.js';
import { mergeToTable } from '../../src/data/catalog/merge-stream.js';
import { DEFAULT_PAIR, generatePair } from '../../src/data/generate.js';
import { loadData, loadFile, rowOptions, type LoadOptions } from '../../src/data/load.js';
import { heldRowsMax } from '../../src/data/catalog/partition.js';
import type { TickTable } from '../../src/data/table.js';
import { tempDir } from '../helpers.js';

const PAR = { threads: 2, chunkBytes: 4096, minBytes: 0 } as const;
const ALL = { fromUs: -Infinity, toUs: Infinity };
const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function pair(d: string, events: number, symbols = ['A1', 'B1', 'A2', 'B2']): [string, string] {
  const q = join(d, `q${events}.csv`);
  const t = join(d, `t${events}.csv`);
  generatePair({ ...DEFAULT_PAIR, events, symbols }, q, t);
  return [q, t];
}

const ingest = (file: string, dir: string, opts: LoadOptions = {}) => ingestCsv(file, { partitionRows: 300, ...opts, parallel: PAR }, dir, cacheKey(file, { ...rowOptions(opts, file), v: 1 }));

function sameRows(a: TickTable, b: TickTable): void {
  expect(b.length).toBe(a.length);
  expect(b.symbols).toEqual(a.symbols);
  for (const k of ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3'] as const) expect(bytesOf(b[k]).equals(bytesOf(a[k])), k).toBe(true);
}

async function errorOf(f: () => Promise<unknown>): Promise<string> {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
}

describe('a large CSV into the catalog, chunk by chunk', () => {
  it("a first streamed load gives the in-memory table's rows, holding at most a partition per symbol", async () => {
    const d = tempDir();
    const [q, t] = pair(d, 6000);
    const opts: LoadOptions = { cacheDir: join(d, 'c'), partitionRows: 300, parallel: PAR };
    const planned = await planWindow([q, t], opts, ALL);
    expect(planned, 'streamed').toBeDefined();
    // the quotes went through the chunked ingest (its files are there, each partition at most 300 rows)
    expect(planned!.plan.sources.every((s) => s.entry.partitions.flat().every((p) => p.rows <= 300))).toBe(true);
    const streamed = await planned!.checked((plan) => mergeToTable(plan.sources, plan.merge));
    const whole = await loadData([q, t], { cache: false });
    sameRows(whole.table, streamed!.value);
    expect(planned!.files.map((f) => [f.rows, f.symbols, f.source])).toEqual(whole.files.map((f) => [f.rows, f.symbols, f.source]));
    expect(planned!.files.map((f) => f.sha1)).toEqual(planned!.files.map((f) => sha1OfFile(f.file)));
  });

  it('the rows it holds do not grow with the file: 8 times the rows, the same bound', async () => {
    const d = tempDir();
    const small = await ingest(pair(d, 3000)[0], join(d, 's'));
    const large = await ingest(pair(d, 24000)[0], join(d, 'l'));
    expect(small!.chunks).toBeGreaterThan(10);
    expect(large!.entry.length).toBe(24000);
    // four symbols, partitions of 300 rows: at most 4 × 299 rows wait for their partition to fill
    for (const r of [small!, large!]) expect(r.peakHeld).toBeLessThanOrEqual(4 * 299);
    expect(large!.peakHeld).toBeLessThan(large!.entry.length / 20);
  });

  it('many symbols: the rows held stay within heldRowsMax (every partition being filled cut past it), and the catalog is the whole-table write\'s, byte for byte', async () => {
    const d = tempDir();
    // 60 symbols interleaved, partitions of 50 rows: 60 × 49 = 2,940 rows could wait for their
    // partition to fill; the bound is 8 × 50 = 400, so partitions are cut by it, not by their size
    const symbols = Array.from({ length: 60 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    const [q] = pair(d, 12000, symbols);
    const lo: LoadOptions = { partitionRows: 50 };
    const got = (await ingestCsv(q, { ...lo, parallel: PAR }, join(d, 'i'), cacheKey(q, { ...rowOptions(lo, q), v: 1 })))!;
    expect(got, 'ingested').toBeDefined();
    expect(got.peakHeld).toBeLessThanOrEqual(heldRowsMax(50));
    const parts = got.entry.partitions.flat();
    expect(parts.some((p) => p.rows < 50 && p.rows > 0)).toBe(true);
    expect(parts.reduce((a, p) => a + p.rows, 0)).toBe(12000);
    await loadFile(q, { ...lo, cacheDir: join(d, 'w'), parallel: false });
    const files = (dir: string): string[] => readdirSync(dir).sort();
    expect(files(join(d, 'i'))).toEqual(files(join(d, 'w')));
    for (const f of files(join(d, 'w'))) expect(readFileSync(join(d, 'i', f)).equals(readFileSync(join(d, 'w', f))), f).toBe(true);
    // and the streamed rows are the in-memory table's
    const planned = await planWindow([q], { ...lo, cacheDir: join(d, 'i'), parallel: PAR }, ALL);
    const streamed = await planned!.checked((plan) => mergeToTable(plan.sources, plan.merge));
    sameRows((await loadData([q], { cache: false })).table, streamed!.value);
  });

  it('an error in a later chunk: nothing written, and the whole-table parse says it (file, line, column)', async () => {
    const d = tempDir();
    const [q] = pair(d, 3000);
    const rows = readFileSync(q, 'utf8').trimEnd().split('\n');
    rows[2500] = rows[2500]!.replace(/,([0-9.]+),/, ',x$1,');
    const bad = join(d, 'bad.csv');
    writeFileSync(bad, rows.join('\n') + '\n');
    expect(await ingest(bad, join(d, 'c1'))).toBeUndefined();
    expect(existsSync(join(d, 'c1')) ? readdirSync(join(d, 'c1')) : []).toEqual([]);
    const streamed = await errorOf(() => planWindow([bad], { cacheDir: join(d, 'c2'), partitionRows: 300, parallel: PAR }, ALL));
    const whole = await errorOf(() => loadData([bad], { cache: false, parallel: false }));
    expect(streamed).toBe(whole);
    expect(streamed).toContain(`${bad}:2501:`);
  });

  it('rows that go back in time across a chunk edge: declined, and rejected as the whole parse rejects them', async () => {
    const d = tempDir();
    const [q] = pair(d, 3000);
    const rows = readFileSync(q, 'utf8').trimEnd().split('\n');
    // a row of the last chunk stamped as the file's first row
    rows[2900] = rows[1]!;
    const back = join(d, 'back.csv');
    writeFileSync(back, rows.join('\n') + '\n');
    expect(await ingest(back, join(d, 'c1'))).toBeUndefined();
    const streamed = await errorOf(() => planWindow([back], { cacheDir: join(d, 'c2'), partitionRows: 300, parallel: PAR }, ALL));
    expect(streamed).toBe(await errorOf(() => loadData([back], { cache: false, parallel: false })));
  });

  it('a cache folder that cannot be made: declined (the whole-table path runs without the cache), not an error', async () => {
    const d = tempDir();
    const [q] = pair(d, 3000);
    const notDir = join(d, 'a-file');
    writeFileSync(notDir, '');
    expect(await ingest(q, join(notDir, 'cache'))).toBeUndefined();
  });

  it('bars, --sort and --tz are parsed whole (settled over the whole file)', async () => {
    const d = tempDir();
    const [q] = pair(d, 3000);
    expect(await ingest(q, join(d, 'c1'), { sort: true })).toBeUndefined();
    expect(await ingest(q, join(d, 'c2'), { tz: 'America/New_York' })).toBeUndefined();
  });
});
