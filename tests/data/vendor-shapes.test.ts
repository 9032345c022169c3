/**
 * The byte reader against csv-parse, on vendor-shaped copies of every real file (4,000 of its rows
 * taken evenly from start to end): renamed headers
 * (aliases), other column orders, extra columns, semicolons and tabs, CRLF and a BOM, timestamps
 * with a space and no zone, with an offset, as epoch milliseconds, as epoch seconds with a
 * fraction, as YYYYMMDD[ HH:MM:SS], as US dates (month/day/year), and with no header line and
 * European dates and times in two columns. For each copy: both readers agree on every value bit for
 * bit, and both equal the canonical file's values (timestamps cut to what the shape can hold).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadFile, type LoadOptions } from '../../src/data/load.js';
import { readFile } from '../../src/data/read-file.js';
import type { FileTable } from '../../src/data/table.js';
import { formatIso } from '../../src/data/time.js';
import { describeShared, shared, SHARED_FILES, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

/** Vendor spellings of the canonical fields. */
const VENDOR_NAMES: Record<string, string> = {
  ts: 'Date', symbol: 'Ticker', price: 'Price', size: 'Qty', bid: 'BidPrice', ask: 'AskPrice', bid_size: 'BidSize', ask_size: 'AskSize',
  open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume',
};

interface Shape {
  readonly name: string;
  readonly delimiter: string;
  readonly eol: string;
  readonly bom: boolean;
  /** New column order, as indices of the canonical columns; -1 is an extra column. */
  readonly order: (n: number) => number[];
  readonly header: (canon: string) => string;
  /** Timestamp text from µs, and the µs it reads back as. */
  readonly ts: (us: number, daily: boolean) => string;
  readonly back: (us: number) => number;
  /** Load options; a function of the canonical column names when they depend on the file. */
  readonly options?: LoadOptions | ((canon: readonly string[]) => LoadOptions);
  /** No header line (the names go in the options' `header`). */
  readonly headerless?: boolean;
}

const pad = (x: number, n = 2): string => String(x).padStart(n, '0');
const parts = (us: number): { d: Date; frac: string } => {
  const iso = formatIso(us); // 2013-10-07T13:30:00.072Z or with 6 digits
  const m = /\.(\d+)Z$/.exec(iso);
  return { d: new Date(Math.floor(us / 1000)), frac: m ? `.${m[1]}` : '' };
};
const ymd = (d: Date, sep: string): string => `${d.getUTCFullYear()}${sep}${pad(d.getUTCMonth() + 1)}${sep}${pad(d.getUTCDate())}`;
const hms = (d: Date): string => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
const same = (us: number): number => us;

const SHAPES: readonly Shape[] = [
  {
    // Date,Ticker,... in another order, semicolons, "2013-10-07 13:30:00.072" (no zone: UTC)
    name: 'renamed, reordered, semicolons, space timestamps',
    delimiter: ';', eol: '\n', bom: false,
    order: (n) => [1, 0, ...Array.from({ length: n - 2 }, (_, i) => n - 1 - i)],
    header: (c) => VENDOR_NAMES[c]!,
    ts: (us, daily) => {
      const { d, frac } = parts(us);
      return daily ? ymd(d, '-') : `${ymd(d, '-')} ${hms(d)}${frac}`;
    },
    back: same,
  },
  {
    // tab-separated, CRLF, BOM, an extra column (Adj Close / Exchange), epoch milliseconds
    name: 'tabs, CRLF, BOM, extra column, epoch ms',
    delimiter: '\t', eol: '\r\n', bom: true,
    order: (n) => [...Array.from({ length: n }, (_, i) => i), -1],
    header: (c) => c.toUpperCase(),
    ts: (us) => String(Math.floor(us / 1000)),
    back: (us) => Math.floor(us / 1000) * 1000,
    options: { columns: { 'skip:Extra': 'Extra' } },
  },
  {
    // YYYYMMDD (daily) or YYYYMMDD HH:MM:SS, values first, the symbol last
    name: 'compact dates, symbol last',
    delimiter: ',', eol: '\n', bom: false,
    order: (n) => [...Array.from({ length: n - 2 }, (_, i) => i + 2), 0, 1],
    header: (c) => (c === 'ts' ? 'Timestamp' : c === 'symbol' ? 'Symbol' : c[0]!.toUpperCase() + c.slice(1)),
    ts: (us, daily) => {
      const { d, frac } = parts(us);
      return daily ? ymd(d, '') : `${ymd(d, '')} ${hms(d)}${frac}`;
    },
    back: same,
  },
  {
    // epoch seconds with a fraction (µs kept exactly), and an explicit +00:00 zone elsewhere
    name: 'epoch seconds with fraction',
    delimiter: ',', eol: '\n', bom: false,
    order: (n) => Array.from({ length: n }, (_, i) => i),
    header: (c) => c,
    ts: (us) => {
      const s = Math.floor(us / 1e6);
      const f = us - s * 1e6;
      return f === 0 ? String(s) : `${s}.${pad(f, 6)}`;
    },
    back: same,
  },
  {
    // US dates: month/day/year, a space and the time (fraction kept); --date-order mdy (a file
    // of 7-11 October never shows a day above 12)
    name: 'US dates month/day/year',
    delimiter: ',', eol: '\n', bom: false,
    order: (n) => Array.from({ length: n }, (_, i) => i),
    header: (c) => VENDOR_NAMES[c]!,
    ts: (us, daily) => {
      const { d, frac } = parts(us);
      const date = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()}`;
      return daily ? date : `${date} ${hms(d)}${frac}`;
    },
    back: same,
    options: { dateOrder: 'mdy' },
  },
  {
    // no header line (--header), European dates and the time in a column of its own:
    // 07.10.2013;13:30:00.072;IBM;...
    name: 'headerless, European Date and Time columns',
    delimiter: ';', eol: '\n', bom: false, headerless: true,
    order: (n) => Array.from({ length: n }, (_, i) => i),
    header: (c) => (c === 'ts' ? 'date;time' : c),
    ts: (us) => {
      const { d, frac } = parts(us);
      return `${pad(d.getUTCDate())}.${pad(d.getUTCMonth() + 1)}.${d.getUTCFullYear()};${hms(d)}${frac}`;
    },
    back: same,
    options: (canon) => ({ dateOrder: 'dmy', header: canon.flatMap((c) => (c === 'ts' ? ['date', 'time'] : [c])) }),
  },
];

const optionsOf = (shape: Shape, canon: readonly string[]): LoadOptions => (typeof shape.options === 'function' ? shape.options(canon) : (shape.options ?? {}));

/** Writes the vendor-shaped copy of a canonical CSV. */
function reshape(text: string, shape: Shape, daily: boolean, dir: string, name: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  const canon = lines[0]!.split(',');
  const order = shape.order(canon.length);
  const out: string[] = shape.headerless ? [] : [order.map((i) => (i < 0 ? 'Extra' : shape.header(canon[i]!))).join(shape.delimiter)];
  for (let k = 1; k < lines.length; k++) {
    const f = lines[k]!.split(',');
    const us = Date.parse(f[0]!) * 1000 + (/\.\d{3}(\d{3})Z$/.exec(f[0]!) ? Number(/\.\d{3}(\d{3})Z$/.exec(f[0]!)![1]) : 0);
    f[0] = shape.ts(us, daily);
    out.push(order.map((i) => (i < 0 ? 'x' : f[i]!)).join(shape.delimiter));
  }
  const p = join(dir, name);
  writeFileSync(p, (shape.bom ? '\ufeff' : '') + out.join(shape.eol) + shape.eol);
  return p;
}

const bitsEqual = (a: Float64Array, b: Float64Array): boolean =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function expectSameTable(got: FileTable, want: FileTable, label: string, back: (us: number) => number = same): void {
  expect(got.length, label).toBe(want.length);
  expect(got.symbols, label).toEqual(want.symbols);
  expect(bitsEqual(got.ts, Float64Array.from(want.ts, back)), `${label}: ts`).toBe(true);
  expect(Buffer.from(got.sym.buffer, got.sym.byteOffset, got.sym.byteLength).equals(Buffer.from(want.sym.buffer, want.sym.byteOffset, want.sym.byteLength)), `${label}: sym`).toBe(true);
  got.cols.forEach((c, k) => expect(bitsEqual(c, want.cols[k]!), `${label}: column ${k}`).toBe(true));
}

/**
 * The header and at most {@link SAMPLE_ROWS} rows of a canonical CSV, taken evenly over the whole
 * file (every k-th row, in file order): its columns, number spellings and timestamps from start to
 * end, at a fraction of the size. The shapes are what this file tests; that the two readers agree
 * on every value of every whole file is tests/data/shared-files.test.ts ("differential").
 */
const SAMPLE_ROWS = 4000;
function sampleRows(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '');
  const step = Math.max(1, Math.ceil((lines.length - 1) / SAMPLE_ROWS));
  const out = [lines[0]!];
  for (let k = 1; k < lines.length; k += step) out.push(lines[k]!);
  return out.join('\n') + '\n';
}

describeShared('vendor-shaped copies of every real file (rows over the whole file): byte reader = csv-parse = canonical', () => {
  const dir = tempDir();
  for (const [file] of SHARED_FILES) {
    it(file, async () => {
      const text = sampleRows(readFileSync(shared(file), 'utf8'));
      const daily = /daily/.test(file);
      const canonicalFile = join(dir, `canonical_${file}`);
      writeFileSync(canonicalFile, text);
      const canonical = await loadFile(canonicalFile, { cache: false, reader: 'fast' });
      expect(canonical.table.length, file).toBe(text.split('\n').length - 2);
      for (const [k, shape] of SHAPES.entries()) {
        const p = reshape(text, shape, daily, dir, `${k}_${file}`);
        const shapeOpts = optionsOf(shape, text.slice(0, text.indexOf('\n')).split(','));
        const opts: LoadOptions = { cache: false, ...shapeOpts };
        const bytes = await loadFile(p, { ...opts, reader: 'fast' });
        const csv = await loadFile(p, { ...opts, reader: 'csv' });
        const auto = await loadFile(p, opts);
        const label = `${file} [${shape.name}]`;
        expect([bytes.summary.source, csv.summary.source, auto.summary.source], label).toEqual(['fast', 'csv', 'fast']);
        expect(bytes.summary.badRows, label).toBe(0);
        // the loop read them: only the first row (which decides the timestamp shape) took the rules
        const { cache: _c, ...readOpts } = opts;
        const direct = await readFile(p, { onBadRow: 'fail', sort: false, tsUnit: undefined, ...readOpts });
        expect([direct.reader, direct.ruleRows], label).toEqual(['fast', 1]);
        expectSameTable(bytes.table, csv.table, `${label} bytes vs csv-parse`);
        expectSameTable(bytes.table, canonical.table, `${label} vs canonical`, shape.back);
      }
    });
  }
});

it('both readers give the same error, line and column on a bad row of a vendor file (semicolons, space times)', async () => {
  const dir = tempDir();
  const p = join(dir, 'vendor.csv');
  writeFileSync(p, 'Date;Open;High;Low;Close;Volume\n2000-01-03 09:30:00;10;11;9;10.5;100\n2000-01-03 09:31:00;10;11;9;1O.5;100\n');
  const errs = await Promise.all((['fast', 'csv'] as const).map((reader) => loadFile(p, { cache: false, reader }).then(() => 'loaded', (e: Error) => e.message)));
  expect(errs[0]).toMatch(/vendor\.csv:3:29: close is not a number/); // file:line:column
  expect(errs[0]).toMatch(/not a number/);
  expect(errs[0]).toMatch(/1O\.5/);
  expect(errs[1]).toBe(errs[0]);
  // and YYYYMMDD dates read as dates by both, an epoch when --ts-unit says so
  const d = join(dir, 'compact.csv');
  writeFileSync(d, 'Date,Close\n20000103,10\n20000104,11\n');
  for (const reader of ['fast', 'csv'] as const) {
    const r = await loadFile(d, { cache: false, reader });
    expect(Array.from(r.table.ts)).toEqual([Date.UTC(2000, 0, 3) * 1000, Date.UTC(2000, 0, 4) * 1000]);
    const e = await loadFile(d, { cache: false, reader, tsUnit: 's' });
    expect(e.table.ts[0]).toBe(20000103 * 1e6);
  }
});

it('--delimiter takes the names data inspect prints; a wrong one is named in the error, with the delimiter the header shows', async () => {
  const dir = tempDir();
  const p = join(dir, 'USDCHF.txt');
  writeFileSync(p, 'Time\tClose\n19960331 22:00:00\t1.193\n19960331 22:30:00\t1.1935\n');
  const ok = await runCliIn(['data', 'inspect', p, '--no-cache', '--delimiter', 'tab']);
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stdout).toMatch(/tab-delimited, read by the byte reader/);
  const wrong = await runCliIn(['data', 'inspect', p, '--no-cache', '--delimiter', 'semicolon']);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toMatch(/USDCHF\.txt:1:1: unknown column/);
  expect(wrong.stderr).toMatch(/the file looks tab-delimited \(give --delimiter tab/);
  expect(wrong.stderr).not.toMatch(/\n\s+at /);
});

it('a decimal comma in a tab or semicolon file is named as one, by both readers', async () => {
  const dir = tempDir();
  const p = join(dir, 'EU.csv');
  writeFileSync(p, 'Date;Close\n2024-01-02;1.5\n2024-01-03;1,25\n');
  for (const reader of ['fast', 'csv'] as const) {
    const msg = await loadFile(p, { cache: false, reader }).then(() => 'loaded', (e: Error) => e.message);
    expect(msg).toMatch(/EU\.csv:3:12: close is not a number/);
    expect(msg).toMatch(/decimal comma: write 1\.25/);
  }
});
