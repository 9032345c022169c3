/**
 * The parallel CSV parse against the one-thread parse on random files (a property test): trades,
 * quotes and bars; header names from the aliases in any column order, with an ignored column, or
 * no header line (--header); LF or CRLF, a BOM, blank lines, no newline at the end; ISO or epoch
 * stamps; bad rows (skipped or stopping the read) and now and then a quoted field. Cut into chunks
 * of a few hundred bytes, each file must give the same result as on one thread: the same table
 * value for value (and the same kept lines), bad rows and messages (file, line, column), or the
 * same error; and the same catalog files byte for byte. The catalog written chunk by chunk in
 * bounded memory (catalog/ingest.ts) is, file for file and byte for byte, the one written from the
 * one-thread parse's whole table, with the same summary; or, where a chunk cannot stand alone,
 * nothing at all (the file is then parsed whole, as before).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile, rowOptions, type LoadOptions } from '../../src/data/load.js';
import { cacheKey } from '../../src/data/cache.js';
import { ingestCsv } from '../../src/data/catalog/ingest.js';
import { readFile, type ReadOptions } from '../../src/data/read-file.js';
import { checkAsync, fc } from '../properties/fc.js';
import { tempDir } from '../helpers.js';

const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

interface Shape {
  kind: 'trade' | 'quote' | 'bar';
  names: string[][]; // per column, the aliases to pick from
  order: number[]; // a permutation of the columns (the ignored one included)
  alias: number[];
  headerLine: boolean;
  crlf: boolean;
  bom: boolean;
  endNewline: boolean;
  epoch: boolean;
  skip: boolean;
  /** The file's flaws: none, bad rows (some), a quoted field (at one row). */
  flaws: 'none' | 'bad' | 'quoted';
  rows: { sym: number; step: number; a: number; b: number; bad: number; blank: boolean }[];
  chunk: number;
}

const COLUMNS = {
  trade: [['ts', 'timestamp', 'time'], ['symbol', 'ticker', 'sym'], ['price', 'last', 'px'], ['size', 'qty', 'quantity'], ['vwap']],
  quote: [['ts', 'timestamp'], ['symbol', 'ticker'], ['bid', 'bidprice'], ['ask', 'askprice'], ['bid_size', 'bidsize'], ['ask_size', 'asksize'], ['vwap']],
  bar: [['ts', 'date', 'datetime'], ['symbol', 'ticker'], ['open', 'o'], ['high', 'h'], ['low', 'l'], ['close', 'c'], ['volume', 'vol']],
};

const shapeArb: fc.Arbitrary<Shape> = fc.constantFrom('trade' as const, 'quote' as const, 'bar' as const).chain((kind) => {
  const names = COLUMNS[kind];
  return fc.record({
    kind: fc.constant(kind),
    names: fc.constant(names),
    order: fc.shuffledSubarray(names.map((_, i) => i), { minLength: names.length, maxLength: names.length }),
    alias: fc.tuple(...names.map((n) => fc.nat({ max: n.length - 1 }))),
    headerLine: fc.boolean(),
    crlf: fc.boolean(),
    bom: fc.boolean(),
    endNewline: fc.boolean(),
    epoch: fc.boolean(),
    skip: fc.boolean(),
    flaws: fc.constantFrom('none' as const, 'none' as const, 'bad' as const, 'quoted' as const),
    rows: fc.array(
      fc.record({
        sym: fc.nat({ max: 4 }),
        step: fc.constantFrom(1, 1, 1, 2, 7),
        a: fc.integer({ min: 1000, max: 99_999 }),
        b: fc.integer({ min: 1, max: 500 }),
        bad: fc.constantFrom(...Array.from({ length: 58 }, () => 0), 1, 2),
        blank: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
      }),
      { minLength: 150, maxLength: 600 },
    ),
    chunk: fc.integer({ min: 200, max: 1200 }),
  });
});

/** The file's text and the read options it needs. */
function render(s: Shape): { text: string; opts: Partial<ReadOptions> } {
  const nl = s.crlf ? '\r\n' : '\n';
  const names = s.order.map((c) => s.names[c]![s.alias[c]! % s.names[c]!.length]!);
  const lines: string[] = [];
  let t = Date.UTC(2024, 0, 2, 14, 30) * 1000;
  const syms = ['AAA', 'BBB', 'CCC', 'DDD', 'EEE'];
  for (const [i, r] of s.rows.entries()) {
    if (r.blank) lines.push('');
    t += r.step * (s.kind === 'bar' ? 60_000_000 : 1000);
    const ts = s.epoch ? String(Math.floor(t / 1000)) : new Date(t / 1000).toISOString();
    const p = r.a / 100;
    // by column: ts, symbol, then the kind's values, then the ignored column
    const values =
      s.kind === 'trade'
        ? [p, r.b, p]
        : s.kind === 'quote'
          ? [p, p + 0.01, r.b, r.b + 1, p]
          : [p, p + r.b / 100, p - r.b / 100, p + r.b / 200, r.b * 10];
    let fields = [ts, syms[i < 100 ? r.sym % 2 : r.sym]!, ...values.map(String)];
    if (s.flaws === 'bad' && r.bad === 1) fields[2] = `x${fields[2]}`; // not a number
    if (s.flaws === 'bad' && r.bad === 2) fields[0] = '2024-13-45'; // no such date
    if (s.flaws === 'quoted' && i === s.rows.length - 1 - (r.a % 100)) fields[1] = `"${fields[1]}"`;
    fields = s.order.map((c) => fields[c]!);
    lines.push(fields.join(','));
  }
  const body = lines.join(nl) + (s.endNewline ? nl : '');
  const text = (s.bom ? '\ufeff' : '') + (s.headerLine ? names.join(',') + nl : '') + body;
  const opts: Partial<ReadOptions> = { onBadRow: s.skip ? 'skip' : 'fail', ...(s.headerLine ? {} : { header: names }), ...(s.epoch ? { tsUnit: 'ms' as const } : {}) };
  return { text, opts };
}

async function outcome(file: string, opts: Partial<ReadOptions>) {
  try {
    return { ok: await readFile(file, { ...opts, keepLines: true } as ReadOptions) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function catalog(dir: string): Buffer[] {
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

/** The two catalog folders hold the same files, byte for byte. */
function sameCatalog(a: string, b: string): void {
  expect(readdirSync(b).sort()).toEqual(readdirSync(a).sort());
  const x = catalog(a);
  catalog(b).forEach((buf, i) => expect(buf.equals(x[i]!)).toBe(true));
}

/** A random file of shape `s` written as `name` in `d`, and the options it reads with. */
function writeRandom(d: string, name: string, s: Shape): { file: string; opts: Partial<ReadOptions> } {
  const { text, opts } = render(s);
  const file = join(d, name);
  writeFileSync(file, text);
  return { file, opts };
}

describe('parallel CSV parse, random files', () => {
  it('gives the one-thread result: table, lines, bad rows and messages, errors, catalog bytes', async () => {
    const d = tempDir();
    let n = 0;
    let chunked = 0;
    await checkAsync(
      'parallel-read',
      'parallel parse = one-thread parse',
      shapeArb,
      async (s) => {
        const { file, opts } = writeRandom(d, `r${n++}.csv`, s);
        const par = { threads: 2, chunkBytes: s.chunk, minBytes: 0 };
        const one = await outcome(file, { ...opts, parallel: false });
        const two = await outcome(file, { ...opts, parallel: par });
        if (!one.ok || !two.ok) {
          expect(two.error).toBe(one.error);
          return;
        }
        const [a, b] = [one.ok, two.ok];
        if ((b.chunks ?? 0) > 1) chunked++;
        expect(b.table.length).toBe(a.table.length);
        expect(b.table.symbols).toEqual(a.table.symbols);
        expect(bytesOf(b.table.ts).equals(bytesOf(a.table.ts))).toBe(true);
        expect(bytesOf(b.table.sym).equals(bytesOf(a.table.sym))).toBe(true);
        a.table.cols.forEach((c, i) => expect(bytesOf(b.table.cols[i]!).equals(bytesOf(c))).toBe(true));
        expect(bytesOf(b.table.lines!).equals(bytesOf(a.table.lines!))).toBe(true);
        expect(b.badRows).toBe(a.badRows);
        expect(b.badSamples).toEqual(a.badSamples);
        expect(b.header).toEqual(a.header);
        const c1 = join(d, `c${n}a`);
        const c2 = join(d, `c${n}b`);
        await loadFile(file, { ...(opts as object), cacheDir: c1, partitionRows: 64, parallel: false });
        await loadFile(file, { ...(opts as object), cacheDir: c2, partitionRows: 64, parallel: par });
        sameCatalog(c1, c2);
      },
      12,
    );
    expect(chunked, 'files read in chunks').toBeGreaterThan(2);
  });
});

describe('the catalog ingested chunk by chunk, random files', () => {
  it("writes the whole-table parse's catalog byte for byte and its summary, or nothing", async () => {
    const d = tempDir();
    let n = 0;
    let ingested = 0;
    let declined = 0;
    await checkAsync(
      'ingest',
      'chunked ingest = whole-table catalog',
      shapeArb,
      async (s) => {
        const { file, opts } = writeRandom(d, `i${n++}.csv`, s);
        const lo = { ...(opts as object), partitionRows: 64 } as LoadOptions;
        const c1 = join(d, `w${n}`);
        const c2 = join(d, `g${n}`);
        let whole: Awaited<ReturnType<typeof loadFile>> | undefined;
        let wholeError: string | undefined;
        try {
          whole = await loadFile(file, { ...lo, cacheDir: c1, parallel: false });
        } catch (e) {
          wholeError = (e as Error).message;
        }
        let got: Awaited<ReturnType<typeof ingestCsv>>;
        try {
          got = await ingestCsv(file, { ...lo, parallel: { threads: 2, chunkBytes: s.chunk, minBytes: 0 } }, c2, cacheKey(file, { ...rowOptions(lo, file), v: 1 }));
        } catch (e) {
          // only what the file's head says (its header): the whole parse's own error
          expect((e as Error).message).toBe(wholeError);
          return;
        }
        if (!got) {
          declined++;
          // nothing left behind: no index, no partition, no sequence chunk
          expect(existsSync(c2) ? readdirSync(c2) : []).toEqual([]);
          return;
        }
        ingested++;
        expect(whole, 'a file the whole parse refuses is never ingested').toBeDefined();
        expect(s.kind).not.toBe('bar');
        sameCatalog(c1, c2);
        expect(got.summary).toEqual(whole!.summary);
        expect(got.peakHeld).toBeLessThan(5 * 64);
      },
      16,
    );
    expect(ingested, 'files ingested').toBeGreaterThan(2);
    expect(declined, 'files declined (bars, errors)').toBeGreaterThan(0);
  });
});
