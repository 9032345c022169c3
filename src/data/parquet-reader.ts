/**
 * Parquet files (`--data file.parquet`, or folders of them) for trades, quotes and bars, with the
 * same header rules as CSV (aliases, `--columns`, `--symbol`) and the same row rules
 * ({@link RowSink.acceptValues}: the typed twin of the text rules), so a Parquet file and the CSV
 * it came from load to the same table, or fail on the same row with the same rule.
 *
 * Read with parquet-wasm (Rust's parquet crate compiled to WebAssembly, shipped inside the npm
 * package: nothing is downloaded at install) into Arrow, then apache-arrow's columns. Chosen by
 * measurement on a 2,000,000-quote file (README, "Parquet input"): 0.4-0.5 s warm and 1.6 s in a
 * fresh process, against 2.0 s / 2.9 s for hyparquet and 2.4-4.0 s for @duckdb/node-api (through
 * its JS values); installed size 23 MB, against 0.9 MB and 70 MB.
 *
 * Timestamps: TIMESTAMP (s/ms/µs/ns; ns truncated to µs like every time in tickfold) with a zone
 * is UTC; without one it is a wall-clock time (UTC, or `--tz`); DATE is midnight UTC; a plain
 * integer or float column is an epoch whose unit comes from `--ts-unit` or the magnitude of its
 * first value, as in CSV; a string column is parsed as the CSV text would be. Nulls are unknown:
 * a null size or volume is NaN (never 0); a null price is the CSV's empty price (an error).
 * A row's "line" in a message is its row number (1 = the first row).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { DataError } from '../errors.js';
import { RowSink, type BadRowSample, type RowOptions } from './rows.js';
import { resolveHeader, type HeaderOptions, type ResolvedHeader } from './schema.js';
import { FileTableBuilder, type FileTable } from './table.js';
import { detectTsUnit, parseEpoch, parseIso, formatIso, type TsUnit } from './time.js';
import { classifyTs } from './zone.js';

const MAGIC = 'PAR1';

/** A Parquet file: by its name, or by its first bytes. */
export function isParquetFile(file: string, head?: Uint8Array): boolean {
  if (file.toLowerCase().endsWith('.parquet')) return true;
  return head !== undefined && head.length >= 4 && String.fromCharCode(head[0]!, head[1]!, head[2]!, head[3]!) === MAGIC;
}

// Arrow type ids (apache-arrow's Type enum)
const T_INT = 2;
const T_FLOAT = 3;
const T_UTF8 = 5;
const T_DATE = 8;
const T_TIMESTAMP = 10;
const T_DICTIONARY = -1;
const T_LARGE_UTF8 = 20;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ArrowVector = any;

/** A column as one Float64Array (NaN where null) and a null mask; `text(i)` as a message shows it. */
interface NumCol {
  readonly v: Float64Array;
  readonly isNull: Uint8Array;
}

function numeric(col: ArrowVector, n: number, scale = 1): NumCol {
  const v = new Float64Array(n);
  const isNull = new Uint8Array(n);
  let i = 0;
  for (const d of col.data) {
    const vals = d.values;
    const bitmap: Uint8Array | undefined = d.nullCount > 0 ? d.nullBitmap : undefined;
    const off = d.offset;
    for (let k = 0; k < d.length; k++, i++) {
      if (bitmap && ((bitmap[(off + k) >> 3]! >> ((off + k) & 7)) & 1) === 0) {
        v[i] = NaN;
        isNull[i] = 1;
        continue;
      }
      const x = vals[k];
      v[i] = typeof x === 'bigint' ? (scale === 1 ? Number(x) : Number(x / BigInt(scale))) : scale === 1 ? x : Math.floor(x / scale);
    }
  }
  return { v, isNull };
}

/** µs per unit of an Arrow TimeUnit (SECOND 0, MILLISECOND 1, MICROSECOND 2, NANOSECOND 3). */
const US_PER_UNIT = [1e6, 1e3, 1, 1e-3];
const UNIT_NAMES = ['SECONDS', 'MILLIS', 'MICROS', 'NANOS'];

export async function readParquet(
  file: string,
  opts: RowOptions & HeaderOptions & { readonly shared?: boolean; readonly contentHash?: boolean; readonly keepLines?: boolean },
): Promise<{ table: FileTable; header: ResolvedHeader; badRows: number; badSamples: readonly BadRowSample[]; ruleRows: number; sha1: string | undefined }> {
  const bytes = readFileSync(file);
  const fileErr = (code: string, rule: string, hint: string): DataError => new DataError(code, { file, line: 0, column: 0, rule, hint });
  if (bytes.length < 12 || bytes.subarray(0, 4).toString('latin1') !== MAGIC || bytes.subarray(bytes.length - 4).toString('latin1') !== MAGIC) {
    throw fileErr('bad-parquet', `not a Parquet file (a Parquet file starts and ends with '${MAGIC}')`, 'point tickfold at the .parquet file itself, or rename a CSV file to .csv');
  }
  // loaded on first use: most runs read CSV (the WebAssembly module is 6 MB)
  const pw = await import('parquet-wasm');
  const { tableFromIPC } = await import('apache-arrow');
  let t: ArrowVector;
  try {
    t = tableFromIPC(pw.readParquet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)).intoIPCStream());
  } catch (e) {
    throw fileErr('bad-parquet', `the Parquet file cannot be read: ${String((e as Error)?.message ?? e)}`, 'check the file is complete (not truncated) and written by a Parquet writer');
  }
  const n: number = t.numRows;
  const fields: { name: string; type: ArrowVector }[] = t.schema.fields;
  const names = fields.map((f) => f.name);
  const resolved = resolveHeader(file, names, opts);
  const timeAt = resolved.roles.findIndex((r) => r.role === 'time');
  if (timeAt >= 0) {
    throw new DataError('bad-header', { file, line: 0, column: timeAt + 1, field: names[timeAt]!, rule: `separate date and time columns are joined in CSV files only; this Parquet file has the time of day in ${names[timeAt]}`, hint: 'write one timestamp column (tickfold data convert does so from the CSV)' });
  }
  const tsAt = resolved.roles.findIndex((r) => r.role === 'ts');
  const symAt = resolved.roles.findIndex((r) => r.role === 'symbol');
  const tsType = fields[tsAt]!.type;
  const tsVec = t.getChildAt(tsAt);
  // the timestamps as µs (typed), as epoch numbers of a unit, or as text
  let ts: Float64Array;
  let tsNull: Uint8Array;
  let tsZone: ResolvedHeader['tsZone'];
  let tsText: (i: number) => string = (i) => (Number.isNaN(ts[i]!) ? '' : formatIso(ts[i]!));
  const typed = tsType.typeId === T_TIMESTAMP || tsType.typeId === T_DATE;
  if (typed && opts.tsUnit !== undefined) {
    throw new DataError('bad-header', { file, line: 0, column: tsAt + 1, field: names[tsAt]!, rule: `--ts-unit ${opts.tsUnit} applies to numeric epoch columns; ${names[tsAt]} is a Parquet ${tsType.typeId === T_DATE ? 'DATE' : `TIMESTAMP(${UNIT_NAMES[tsType.unit]})`} and carries its own unit`, hint: 'leave out --ts-unit' });
  }
  if (tsType.typeId === T_TIMESTAMP) {
    const per = US_PER_UNIT[tsType.unit]!;
    const c = per >= 1 ? numeric(tsVec, n) : numeric(tsVec, n, 1 / per);
    if (per > 1) for (let i = 0; i < n; i++) c.v[i]! *= per;
    ts = c.v;
    tsNull = c.isNull;
    tsZone = tsType.timezone ? 'zoned' : 'local';
  } else if (tsType.typeId === T_DATE) {
    // DATE32: days; DATE64: ms
    const c = numeric(tsVec, n);
    const per = tsType.unit === 0 ? 86_400e6 : 1e3;
    for (let i = 0; i < n; i++) c.v[i]! *= per;
    ts = c.v;
    tsNull = c.isNull;
    tsZone = 'date';
  } else if (tsType.typeId === T_INT || tsType.typeId === T_FLOAT) {
    const c = numeric(tsVec, n);
    let first = -1;
    for (let i = 0; i < n && first < 0; i++) if (!c.isNull[i]) first = i;
    const unit: TsUnit | undefined = opts.tsUnit ?? (first >= 0 ? detectTsUnit(String(c.v[first])) : undefined);
    const raw = c.v;
    ts = new Float64Array(n);
    for (let i = 0; i < n; i++) ts[i] = c.isNull[i] || unit === undefined ? NaN : parseEpoch(String(raw[i]), unit);
    tsNull = c.isNull;
    tsZone = 'epoch';
    tsText = (i) => (c.isNull[i] ? '' : String(raw[i]));
  } else if (tsType.typeId === T_UTF8 || tsType.typeId === T_LARGE_UTF8 || tsType.typeId === T_DICTIONARY) {
    const texts: string[] = new Array(n);
    ts = new Float64Array(n);
    tsNull = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const s = tsVec.get(i);
      texts[i] = s === null ? '' : String(s);
      tsNull[i] = s === null ? 1 : 0;
      ts[i] = s === null ? NaN : parseIso(texts[i]!);
    }
    tsZone = n > 0 ? classifyTs(texts[0]!, opts.tsUnit) : 'other';
    tsText = (i) => texts[i]!;
  } else {
    throw new DataError('bad-header', { file, line: 0, column: tsAt + 1, field: names[tsAt]!, rule: `the timestamp column ${names[tsAt]} is a Parquet ${String(tsType)}, not a time`, hint: 'give a TIMESTAMP, DATE, integer epoch or ISO-8601 text column as the timestamp (or map another with --columns ts=NAME)' });
  }
  void tsNull;
  const header: ResolvedHeader = { ...resolved, tsZone, ...(opts.tz !== undefined && tsZone === 'local' ? { tz: opts.tz } : {}) };
  // value columns: numbers, null as unknown
  const cols: (NumCol | undefined)[] = resolved.roles.map((r, j) => {
    if (r.role !== 'value') return undefined;
    const ty = fields[j]!.type.typeId;
    if (ty !== T_INT && ty !== T_FLOAT) {
      throw new DataError('bad-header', { file, line: 0, column: j + 1, field: names[j]!, rule: `column ${names[j]} (${r.field}) is a Parquet ${String(fields[j]!.type)}, not a number`, hint: 'store prices, sizes and volumes as numbers (DOUBLE, FLOAT or INT), or skip the column with --columns skip:1=NAME' });
    }
    return numeric(t.getChildAt(j), n);
  });
  const symVec = symAt >= 0 ? t.getChildAt(symAt) : undefined;
  const builder = new FileTableBuilder(header.kind, Math.max(1024, n), opts.shared === true, opts.keepLines === true);
  const sink = new RowSink(file, header, builder, opts);
  const row: (number | null)[] = resolved.roles.map(() => null);
  let at = 0;
  const text = (j: number): string => {
    if (j === tsAt) return tsText(at);
    if (j === symAt) return String(symVec?.get(at) ?? '');
    const c = cols[j];
    return c === undefined ? '' : c.isNull[at] ? '' : String(c.v[at]);
  };
  for (at = 0; at < n; at++) {
    for (let j = 0; j < row.length; j++) {
      const c = cols[j];
      row[j] = c === undefined || c.isNull[at] ? null : c.v[at]!;
    }
    const sym = symVec === undefined ? null : symVec.get(at);
    sink.acceptValues(ts[at]!, sym === null || sym === undefined ? null : String(sym), row, text, at + 1);
  }
  const sha1 = opts.contentHash ? createHash('sha1').update(bytes).digest('hex') : undefined;
  return { table: builder.finish(), header, badRows: sink.badRows, badSamples: sink.badSamples, ruleRows: n, sha1 };
}
