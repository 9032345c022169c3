/**
 * A large unquoted CSV parsed on every core: the body is cut into chunks at the first line start
 * after each of a few byte offsets (no pass over the file first); worker threads read each chunk
 * with the byte reader (data/byte-reader.ts) and the same row rules, a later chunk numbering its
 * lines from 1. Once all are read, each chunk's true first line is the previous one's plus the
 * lines that one read, and its kept lines and bad rows' messages are renumbered ({@link rebase}:
 * an error that stops a chunk makes the file read on one thread, whose message is the file's
 * first). The chunks' tables (in shared memory: they come back without a copy) are joined in file order, their symbol ids mapped to the file's dictionary (ids in order of first
 * appearance, as one reader gives them). The result is, value for value, the one-thread read's
 * (tests/data/parallel-read.test.ts compares them, and the catalog partitions written from them).
 *
 * What a chunk cannot decide alone, the file is read on one thread instead (returns undefined),
 * so no message or result differs from the one-thread read: a bad row that stops the read (its
 * message must be the file's first error, and a row of a later chunk could be out of order against
 * an earlier chunk before it); a chunk whose first rows go back in time against the previous
 * chunk's last (without --sort the one-thread read would reject them against rows it has seen), or
 * bad rows before its first kept row (the one-thread read checks their order first); a chunk whose first row writes timestamps another way; a quoted field (csv-parse reads the file);
 * more symbols than a table holds.
 */
import { createHash, type Hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { readSync } from 'node:fs';
import { CHUNK, type ByteReadResult } from './byte-reader.js';
import { ParseWorkers } from './parse-workers.js';
import type { BadRowSample, RowOptions } from './rows.js';
import type { ResolvedHeader } from './schema.js';
import { f64, MAX_SYMBOLS, u16, type FileTable } from './table.js';

/** Below this many bytes of body a file is read on one thread (starting the threads costs more). */
export const PARALLEL_MIN_BYTES = 64 << 20;

export interface ParallelOptions {
  /** Threads (default: the machine's cores). */
  readonly threads?: number;
  /** Bytes of a chunk, about (default: the body split in 2 per thread). */
  readonly chunkBytes?: number;
  /** Smallest body read in parallel (default {@link PARALLEL_MIN_BYTES}). */
  readonly minBytes?: number;
  /** Threads already started (by data/load.ts, which also writes the catalog on them); else the read starts and closes its own. */
  readonly workers?: ParseWorkers;
}

/** Chunk starts: `bodyStart`, then the byte after the first newline at or after each cut. */
export function cuts(fd: number, bodyStart: number, size: number, chunkBytes: number): number[] {
  const starts = [bodyStart];
  const probe = Buffer.allocUnsafe(1 << 16);
  for (let at = bodyStart + chunkBytes; at < size; at += chunkBytes) {
    let pos = Math.max(at, starts[starts.length - 1]! + 1);
    let next = -1;
    while (pos < size && next < 0) {
      const n = readSync(fd, probe, 0, probe.length, pos);
      if (n === 0) break;
      const nl = probe.subarray(0, n).indexOf(10);
      if (nl >= 0) next = pos + nl + 1;
      else pos += n;
    }
    if (next < 0 || next >= size) break;
    if (next > starts[starts.length - 1]!) starts.push(next);
    at = Math.max(at, next - chunkBytes);
  }
  starts.push(size);
  return starts;
}

/**
 * Reads the body of an open file on worker threads (see the file's comment); undefined when it
 * must be read on one thread. With `hashing`, this thread hashes the file's bytes meanwhile (SHA-1).
 */
export async function readBytesParallel(file: string, fd: number, size: number, head: Buffer, bodyStart: number, firstLine: number, header: ResolvedHeader, opts: RowOptions & { readonly shared?: boolean; readonly keepLines?: boolean }, hashing: boolean, par: ParallelOptions = {}): Promise<{ read: ByteReadResult; hash: Hash | undefined; chunks: number } | undefined> {
  const threads = par.workers?.threads ?? par.threads ?? availableParallelism();
  if (threads < 2 || size - bodyStart < (par.minBytes ?? PARALLEL_MIN_BYTES)) return undefined;
  const starts = cuts(fd, bodyStart, size, par.chunkBytes ?? Math.ceil((size - bodyStart) / (2 * threads)));
  const chunks = starts.length - 1;
  if (chunks < 2) return undefined;
  const workers = par.workers ?? new ParseWorkers(threads);
  try {
    const run = workers.run.bind(workers);
    // no pass to count lines first: a later chunk numbers its lines from 1, and once every chunk
    // is read their true numbers follow from the lines each one read (see rebase)
    const { shared: _, ...rowOpts } = opts;
    const parsing = Promise.all(Array.from({ length: chunks }, (_, k) => run({ op: 'parse', file, start: starts[k]!, end: starts[k + 1]!, firstLine: k === 0 ? firstLine : 1, header, opts: rowOpts })));
    // meanwhile, this thread hashes the file (the threads read it too: from the page cache)
    const hash = hashing ? createHash('sha1') : undefined;
    if (hash) {
      hash.update(head);
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let pos = head.length; pos < size; ) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        hash.update(buf.subarray(0, n));
        pos += n;
      }
    }
    const results = await parsing;
    const reads: ByteReadResult[] = [];
    let line = firstLine;
    for (const [k, r] of results.entries()) {
      if (!('read' in r)) return undefined;
      const read = k === 0 ? r.read : rebase(file, r.read, line - 1);
      if (read === undefined) return undefined;
      reads.push(read);
      line = read.nextLine;
    }
    const read = join(reads, opts.sort === true);
    return read && { read, hash, chunks };
  } finally {
    if (workers !== par.workers) await workers.close();
  }
}

/**
 * A later chunk's read, numbered from line 1, renumbered from its true first line (`shift` + 1):
 * its kept rows' lines, its first row's, its bad rows' lines and messages (`file:line[:column]:`
 * first: the message of the same row read on one thread). Undefined for a message that does not
 * start so (then the file is read on one thread).
 */
export function rebase(file: string, r: ByteReadResult, shift: number): ByteReadResult | undefined {
  if (shift === 0) return r;
  const lines = r.table.lines;
  if (lines) for (let i = 0; i < lines.length; i++) lines[i]! += shift;
  const badSamples: BadRowSample[] = [];
  for (const s of r.badSamples) {
    const at = `${file}:${s.line}`;
    const next = s.message.charAt(at.length);
    if (!s.message.startsWith(at) || (next !== ':' && next !== '')) return undefined;
    badSamples.push({ line: s.line + shift, message: `${file}:${s.line + shift}${s.message.slice(at.length)}` });
  }
  return { ...r, badSamples, nextLine: r.nextLine + shift, firstRowLine: r.firstRowLine > 0 ? r.firstRowLine + shift : 0 };
}

/**
 * Whether a chunk's read can be taken as it is, as far as the chunks before it go (`later`: not
 * the file's first): its timestamps written as the file's `mode` says (the first chunk's that
 * has one, JSON), and, for a later chunk, no bad row before its first kept row (the one-thread
 * read checked their order against earlier rows first). (Rows back in time across chunks are the
 * caller's to check: with `--sort` they are not an error.) Also catalog/ingest.ts's.
 */
export function standsAlone(r: ByteReadResult, later: boolean, mode: string | undefined): boolean {
  if (r.tsMode !== undefined && mode !== undefined && JSON.stringify(r.tsMode) !== mode) return false;
  if (later && r.badRows > 0 && (r.firstRowLine === 0 || r.badSamples[0]!.line < r.firstRowLine)) return false;
  return true;
}

/** A chunk's symbol ids as the file's (ids in order of first appearance over the chunks so far: `symbols` and `ids` grow). Also catalog/ingest.ts's. */
export function fileSymbolIds(names: readonly string[], symbols: string[], ids: Map<string, number>): Uint16Array {
  return Uint16Array.from(names, (name) => {
    let id = ids.get(name);
    if (id === undefined) {
      id = symbols.length;
      symbols.push(name);
      ids.set(name, id);
    }
    return id;
  });
}

/** The chunks' tables as one, in file order; undefined when a chunk cannot stand alone (see the file's comment). */
function join(reads: readonly ByteReadResult[], sort: boolean): ByteReadResult | undefined {
  const t0 = reads[0]!.table;
  const mode = JSON.stringify(reads.find((r) => r.tsMode !== undefined)?.tsMode);
  const symbols: string[] = [];
  const ids = new Map<string, number>();
  const maps: Uint16Array[] = [];
  let n = 0;
  let lastTs = -Infinity;
  for (const r of reads) {
    const t = r.table;
    if (!standsAlone(r, r !== reads[0], mode)) return undefined;
    // rows that go back in time against an earlier chunk: the one-thread read sees them otherwise
    if (!sort && t.length > 0) {
      if (t.ts[0]! < lastTs) return undefined;
      lastTs = t.ts[t.length - 1]!;
    }
    maps.push(fileSymbolIds(t.symbols, symbols, ids));
    n += t.length;
  }
  if (symbols.length > MAX_SYMBOLS) return undefined;
  // in shared memory (whatever `shared` asked): the catalog write's threads read it without a copy
  const ts = f64(n, true);
  const sym = u16(n, true);
  const cols = t0.cols.map(() => f64(n, true));
  const lines = t0.lines ? new Int32Array(n) : undefined;
  let at = 0;
  let badRows = 0;
  let ruleRows = 0;
  const badSamples: BadRowSample[] = [];
  reads.forEach((r, k) => {
    const t = r.table;
    ts.set(t.ts, at);
    cols.forEach((c, i) => c.set(t.cols[i]!, at));
    lines?.set(t.lines!, at);
    const map = maps[k]!;
    if (map.every((id, i) => id === i)) sym.set(t.sym, at);
    else remap(sym, at, t.sym, map);
    at += t.length;
    badRows += r.badRows;
    ruleRows += r.ruleRows;
    for (const s of r.badSamples) if (badSamples.length < 5) badSamples.push(s);
  });
  const table: FileTable = { kind: t0.kind, length: n, symbols, ts, sym, cols, ...(lines ? { lines } : {}) };
  return { table, badRows, badSamples, ruleRows, tsMode: reads[0]!.tsMode, nextLine: reads[reads.length - 1]!.nextLine, firstRowLine: reads.find((r) => r.firstRowLine > 0)?.firstRowLine ?? 0 };
}

/** dst[at + i] = map[src[i]]: a chunk's symbol ids to the file's (one small function, kept monomorphic). */
function remap(dst: Uint16Array, at: number, src: Uint16Array, map: Uint16Array): void {
  for (let i = 0; i < src.length; i++) dst[at + i] = map[src[i]!]!;
}
