/**
 * Binary columnar cache of parsed files, so repeated runs skip parsing.
 *
 * One cache file per (CSV path, parse options), in `.tickfold-cache/` under the working directory
 * (or `--cache-dir`). It is used only when the CSV's size, mtime (ns) and sampled content
 * fingerprint all still match, and its own CRC-32 checks out; otherwise the CSV is parsed again
 * and the cache rewritten. The fingerprint hashes the first and last 64 KiB and 32 evenly spaced
 * 4 KiB blocks: hashing the whole CSV on every load would cost more than the parse it saves. The
 * full SHA-1 of the CSV, taken while it was parsed, is kept in the cache for run manifests.
 *
 * Layout (little-endian): "TFCACHE2" | u32 meta length | u32 CRC-32 | meta JSON | pad to 8 |
 * ts f64[n] | value columns f64[n]… | sym u16[n]. The CRC-32 covers everything after it: the
 * metadata (symbols, kind, header, key) as well as the columns, so one flipped bit anywhere is
 * found (a CRC over the columns alone let a flipped bit in the metadata relabel a symbol, or read
 * quotes as trades, unnoticed). Columns are views over one buffer: no copy on load.
 * Writes go to a temporary file renamed into place, so a crash never leaves a half-written cache;
 * a damaged file is reported ({@link CacheRead}) and replaced by the next write.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import type { BadRowSample } from './rows.js';
import { removeStaleTemps, tempPathFor } from '../atomic.js';
import type { ResolvedHeader, TickKind } from './schema.js';
import type { FileTable } from './table.js';

const MAGIC = 'TFCACHE2';
const FORMAT = 4;
/** Bytes before the metadata: magic, meta length, CRC-32. */
const HEAD = 16;

export interface CacheKey {
  readonly path: string;
  readonly size: number;
  readonly mtimeNs: string;
  readonly fingerprint: string;
  /** Hash of the options that change parsing results. */
  readonly options: string;
}

export interface CachedFile {
  readonly table: FileTable;
  readonly header: ResolvedHeader;
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  readonly sorted: boolean;
  readonly sha1: string;
  /** Bar files: the inferred bar length per symbol, µs (so a cache hit skips the inference). */
  readonly barLengthsUs?: readonly number[];
}

interface Meta {
  format: number;
  key: CacheKey;
  kind: TickKind;
  length: number;
  nCols: number;
  symbols: string[];
  header: ResolvedHeader;
  badRows: number;
  badSamples: BadRowSample[];
  sorted: boolean;
  sha1: string;
  barLengthsUs?: number[];
}

/**
 * What reading a cache file found: a usable entry, none (absent, another format, or made for
 * another version of the file: not a fault), or a damaged file (said, then parsed again).
 */
export type CacheRead = { readonly hit: CachedFile } | { readonly miss: true } | { readonly damaged: string };

/** SHA-1 of a whole file, hex (read in 4 MiB chunks). */
export function sha1OfFile(file: string): string {
  const h = createHash('sha1');
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 22);
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Key for a CSV file as it is now on disk. */
export function cacheKey(file: string, options: unknown): CacheKey {
  const path = resolve(file);
  const st = statSync(path, { bigint: true });
  const size = Number(st.size);
  const h = createHash('sha1');
  const fd = openSync(path, 'r');
  try {
    const blocks: [number, number][] = [
      [0, 65536],
      [Math.max(0, size - 65536), 65536],
    ];
    for (let k = 0; k < 32; k++) blocks.push([Math.floor((size * k) / 32), 4096]);
    const buf = Buffer.allocUnsafe(65536);
    for (const [pos, len] of blocks) {
      const n = readSync(fd, buf, 0, Math.min(len, buf.length), pos);
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return {
    path,
    size,
    mtimeNs: st.mtimeNs.toString(),
    fingerprint: h.digest('hex'),
    options: createHash('sha1').update(JSON.stringify(options)).digest('hex').slice(0, 16),
  };
}

function cachePath(dir: string, key: CacheKey): string {
  const name = createHash('sha1').update(`${key.path}\0${key.options}`).digest('hex').slice(0, 24);
  return join(dir, `${name}.tfc`);
}

export const sameKey = (a: CacheKey, b: CacheKey): boolean =>
  a.path === b.path && a.size === b.size && a.mtimeNs === b.mtimeNs && a.fingerprint === b.fingerprint && a.options === b.options;

/** The cached parse of a file: a hit, a miss, or a damaged file with the reason (never throws). */
export function readCache(dir: string, key: CacheKey, shared = false): CacheRead {
  const path = cachePath(dir, key);
  const miss = { miss: true } as const;
  const damaged = (why: string): CacheRead => ({ damaged: `the parse cache ${path} is damaged (${why})` });
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return miss;
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8) return size === 0 ? damaged('empty') : damaged(`${size} bytes, shorter than its header`);
    // shared: the table can go to worker threads as it is, without a copy (see LoadOptions.shared)
    const ab = shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    const bytes = new Uint8Array(ab);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) return damaged(`ends at byte ${got} of ${size}`);
      got += n;
    }
    const magic = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
    // an older format (another tickfold version) is a miss, rewritten without a word
    if (/^TFCACHE\d$/.test(magic) && magic !== MAGIC) return miss;
    if (magic !== MAGIC) return damaged('not a tickfold cache file: wrong magic bytes');
    if (size < HEAD) return damaged(`${size} bytes, shorter than its header`);
    const view = new DataView(ab);
    const metaLen = view.getUint32(8, true);
    const crc = view.getUint32(12, true);
    if (HEAD + metaLen > size) return damaged(`its metadata length ${metaLen} runs past the end of the file`);
    if (crc32(bytes.subarray(HEAD)) !== crc) return damaged('checksum mismatch');
    let meta: Meta;
    try {
      meta = JSON.parse(Buffer.from(bytes.subarray(HEAD, HEAD + metaLen)).toString('utf8')) as Meta;
    } catch {
      return damaged('its metadata is not JSON');
    }
    if (meta.format !== FORMAT || !sameKey(meta.key, key)) return miss;
    const start = align8(HEAD + metaLen);
    const n = meta.length;
    const expected = start + n * 8 * (1 + meta.nCols) + n * 2;
    if (expected !== size) return damaged(`${size} bytes where its metadata says ${expected}`);
    const ts = new Float64Array(ab, start, n);
    const cols: Float64Array[] = [];
    for (let c = 0; c < meta.nCols; c++) cols.push(new Float64Array(ab, start + n * 8 * (1 + c), n));
    const sym = new Uint16Array(ab, start + n * 8 * (1 + meta.nCols), n);
    return {
      hit: {
        table: { kind: meta.kind, length: n, symbols: meta.symbols, ts, sym, cols },
        header: meta.header,
        badRows: meta.badRows,
        badSamples: meta.badSamples,
        sorted: meta.sorted,
        sha1: meta.sha1,
        ...(meta.barLengthsUs ? { barLengthsUs: meta.barLengthsUs.map((x) => x ?? NaN) } : {}), // JSON has no NaN
      },
    };
  } catch (e) {
    return damaged(`unreadable: ${(e as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

const align8 = (x: number): number => Math.ceil(x / 8) * 8;

/** Writes the cache atomically (temp file + rename). Failures are ignored: a cache is optional. */
export function writeCache(dir: string, key: CacheKey, f: CachedFile): boolean {
  const path = cachePath(dir, key);
  const tmp = tempPathFor(path);
  try {
    mkdirSync(dir, { recursive: true });
    removeStaleTemps(dir); // of runs killed while they wrote
    const t = f.table;
    const parts: Uint8Array[] = [t.ts, ...t.cols, t.sym].map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const meta: Meta = {
      format: FORMAT,
      key,
      kind: t.kind,
      length: t.length,
      nCols: t.cols.length,
      symbols: [...t.symbols],
      header: f.header,
      badRows: f.badRows,
      badSamples: [...f.badSamples],
      sorted: f.sorted,
      sha1: f.sha1,
      ...(f.barLengthsUs ? { barLengthsUs: [...f.barLengthsUs] } : {}),
    };
    const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
    const head = Buffer.alloc(align8(HEAD + metaBytes.length));
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(metaBytes.length, 8);
    metaBytes.copy(head, HEAD);
    // the checksum of everything after it: the metadata, its padding and the columns
    let crc = crc32(head.subarray(HEAD));
    for (const p of parts) crc = crc32(p, crc);
    head.writeUInt32LE(crc, 12);
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, head);
      for (const p of parts) writeAll(fd, p);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}
