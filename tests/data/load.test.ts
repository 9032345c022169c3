import { copyFileSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadData, loadFile } from '../../src/data/load.js';
import { BAR, QUOTE, TRADE } from '../../src/data/schema.js';
import { parseIso } from '../../src/data/time.js';
import { fixture, tempDir } from '../helpers.js';

const write = (dir: string, name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('vendor formats', () => {
  it('reads a Yahoo-style Date,Open,High,Low,Close,Adj Close,Volume file; symbol from the file name', async () => {
    const { table, files } = await loadData([fixture('good/VEND.csv')], { cache: false });
    expect(files[0]!.source).toBe('fast'); // the byte reader reads vendor headers too
    expect(table.symbols).toEqual(['VEND']);
    expect(Array.from(table.f3)).toEqual([10.5, 11, 11.2]); // Close, not Adj Close
    expect(table.f4[1]).toBeNaN(); // empty volume is unknown
    expect(table.barStart[0]).toBe(parseIso('2024-01-02'));
    expect(table.ts[0]).toBe(parseIso('2024-01-03'));
  });
  it('--symbol overrides the file name; --columns maps odd headers', async () => {
    const d = tempDir();
    const p = write(d, 'x.csv', 'When,Last,Qty,Junk\n2024-01-02T10:00:00Z,5,1,a\n2024-01-02T10:00:01Z,5.5,2,b\n');
    const { table } = await loadData([p], { cache: false, symbol: 'XYZ', columns: { ts: 'When', price: 'Last', 'skip:Junk': 'Junk' } });
    expect(table.symbols).toEqual(['XYZ']);
    expect(Array.from(table.f0)).toEqual([5, 5.5]);
    expect(table.kind[0]).toBe(TRADE);
  });
  it('numeric epochs by magnitude (ms here), empty size unknown', async () => {
    const { table } = await loadData([fixture('good/epoch_ms_trades.csv')], { cache: false });
    expect(Array.from(table.ts)).toEqual([1704205800000000, 1704205800250000, 1704205801000000]);
    expect(table.f1[1]).toBeNaN();
  });
  it('--ts-unit overrides the guess', async () => {
    const d = tempDir();
    const p = write(d, 'e.csv', 'ts,symbol,price,size\n1704205800,A,1,1\n1704205801,A,1,1\n');
    const s = await loadData([p], { cache: false, tsUnit: 's' });
    const ms = await loadData([p], { cache: false, tsUnit: 'ms' });
    expect(s.table.ts[0]).toBe(1704205800_000000);
    expect(ms.table.ts[0]).toBe(1704205800_000);
  });
  it('quoted fields go through csv-parse', async () => {
    const { table, files } = await loadData([fixture('good/quoted.csv')], { cache: false });
    expect(files[0]!.source).toBe('csv');
    expect(table.symbols).toEqual(['A,B']);
  });
  it('a BOM, CRLF line ends, offsets and empty sizes', async () => {
    const { table } = await loadData([fixture('good/bom_crlf_quotes.csv')], { cache: false });
    expect(table.kind[0]).toBe(QUOTE);
    expect(table.ts[0]).toBe(parseIso('2024-01-02T14:30:00.5Z'));
    expect(table.f2[0]).toBeNaN();
    expect([table.f0[1], table.f1[1], table.f2[1], table.f3[1]]).toEqual([1.55, 1.6, 3, 4]);
  });
  it('numbers the fast path leaves to the row rules (exponents, long mantissas) read the same as Number()', async () => {
    const d = tempDir();
    const p = write(d, 'n.csv', 'ts,symbol,price,size\n2024-01-02T10:00:00Z,A,1.5e2,1E1\n2024-01-02T10:00:01Z,A,0.12345678901234567,3\n');
    for (const reader of ['auto', 'csv'] as const) {
      const { table } = await loadData([p], { cache: false, reader });
      // the file's digits as written: the parse must give the double they round to, as this literal does
      // eslint-disable-next-line no-loss-of-precision
      expect(Array.from(table.f0)).toEqual([150, 0.12345678901234567]);
      expect(table.f1[0]).toBe(10);
    }
  });
});

describe('merging', () => {
  it('orders by time; equal times: trades, then quotes, then bars, then by path, then row; whatever the order of the arguments', async () => {
    const d = tempDir();
    const a = write(d, 'a.csv', 'ts,symbol,price,size\n2024-01-02T10:00:00Z,A,1,1\n2024-01-02T10:00:01Z,A,2,1\n2024-01-02T10:00:01Z,A,3,1\n');
    const b = write(d, 'b.csv', 'ts,symbol,bid,ask,bid_size,ask_size\n2024-01-02T10:00:00Z,B,10,11,1,1\n2024-01-02T10:00:01Z,A,20,21,1,1\n2024-01-02T10:00:02Z,B,30,31,1,1\n');
    const c = write(d, 'c.csv', 'ts,symbol,price,size\n2024-01-02T10:00:01Z,A,4,1\n');
    for (const args of [[b, a, c], [a, b, c], [c, b, a]]) {
      const { table, files } = await loadData(args, { cache: false });
      expect(table.symbols).toEqual(['A', 'B']);
      expect(Array.from(table.f0)).toEqual([1, 10, 2, 3, 4, 20, 30]);
      expect(Array.from(table.kind)).toEqual([TRADE, QUOTE, TRADE, TRADE, TRADE, QUOTE, QUOTE]);
      expect(files.map((f) => f.file)).toEqual([a, c, b]);
      // a column a kind does not have is NaN, not zero
      expect(table.f2[0]).toBeNaN();
    }
  });
  it('bars from one file and ticks from another interleave at the bars\' close (a tick at a bar\'s close comes first)', async () => {
    const d = tempDir();
    const bars = write(d, 'bars.csv', 'ts,symbol,open,high,low,close,volume\n2024-01-02T10:00:00Z,A,1,2,1,2,5\n2024-01-02T10:01:00Z,A,2,3,2,3,5\n');
    const ticks = write(d, 't.csv', 'ts,symbol,price,size\n2024-01-02T10:00:30Z,A,1.5,1\n2024-01-02T10:01:00Z,A,2,1\n');
    const { table } = await loadData([bars, ticks], { cache: false });
    expect(Array.from(table.kind)).toEqual([TRADE, TRADE, BAR, BAR]);
    expect(table.ts[2]).toBe(parseIso('2024-01-02T10:01:00Z'));
    expect(table.ts[3]).toBe(parseIso('2024-01-02T10:02:00Z'));
  });
  it('--bar-length and --bar-stamp end', async () => {
    const d = tempDir();
    const bars = write(d, 'bars.csv', 'ts,symbol,open,high,low,close,volume\n2024-01-02T10:05:00Z,A,1,2,1,2,5\n2024-01-02T10:10:00Z,A,2,3,2,3,5\n');
    const start = await loadData([bars], { cache: false, barLengthUs: 60_000_000 });
    expect(start.table.ts[0]).toBe(parseIso('2024-01-02T10:06:00Z'));
    const end = await loadData([bars], { cache: false, barStamp: 'end' });
    expect(end.table.ts[0]).toBe(parseIso('2024-01-02T10:05:00Z'));
    expect(end.table.barStart[0]).toBe(parseIso('2024-01-02T10:00:00Z'));
  });
  it('a folder loads every .csv in it, in name order', async () => {
    const d = tempDir();
    write(d, 'b.csv', 'ts,symbol,price,size\n2024-01-02T10:00:00Z,B,1,1\n');
    write(d, 'a.csv', 'ts,symbol,price,size\n2024-01-02T10:00:00Z,A,1,1\n');
    write(d, 'notes.txt', 'not data');
    const { files, table } = await loadData([d], { cache: false });
    expect(files.map((f) => f.file)).toEqual([join(d, 'a.csv'), join(d, 'b.csv')]);
    expect(table.symbols).toEqual(['A', 'B']);
  });
});

describe('binary cache', () => {
  const setup = (): { dir: string; file: string; cacheDir: string } => {
    const dir = tempDir();
    const file = join(dir, 'q.csv');
    copyFileSync(join(import.meta.dirname, '../../data/sample_pair_quotes.csv'), file);
    return { dir, file, cacheDir: join(dir, 'cache') };
  };

  it('a second load comes from the cache with identical columns', async () => {
    const { file, cacheDir } = setup();
    const cold = await loadFile(file, { cacheDir });
    const warm = await loadFile(file, { cacheDir });
    expect([cold.summary.source, warm.summary.source]).toEqual(['fast', 'cache']);
    expect(Array.from(warm.table.ts)).toEqual(Array.from(cold.table.ts));
    expect(Array.from(warm.table.cols[3]!)).toEqual(Array.from(cold.table.cols[3]!));
    expect(warm.table.symbols).toEqual(cold.table.symbols);
    expect(warm.summary.sha1).toBe(cold.summary.sha1);
    expect(cold.summary.sha1).toBe(createHash('sha1').update(readFileSync(file)).digest('hex'));
  });
  it('is invalidated when the content, size or mtime changes; --no-cache bypasses it', async () => {
    const { file, cacheDir } = setup();
    await loadFile(file, { cacheDir });
    // same size, same mtime, one price changed in the first block
    const text = readFileSync(file, 'utf8');
    const st = statSync(file);
    const changed = text.replace('AAA,100,100.01', 'AAA,100,100.02');
    expect(changed.length).toBe(text.length);
    writeFileSync(file, changed);
    utimesSync(file, st.atime, st.mtime);
    const after = await loadFile(file, { cacheDir });
    expect(after.summary.source).toBe('fast');
    expect(after.table.cols[1]![0]).toBe(100.02);
    // mtime only
    utimesSync(file, st.atime, new Date(st.mtimeMs + 5000));
    expect((await loadFile(file, { cacheDir })).summary.source).toBe('fast');
    expect((await loadFile(file, { cacheDir })).summary.source).toBe('cache');
    // size
    writeFileSync(file, changed + '2024-01-02T23:00:00Z,AAA,100,100.01,1,1\n');
    expect((await loadFile(file, { cacheDir })).summary.rows).toBe(40_001);
    expect((await loadFile(file, { cacheDir, cache: false })).summary.source).toBe('fast');
  });
  it('different parse options use different cache entries', async () => {
    const { file, cacheDir } = setup();
    await loadFile(file, { cacheDir });
    expect((await loadFile(file, { cacheDir, onBadRow: 'skip' })).summary.source).toBe('fast');
    expect((await loadFile(file, { cacheDir })).summary.source).toBe('cache');
  });
  it('a truncated or corrupted cache file is detected and rebuilt', async () => {
    const { file, cacheDir } = setup();
    const cold = await loadFile(file, { cacheDir });
    const { readdirSync, truncateSync } = await import('node:fs');
    const cf = join(cacheDir, readdirSync(cacheDir)[0]!);
    const bytes = readFileSync(cf);
    bytes[bytes.length - 100]! ^= 0xff; // flip a byte in the data
    writeFileSync(cf, bytes);
    const r1 = await loadFile(file, { cacheDir });
    expect(r1.summary.source).toBe('fast');
    expect(Array.from(r1.table.ts)).toEqual(Array.from(cold.table.ts));
    truncateSync(cf, 1000);
    expect((await loadFile(file, { cacheDir })).summary.source).toBe('fast');
    expect((await loadFile(file, { cacheDir })).summary.source).toBe('cache');
  });
});
