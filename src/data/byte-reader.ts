/**
 * The byte reader: parses any unquoted delimited file straight from bytes into typed columns.
 *
 * Hand-written because it is the first thing every run does and csv-parse (~0.3-0.5 M rows/s
 * here, before the strings it makes are parsed again into numbers) is 10-20x slower than this
 * loop. It reads every header the schema resolves (aliases, `--columns`, any column order,
 * skipped and extra columns, a missing symbol column), comma, semicolon or tab, LF or CRLF, with
 * or without a BOM, and every timestamp shape the row rules accept (ISO with `T` or a space,
 * with or without zone and fraction, date-only, `YYYYMMDD[ HH:MM:SS]`, numeric epochs).
 *
 * It is not a second implementation of validation: it only recognises rows that are plainly
 * valid. Any other row (the first one, which decides how timestamps are written; exponents, long
 * mantissas, signs, spaces, bad values, a wrong field count) goes to {@link RowSink.accept}, the
 * single home of every row rule and error message. A quote character anywhere hands the whole file
 * to csv-parse ({@link NeedsCsvReader}). A differential test reads every real file, and vendor-shaped
 * copies of them, with both readers and compares every value bit for bit.
 */
import type { Hash } from 'node:crypto';
import { readSync } from 'node:fs';
import { DataError } from '../errors.js';
import { RowSink, splitCsvLine, type BadRowSample, type RowOptions, type TsMode } from './rows.js';
import { BAR, QUOTE, VALUE_FIELDS, isSizeField, type ResolvedHeader } from './schema.js';
import { SymbolBytes } from './symbol-bytes.js';
import { FileTableBuilder, type FileTable } from './table.js';
import { dateOrderCode, parseIsoBytes, parseOrderedDateBytes, parseTimeOfDayBytes } from './time.js';

export const CHUNK = 1 << 22; // 4 MiB reads
export const MAX_LINE = 1 << 20; // a longer line is not CSV market data

/** Thrown when the file needs csv-parse after all (a quoted field). */
export class NeedsCsvReader extends Error {}

export interface ByteReadResult {
  readonly table: FileTable;
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  /** Rows that went through the row rules (the first one; any the loop did not recognise). */
  readonly ruleRows: number;
  /** How timestamps are written, as the first row decided (undefined: no row read). */
  readonly tsMode: TsMode | undefined;
  /** The line after the last one read. */
  readonly nextLine: number;
  /** The line of the first row kept (0: none). */
  readonly firstRowLine: number;
}

// 10^k for k = 0..22: exactly representable doubles
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/*
 * Numbers: a plain decimal `ddd[.ddd]` with at most 15 significant digits becomes m / 10^k, where
 * m < 2^53 and 10^k (k <= 22) are exact doubles, so this is one correctly rounded division and
 * equals `Number(text)` exactly. Anything else (signs, exponents, longer mantissas) goes to the
 * row rules.
 */

/** Decimal places each epoch unit is shifted by to reach µs (as in time.ts's parseEpoch). */
const EPOCH_SHIFT = { s: 6, ms: 3, us: 0, ns: -3 } as const;

/**
 * An unsigned epoch `ddd[.ddd]` in a unit shifted by `shift` decimal places to µs, exactly as
 * `parseEpoch` does it (digits past the µs truncated); NaN when it needs the row rules (a sign, no
 * digits, more than 2^53 µs).
 */
export function parseEpochBytes(b: Uint8Array, s: number, e: number, shift: number): number {
  let dot = e;
  for (let i = s; i < e; i++) {
    const c = b[i]!;
    if (c === 46) {
      dot = i;
      break;
    }
    if (c < 48 || c > 57) return NaN;
  }
  if (dot === s || dot === e - 1) return NaN;
  for (let i = dot + 1; i < e; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return NaN;
  }
  let v = 0;
  const keepInt = shift >= 0 ? dot : dot + shift; // integer digits that reach µs
  if (keepInt - s > 16) return NaN;
  for (let i = s; i < keepInt; i++) v = v * 10 + (b[i]! - 48);
  if (shift > 0) {
    let k = 0;
    for (let i = dot + 1; i < e && k < shift; i++, k++) v = v * 10 + (b[i]! - 48);
    for (; k < shift; k++) v *= 10;
  }
  // a true value above 2^53 rounds to >= 2^53: refused like parseEpoch does
  return v <= Number.MAX_SAFE_INTEGER ? v : NaN;
}

const TS = -2;
const SYM = -3;
const TIME = -4;
const SKIP = -1;

/**
 * Reads the body of an open file (`head` holds its first bytes, the body starts at `bodyStart`)
 * with the header already resolved. Rows go into typed columns; rows it does not recognise go to
 * the row rules. `base`: the file offset of `head` (a chunk of the file read on its own, from a
 * line's start up to `size`, by data/parallel-read.ts), 0 for the whole file.
 */
export function readBytes(
  file: string,
  fd: number,
  size: number,
  head: Buffer,
  bodyStart: number,
  firstLine: number,
  header: ResolvedHeader,
  opts: RowOptions & { readonly shared?: boolean; readonly keepLines?: boolean },
  hash: Hash | undefined,
  base = 0,
): ByteReadResult {
  hash?.update(head);
  const delimiter = header.delimiter ?? ',';
  const DELIM = delimiter.charCodeAt(0);
  const DELIM_D = DELIM - 48;
  // estimate rows from the first chunk's line lengths, to allocate once
  let lines = 0;
  for (let i = head.indexOf(10, bodyStart); i >= 0; i = head.indexOf(10, i + 1)) lines++;
  const avg = lines > 0 ? (head.length - bodyStart) / lines : 64;
  const builder = new FileTableBuilder(header.kind, Math.ceil(((size - base - bodyStart) / avg) * 1.03) + 16, opts.shared === true, opts.keepLines === true);
  const sink = new RowSink(file, header, builder, opts);
  const kind = header.kind;
  const nVals = builder.cols.length;
  const sort = opts.sort;
  // what each field of a line is: a value column (>= 0), the timestamp, the symbol, or skipped
  const nFields = header.roles.length;
  const act = Int8Array.from(header.roles, (r) => (r.role === 'value' ? r.col : r.role === 'ts' ? TS : r.role === 'symbol' ? SYM : r.role === 'time' ? TIME : SKIP));
  // a Date and a Time column: the date is a date only (at most 10 bytes), the time added to it
  const hasTime = header.roles.some((r) => r.role === 'time');
  const valueFields = VALUE_FIELDS[kind];
  const isSize = Uint8Array.from(valueFields, (f) => (isSizeField(f) ? 1 : 0));
  // value columns the file lacks: unknown (NaN); close-only bars take open/high/low from the close
  const present = new Uint8Array(nVals);
  for (const a of act) if (a >= 0) present[a] = 1;
  const fillFromClose = kind === BAR && (present[0] === 0 || present[1] === 0 || present[2] === 0);
  const fixedSym = sink.fixedSymbolId;
  // local references to the columns, refreshed only when the builder grows
  let tsCol = builder.ts;
  let symCol = builder.sym;
  let cols = builder.cols;
  let linesCol = builder.lines;

  // symbols seen, as bytes, to find a row's symbol id without making a string; the last one found
  // first (rows of one symbol often follow each other)
  const symbols = new SymbolBytes();
  let lastSym = -1;

  const buf = Buffer.allocUnsafe(Math.max(CHUNK, head.length) + MAX_LINE);
  head.copy(buf, 0, 0, head.length);
  let len = head.length;
  let filePos = base + head.length;
  let pos = bodyStart;
  let lineNo = firstLine;

  let ruleRows = 0;
  let firstRowLine = 0;
  // how timestamps are written: known once the row rules have read the first row
  let modeKnown = false;
  let tsKind = 0; // 0 ISO, 1 epoch, 2 a date in another order
  let epochShift = 0;
  let dateOrder = 0;
  // A row for the row rules. It captures no loop variable: a variable that a closure writes lives
  // in a heap context, and the loop below would then load buf, the columns and the counters
  // from memory on every byte instead of keeping them in registers.
  const slowRow = (text: string, line: number): void => {
    if (text.includes('"')) throw new NeedsCsvReader();
    const { fields, offsets } = splitCsvLine(text, delimiter);
    sink.accept(fields, offsets, line);
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
          throw new DataError('line-too-long', { file, line: lineNo, column: 0, rule: `line ${lineNo} is longer than ${MAX_LINE} bytes`, hint: 'this is not line-oriented CSV; check the file' });
        }
        const n = readSync(fd, buf, len, Math.min(buf.length - len, size - filePos), filePos);
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
    if (!modeKnown) {
      ruleRows++;
      slowRow(buf.toString('utf8', ls, le), lineNo); // the first row decides how timestamps are written
      if (firstRowLine === 0 && builder.n > 0) firstRowLine = lineNo;
      tsCol = builder.ts;
      symCol = builder.sym;
      cols = builder.cols;
      linesCol = builder.lines;
      lineNo++;
      const tsMode = sink.tsMode;
      if (tsMode !== undefined) {
        modeKnown = true;
        tsKind = tsMode.kind === 'iso' ? 0 : tsMode.kind === 'epoch' ? 1 : 2;
        epochShift = tsMode.kind === 'epoch' ? EPOCH_SHIFT[tsMode.unit] : 0;
        dateOrder = tsMode.kind === 'dated' ? dateOrderCode(tsMode.order) : 0;
      }
      continue;
    }
    const n = builder.n;
    if (n >= tsCol.length) {
      builder.ensure(n);
      tsCol = builder.ts;
      symCol = builder.sym;
      cols = builder.cols;
      linesCol = builder.lines;
    }
    // Fields are found by scanning bytes in JS: a native Buffer#indexOf or #compare call per
    // field costs more than the scan itself at these lengths.
    let ok = true;
    let ts = NaN;
    let tod = 0;
    let symId = fixedSym;
    let f = 0;
    let fs = ls;
    for (;;) {
      const a = act[f]!;
      let fe = fs;
      if (a >= 0) {
        // a value: find the end and parse in one pass
        let m = 0;
        let dot = -1;
        let plain = true;
        for (; fe < le; fe++) {
          const d = buf[fe]! - 48;
          if (d >>> 0 <= 9) {
            m = m * 10 + d; // a digit: the common case first
            continue;
          }
          if (d === DELIM_D) break;
          if (d === -2 && dot < 0) dot = fe; // '.'
          else plain = false;
        }
        // at most 15 digits (so m < 2^53 is exact; a longer number, leading zeros included,
        // takes the rules' Number(), which gives the same value)
        const nd = fe - fs - (dot >= 0 ? 1 : 0);
        let v: number;
        if (fe === fs) {
          if (isSize[a] === 0) ok = false; // an empty price: the rules say why
          v = NaN;
        } else if (plain && nd <= 15 && !(dot >= 0 && fe - fs === 1)) {
          const frac = dot < 0 ? 0 : fe - dot - 1;
          v = frac === 0 ? m : m / POW10[frac]!;
          if (!(isSize[a] === 1 ? v >= 0 : v > 0)) ok = false;
        } else {
          ok = false;
          v = NaN;
        }
        cols[a]![n] = v;
      } else {
        while (fe < le && buf[fe] !== DELIM) fe++;
        if (a === TS) {
          ts = tsKind === 0 ? parseIsoBytes(buf, fs, fe) : tsKind === 1 ? parseEpochBytes(buf, fs, fe, epochShift) : parseOrderedDateBytes(buf, fs, fe, dateOrder);
          if (ts !== ts) ok = false;
          else if (hasTime) {
            if (fe - fs > 10) ok = false; // the date column holds more than a date
          } else if (ts < sink.prevTs && !sort) ok = false;
        } else if (a === TIME) {
          tod = parseTimeOfDayBytes(buf, fs, fe);
          if (tod !== tod) ok = false;
        } else if (a === SYM) {
          const sl = fe - fs;
          if (lastSym >= 0 && symbols.is(lastSym, buf, fs, fe)) symId = symbols.idAt(lastSym);
          else {
            const k = symbols.find(buf, fs, fe);
            if (k >= 0) {
              lastSym = k;
              symId = symbols.idAt(k);
            } else {
              symId = -1;
              const name = buf.toString('utf8', fs, fe);
              // (a quote: the row rules hand the file to csv-parse, which reads "AAA" as AAA; the
              // first 4 MiB are checked for quotes before, a later one only here)
              if (sl === 0 || name.trim() !== name || name.includes('\ufffd') || name.includes('"')) ok = false; // the row rules say why
              else {
                symId = builder.symbolId(name);
                lastSym = symbols.add(buf, fs, fe, symId);
              }
            }
          }
        }
      }
      if (!ok) break;
      f++;
      if (fe >= le) break;
      if (f === nFields) {
        ok = false; // too many fields
        break;
      }
      fs = fe + 1;
    }
    if (ok && f !== nFields) ok = false; // too few fields
    if (hasTime && ok) {
      ts += tod;
      if (ts < sink.prevTs && !sort) ok = false;
    }
    if (ok) {
      for (let c = 0; c < nVals; c++) if (present[c] === 0) cols[c]![n] = NaN;
      if (kind === QUOTE) {
        if (cols[0]![n]! > cols[1]![n]!) ok = false;
      } else if (kind === BAR) {
        const cl = cols[3]![n]!;
        if (fillFromClose) {
          if (present[0] === 0) cols[0]![n] = cl;
          if (present[1] === 0) cols[1]![n] = cl;
          if (present[2] === 0) cols[2]![n] = cl;
        }
        const o = cols[0]![n]!;
        const h = cols[1]![n]!;
        const l = cols[2]![n]!;
        if (h < o || h < cl || h < l || l > o || l > cl) ok = false;
      }
    }
    if (ok) {
      if (n === 0) firstRowLine = lineNo;
      tsCol[n] = ts;
      symCol[n] = symId;
      if (linesCol !== undefined) linesCol[n] = lineNo;
      builder.n = n + 1;
      if (ts > sink.prevTs) sink.prevTs = ts;
    } else {
      ruleRows++;
      slowRow(buf.toString('utf8', ls, le), lineNo);
      // the row rules may have grown the builder
      tsCol = builder.ts;
      symCol = builder.sym;
      cols = builder.cols;
      linesCol = builder.lines;
    }
    lineNo++;
  }
  return { table: builder.finish(), badRows: sink.badRows, badSamples: sink.badSamples, ruleRows, tsMode: sink.tsMode, nextLine: lineNo, firstRowLine };
}
