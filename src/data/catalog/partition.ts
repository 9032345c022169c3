/**
 * One partition of the catalog: the rows of one symbol of one parsed file, at most
 * {@link DEFAULT_PARTITION_ROWS} of them (a symbol with more rows has several partitions, in row
 * order), in columns, with a checksum of its own.
 *
 * Layout (little-endian): "TFPART01" | u32 meta length | u32 CRC-32 | meta JSON | pad to 8 |
 * ts f64[n] | value columns f64[n]… | row u32[n] | pad to 8. `row` is each row's index in its
 * file's table (the parse's row order, after `--sort` and duplicate bars): the merge breaks ties
 * between symbols of one file by it, exactly as the in-memory table does. The CRC-32 covers
 * everything after it (metadata and columns); the catalog's index keeps the same CRC, so a
 * partition from another build of the file (a crash between writing the partitions and the index)
 * is found as well as a flipped bit. A partition is read and checked on its own, when the replay
 * needs it: nothing reads the whole catalog first.
 */
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../../atomic.js';
import type { TickKind } from '../schema.js';
import { f64 } from '../table.js';
import { LOCAL_READER, PartitionDamaged, type CatalogFileRef, type CatalogReader } from './checked-read.js';

const MAGIC = 'TFPART01';
/** Bytes before the metadata: magic, meta length, CRC-32. */
const HEAD = 16;
/** Rows of a partition, at most: 256Ki quotes are 11 MB of columns, held once per stream while the merge reads it. */
export const DEFAULT_PARTITION_ROWS = 1 << 18;

/**
 * Rows a file's partitions being filled may hold together, at most, for `partitionRows`: past it,
 * every symbol's partition being filled is cut where it is (the rule of both writers,
 * catalog/entry.ts planPartitions and entry-writer.ts, so the catalog is the same bytes either
 * way). Without it a file of S symbols held up to S full partitions while its first run wrote
 * them (400 symbols of 15k rows: 938-963 MB, more than parsing the file whole, 719 MB). At the
 * default, 2Mi rows (~92 MB of columns): a file of a few symbols never reaches it; one of many
 * interleaved symbols gets partitions of about 2Mi / S rows.
 */
export const heldRowsMax = (partitionRows: number): number => 8 * partitionRows;

/** What a row ends ({@link cutAfterRow}): nothing, its symbol's partition, or every partition being filled. */
export const CUT_NONE = 0;
export const CUT_SYMBOL = 1;
export const CUT_ALL = 2;

/**
 * The one rule both writers cut partitions by, told after each row in file order: `n` rows of the
 * row's symbol now wait for their partition, `held` rows of all symbols. A full partition is cut;
 * else past {@link heldRowsMax} every partition being filled is.
 */
export const cutAfterRow = (n: number, held: number, partitionRows: number): number => (n === partitionRows ? CUT_SYMBOL : held > heldRowsMax(partitionRows) ? CUT_ALL : CUT_NONE);

/** What the index says of a partition (and the partition of itself). */
export interface PartitionInfo {
  /** File name in the catalog folder. */
  readonly name: string;
  /** The symbol's id in its file's dictionary. */
  readonly sym: number;
  readonly rows: number;
  /** First and last stamp (bars: start) of its rows, µs. */
  readonly firstTs: number;
  readonly lastTs: number;
  /** Its size in bytes and its CRC-32 (the one in its header). */
  readonly bytes: number;
  readonly crc: number;
}

/** A partition's rows, decoded. */
export interface PartitionRows {
  readonly rows: number;
  readonly ts: Float64Array;
  readonly cols: readonly Float64Array[];
  /** Each row's index in its file's table. */
  readonly row: Uint32Array;
}

interface Meta {
  kind: TickKind;
  sym: number;
  rows: number;
  nCols: number;
}

const align8 = (x: number): number => Math.ceil(x / 8) * 8;
let scratch = new ArrayBuffer(0);

/**
 * Encodes rows `rowIdx` of a file's columns (one symbol's, in row order) as a partition and
 * writes it atomically; returns what the index keeps of it.
 */
export function writePartition(path: string, name: string, kind: TickKind, sym: number, ts: Float64Array, cols: readonly Float64Array[], rowIdx: Uint32Array): PartitionInfo {
  const n = rowIdx.length;
  return encode(path, name, kind, sym, n, cols.length, (buf, start) => {
    const gather = (src: Float64Array, at: number): void => {
      const out = new Float64Array(buf, at, n);
      for (let i = 0; i < n; i++) out[i] = src[rowIdx[i]!]!;
    };
    gather(ts, start);
    cols.forEach((c, k) => gather(c, start + n * 8 * (1 + k)));
    new Uint32Array(buf, start + n * 8 * (1 + cols.length), n).set(rowIdx);
  });
}

/**
 * Writes a partition from columns already gathered: the first `n` values of `ts`, of each of
 * `cols` and of `row` (each row's index in its file's table). A writer that makes rows symbol by
 * symbol (the generator, data/generate-catalog.ts) fills these and writes them as they fill.
 */
export function writePartitionColumns(path: string, name: string, kind: TickKind, sym: number, n: number, ts: Float64Array, cols: readonly Float64Array[], row: Uint32Array): PartitionInfo {
  return encode(path, name, kind, sym, n, cols.length, (buf, start) => {
    new Float64Array(buf, start, n).set(ts.subarray(0, n));
    cols.forEach((c, k) => new Float64Array(buf, start + n * 8 * (1 + k), n).set(c.subarray(0, n)));
    new Uint32Array(buf, start + n * 8 * (1 + cols.length), n).set(row.subarray(0, n));
  });
}

/** The partition's bytes around columns that `fill` writes at `start`; its CRC; written atomically. */
function encode(path: string, name: string, kind: TickKind, sym: number, n: number, nCols: number, fill: (buf: ArrayBuffer, start: number) => void): PartitionInfo {
  const meta: Meta = { kind, sym, rows: n, nCols };
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  const start = align8(HEAD + metaBytes.length);
  const size = start + n * 8 * (1 + nCols) + align8(n * 4);
  // one scratch buffer for every partition written (written out before the next is made): a
  // file's partitions do not pile up as garbage while it is written
  if (scratch.byteLength < size) scratch = new ArrayBuffer(size);
  const buf = scratch;
  const bytes = new Uint8Array(buf, 0, size);
  bytes.fill(0, HEAD, start);
  bytes.set(Buffer.from(MAGIC, 'latin1'), 0);
  const view = new DataView(buf);
  view.setUint32(8, metaBytes.length, true);
  bytes.set(metaBytes, HEAD);
  fill(buf, start);
  bytes.fill(0, start + n * 8 * (1 + nCols) + n * 4, size);
  const crc = crc32(bytes.subarray(HEAD));
  view.setUint32(12, crc, true);
  writeFileAtomic(path, bytes);
  const ts = new Float64Array(buf, start, n);
  return { name, sym, rows: n, firstTs: n > 0 ? ts[0]! : NaN, lastTs: n > 0 ? ts[n - 1]! : NaN, bytes: size, crc };
}

export { PartitionDamaged };

/** The file of a partition, as a {@link CatalogReader} reads it. */
export function partitionRef(path: string, info: PartitionInfo): CatalogFileRef {
  return { path, bytes: info.bytes, crc: info.crc, magic: MAGIC, what: 'partition' };
}

/**
 * Reads one partition and checks it against its own CRC and the index's entry for it (size,
 * CRC, kind, symbol, rows). Throws {@link PartitionDamaged} when it is missing, cut short or
 * changed. `shared`: the columns in shared memory (for worker threads). `reader`: who reads the
 * bytes (checked-read.ts; this thread by default).
 */
export function readPartition(path: string, info: PartitionInfo, kind: TickKind, nCols: number, shared = false, reuse?: ArrayBufferLike, reader: CatalogReader = LOCAL_READER): PartitionRows {
  const ref = partitionRef(path, info);
  const local = reader.read(ref, shared ? undefined : reuse);
  let buf: ArrayBufferLike = local;
  if (shared) {
    buf = new SharedArrayBuffer(info.bytes);
    new Uint8Array(buf).set(new Uint8Array(local, 0, info.bytes));
  }
  return decodePartition(buf, path, info, kind, nCols);
}

/** The columns of a partition's checked bytes (views on `buf`), its metadata checked against the index. */
function decodePartition(buf: ArrayBufferLike, path: string, info: PartitionInfo, kind: TickKind, nCols: number): PartitionRows {
  const size = info.bytes;
  const bytes = new Uint8Array(buf, 0, size);
  const metaLen = new DataView(buf, 0, size).getUint32(8, true);
  if (HEAD + metaLen > size) throw new PartitionDamaged(`partition ${path} does not match its index entry`);
  let meta: Meta;
  try {
    meta = JSON.parse(Buffer.from(bytes.subarray(HEAD, HEAD + metaLen)).toString('utf8')) as Meta;
  } catch {
    throw new PartitionDamaged(`partition ${path} does not match its index entry`);
  }
  const n = meta.rows;
  const start = align8(HEAD + metaLen);
  if (meta.kind !== kind || meta.sym !== info.sym || n !== info.rows || meta.nCols !== nCols || start + n * 8 * (1 + nCols) + align8(n * 4) !== size) {
    throw new PartitionDamaged(`partition ${path} does not match its index entry`);
  }
  const cols: Float64Array[] = [];
  for (let c = 0; c < nCols; c++) cols.push(new Float64Array(buf, start + n * 8 * (1 + c), n));
  const ts = new Float64Array(buf, start, n);
  const row = new Uint32Array(buf, start + n * 8 * (1 + nCols), n);
  if (!inOrder(ts, row, info)) throw new PartitionDamaged(`partition ${path} does not match its index entry (its stamps or rows out of order, or not the index's first and last)`);
  return { rows: n, ts, cols, row };
}

/**
 * Whether a partition's stamps never go down and its rows go up, from the index's first stamp to
 * its last: what the merge takes for granted (a partition with a valid CRC but stamps out of order,
 * written by hand, gave a report of a 24x7 calendar over 19,724 days, exit 0). A loop without
 * calls over the stamps and rows: ~2% of the replay's time (measured at 10^7 events).
 */
function inOrder(ts: Float64Array, row: Uint32Array, info: PartitionInfo): boolean {
  const n = ts.length;
  if (n === 0) return true;
  if (ts[0] !== info.firstTs || ts[n - 1] !== info.lastTs) return false;
  for (let i = 1; i < n; i++) if (!(ts[i]! >= ts[i - 1]!) || !(row[i]! > row[i - 1]!)) return false;
  return true;
}

/** Empty rows (a cursor before its first partition). */
export const NO_ROWS: PartitionRows = { rows: 0, ts: f64(0), cols: [], row: new Uint32Array(0) };
