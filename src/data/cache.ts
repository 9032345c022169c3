/**
 * The parse cache's key and content: what makes a parsed file reusable.
 *
 * A file's parse is kept in the catalog (data/catalog/: partitions and an index, in
 * `.tickfold-cache/` under the working directory or `--cache-dir`), one entry per (path, parse
 * options). It is used only when the file's size, mtime (ns) and sampled content fingerprint all
 * still match, and each part's own CRC-32 checks out; otherwise the file is parsed again and the
 * entry rewritten. The fingerprint hashes the first and last 64 KiB and 32 evenly spaced 4 KiB
 * blocks: hashing the whole file on every load would cost more than the parse it saves. The full
 * SHA-1 of the file, taken while it was parsed, is kept for run manifests.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BadRowSample } from './rows.js';
import type { ResolvedHeader } from './schema.js';
import type { FileTable } from './table.js';

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

export const sameKey = (a: CacheKey, b: CacheKey): boolean =>
  a.path === b.path && a.size === b.size && a.mtimeNs === b.mtimeNs && a.fingerprint === b.fingerprint && a.options === b.options;
