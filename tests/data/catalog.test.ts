/**
 * The catalog's layout and its damage cases: partitions of one symbol and at most
 * `partitionRows` rows, each with its time range and CRC in an index kept apart, and a tick file's
 * symbol sequence in chunks with a CRC each; a truncated partition or sequence chunk, a flipped
 * bit in either or in the index, a deleted partition or chunk, an index of an older format: each
 * found, said in a note, the file parsed again and the entry rewritten, and the rows the same. A
 * partition is checked when it is read: a window that does not need a damaged one never meets it.
 * Damage made by hand that passes every checksum (an index whose symbols are not names, that names
 * a partition outside its folder, whose length is not its partitions' rows; a partition whose
 * stamps go back) is found the same way, by the index's shape and the partition's order.
 */
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/data/cache.js';
import { readEntry, readIndexFile, writeIndex, type CatalogEntry } from '../../src/data/catalog/entry.js';
import { sequenceChunkRows } from '../../src/data/catalog/sequence.js';
import { readPartition, writePartitionColumns, type PartitionInfo } from '../../src/data/catalog/partition.js';
import type { TickKind } from '../../src/data/schema.js';
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
    // the symbol sequence: the table's symbol column, in chunks of 4 partitions' rows
    const seq = e.sequence!;
    expect(seq.map((c) => c.firstRow)).toEqual(seq.map((_, k) => k * sequenceChunkRows(P)));
    expect(seq.reduce((a, c) => a + c.rows, 0)).toBe(f.table.length);
    for (const c of seq) {
      const b = readFileSync(join(dir, c.name));
      expect(Buffer.from(b.buffer, b.byteOffset + 24, c.rows * 2).equals(Buffer.from(f.table.sym.buffer, f.table.sym.byteOffset + c.firstRow * 2, c.rows * 2)), c.name).toBe(true);
    }
    // the index is a file of its own, beside the partitions and the sequence
    const names = readdirSync(dir);
    expect(names.filter((n) => n.endsWith('.tfi'))).toHaveLength(1);
    expect(names.filter((n) => n.endsWith('.tfp')).sort()).toEqual(e.partitions.flat().map((p) => p.name).sort());
    expect(names.filter((n) => n.endsWith('.tfs')).sort()).toEqual(seq.map((c) => c.name).sort());
    // a rebuild (the index gone) with larger partitions leaves none of the old ones behind
    rmSync(join(dir, names.find((n) => n.endsWith('.tfi'))!));
    await loadFile(QUOTES, { cacheDir: dir, partitionRows: 1 << 20 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tfp')).sort()).toEqual(entryOf(dir, QUOTES).partitions.flat().map((p) => p.name).sort());
    expect(readdirSync(dir).filter((n) => n.endsWith('.tfp'))).toHaveLength(2);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tfs'))).toEqual(entryOf(dir, QUOTES).sequence!.map((c) => c.name));
  });
});

/** A damage done to the catalog of the quotes: a partition, a chunk of its sequence, or its index. */
type Damage = (dir: string, files: { partition: string; sequence: string }, index: string) => void;
const flipByte = (file: string, at: (size: number) => number): void => {
  const b = readFileSync(file);
  const i = at(b.length);
  b[i] = b[i]! ^ 0x10;
  writeFileSync(file, b);
};
const DAMAGES: [string, Damage, RegExp][] = [
  ['a truncated partition', (d, f) => truncateSync(join(d, f.partition), 100), /partition \S+ has 100 bytes where the index says/],
  ['a flipped bit in a partition', (d, f) => flipByte(join(d, f.partition), (n) => n - 20), /partition \S+ fails its checksum/],
  ['a flipped bit in the index', (d, _, i) => flipByte(join(d, i), (n) => n - 30), /catalog index \S+ is damaged \(checksum mismatch\)/],
  ['a deleted partition', (d, f) => rmSync(join(d, f.partition)), /partition \S+ is missing/],
  ['a truncated sequence chunk', (d, f) => truncateSync(join(d, f.sequence), 100), /symbol sequence \S+ has 100 bytes where the index says/],
  ['a flipped bit in a sequence chunk', (d, f) => flipByte(join(d, f.sequence), (n) => n - 20), /symbol sequence \S+ fails its checksum/],
  ['a deleted sequence chunk', (d, f) => rmSync(join(d, f.sequence)), /symbol sequence \S+ is missing/],
  [
    'an index of the format before the sequence',
    (d, _, i) => {
      const r = readIndexFile(join(d, i));
      if (!('hit' in r)) throw new Error('no index');
      const { sequence: _seq, ...old } = r.hit;
      writeIndex(join(d, i), { ...old, format: 1 } as CatalogEntry);
    },
    /catalog index \S+ is of format 1, and this tickfold reads format 2/,
  ],
];

/** The quotes' index rewritten (a valid CRC) with `edit` applied to its entry. */
const editIndex =
  (edit: (e: Record<string, unknown>) => void): Damage =>
  (d, _, i) => {
    const r = readIndexFile(join(d, i));
    if (!('hit' in r)) throw new Error('no index');
    const e = structuredClone(r.hit) as unknown as Record<string, unknown>;
    edit(e);
    writeIndex(join(d, i), e as unknown as CatalogEntry);
  };
/** Hand-made damage that passes every checksum: what an index's shape and a partition's order catch. */
DAMAGES.push(
  ['an index (valid CRC) whose symbols are not names', editIndex((e) => ((e.symbols as unknown[])[0] = {})), /catalog index \S+ is damaged \(symbols not a list of names\)/],
  ['an index (valid CRC) naming a partition outside its folder', editIndex((e) => (((e.partitions as { name: string }[][])[1]![1]!.name = '../../etc/passwd'))), /catalog index \S+ is damaged \(a partition of symbol 1 is not one \("\.\.\/\.\.\/etc\/passwd"\)\)/],
  ['an index (valid CRC) whose length is not its partitions\' rows', editIndex((e) => (e.length = 1e12)), /catalog index \S+ is damaged \(its partitions hold \d+ rows where it says 1000000000000\)/],
  [
    'a partition rewritten with its stamps out of order, its CRC and the index made to match',
    (d, f, i) => {
      const idx = readIndexFile(join(d, i));
      if (!('hit' in idx)) throw new Error('no index');
      const e = structuredClone(idx.hit) as unknown as { partitions: PartitionInfo[][]; kind: TickKind; nCols: number };
      const info = e.partitions[1]!.find((p) => p.name === f.partition)!;
      const p = readPartition(join(d, info.name), info, e.kind, e.nCols);
      const ts = Float64Array.from(p.ts);
      ts[1] = ts[0]! - 1; // the second row before the first
      e.partitions[1]![e.partitions[1]!.indexOf(info)] = { ...writePartitionColumns(join(d, info.name), info.name, e.kind, 1, p.rows, ts, p.cols.map((c) => Float64Array.from(c)), Uint32Array.from(p.row)), firstTs: ts[0]!, lastTs: ts[p.rows - 1]! };
      writeIndex(join(d, i), e as unknown as CatalogEntry);
    },
    /partition \S+ does not match its index entry \(its stamps or rows out of order/,
  ],
);

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
        damage(dir, { partition: e.partitions[1]![1]!.name, sequence: e.sequence![1]!.name }, index);
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
