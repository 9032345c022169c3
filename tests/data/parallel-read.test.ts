/**
 * A CSV parsed in chunks on worker threads gives what the one-thread parse gives: the same table
 * value for value, the same bad rows and messages (file, line, column), and the same catalog
 * partitions byte for byte. Files with a header, without one (--header), CRLF, quoted fields; a
 * symbol first seen in a later chunk; bad rows and an error in the second chunk; rows that go back
 * in time across a chunk's edge. (Chunks of a few KB here, so each file is cut many times.)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAIR, generatePair } from '../../src/data/generate.js';
import { loadFile, type LoadOptions } from '../../src/data/load.js';
import { readFile, type ReadOptions } from '../../src/data/read-file.js';
import { CHUNK } from '../../src/data/byte-reader.js';
import type { FileTable } from '../../src/data/table.js';
import { tempDir } from '../helpers.js';

const PAR = { threads: 2, chunkBytes: 4096, minBytes: 0 } as const;
const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const sameTable = (a: FileTable, b: FileTable): void => {
  expect(b.length).toBe(a.length);
  expect(b.symbols).toEqual(a.symbols);
  expect(bytesOf(b.ts).equals(bytesOf(a.ts)), 'ts').toBe(true);
  expect(bytesOf(b.sym).equals(bytesOf(a.sym)), 'sym').toBe(true);
  a.cols.forEach((c, i) => expect(bytesOf(b.cols[i]!).equals(bytesOf(c)), `col ${i}`).toBe(true));
  expect(b.lines === undefined).toBe(a.lines === undefined);
  if (a.lines) expect(bytesOf(b.lines!).equals(bytesOf(a.lines)), 'lines').toBe(true);
};

/** Both reads of `file`; `chunks`: whether the parallel one must have been read in chunks. */
async function both(file: string, opts: Partial<ReadOptions> = {}, chunks = true) {
  const one = await readFile(file, { onBadRow: 'fail', ...opts, parallel: false } as ReadOptions);
  const par = await readFile(file, { onBadRow: 'fail', ...opts, parallel: PAR } as ReadOptions);
  if (chunks) expect(par.chunks).toBeGreaterThan(2);
  else expect(par.chunks).toBeUndefined();
  sameTable(one.table, par.table);
  expect(par.badRows).toBe(one.badRows);
  expect(par.badSamples).toEqual(one.badSamples);
  expect(par.header).toEqual(one.header);
  return { one, par };
}

/** The error each read throws (the message names file, line and column). */
async function errorOf(file: string, opts: Partial<ReadOptions>): Promise<string> {
  try {
    await readFile(file, { onBadRow: 'fail', ...opts } as ReadOptions);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('no error');
}

function quotes(d: string, events = 3000, symbols = DEFAULT_PAIR.symbols): string {
  const f = join(d, 'q.csv');
  generatePair({ ...DEFAULT_PAIR, events, symbols }, f);
  return f;
}

describe('parallel CSV parse', () => {
  it('a file with a header: the same table, and the same catalog partitions byte for byte (and the same SHA-1)', async () => {
    const d = tempDir();
    const f = quotes(d, 4000, ['A1', 'B1', 'A2', 'B2']);
    await both(f);
    const load = async (dir: string, o: LoadOptions) => {
      const r = await loadFile(f, { cacheDir: dir, partitionRows: 300, ...o });
      const files = readdirSync(dir).sort();
      return { sha1: r.summary.sha1, files, bytes: files.map((x) => readFileSync(join(dir, x))) };
    };
    const a = await load(join(d, 'c1'), { parallel: false });
    const b = await load(join(d, 'c2'), { parallel: PAR });
    expect(b.sha1).toBe(a.sha1);
    expect(b.files).toEqual(a.files);
    a.bytes.forEach((x, i) => expect(b.bytes[i]!.equals(x), a.files[i]).toBe(true));
  });

  it('without a header line (--header), with CRLF line ends, with a symbol first seen in a late chunk', async () => {
    const d = tempDir();
    const text = readFileSync(quotes(d), 'utf8');
    const [head, ...rows] = text.trimEnd().split('\n');
    const late = rows.map((r, i) => (i > rows.length - 40 && i % 3 === 0 ? r.replace(',AAA,', ',LATE,') : r));
    writeFileSync(join(d, 'nohead.csv'), late.join('\n') + '\n');
    await both(join(d, 'nohead.csv'), { header: head!.split(',') });
    writeFileSync(join(d, 'crlf.csv'), [head, ...late].join('\r\n') + '\r\n');
    const { par } = await both(join(d, 'crlf.csv'));
    expect(par.table.symbols).toContain('LATE');
  });

  it('quoted fields: csv-parse reads the file, as on one thread', async () => {
    const d = tempDir();
    const rows = readFileSync(quotes(d), 'utf8').trimEnd().split('\n');
    // a quote far past the first chunk: the byte reader finds it and hands the file over
    rows[rows.length - 5] = rows[rows.length - 5]!.replace(',AAA,', ',"AAA",');
    writeFileSync(join(d, 'quoted.csv'), rows.join('\n') + '\n');
    const { par } = await both(join(d, 'quoted.csv'), {}, false);
    expect(par.reader).toBe('csv');
  });

  it('a quoted symbol past the first 4 MiB: csv-parse reads the file, "AAA" is AAA (not a third symbol)', async () => {
    const d = tempDir();
    const rows = readFileSync(quotes(d, 90_000), 'utf8').trimEnd().split('\n');
    const at = rows.length - 5;
    expect(Buffer.byteLength(rows.slice(0, at).join('\n'))).toBeGreaterThan(CHUNK);
    rows[at] = rows[at]!.replace(/,(AAA|BBB),/, ',"$1",');
    const file = join(d, 'quoted-late.csv');
    writeFileSync(file, rows.join('\n') + '\n');
    for (const parallel of [false, PAR] as const) {
      const r = await readFile(file, { onBadRow: 'fail', parallel } as ReadOptions);
      expect(r.table.symbols).toEqual(['AAA', 'BBB']);
      expect(r.table.length).toBe(rows.length - 1);
      expect(r.reader).toBe('csv');
    }
  });

  it('bad rows skipped in later chunks: the same count and samples, with their own lines', async () => {
    const d = tempDir();
    const rows = readFileSync(quotes(d), 'utf8').trimEnd().split('\n');
    for (const i of [1500, 1501, 2600]) rows[i] = rows[i]!.replace(/,(\d+)$/, ',-$1'); // a negative size
    writeFileSync(join(d, 'bad.csv'), rows.join('\n') + '\n');
    const { par } = await both(join(d, 'bad.csv'), { onBadRow: 'skip' });
    expect(par.badRows).toBe(3);
    expect(par.badSamples.map((s) => s.line)).toEqual([1501, 1502, 2601]);
    expect(par.badSamples[0]!.message).toContain(`${join(d, 'bad.csv')}:1501:`);
  });

  it('an error in the second chunk names its own line and column, as on one thread', async () => {
    const d = tempDir();
    const rows = readFileSync(quotes(d), 'utf8').trimEnd().split('\n');
    rows[150] = rows[150]!.replace(/,(\d+)$/, ',x$1'); // line 151, past the first 4 KB chunk
    writeFileSync(join(d, 'err.csv'), rows.join('\n') + '\n');
    const one = await errorOf(join(d, 'err.csv'), { parallel: false });
    expect(one).toContain(`${join(d, 'err.csv')}:151:`);
    expect(await errorOf(join(d, 'err.csv'), { parallel: PAR })).toBe(one);
  });

  it('rows that go back in time across a chunk edge: the one-thread result (rejected, or sorted with --sort)', async () => {
    const d = tempDir();
    const rows = readFileSync(quotes(d), 'utf8').trimEnd().split('\n');
    // two halves swapped: the second half's rows are earlier than the first's
    const body = rows.slice(1);
    const swapped = [rows[0], ...body.slice(1500), ...body.slice(0, 1500)];
    writeFileSync(join(d, 'swap.csv'), swapped.join('\n') + '\n');
    await both(join(d, 'swap.csv'), { onBadRow: 'skip' }, false);
    await both(join(d, 'swap.csv'), { sort: true });
    const one = await errorOf(join(d, 'swap.csv'), { parallel: false });
    expect(await errorOf(join(d, 'swap.csv'), { parallel: PAR })).toBe(one);
  });
});
