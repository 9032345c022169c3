/**
 * A large CSV into the catalog in bounded memory: the first run of a streamed `run`, walk-forward
 * or compare (catalog/load-window.ts) no longer builds the file's whole table.
 *
 * The body is cut at line starts every {@link INGEST_CHUNK_BYTES} (data/parallel-read.ts `cuts`),
 * the chunks parsed on the worker threads (data/parse-chunk.ts, the byte reader and its row
 * rules), at most `threads + 1` of them ahead of the one this thread takes next; this thread takes
 * them in file order, numbers their lines (parallel-read.ts `rebase`), maps their symbols to the
 * file's dictionary (order of first appearance), hashes their bytes (SHA-1) and hands their rows to
 * an {@link EntryWriter}, which writes each partition and sequence chunk as it fills, then the
 * index. The catalog's files are those of the whole-table parse byte for byte, and the summary
 * (rows, symbols, bad rows and their messages, SHA-1) is the same
 * (tests/data/ingest.test.ts).
 *
 * Memory: the chunks in flight (about 0.8 bytes of table per byte of CSV: ~13 MB a chunk) and one
 * partition being filled per symbol (11.5 MB of quotes at 256Ki rows), whatever the file's length.
 * The whole-table parse it replaces held ~85 bytes a row at its peak (1.99 GB for 23M rows).
 *
 * What it leaves to the whole-table parse (returns undefined, having removed what it wrote, and
 * the caller parses the file as before, with the same result or the same error): files below
 * the parallel parse's size or on one core, Parquet, bars (their bar lengths and duplicate bars are
 * settled over the whole file), `--sort` and `--tz` (rows reordered over the whole file), quoted
 * fields, and whatever a chunk cannot decide alone (parallel-read.ts): a bad row that stops the
 * read (its message must be the file's first), rows that go back in time at a chunk's edge, bad
 * rows before a later chunk's first row, timestamps written another way, too many symbols, no
 * rows at all.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { CHUNK, type ByteReadResult } from '../byte-reader.js';
import type { CacheKey } from '../cache.js';
import { rowOptions, summarise, type FileSummary, type LoadOptions } from '../load.js';
import { cuts, fileSymbolIds, PARALLEL_MIN_BYTES, rebase, standsAlone } from '../parallel-read.js';
import type { ChunkResult } from '../parse-chunk.js';
import { ParseWorkers } from '../parse-workers.js';
import { isParquetFile } from '../parquet-reader.js';
import { csvHead } from '../read-file.js';
import { BAR, type ResolvedHeader } from '../schema.js';
import { MAX_SYMBOLS, valueColumnCount } from '../table.js';
import type { BadRowSample } from '../rows.js';
import type { CatalogEntry } from './entry.js';
import { EntryWriter, type PartitionSink } from './entry-writer.js';

/** Bytes of CSV a chunk holds, about (its table: ~13 MB of quotes). */
export const INGEST_CHUNK_BYTES = 16 << 20;

export interface Ingested {
  readonly entry: CatalogEntry;
  readonly header: ResolvedHeader;
  readonly summary: Omit<FileSummary, 'barLengthUs'>;
  /** Rows held at most by the writer's partitions being filled (tests: bounded, whatever the file's length). */
  readonly peakHeld: number;
  readonly chunks: number;
}

/** Parses `file` into the catalog entry `key` in `dir` (see the file's comment); undefined: parse it whole instead. */
export async function ingestCsv(file: string, opts: LoadOptions, dir: string, key: CacheKey): Promise<Ingested | undefined> {
  const par = opts.parallel;
  if (par === false || isParquetFile(file) || (opts.reader ?? 'auto') === 'csv') return undefined;
  const rowOpts = rowOptions(opts, file);
  if (rowOpts.sort || rowOpts.tz !== undefined) return undefined;
  const threads = par?.threads ?? availableParallelism();
  if (threads < 2) return undefined;
  const fd = openSync(file, 'r');
  let writer: EntryWriter | undefined;
  let workers: ParseWorkers | undefined;
  const inflight: Promise<ChunkResult>[] = [];
  try {
    const { size, bodyStart, firstLine, header, quoted } = csvHead(file, fd, { ...rowOpts, reader: opts.reader ?? 'auto' });
    if (size - bodyStart < (par?.minBytes ?? PARALLEL_MIN_BYTES) || quoted || header.kind === BAR) return undefined;
    const starts = cuts(fd, bodyStart, size, Math.min(par?.chunkBytes ?? INGEST_CHUNK_BYTES, Math.ceil((size - bodyStart) / (2 * threads))));
    const chunks = starts.length - 1;
    if (chunks < 2) return undefined;
    const w = (workers = new ParseWorkers(threads));
    const nCols = valueColumnCount(header.kind);
    // full partitions are written on the parse threads too (gather, CRC-32, write, fsync: 4 s of
    // this thread's 12 at 23M rows, measured), their columns moved there
    const sink: PartitionSink = async (path, name, kind, sym, n, ts, cols, row) => {
      const r = await w.run({ op: 'write-columns', path, name, kind, sym, n, ts, cols, row }, [ts.buffer, ...cols.map((c) => c.buffer), row.buffer] as ArrayBuffer[]);
      if (!('partition' in r)) throw new Error('not a partition');
      return r.partition;
    };
    let out: EntryWriter;
    try {
      out = writer = new EntryWriter(dir, key, header.kind, nCols, opts.partitionRows, sink);
    } catch {
      // a cache folder that cannot be made (read-only, not permitted): the whole-table path, which
      // runs without the cache as it does for a small file
      return undefined;
    }
    const parse = (k: number): Promise<ChunkResult> => {
      const p = w.run({ op: 'parse', file, start: starts[k]!, end: starts[k + 1]!, firstLine: k === 0 ? firstLine : 1, header, opts: rowOpts, move: true });
      // (a chunk still in flight when the file is declined is waited for, not an error)
      p.catch(() => undefined);
      return p;
    };
    const ahead = threads + 1;
    for (let k = 0; k < Math.min(ahead, chunks); k++) inflight.push(parse(k));
    const hash = (opts.contentHash ?? true) ? createHash('sha1') : undefined;
    const buf = hash ? Buffer.allocUnsafe(CHUNK) : undefined;
    let hashed = 0;
    const symbols: string[] = [];
    const ids = new Map<string, number>();
    let mode: string | undefined;
    let line = firstLine;
    let badRows = 0;
    const badSamples: BadRowSample[] = [];
    for (let k = 0; k < chunks; k++) {
      const r = await inflight[k]!;
      delete inflight[k]; // (its rows are let go once written)
      if (k + ahead < chunks) inflight[k + ahead] = parse(k + ahead);
      if (!('read' in r)) return undefined;
      const read: ByteReadResult | undefined = k === 0 ? r.read : rebase(file, r.read, line - 1);
      if (!read || !standsAlone(read, k > 0, mode)) return undefined;
      if (read.tsMode !== undefined) mode ??= JSON.stringify(read.tsMode);
      const t = read.table;
      const map = fileSymbolIds(t.symbols, symbols, ids);
      if (symbols.length > MAX_SYMBOLS || t.cols.length !== nCols) return undefined;
      try {
        out.add(t.ts, t.sym, t.cols, t.length, map.every((id, i) => id === i) ? undefined : map);
        // at most a partition per thread being written (their columns are held meanwhile)
        await out.drain(threads);
      } catch {
        // back in time against an earlier chunk (the one-thread read says so), or a write that
        // failed (the catalog is a cache: a full disk leaves the file to the whole-table path)
        return undefined;
      }
      badRows += read.badRows;
      for (const s of read.badSamples) if (badSamples.length < 5) badSamples.push(s);
      line = read.nextLine;
      // this chunk's bytes into the file's SHA-1 (the header's with the first)
      if (hash && buf) {
        for (const end = starts[k + 1]!; hashed < end; ) {
          const n = readSync(fd, buf, 0, Math.min(buf.length, end - hashed), hashed);
          if (n === 0) break;
          hash.update(buf.subarray(0, n));
          hashed += n;
        }
      }
    }
    const rows = out.rowsAdded;
    if (rows === 0) return undefined; // (the whole parse says why)
    const sha1 = hash?.digest('hex') ?? '';
    let entry: CatalogEntry;
    try {
      entry = await out.finish({ symbols, header, badRows, badSamples, sha1 });
    } catch {
      return undefined; // the catalog is a cache: a write that fails (a full disk) leaves the file to the whole-table path
    }
    writer = undefined;
    return { entry, header, summary: summarise(file, size, { length: rows, symbols }, header, badRows, badSamples, 'fast', false, hash ? sha1 : undefined), peakHeld: out.peakHeld, chunks };
  } finally {
    await writer?.abort();
    closeSync(fd);
    // the chunks in flight first: piscina, closed while a thread still answers, throws on its answer
    await Promise.allSettled(inflight);
    await workers?.close();
  }
}
