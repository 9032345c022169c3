/**
 * The catalog entry of one parsed file: its index, kept apart from its partitions.
 *
 * The parse is kept as partitions (catalog/partition.ts: one symbol's rows, at most
 * `partitionRows` each), and the index says what the file was (the cache key: path, size, mtime,
 * sampled fingerprint, parse options), how it was read (header, bad rows, bar lengths, SHA-1) and
 * where each partition is, with its symbol, rows, time range and CRC. So a run can choose the
 * partitions it needs (a time window, some symbols) from the index alone, and read and check each
 * one only when it gets to it.
 *
 * Layout of the index (little-endian): "TFINDEX1" | u32 JSON length | u32 CRC-32 of the JSON | JSON.
 * Files in the catalog folder: `<name>.tfi` (index), `<name>.<symbol id>.<seq>.tfp`
 * (partitions) and, for a tick file in time order, `<name>.seq.<k>.tfs` (its symbol sequence,
 * catalog/sequence.ts: what the merge reads instead of comparing), `<name>` a hash of the file's
 * path and parse options. Format 2 added the sequence; an index of another format is said and
 * rebuilt (a catalog given as data is refused: catalog/index-file.ts). Every file is written
 * atomically (src/atomic.ts), the index last: it is what makes a build current; a crash before
 * it leaves the previous index, whose partitions' CRCs no longer match and are found damaged.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { removeStaleTemps, writeFileAtomic } from '../../atomic.js';
import { sameKey, type CachedFile, type CacheKey } from '../cache.js';
import type { BadRowSample } from '../rows.js';
import type { ResolvedHeader, TickKind } from '../schema.js';
import { f64, u16, type FileTable } from '../table.js';
import { BAR } from '../schema.js';
import type { ParseWorkers } from '../parse-workers.js';
import { CUT_ALL, CUT_SYMBOL, cutAfterRow, DEFAULT_PARTITION_ROWS, PartitionDamaged, readPartition, writePartition, type PartitionInfo } from './partition.js';
import { entryShapeProblem, isObject } from './entry-shape.js';
import { inTimeOrder, readSequenceChunk, sequenceChunkRows, writeSequence, type SequenceInfo } from './sequence.js';

const MAGIC = 'TFINDEX1';
/** The index's format: 2 since the symbol sequence (catalog/sequence.ts). */
export const FORMAT = 2;
const HEAD = 16;

/** What the index of a file says: the parse's facts and its partitions. */
export interface CatalogEntry {
  readonly format: number;
  readonly key: CacheKey;
  readonly kind: TickKind;
  /** Rows of the whole file. */
  readonly length: number;
  readonly nCols: number;
  /** The file's symbol dictionary (ids as in its table). */
  readonly symbols: readonly string[];
  readonly header: ResolvedHeader;
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  readonly sorted: boolean;
  readonly sha1: string;
  /** Bar files: the inferred bar length per symbol, µs (null for NaN: JSON has none). */
  readonly barLengthsUs?: readonly (number | null)[];
  /** Per symbol id, its partitions in row order. */
  readonly partitions: readonly (readonly PartitionInfo[])[];
  /** A tick file whose rows are in time order: its symbol sequence's chunks, in row order (catalog/sequence.ts). */
  readonly sequence?: readonly SequenceInfo[];
}

/** A file's entry in the catalog folder: what reading its index found. */
export type EntryRead = { readonly hit: CatalogEntry } | { readonly miss: true } | { readonly damaged: string };

/** The name of a file's entry: a hash of its path and parse options. */
export function entryName(key: CacheKey): string {
  return createHash('sha1').update(`${key.path}\0${key.options}`).digest('hex').slice(0, 24);
}

export const indexPath = (dir: string, key: CacheKey): string => join(dir, `${entryName(key)}.tfi`);
export const partitionPath = (dir: string, p: { readonly name: string }): string => join(dir, p.name);

/** Reads a file's index (never throws): a hit, a miss (absent or for another version of the file), or damaged. */
export function readEntry(dir: string, key: CacheKey): EntryRead {
  const read = readIndexFile(indexPath(dir, key));
  if ('hit' in read && read.hit.format !== FORMAT) return { damaged: olderFormat(indexPath(dir, key), read.hit.format) };
  if ('hit' in read && !sameKey(read.hit.key, key)) return { miss: true };
  return read;
}

/** An index of another format than this tickfold's: the reason, for the note (or error) that says so. */
export const olderFormat = (path: string, format: unknown): string => `the catalog index ${path} is of format ${String(format)}, and this tickfold reads format ${FORMAT}`;

/** Reads an index file by its path and checks its own CRC (never throws); a hit whatever its key. */
export function readIndexFile(path: string): EntryRead {
  const damaged = (why: string): EntryRead => ({ damaged: `the catalog index ${path} is damaged (${why})` });
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { miss: true };
  }
  try {
    const size = fstatSync(fd).size;
    if (size < HEAD) return damaged(`${size} bytes, shorter than its header`);
    const bytes = Buffer.alloc(size);
    for (let got = 0; got < size; ) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) return damaged(`ends at byte ${got} of ${size}`);
      got += n;
    }
    if (bytes.toString('latin1', 0, 8) !== MAGIC) return damaged('wrong magic bytes');
    const len = bytes.readUInt32LE(8);
    if (HEAD + len !== size) return damaged(`${size} bytes where its header says ${HEAD + len}`);
    if (crc32(bytes.subarray(HEAD)) !== bytes.readUInt32LE(12)) return damaged('checksum mismatch');
    const json: unknown = JSON.parse(bytes.toString('utf8', HEAD));
    // (an index of another format is said as such by the callers, before its shape)
    if (isObject(json) && json.format !== FORMAT) return { hit: json as unknown as CatalogEntry };
    const bad = entryShapeProblem(json);
    return bad === undefined ? { hit: json as CatalogEntry } : damaged(bad);
  } catch (e) {
    return damaged(`unreadable: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** Per symbol id, the rows of that symbol in row order (one pass to count, one to fill). */
function rowsBySymbol(t: FileTable): Uint32Array[] {
  const count = new Uint32Array(t.symbols.length);
  for (let i = 0; i < t.length; i++) count[t.sym[i]!]!++;
  const out = Array.from(count, (c) => new Uint32Array(c));
  const at = new Uint32Array(t.symbols.length);
  for (let i = 0; i < t.length; i++) {
    const s = t.sym[i]!;
    out[s]![at[s]!++] = i;
  }
  return out;
}

/** One partition to write: its symbol, file name and rows (indexes into the file's table). */
interface PartitionPlan {
  readonly sym: number;
  readonly name: string;
  readonly rows: Uint32Array;
}

/**
 * The partitions of a table: each symbol's rows in row order, `partitionRows` at most each, and
 * every symbol's partition cut where it is when the rows not yet in a partition pass
 * heldRowsMax: {@link cutAfterRow}, the rule EntryWriter follows as the rows arrive (the same cuts).
 */
function planPartitions(name: string, t: FileTable, partitionRows: number): PartitionPlan[][] {
  const bySym = rowsBySymbol(t);
  const parts: PartitionPlan[][] = bySym.map(() => []);
  const start = new Int32Array(bySym.length);
  const seen = new Int32Array(bySym.length);
  let held = 0;
  const cut = (s: number): void => {
    parts[s]!.push({ sym: s, name: `${name}.${s}.${parts[s]!.length}.tfp`, rows: bySym[s]!.subarray(start[s]!, seen[s]!) });
    held -= seen[s]! - start[s]!;
    start[s] = seen[s]!;
  };
  for (let i = 0; i < t.length; i++) {
    const s = t.sym[i]!;
    seen[s]!++;
    held++;
    const c = cutAfterRow(seen[s]! - start[s]!, held, partitionRows);
    if (c === CUT_SYMBOL) cut(s);
    else if (c === CUT_ALL) for (let k = 0; k < bySym.length; k++) if (seen[k]! > start[k]!) cut(k);
  }
  for (let k = 0; k < bySym.length; k++) if (seen[k]! > start[k]!) cut(k);
  return parts;
}

/** A tick file in time order: its symbol sequence written (catalog/sequence.ts); else undefined. */
function sequenceOf(dir: string, name: string, t: FileTable, partitionRows: number): SequenceInfo[] | undefined {
  if (t.kind === BAR || !inTimeOrder(t.ts, t.length)) return undefined;
  return writeSequence((n) => join(dir, n), name, t.sym, t.length, sequenceChunkRows(partitionRows));
}

/** What the index needs of a file's table: its shape and dictionary. */
export type TableShape = Pick<FileTable, 'kind' | 'length' | 'symbols'> & { readonly nCols: number };

const shapeOf = (t: FileTable): TableShape => ({ kind: t.kind, length: t.length, symbols: t.symbols, nCols: t.cols.length });

/** The index of a file whose partitions are written (also catalog/entry-writer.ts's, which holds no table). */
export function indexEntry(key: CacheKey, t: TableShape, f: Omit<CachedFile, 'table'>, partitions: readonly (readonly PartitionInfo[])[], sequence: readonly SequenceInfo[] | undefined): CatalogEntry {
  return {
    format: FORMAT,
    key,
    kind: t.kind,
    length: t.length,
    nCols: t.nCols,
    symbols: [...t.symbols],
    header: f.header,
    badRows: f.badRows,
    badSamples: [...f.badSamples],
    sorted: f.sorted,
    sha1: f.sha1,
    ...(f.barLengthsUs ? { barLengthsUs: f.barLengthsUs.map((x) => (Number.isNaN(x) ? null : x)) } : {}),
    partitions,
    ...(sequence ? { sequence } : {}),
  };
}

/**
 * Writes a parsed file into the catalog: its partitions, then its index. Failures leave the
 * catalog without a current entry for the file (it is parsed again) and return false: the catalog
 * is a cache, and a full disk must not fail a run.
 */
export function writeEntry(dir: string, key: CacheKey, f: CachedFile, partitionRows = DEFAULT_PARTITION_ROWS): boolean {
  const name = entryName(key);
  const t = f.table;
  try {
    mkdirSync(dir, { recursive: true });
    removeStaleTemps(dir); // of runs killed while they wrote
    const partitions = planPartitions(name, t, partitionRows).map((ps) => ps.map((p) => writePartition(join(dir, p.name), p.name, t.kind, p.sym, t.ts, t.cols, p.rows)));
    const sequence = sequenceOf(dir, name, t, partitionRows);
    writeIndex(join(dir, `${name}.tfi`), indexEntry(key, shapeOf(t), f, partitions, sequence));
    removeUnnamedPartitions(dir, name, partitions, sequence);
    return true;
  } catch {
    rmSync(join(dir, `${name}.tfi`), { force: true });
    return false;
  }
}

/**
 * {@link writeEntry} with the partitions gathered, checksummed and written on worker threads, all
 * at once (the same bytes: the same code writes them). Only for a table in shared memory (the
 * threads read it without a copy); another is written on this thread.
 */
export async function writeEntryOn(workers: ParseWorkers, dir: string, key: CacheKey, f: CachedFile, partitionRows = DEFAULT_PARTITION_ROWS): Promise<boolean> {
  const t = f.table;
  const shared = [t.ts, ...t.cols].every((c) => c.buffer instanceof SharedArrayBuffer);
  if (!shared) return writeEntry(dir, key, f, partitionRows);
  const name = entryName(key);
  try {
    mkdirSync(dir, { recursive: true });
    removeStaleTemps(dir);
    // the sequence on this thread while the workers write the partitions (2 bytes a row)
    const sequence = sequenceOf(dir, name, t, partitionRows);
    const partitions = await Promise.all(
      planPartitions(name, t, partitionRows).map((ps) =>
        Promise.all(
          ps.map(async (p) => {
            const r = await workers.run({ op: 'write', path: join(dir, p.name), name: p.name, kind: t.kind, sym: p.sym, ts: t.ts, cols: t.cols, rows: p.rows.slice() });
            if (!('partition' in r)) throw new Error('not a partition');
            return r.partition;
          }),
        ),
      ),
    );
    writeIndex(join(dir, `${name}.tfi`), indexEntry(key, shapeOf(t), f, partitions, sequence));
    removeUnnamedPartitions(dir, name, partitions, sequence);
    return true;
  } catch {
    rmSync(join(dir, `${name}.tfi`), { force: true });
    return false;
  }
}

/** Writes an index (its header, CRC and JSON) atomically: the last step of a build. */
export function writeIndex(path: string, entry: CatalogEntry): void {
  const json = Buffer.from(JSON.stringify(entry), 'utf8');
  const head = Buffer.alloc(HEAD);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(json.length, 8);
  head.writeUInt32LE(crc32(json), 12);
  writeFileAtomic(path, Buffer.concat([head, json]));
}

/** Removes the partitions `<name>.*.tfp` and sequence chunks `<name>.seq.*.tfs` of an earlier build that this one does not name (fewer symbols or rows). */
export function removeUnnamedPartitions(dir: string, name: string, partitions: readonly (readonly PartitionInfo[])[], sequence: readonly SequenceInfo[] = []): void {
  const current = new Set([...partitions.flat(), ...sequence].map((p) => p.name));
  for (const n of readdirSync(dir)) if (n.startsWith(`${name}.`) && (n.endsWith('.tfp') || n.endsWith('.tfs')) && !current.has(n)) rmSync(join(dir, n), { force: true });
}

/** The files of an entry in its folder: partitions and sequence chunks. */
export const entryFiles = (e: CatalogEntry): readonly { readonly name: string }[] => [...e.partitions.flat(), ...(e.sequence ?? [])];

/**
 * The whole file's table from its partitions, each checked as it is read; rows go back to their
 * places by their row index. Throws {@link PartitionDamaged} for a missing or damaged partition.
 */
export function readEntryTable(dir: string, e: CatalogEntry, shared = false): FileTable {
  const n = e.length;
  const ts = f64(n, shared);
  const sym = u16(n, shared);
  const cols = Array.from({ length: e.nCols }, () => f64(n, shared));
  let filled = 0;
  // the symbol column: the sequence, where the file has one (each chunk checked as it is read)
  let seqRows = 0;
  for (const info of e.sequence ?? []) {
    const chunk = readSequenceChunk(partitionPath(dir, info), info);
    if (info.firstRow !== seqRows || seqRows + chunk.length > n) throw new PartitionDamaged(`the symbol sequence of ${e.key.path} does not cover its ${n} rows`);
    sym.set(chunk, seqRows);
    seqRows += chunk.length;
  }
  const symFromSequence = e.sequence !== undefined;
  if (symFromSequence && seqRows !== n) throw new PartitionDamaged(`the symbol sequence of ${e.key.path} holds ${seqRows} rows where the index says ${n}`);
  for (let s = 0; s < e.partitions.length; s++) {
    for (const info of e.partitions[s]!) {
      const p = readPartition(partitionPath(dir, info), info, e.kind, e.nCols);
      const r0 = p.row[0]!;
      if (p.rows > 0 && p.row[p.rows - 1] === r0 + p.rows - 1) {
        // consecutive rows (a file of one symbol, or a run of one): copies, not a scatter
        ts.set(p.ts, r0);
        if (!symFromSequence) sym.fill(s, r0, r0 + p.rows);
        for (let c = 0; c < e.nCols; c++) cols[c]!.set(p.cols[c]!, r0);
      } else {
        scatter(ts, p.ts, p.row);
        if (!symFromSequence) for (let i = 0; i < p.rows; i++) sym[p.row[i]!] = s;
        for (let c = 0; c < e.nCols; c++) scatter(cols[c]!, p.cols[c]!, p.row);
      }
      filled += p.rows;
    }
  }
  if (filled !== n) throw new PartitionDamaged(`the partitions of ${e.key.path} hold ${filled} rows where the index says ${n}`);
  return { kind: e.kind, length: n, symbols: e.symbols, ts, sym, cols };
}

/** dst[row[i]] = src[i]: a partition's values back to their rows (one small function, kept monomorphic). */
function scatter(dst: Float64Array, src: Float64Array, row: Uint32Array): void {
  for (let i = 0; i < row.length; i++) dst[row[i]!] = src[i]!;
}

/** The entry's bar lengths with NaN back (JSON keeps null). */
export const entryBarLengths = (e: CatalogEntry): number[] | undefined => e.barLengthsUs?.map((x) => x ?? NaN);
