/**
 * Reads one CSV file into a {@link FileTable}, streaming: the file's text is never held whole, so a
 * multi-GB file loads in memory proportional to its rows' binary size.
 *
 * Two readers share one set of row rules ({@link RowSink}):
 * - the **fast reader** parses canonical headers straight from bytes into typed arrays. It is
 *   hand-written because csv-parse (~0.5 M rows/s here) is 10x slower than this loop, and loading
 *   is the first thing every run does. Any row it does not see as plainly valid (exponents,
 *   long mantissas, bad values, the first row) goes through the authoritative rules instead, so it
 *   can be fast without being a second implementation of validation.
 * - the **csv reader** (csv-parse) reads everything else: vendor headers, quoted fields, mapped
 *   columns.
 * A differential test loads every real file both ways and compares every value.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, openSync, readSync, fstatSync, createReadStream } from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import { DataError } from '../errors.js';
import { RowSink, splitCsvLine, type RowOptions, type BadRowSample } from './rows.js';
import { BAR, CANONICAL_HEADERS, KIND_NAMES, VALUE_FIELDS, detectDelimiter, isSizeField, resolveHeader, type HeaderOptions, type ResolvedHeader } from './schema.js';
import { FileTableBuilder, isSorted, permuteFileTable, stableOrder, type FileTable } from './table.js';
import { formatIso, parseIsoBytes } from './time.js';
import { classifyTs, wallToUtc } from './zone.js';

export type ReaderChoice = 'auto' | 'fast' | 'csv';

export interface ReadOptions extends RowOptions, HeaderOptions {
  readonly reader?: ReaderChoice;
  /** Take the SHA-1 of the file while reading it (about 10% of a cold load). */
  readonly contentHash?: boolean;
}

export interface ReadResult {
  readonly table: FileTable;
  readonly header: ResolvedHeader;
  readonly reader: 'fast' | 'csv';
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  readonly sorted: boolean;
  /** SHA-1 of the file's bytes, hex (when `contentHash` was asked for). */
  readonly sha1: string | undefined;
}

const CHUNK = 1 << 22; // 4 MiB reads
const MAX_LINE = 1 << 20; // a longer line is not CSV market data
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');

const fileErr = (file: string, code: string, rule: string, hint: string, line = 0, value?: string): DataError =>
  new DataError(code, { file, line, column: 0, ...(value !== undefined ? { value } : {}), rule, hint });

const EXPECTED = `expected a header line such as ${CANONICAL_HEADERS[1].join(',')}`;

/** Thrown inside the fast reader when the file needs csv-parse after all (quoted fields). */
class NeedsCsvReader extends Error {}

/** Reads, validates and (with `sort`) orders one file. */
export async function readFile(file: string, opts: ReadOptions): Promise<ReadResult> {
  const fd = openSync(file, 'r');
  let result: Omit<ReadResult, 'sorted' | 'sha1'>;
  const hashing = opts.contentHash ?? false;
  let hash = hashing ? createHash('sha1') : undefined;
  let csvHash: Hash | undefined;
  try {
    const size = fstatSync(fd).size;
    if (size === 0) throw fileErr(file, 'empty-file', 'file is empty', `${EXPECTED}, then data rows`);
    const first = Buffer.allocUnsafe(Math.min(CHUNK, size));
    const got = readSync(fd, first, 0, first.length, 0);
    const head = first.subarray(0, got);
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const nul = head.indexOf(0);
    if (nul >= 0) {
      throw fileErr(file, 'binary-file', 'file is binary, not CSV text (it contains NUL bytes)', 'point tickfold at the CSV file itself (unzip or decompress it first)', lineOf(head, nul));
    }
    let nl = head.indexOf(10, bom);
    if (nl < 0 && got < size) throw fileErr(file, 'binary-file', 'no line break in the first 4 MiB: not a CSV file', 'point tickfold at a CSV file');
    if (nl < 0) nl = got;
    let headerText: string;
    try {
      headerText = UTF8.decode(head.subarray(bom, nl)).replace(/\r$/, '');
    } catch {
      throw fileErr(file, 'binary-file', 'the header is not UTF-8 text', 'save the file as UTF-8 CSV', 1);
    }
    if (headerText.trim() === '') throw fileErr(file, 'empty-file', 'the first line is empty', EXPECTED, 1);
    const delimiter = opts.delimiter ?? detectDelimiter(headerText);
    const { fields: names } = splitCsvLine(headerText, delimiter);
    const resolved = resolveHeader(file, names, opts);
    // how timestamps are written, from the first data row (a datetime without a zone is UTC,
    // or local time of --tz)
    const nl2 = head.indexOf(10, nl + 1);
    // (a lenient decode: a row that is not UTF-8 is the row rules' to report, with its line)
    const firstRow = LENIENT_UTF8.decode(head.subarray(nl + 1, nl2 < 0 ? head.length : nl2)).replace(/\r$/, '');
    const tsAt = resolved.roles.findIndex((r) => r.role === 'ts');
    const tsZone = tsAt >= 0 && firstRow !== '' ? classifyTs(splitCsvLine(firstRow, delimiter).fields[tsAt] ?? '') : 'other';
    const header: ResolvedHeader = { ...resolved, delimiter, tsZone, ...(opts.tz !== undefined && tsZone === 'local' ? { tz: opts.tz } : {}) };
    const quoted = head.indexOf(34) >= 0;
    // the byte reader reads commas; other delimiters go through csv-parse
    const useFast = opts.reader === 'fast' || (opts.reader !== 'csv' && header.canonical && !quoted && delimiter === ',');
    if (opts.reader === 'fast' && !header.canonical) {
      throw fileErr(file, 'not-canonical', 'the fast reader needs a canonical header', EXPECTED, 1, headerText);
    }
    let done: Omit<ReadResult, 'sorted' | 'sha1'> | undefined;
    if (useFast) {
      try {
        done = readFast(file, fd, size, head, nl + 1, header, opts, hash);
      } catch (e) {
        if (!(e instanceof NeedsCsvReader) || opts.reader === 'fast') throw e;
        hash = undefined; // the csv reader hashes the file itself
      }
    }
    result = done ?? (await readCsv(file, header, opts, hashing ? (h) => (csvHash = h) : undefined));
  } finally {
    closeSync(fd);
  }
  if (result.table.length === 0) {
    throw fileErr(
      file,
      'no-rows',
      result.badRows > 0 ? `no valid rows: all ${result.badRows} data rows are bad` : 'the file has a header but no data rows',
      result.badRows > 0 ? 'fix the rows; the first problem was: ' + (result.badSamples[0]?.message ?? '') : `add ${KIND_NAMES[result.header.kind]} rows below the header`,
    );
  }
  const sha1 = (csvHash ?? hash)?.digest('hex');
  // local wall-clock times of --tz to UTC, before ordering (a DST fall-back can reorder them)
  if (result.header.tz !== undefined) wallToUtc(result.table.ts, result.header.tz);
  const sorted = opts.sort === true && !isSorted(result.table.ts);
  const table = sorted ? permuteFileTable(result.table, stableOrder(result.table.ts)) : result.table;
  if (result.header.kind === BAR) {
    const d = duplicateBars(file, table, opts);
    if (d.dropped > 0) {
      return { ...result, table: d.table, badRows: result.badRows + d.dropped, badSamples: [...result.badSamples, ...d.samples].slice(0, 5), sorted, sha1 };
    }
  }
  return { ...result, table, sorted, sha1 };
}

/**
 * Two bars of one symbol with the same start are an error naming both lines (a vendor export
 * appended twice, a roll written twice); with `--on-bad-row skip` the later one is dropped and
 * counted. (Identical trade and quote rows stay: several prints in one instant are real events.)
 */
function duplicateBars(file: string, t: FileTable, opts: ReadOptions): { table: FileTable; dropped: number; samples: BadRowSample[] } {
  const last = new Map<number, number>(); // symbol id -> row of its latest bar
  const drop: number[] = [];
  const samples: BadRowSample[] = [];
  for (let i = 0; i < t.length; i++) {
    const s = t.sym[i]!;
    const j = last.get(s);
    if (j !== undefined && t.ts[j] === t.ts[i]) {
      const line = t.lines?.[i] ?? 0;
      const firstLine = t.lines?.[j] ?? 0;
      const err = new DataError('duplicate-bar', {
        file,
        line,
        column: 1,
        value: `${t.symbols[s]} ${formatIso(t.ts[i]!)}`,
        rule: `duplicate bar: ${t.symbols[s]} already has a bar starting at ${formatIso(t.ts[i]!)} (line ${firstLine})`,
        hint: 'remove one of the two lines, or pass --on-bad-row skip to keep the first and count the rest',
      });
      if (opts.onBadRow !== 'skip') throw err;
      drop.push(i);
      if (samples.length < 5) samples.push({ line, message: err.message });
      continue;
    }
    last.set(s, i);
  }
  if (drop.length === 0) return { table: t, dropped: 0, samples };
  const keep = new Uint32Array(t.length - drop.length);
  let k = 0;
  let d = 0;
  for (let i = 0; i < t.length; i++) {
    if (d < drop.length && drop[d] === i) d++;
    else keep[k++] = i;
  }
  return { table: permuteFileTable(t, keep), dropped: drop.length, samples };
}

function lineOf(b: Uint8Array, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos; i++) if (b[i] === 10) n++;
  return n;
}

// 10^k for k = 0..22: exactly representable doubles
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/*
 * Numbers on the fast path: a plain decimal `ddd[.ddd]` with at most 15 significant digits becomes
 * m / 10^k, where m < 2^53 and 10^k (k <= 22) are exact doubles, so this is one correctly rounded
 * division and equals `Number(text)` exactly. Anything else (signs, exponents, longer mantissas)
 * goes to the row rules.
 */

/** Integer epoch text in the unit's scale to µs; NaN when it needs the row rules. */
function parseEpochInt(b: Uint8Array, s: number, e: number, scale: number): number {
  if (e - s > 16 || e === s) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v * scale;
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[start + i]) return false;
  return true;
}

const EPOCH_SCALE = { s: 1e6, ms: 1e3, us: 1, ns: NaN } as const;

function readFast(
  file: string,
  fd: number,
  size: number,
  head: Buffer,
  bodyStart: number,
  header: ResolvedHeader,
  opts: ReadOptions,
  hash: Hash | undefined,
): Omit<ReadResult, 'sorted' | 'sha1'> {
  hash?.update(head);
  // estimate rows from the first chunk's line lengths, to allocate once
  let lines = 0;
  for (let i = head.indexOf(10, bodyStart); i >= 0; i = head.indexOf(10, i + 1)) lines++;
  const avg = lines > 0 ? (head.length - bodyStart) / lines : 64;
  const builder = new FileTableBuilder(header.kind, Math.ceil(((size - bodyStart) / avg) * 1.03) + 16);
  const sink = new RowSink(file, header, builder, opts);
  const nVals = builder.cols.length;
  const sort = opts.sort;
  const isSize = Uint8Array.from(VALUE_FIELDS[header.kind], (f) => (isSizeField(f) ? 1 : 0));
  // local references to the columns, refreshed only when the builder grows
  let tsCol = builder.ts;
  let symCol = builder.sym;
  let cols = builder.cols;
  const kind = header.kind;

  // symbols seen, as bytes, to find a row's symbol id without making a string
  const symBytes: Buffer[] = [];
  const symIds: number[] = [];
  let lastSym = -1;

  let buf = Buffer.allocUnsafe(Math.max(CHUNK, head.length) + MAX_LINE);
  head.copy(buf, 0, 0, head.length);
  let len = head.length;
  let filePos = head.length;
  let pos = bodyStart;
  let lineNo = 2;

  const slow = (ls: number, le: number): void => {
    const text = buf.toString('utf8', ls, le);
    if (text.includes('"')) throw new NeedsCsvReader();
    const { fields, offsets } = splitCsvLine(text);
    sink.accept(fields, offsets, lineNo);
    // the row rules may have grown the builder
    tsCol = builder.ts;
    symCol = builder.sym;
    cols = builder.cols;
  };

  for (;;) {
    let nl = buf.indexOf(10, pos);
    if (nl < 0 || nl >= len) {
      if (filePos < size) {
        // move the partial line to the front and read more
        buf.copy(buf, 0, pos, len);
        len -= pos;
        pos = 0;
        if (len >= MAX_LINE) {
          throw fileErr(file, 'line-too-long', `line ${lineNo} is longer than ${MAX_LINE} bytes`, 'this is not line-oriented CSV; check the file', lineNo);
        }
        const room = buf.length - len;
        const n = readSync(fd, buf, len, room, filePos);
        hash?.update(buf.subarray(len, len + n));
        filePos += n;
        len += n;
        if (n === 0) filePos = size;
        continue;
      }
      if (pos >= len) break;
      nl = len; // last line without a newline
    }
    let le = nl;
    if (le > pos && buf[le - 1] === 13) le--; // CRLF
    const ls = pos;
    pos = nl + 1;
    if (le === ls) {
      lineNo++;
      continue; // blank line
    }
    const n = builder.n;
    const tsMode = sink.tsMode;
    if (tsMode === undefined) {
      slow(ls, le); // the first row decides how timestamps are written
      lineNo++;
      continue;
    }
    if (n >= tsCol.length) {
      builder.ensure(n);
      tsCol = builder.ts;
      symCol = builder.sym;
      cols = builder.cols;
    }
    // Fields are found by scanning bytes in JS: a native Buffer#indexOf or #compare call per
    // field costs more than the scan itself at these lengths.
    // field 0: ts
    let fe = ls;
    while (fe < le && buf[fe] !== 44) fe++;
    if (fe === le) {
      slow(ls, le);
      lineNo++;
      continue;
    }
    const ts =
      tsMode.kind === 'iso' ? parseIsoBytes(buf, ls, fe) : parseEpochInt(buf, ls, fe, EPOCH_SCALE[tsMode.unit]);
    // field 1: symbol
    const ss = fe + 1;
    fe = ss;
    while (fe < le && buf[fe] !== 44) fe++;
    let ok = !Number.isNaN(ts) && fe < le && (ts >= sink.prevTs || sort);
    let symId = -1;
    if (ok) {
      const sl = fe - ss;
      if (lastSym >= 0 && sameBytes(symBytes[lastSym]!, buf, ss, sl)) {
        symId = symIds[lastSym]!;
      } else {
        for (let k = 0; k < symBytes.length; k++) {
          if (sameBytes(symBytes[k]!, buf, ss, sl)) {
            lastSym = k;
            symId = symIds[k]!;
            break;
          }
        }
        if (symId < 0) {
          const name = buf.toString('utf8', ss, fe);
          if (sl === 0 || name.trim() !== name || name.includes('\ufffd')) ok = false; // the row rules say why
          else {
            symId = builder.symbolId(name);
            symBytes.push(Buffer.from(buf.subarray(ss, fe)));
            symIds.push(symId);
            lastSym = symBytes.length - 1;
          }
        }
      }
    }
    // value fields: find the end and parse in one pass (see parseDecimal for the rule)
    let vs = fe + 1;
    for (let c = 0; ok && c < nVals; c++) {
      let m = 0;
      let nd = 0;
      let dot = -1;
      let plain = true;
      let ve = vs;
      for (; ve < le; ve++) {
        const ch = buf[ve]!;
        if (ch === 44) break;
        if (ch === 46) {
          if (dot >= 0) plain = false;
          dot = ve;
          continue;
        }
        const d = ch - 48;
        if (d < 0 || d > 9) plain = false;
        else {
          if (nd > 0 || d !== 0) nd++;
          m = m * 10 + d;
        }
      }
      if (c === nVals - 1 ? ve !== le : ve === le) {
        ok = false; // too many or too few fields
        break;
      }
      let v: number;
      if (ve === vs) {
        if (isSize[c] === 0) ok = false;
        v = NaN;
      } else if (plain && nd <= 15 && !(dot >= 0 && ve - vs === 1)) {
        const frac = dot < 0 ? 0 : ve - dot - 1;
        v = frac === 0 ? m : m / POW10[frac]!;
        if (!(isSize[c] === 1 ? v >= 0 : v > 0)) ok = false;
      } else {
        ok = false;
        v = NaN;
      }
      cols[c]![n] = v;
      vs = ve + 1;
    }
    if (ok) {
      if (kind === 1) {
        if (cols[0]![n]! > cols[1]![n]!) ok = false;
      } else if (kind === 2) {
        const o = cols[0]![n]!;
        const h = cols[1]![n]!;
        const l = cols[2]![n]!;
        const cl = cols[3]![n]!;
        if (h < o || h < cl || h < l || l > o || l > cl) ok = false;
      }
    }
    if (ok) {
      tsCol[n] = ts;
      symCol[n] = symId;
      if (builder.lines) builder.lines[n] = lineNo;
      builder.n = n + 1;
      if (ts > sink.prevTs) sink.prevTs = ts;
    } else {
      slow(ls, le);
    }
    lineNo++;
  }
  buf = Buffer.alloc(0);
  return { table: builder.finish(), header, reader: 'fast', badRows: sink.badRows, badSamples: sink.badSamples };
}

async function readCsv(
  file: string,
  header: ResolvedHeader,
  opts: ReadOptions,
  onHash: ((h: Hash) => void) | undefined,
): Promise<Omit<ReadResult, 'sorted' | 'sha1'>> {
  const builder = new FileTableBuilder(header.kind);
  const sink = new RowSink(file, header, builder, opts);
  const stream = createReadStream(file);
  if (onHash) {
    const hash = createHash('sha1');
    onHash(hash);
    stream.on('data', (chunk) => hash.update(chunk));
  }
  const parser = stream.pipe(
    // line breaks are \n or \r\n, as for the fast reader: a lone \r is not one (csv-parse would otherwise
    // guess it from the file and count lines differently, so errors would name the wrong line)
    // no `info` (a third of csv-parse's time): lines are counted from each record's raw text,
    // blank lines included (they arrive as one empty field and are skipped here)
    parse({ bom: true, relax_column_count: true, skip_empty_lines: false, raw: true, from_line: 2, record_delimiter: ['\r\n', '\n'], delimiter: header.delimiter ?? ',' }),
  );
  const delimiter = header.delimiter ?? ',';
  let line = 2;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const raw = rec.raw;
      const at = line;
      for (let i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) line++;
      if (rec.record.length === 1 && rec.record[0] === '' && /^\r?\n?$/.test(raw)) continue; // a blank line
      // the columns of the fields, for error messages only (computed when one is made)
      sink.accept(rec.record, () => splitCsvLine(raw.replace(/\r?\n$/, '').replace(/\r$/, ''), delimiter).offsets, at);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    // every csv-parse error is a CsvError (its codes do not all start with CSV_: e.g.
    // INVALID_OPENING_QUOTE, which escaped as an internal error until the fuzz tests found it)
    const ce = e as { code?: string; lines?: number; message?: string; records?: number; empty_lines?: number };
    if (e instanceof CsvError) {
      // the line where the bad record starts: after the header, the complete records and the
      // skipped blank lines (csv-parse's own line count runs on to the end of an unclosed quote,
      // and counts CR and LF apart there: 'line 11' of a 6-line file, found by the fuzz tests)
      const start = ce.records !== undefined ? line : (ce.lines ?? 0);
      throw new DataError('bad-csv', {
        file,
        line: start,
        column: 0,
        rule: `malformed CSV: ${(ce.message ?? ce.code ?? '').replace(/ at line \d+/, '')}`,
        hint: 'check the quoting on this line: a field with a quote must be wrapped in quotes, and inner quotes doubled',
      });
    }
    throw e;
  }
  return { table: builder.finish(), header, reader: 'csv', badRows: sink.badRows, badSamples: sink.badSamples };
}
