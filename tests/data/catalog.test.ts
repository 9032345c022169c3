/**
 * The catalog's layout and its damage cases: partitions of one symbol and at most
 * `partitionRows` rows, each with its time range and CRC in an index kept apart; a truncated
 * partition, a flipped bit in a partition or in the index, a deleted partition: each found, said
 * in a note, the file parsed again and the entry rewritten, and the rows the same. A partition is
 * checked when it is read: a window that does not need a damaged one never meets it.
 */
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/data/cache.js';
import { readEntry } from '../../src/data/catalog/entry.js';
import { loadWindow } from '../../src/data/catalog/load-window.js';
import { loadData, loadFile, rowOptions, type LoadOptions } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { ROOT, tempDir } from '../helpers.js';

const QUOTES = join(ROOT, 'data/sample_pair_quotes.csv');
const TRADES = join(ROOT, 'data/sample_pair_trades.csv');
const ALL = { fromUs: -Infinity, toUs: Infinity };
const P = 300;

const entryOf = (dir: string, file: string) => {
  const r = readEntry(dir, cacheKey(file, { ...rowOptions({}, file), v: 1 }));
  if (!('hit' in r)) throw new Error(`no catalog entry for ${file}`);
  return r.hit;
};

const sameRows = (a: TickTable, b: TickTable): void => {
  expect(b.length).toBe(a.length);
  for (const c of ['ts', 'sym', 'kind', 'f0', 'f1', 'f2', 'f3'] as const) expect(Buffer.from(b[c].buffer, b[c].byteOffset, b[c].byteLength).equals(Buffer.from(a[c].buffer, a[c].byteOffset, a[c].byteLength)), c).toBe(true);
};

describe('catalog layout', () => {
  it('per symbol, partitions of at most partitionRows rows in row order, each with its rows, time range and CRC in the index', async () => {
    const dir = join(tempDir(), 'cat');
    const f = await loadFile(QUOTES, { cacheDir: dir, partitionRows: P });
    const e = entryOf(dir, QUOTES);
    expect(e.symbols).toEqual(f.table.symbols);
    expect(e.length).toBe(f.table.length);
    e.partitions.forEach((parts, s) => {
      const rows = [...f.table.sym.keys()].filter((i) => f.table.sym[i] === s);
      expect(parts.map((p) => p.rows).reduce((a, b) => a + b, 0)).toBe(rows.length);
      let at = 0;
      for (const p of parts) {
        expect(p.rows).toBeGreaterThan(0);
        expect(p.rows).toBeLessThanOrEqual(P);
        expect([p.firstTs, p.lastTs]).toEqual([f.table.ts[rows[at]!]!, f.table.ts[rows[at + p.rows - 1]!]!]);
        at += p.rows;
      }
      expect(parts.length).toBe(Math.ceil(rows.length / P));
    });
    // the index is a file of its own, beside the partitions
    const names = readdirSync(dir);
    expect(names.filter((n) => n.endsWith('.tfi'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith('.tfp')).sort()).toEqual(e.partitions.flat().map((p) => p.name).sort());
    // a rebuild (the index gone) with larger partitions leaves none of the old ones behind
    rmSync(join(dir, names.find((n) => n.endsWith('.tfi'))!));
    await loadFile(QUOTES, { cacheDir: dir, partitionRows: 1 << 20 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tfp')).sort()).toEqual(entryOf(dir, QUOTES).partitions.flat().map((p) => p.name).sort());
    expect(readdirSync(dir).filter((n) => n.endsWith('.tfp'))).toHaveLength(2);
  });
});

type Damage = (dir: string, partition: string, index: string) => void;
const flipByte = (file: string, at: (size: number) => number): void => {
  const b = readFileSync(file);
  const i = at(b.length);
  b[i] = b[i]! ^ 0x10;
  writeFileSync(file, b);
};
const DAMAGES: readonly [string, Damage, RegExp][] = [
  ['a truncated partition', (d, p) => truncateSync(join(d, p), 100), /has 100 bytes where the index says/],
  ['a flipped bit in a partition', (d, p) => flipByte(join(d, p), (n) => n - 20), /fails its checksum/],
  ['a flipped bit in the index', (d, _, i) => flipByte(join(d, i), (n) => n - 30), /catalog index \S+ is damaged \(checksum mismatch\)/],
  ['a deleted partition', (d, p) => rmSync(join(d, p)), /is missing/],
];

describe('catalog damage: found, said, rebuilt', () => {
  for (const [what, damage, note] of DAMAGES) {
    it(`${what}: the file load and the streamed load both find it, parse again, rewrite, and give the same rows`, async () => {
      const ref = (await loadData([QUOTES, TRADES], { cache: false })).table;
      for (const streamed of [false, true]) {
        const dir = join(tempDir(), 'cat');
        const notes: string[] = [];
        const opts: LoadOptions = { cacheDir: dir, partitionRows: P, onNote: (m) => notes.push(m) };
        await loadData([QUOTES, TRADES], opts);
        const e = entryOf(dir, QUOTES);
        const index = readdirSync(dir).find((n) => n.endsWith('.tfi') && readFileSync(join(dir, n)).includes(e.partitions[1]![1]!.name))!;
        damage(dir, e.partitions[1]![1]!.name, index);
        const got = streamed ? (await loadWindow([QUOTES, TRADES], opts, ALL))!.table : (await loadData([QUOTES, TRADES], opts)).table;
        expect(notes, `${what}, ${streamed ? 'streamed' : 'in memory'}`).toHaveLength(1);
        expect(notes[0]).toMatch(note);
        expect(notes[0]).toContain('parsed again and the cache rewritten');
        sameRows(ref, got);
        // rewritten: the next load reads the catalog, without a note
        const again = await loadWindow([QUOTES, TRADES], opts, ALL);
        expect(notes).toHaveLength(1);
        expect(again!.files.map((f) => f.source)).toEqual(['cache', 'cache']);
        sameRows(ref, again!.table);
      }
    });
  }

  it('a partition is checked when it is read: a window that does not need the damaged one loads without a word', async () => {
    const dir = join(tempDir(), 'cat');
    const notes: string[] = [];
    const opts: LoadOptions = { cacheDir: dir, partitionRows: P, onNote: (m) => notes.push(m) };
    const full = (await loadData([QUOTES], opts)).table;
    const e = entryOf(dir, QUOTES);
    const last = e.partitions[0]!.at(-1)!;
    flipByte(join(dir, last.name), (n) => n - 20);
    // the first partitions' hour: the last one of symbol 0 is not read
    const early = (await loadWindow([QUOTES], opts, { fromUs: full.ts[0]!, toUs: e.partitions[0]![0]!.lastTs }))!;
    expect(notes).toEqual([]);
    expect(early.table.length).toBeLessThan(full.length);
    // the whole data reads it, finds it, rebuilds
    sameRows(full, (await loadWindow([QUOTES], opts, ALL))!.table);
    expect(notes).toHaveLength(1);
  });
});
