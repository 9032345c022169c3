/**
 * A file's symbol sequence: the symbol id of each row of its table, in row order (the table's
 * `sym` column), kept in the catalog beside the partitions, in chunks of
 * {@link sequenceChunkRows} rows (the last fewer) with a checksum each.
 *
 * Why: a tick file's table is in time order (its rows' stamps never go down), so the merged order
 * of its symbols' partitions is its row order, and row r comes from the partition of symbol
 * `sequence[r]` (its next row). The streaming merge (merge-stream.ts) reads the sequence instead
 * of comparing the partitions' keys: no comparison within a file, 2 bytes a row to read (a quote
 * row's columns are ~44). Bar files have none: their rows are visible at their close, which the
 * run settles (`--bar-length`, `--bar-stamp`), so their row order is not the visible order.
 *
 * Layout of a chunk (little-endian): "TFSEQ001" | u32 rows | u32 CRC-32 | u32 first row | u32 0 |
 * sym u16[rows] | pad to 8. The CRC covers everything after it; the index lists each chunk with
 * its first row, rows, size and CRC, and a chunk is checked against both when it is read.
 */
import { crc32 } from 'node:zlib';
import { writeFileAtomic } from '../../atomic.js';
import { LOCAL_READER, PartitionDamaged, type CatalogFileRef, type CatalogReader } from './checked-read.js';

const MAGIC = 'TFSEQ001';
const HEAD = 24;
/**
 * Rows of a chunk: 4 partitions' worth (the default 256Ki-row partitions give 1Mi-row chunks of
 * 2 MB, held once per file while the merge reads it, against 11 MB per partition).
 */
export const sequenceChunkRows = (partitionRows: number): number => 4 * partitionRows;

/** What the index says of a chunk of the sequence. */
export interface SequenceInfo {
  /** File name in the catalog folder. */
  readonly name: string;
  /** Its first row in the file's table. */
  readonly firstRow: number;
  readonly rows: number;
  readonly bytes: number;
  readonly crc: number;
}

const align8 = (x: number): number => Math.ceil(x / 8) * 8;

/** The chunk's file name: `<entry name>.seq.<k>.tfs`. */
export const sequenceName = (entryName: string, k: number): string => `${entryName}.seq.${k}.tfs`;

/** Writes `sym` (the symbols of rows firstRow.. of a file) as a chunk, atomically; returns what the index keeps. */
export function writeSequenceChunk(path: string, name: string, firstRow: number, sym: Uint16Array): SequenceInfo {
  const n = sym.length;
  const size = HEAD + align8(n * 2);
  const buf = new ArrayBuffer(size);
  const bytes = new Uint8Array(buf);
  bytes.set(Buffer.from(MAGIC, 'latin1'), 0);
  const view = new DataView(buf);
  view.setUint32(8, n, true);
  view.setUint32(16, firstRow, true);
  new Uint16Array(buf, HEAD, n).set(sym);
  const crc = crc32(bytes.subarray(16));
  view.setUint32(12, crc, true);
  writeFileAtomic(path, bytes);
  return { name, firstRow, rows: n, bytes: size, crc };
}

/** The chunks of a file's sequence from its `sym` column, `chunkRows` rows each, written at `pathOf(name)`. */
export function writeSequence(pathOf: (name: string) => string, entryName: string, sym: Uint16Array, length: number, chunkRows: number): SequenceInfo[] {
  const out: SequenceInfo[] = [];
  for (let from = 0, k = 0; from < length; from += chunkRows, k++) {
    const name = sequenceName(entryName, k);
    out.push(writeSequenceChunk(pathOf(name), name, from, sym.subarray(from, Math.min(length, from + chunkRows))));
  }
  return out;
}

/** Whether a file's rows are in time order (its stamps never go down): the condition for a sequence. */
export function inTimeOrder(ts: Float64Array, length: number): boolean {
  for (let i = 1; i < length; i++) if (!(ts[i]! >= ts[i - 1]!)) return false;
  return true;
}

/** The file of a chunk, as a {@link CatalogReader} reads it. */
export function sequenceRef(path: string, info: SequenceInfo): CatalogFileRef {
  return { path, bytes: info.bytes, crc: info.crc, magic: MAGIC, what: 'symbol sequence' };
}

/**
 * Reads one chunk and checks it against its own CRC and the index's entry for it; throws
 * {@link PartitionDamaged} (the catalog's damage, rebuilt as a partition's is) when it is
 * missing, cut short or changed. `reuse`: the buffer of the chunk the caller is done with.
 * `reader`: who reads the bytes (checked-read.ts; this thread by default).
 */
export function readSequenceChunk(path: string, info: SequenceInfo, reuse?: ArrayBufferLike, reader: CatalogReader = LOCAL_READER): Uint16Array {
  const buf = reader.read(sequenceRef(path, info), reuse);
  const size = info.bytes;
  const view = new DataView(buf, 0, size);
  const n = view.getUint32(8, true);
  if (size < HEAD || n !== info.rows || view.getUint32(16, true) !== info.firstRow || HEAD + align8(n * 2) !== size) throw new PartitionDamaged(`symbol sequence ${path} does not match its index entry`);
  return new Uint16Array(buf, HEAD, n);
}

/** The chunk of `seq` that holds row `r` (chunks in row order), or -1. */
export function chunkOf(seq: readonly SequenceInfo[], r: number): number {
  let lo = 0;
  let hi = seq.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = seq[mid]!;
    if (r < c.firstRow) hi = mid - 1;
    else if (r >= c.firstRow + c.rows) lo = mid + 1;
    else return mid;
  }
  return -1;
}
