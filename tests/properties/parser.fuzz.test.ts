/**
 * Parser fuzzing on the real files: samples of each file in ../shared/data, corrupted at random
 * (flipped bytes, cut and joined lines, swapped header columns, huge and odd numbers, Latin-1 and
 * UTF-16 text, CRLF, BOM, quoted fields, truncation, duplicated and swapped lines). Each corrupted
 * file either loads, with exactly the values an independent reading of its text gives, or fails
 * with a DataError naming the file and a line in it. Never another exception, never a hang, never
 * a silent wrong value. Both readers (the fast byte parser and csv-parse) are run on every case,
 * and must agree on every file both accept.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { beforeAll, expect, it } from 'vitest';
import { DataError } from '../../src/errors.js';
import { loadFile, type LoadedFile } from '../../src/data/load.js';
import { describeShared, shared, SHARED_FILES, tempDir } from '../helpers.js';
import { checkAsync, fc, FUZZ } from './fc.js';

const SUITE = 'parser';
/**
 * Corrupted files per run: 500 in `npm test` (about 50 per real file, each loaded by both readers:
 * every kind of corruption below is drawn many times over, and the tallies at the end are met with
 * room to spare); `npm run fuzz` (TICKFOLD_FUZZ=1) keeps the 1,500 it had, times its factor.
 */
const CASES = FUZZ ? 1500 : 500;
const FIELDS: Record<string, readonly string[]> = {
  trades: ['price', 'size'],
  quotes: ['bid', 'ask', 'bid_size', 'ask_size'],
  bars: ['open', 'high', 'low', 'close', 'volume'],
};
const SIZE_FIELDS = new Set(['size', 'bid_size', 'ask_size', 'volume']);

/** Header, the first 120 rows and 120 rows from the middle (still in time order). */
function sample(file: string): string {
  const lines = readFileSync(shared(file), 'utf8').split('\n');
  const mid = Math.floor(lines.length / 2);
  return [...lines.slice(0, 121), ...lines.slice(mid, mid + 120)].join('\n') + '\n';
}

type Op =
  | { op: 'flip'; at: number; byte: number }
  | { op: 'cut'; line: number; at: number }
  | { op: 'join'; line: number }
  | { op: 'swap-header'; a: number; b: number }
  | { op: 'odd-number'; line: number; field: number; text: string }
  | { op: 'latin1'; line: number }
  | { op: 'utf16' }
  | { op: 'crlf'; all: boolean; line: number }
  | { op: 'bom' }
  | { op: 'quote'; line: number; field: number; comma: boolean }
  | { op: 'truncate'; at: number }
  | { op: 'duplicate'; line: number }
  | { op: 'swap-lines'; line: number }
  | { op: 'blank'; line: number };

const frac = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
const ODD = ['1e309', '-1e309', '1e308', '99999999999999999999999', '1.7976931348623157e308', '0', '-0', '0x1A', '1,000', '1_000', ' 12.5 ', 'NaN', 'inf', '+5', '.5', '5.', '1e-400', '--1', '', '\t3', '1e5', '٣', '12.5.1', '$10'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: frac, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('cut' as const), line: frac, at: frac }),
  fc.record({ op: fc.constant('join' as const), line: frac }),
  fc.record({ op: fc.constant('swap-header' as const), a: fc.nat({ max: 6 }), b: fc.nat({ max: 6 }) }),
  fc.record({ op: fc.constant('odd-number' as const), line: frac, field: fc.integer({ min: 0, max: 6 }), text: fc.constantFrom(...ODD) }),
  fc.record({ op: fc.constant('latin1' as const), line: frac }),
  fc.record({ op: fc.constant('utf16' as const) }),
  fc.record({ op: fc.constant('crlf' as const), all: fc.boolean(), line: frac }),
  fc.record({ op: fc.constant('bom' as const) }),
  fc.record({ op: fc.constant('quote' as const), line: frac, field: fc.nat({ max: 6 }), comma: fc.boolean() }),
  fc.record({ op: fc.constant('truncate' as const), at: frac }),
  fc.record({ op: fc.constant('duplicate' as const), line: frac }),
  fc.record({ op: fc.constant('swap-lines' as const), line: frac }),
  fc.record({ op: fc.constant('blank' as const), line: frac }),
);

/** Applies the corruptions in order; line numbers pick data lines (1..n), never the header, except swap-header. */
function corrupt(text: string, ops: readonly Op[]): Buffer {
  let lines = text.replace(/\n$/, '').split('\n');
  let buf: Buffer | undefined;
  const pick = (f: number): number => 1 + Math.floor(f * (lines.length - 1));
  for (const o of ops) {
    if (buf && o.op !== 'flip' && o.op !== 'truncate') continue; // byte-level stage reached
    switch (o.op) {
      case 'cut': {
        const k = pick(o.line);
        lines[k] = lines[k]!.slice(0, Math.floor(o.at * lines[k]!.length));
        break;
      }
      case 'join': {
        const k = pick(o.line);
        if (k + 1 < lines.length) lines.splice(k, 2, lines[k]! + lines[k + 1]!);
        break;
      }
      case 'swap-header': {
        const h = lines[0]!.split(',');
        const a = o.a % h.length;
        const b = o.b % h.length;
        [h[a], h[b]] = [h[b]!, h[a]!];
        lines[0] = h.join(',');
        break;
      }
      case 'odd-number': {
        const k = pick(o.line);
        const f = lines[k]!.split(',');
        f[o.field % f.length] = o.text;
        lines[k] = f.join(',');
        break;
      }
      case 'latin1': {
        const k = pick(o.line);
        buf = Buffer.concat([Buffer.from(lines.slice(0, k).join('\n') + '\n'), Buffer.from(`${lines[k]}`.replace(/,([A-Z])/, ',$1\u00e9'), 'latin1'), Buffer.from('\n' + lines.slice(k + 1).join('\n') + '\n')]);
        break;
      }
      case 'utf16':
        buf = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\n') + '\n', 'utf16le')]);
        break;
      case 'crlf':
        if (o.all) lines = lines.map((l) => l + '\r');
        else lines[pick(o.line)] += '\r';
        break;
      case 'bom':
        lines[0] = '\ufeff' + lines[0]!;
        break;
      case 'quote': {
        const k = pick(o.line);
        const f = lines[k]!.split(',');
        const i = o.field % f.length;
        f[i] = o.comma ? `"${f[i]},"` : `"${f[i]}"`;
        lines[k] = f.join(',');
        break;
      }
      case 'duplicate': {
        const k = pick(o.line);
        lines.splice(k, 0, lines[k]!);
        break;
      }
      case 'swap-lines': {
        const k = pick(o.line);
        if (k + 1 < lines.length) [lines[k], lines[k + 1]] = [lines[k + 1]!, lines[k]!];
        break;
      }
      case 'blank':
        lines.splice(pick(o.line), 0, '');
        break;
      case 'flip':
      case 'truncate':
        break;
    }
  }
  buf ??= Buffer.from(lines.join('\n') + '\n', 'utf8');
  for (const o of ops) {
    if (o.op === 'flip') {
      buf = Buffer.from(buf);
      buf[Math.floor(o.at * buf.length)] = o.byte;
    } else if (o.op === 'truncate') buf = buf.subarray(0, Math.floor(o.at * buf.length));
  }
  return buf;
}

// ---------------------------------------------------------------------------------------------
// The independent reading of a CSV text: what its rows say, by the schema's definitions, written
// without the loader's code (csv-parse only splits the fields).

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function oracleTs(s: string): number {
  const m = ISO.exec(s);
  if (!m) return NaN;
  const [y, mo, d, h = '0', mi = '0', sec = '0', fr = '', zone = 'Z'] = m.slice(1) as string[];
  if (m[4] === undefined && m[8] !== undefined) return NaN; // a zone needs a time
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return NaN;
  if (Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return NaN;
  let off = 0;
  if (zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    if (Number(z[2]) > 23 || Number(z[3] ?? 0) > 59) return NaN;
    off = (z[1] === '+' ? 1 : -1) * (Number(z[2]) * 60 + Number(z[3] ?? 0));
  }
  const us = Number((fr + '000000').slice(0, 6));
  return (date.getTime() + ((Number(h) * 60 + Number(mi) - off) * 60 + Number(sec)) * 1000) * 1000 + us;
}

function oracleNumber(s: string, size: boolean): number {
  const t = s.trim();
  if (t === '' && size) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number.NaN;
  return Number(t);
}

/** Row keys of the text as the schema defines them, or undefined when the text has no such reading. */
function oracleRows(bytes: Buffer, kind: keyof typeof FIELDS): string[] | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  // lines end at \n (one \r before it belongs to the break); blank lines are skipped; csv-parse
  // only splits each line into fields
  const lines = text
    .replace(/^\ufeff/, '')
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l !== '');
  let records: string[][];
  try {
    records = lines.map((l) => (parseCsv(l, { relax_column_count: true, record_delimiter: '\n' }) as string[][])[0] ?? []);
  } catch {
    return undefined;
  }
  if (records.length === 0) return undefined;
  // header names compare case-blind and without punctuation (the schema's rule: 'Bid Size' = bid_size)
  const norm = (h: string): string => h.toLowerCase().replace(/[^a-z0-9]/g, '');
  const header = records[0]!.map(norm);
  const ti = header.indexOf('ts');
  const si = header.indexOf('symbol');
  const vi = FIELDS[kind]!.map((f) => header.indexOf(norm(f)));
  if (ti < 0 || si < 0 || vi.some((i) => i < 0) || header.length !== 2 + vi.length) return undefined;
  return records.slice(1).map((r) => {
    const vals = FIELDS[kind]!.map((f, k) => oracleNumber(r[vi[k]!] ?? '', SIZE_FIELDS.has(f)));
    return `${oracleTs((r[ti] ?? '').trim())}|${(r[si] ?? '').trim()}|${vals.join('|')}`;
  });
}

const loadedRows = (l: LoadedFile): string[] => {
  const t = l.table;
  return Array.from({ length: t.length }, (_, i) => `${t.ts[i]}|${t.symbols[t.sym[i]!]}|${t.cols.map((c) => c[i]).join('|')}`);
};

type Outcome = { ok: true; rows: string[] } | { ok: false; error: DataError };

async function attempt(path: string, reader: 'auto' | 'csv', lines: number): Promise<Outcome> {
  try {
    return { ok: true, rows: loadedRows(await loadFile(path, { cache: false, reader })) };
  } catch (e) {
    // the only acceptable failure: a DataError naming this file and a line in it (0: the whole file)
    if (!(e instanceof DataError)) throw new Error(`${reader} reader threw ${String((e as Error)?.stack ?? e)}`);
    expect(e.details.file).toBe(path);
    expect(e.message.startsWith(path)).toBe(true);
    expect(e.details.line).toBeGreaterThanOrEqual(0);
    expect(e.details.line).toBeLessThanOrEqual(lines + 1);
    expect(e.details.hint.length).toBeGreaterThan(0);
    return { ok: false, error: e };
  }
}

describeShared('parser fuzzing on the real files', () => {
  const samples = new Map<string, string>();
  beforeAll(() => {
    for (const [file] of SHARED_FILES) samples.set(file, sample(file));
  });

  it('every corruption loads exactly what its text says, or fails with a DataError naming the line', async () => {
    const dir = tempDir();
    const tally = { accepted: 0, rejected: 0, bothAccepted: 0, disagreed: 0 };
    let caseNo = 0;
    await checkAsync(
      SUITE,
      'corrupted real files: exact values or a DataError',
      fc.record({ file: fc.constantFrom(...SHARED_FILES.map(([f, kind]) => `${f}|${kind}`)), ops: fc.array(opArb, { minLength: 1, maxLength: 3 }) }),
      async ({ file: fk, ops }) => {
        const [file, kind] = fk.split('|') as [string, keyof typeof FIELDS];
        const bytes = corrupt(samples.get(file)!, ops);
        const path = join(dir, `case${caseNo++}.csv`);
        writeFileSync(path, bytes);
        const lines = bytes.toString('latin1').split('\n').length;
        const fast = await attempt(path, 'auto', lines);
        const csv = await attempt(path, 'csv', lines);
        const oracle = oracleRows(bytes, kind);
        for (const o of [fast, csv]) {
          if (!o.ok) {
            tally.rejected++;
            continue;
          }
          tally.accepted++;
          // no silent wrong value: what loaded is what the text says, row for row (the loader keeps
          // file order; the oracle reads the same order)
          expect(oracle, `loaded ${path} (${JSON.stringify(ops)}) but its text has no reading`).toBeDefined();
          expect(o.rows, `${path}: ${JSON.stringify(ops)}`).toEqual(oracle);
        }
        if (fast.ok && csv.ok) {
          tally.bothAccepted++;
          expect(fast.rows).toEqual(csv.rows);
        } else if (fast.ok !== csv.ok) tally.disagreed++;
      },
      CASES,
    );
    // the corruptions are not all harmless, nor all fatal
    expect(tally.accepted).toBeGreaterThan(50);
    expect(tally.rejected).toBeGreaterThan(200);
    expect(tally.disagreed).toBe(0);
  });
});
