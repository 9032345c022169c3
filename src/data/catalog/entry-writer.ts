/**
 * A file's catalog entry written as its rows arrive, in file order, in bounded memory: the
 * partitions and symbol-sequence chunks that {@link writeEntry} writes from a whole table, byte for
 * byte (each symbol's rows cut every `partitionRows`, the sequence every
 * {@link sequenceChunkRows}), written as each one fills; the index last ({@link finish}).
 *
 * What it holds: per symbol, the rows of its partition being filled (grown as needed, up to
 * `partitionRows`), at most heldRowsMax rows in all ({@link cutAfterRow}: past it every partition
 * being filled is cut), and one chunk of the sequence: whatever the file's length and its number of symbols (a
 * parse that builds the whole table holds every row: ~43 bytes a quote, 1 GB at 23M rows).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps } from '../../atomic.js';
import type { CacheKey } from '../cache.js';
import type { BadRowSample } from '../rows.js';
import type { ResolvedHeader, TickKind } from '../schema.js';
import { entryName, indexEntry, removeUnnamedPartitions, writeIndex, type CatalogEntry } from './entry.js';
import { CUT_ALL, CUT_SYMBOL, cutAfterRow, DEFAULT_PARTITION_ROWS, writePartitionColumns, type PartitionInfo } from './partition.js';
import { sequenceChunkRows, sequenceName, writeSequenceChunk, type SequenceInfo } from './sequence.js';

/** One symbol's partition being filled. */
interface Pending {
  n: number;
  ts: Float64Array;
  cols: Float64Array[];
  row: Uint32Array;
  /** Partitions of the symbol written (or being written) so far. */
  readonly parts: (PartitionInfo | Promise<PartitionInfo>)[];
}

/**
 * Writes a full partition elsewhere (the ingest's parse threads: catalog/ingest.ts), its columns
 * moved there; the writer then fills new ones. Without it, partitions are written on this thread.
 */
export type PartitionSink = (path: string, name: string, kind: TickKind, sym: number, n: number, ts: Float64Array, cols: readonly Float64Array[], row: Uint32Array) => Promise<PartitionInfo>;

/** What the index says of the file besides its rows (the parse's facts). */
export interface EntryFacts {
  readonly symbols: readonly string[];
  readonly header: ResolvedHeader;
  readonly badRows: number;
  readonly badSamples: readonly BadRowSample[];
  readonly sha1: string;
}

export class EntryWriter {
  private readonly name: string;
  private readonly pending: Pending[] = [];
  private readonly chunkRows: number;
  private seq: Uint16Array;
  private seqN = 0;
  private readonly sequence: SequenceInfo[] = [];
  /** Rows added so far (the next row's index in the file's table). */
  private rows = 0;
  private lastTs = -Infinity;
  /** Rows added so far. */
  get rowsAdded(): number {
    return this.rows;
  }

  /** Rows held now (partitions being filled), and the most ever held. */
  held = 0;
  peakHeld = 0;

  constructor(
    private readonly dir: string,
    private readonly key: CacheKey,
    private readonly kind: TickKind,
    private readonly nCols: number,
    private readonly partitionRows = DEFAULT_PARTITION_ROWS,
    private readonly sink?: PartitionSink,
  ) {
    this.name = entryName(key);
    this.chunkRows = sequenceChunkRows(partitionRows);
    this.seq = new Uint16Array(Math.min(this.chunkRows, 1 << 16));
    mkdirSync(dir, { recursive: true });
    removeStaleTemps(dir); // of runs killed while they wrote
  }

  /**
   * Appends rows `from..to` of a chunk of the file (its columns; `sym` in the file's ids, mapped
   * by `map` when given). Throws when a stamp goes back in time: a file whose rows are not in
   * time order is not written this way (its sequence would not hold).
   */
  add(ts: Float64Array, sym: Uint16Array, cols: readonly Float64Array[], n: number, map?: Uint16Array): void {
    for (let i = 0; i < n; i++) {
      const t = ts[i]!;
      if (!(t >= this.lastTs)) throw new Error(`row ${this.rows} goes back in time`);
      this.lastTs = t;
      const s = map ? map[sym[i]!]! : sym[i]!;
      const p = this.pending[s] ?? this.open(s);
      if (p.n === p.ts.length) this.grow(p);
      const k = p.n++;
      p.ts[k] = t;
      for (let c = 0; c < this.nCols; c++) p.cols[c]![k] = cols[c]![i]!;
      p.row[k] = this.rows++;
      this.held++;
      const cut = cutAfterRow(p.n, this.held, this.partitionRows);
      if (cut === CUT_SYMBOL) this.flush(s, p);
      else if (cut === CUT_ALL) for (const [q, o] of this.pending.entries()) if (o !== undefined && o.n > 0) this.flush(q, o);
      if (this.seqN === this.seq.length) this.growSeq();
      this.seq[this.seqN++] = s;
      if (this.seqN === this.chunkRows) this.flushSeq();
    }
    if (this.held > this.peakHeld) this.peakHeld = this.held;
  }

  /** Partitions handed to the sink and not written yet. */
  private writing = 0;

  /** Until at most `n` partitions are being written by the sink (the columns they hold are bounded so). */
  async drain(n: number): Promise<void> {
    const all = this.pending.flatMap((p) => p?.parts ?? []);
    for (let k = 0; this.writing > n && k < all.length; k++) if (all[k] instanceof Promise) await all[k];
  }

  /** Writes what is left and the index; returns the entry. */
  async finish(facts: EntryFacts): Promise<CatalogEntry> {
    const partitions = await Promise.all(
      facts.symbols.map(async (_, s) => {
        const p = this.pending[s];
        if (!p) return [];
        if (p.n > 0) this.flush(s, p);
        return await Promise.all(p.parts.map(async (x) => await x));
      }),
    );
    if (this.seqN > 0) this.flushSeq();
    const entry = indexEntry(this.key, { kind: this.kind, length: this.rows, nCols: this.nCols, symbols: facts.symbols }, { ...facts, sorted: false }, partitions, this.sequence);
    writeIndex(join(this.dir, `${this.name}.tfi`), entry);
    removeUnnamedPartitions(this.dir, this.name, partitions, this.sequence);
    return entry;
  }

  /** Removes what was written (no index names it: the file is parsed again another way), once the writes under way are done. */
  async abort(): Promise<void> {
    rmSync(join(this.dir, `${this.name}.tfi`), { force: true });
    for (const [s, p] of this.pending.entries()) {
      for (const [k, info] of (p?.parts ?? []).entries()) {
        await Promise.resolve(info).catch(() => undefined);
        rmSync(join(this.dir, `${this.name}.${s}.${k}.tfp`), { force: true });
      }
    }
    for (const info of this.sequence) rmSync(join(this.dir, info.name), { force: true });
  }

  private open(s: number): Pending {
    const cap = Math.min(this.partitionRows, 1024);
    const p: Pending = { n: 0, ts: new Float64Array(cap), cols: Array.from({ length: this.nCols }, () => new Float64Array(cap)), row: new Uint32Array(cap), parts: [] };
    this.pending[s] = p;
    return p;
  }

  /** Doubles a partition's buffers, up to `partitionRows` (a symbol with few rows holds few). */
  private grow(p: Pending): void {
    const cap = Math.min(this.partitionRows, p.ts.length * 2);
    const more = (a: Float64Array): Float64Array => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    p.ts = more(p.ts);
    p.cols = p.cols.map(more);
    const row = new Uint32Array(cap);
    row.set(p.row);
    p.row = row;
  }

  private flush(s: number, p: Pending): void {
    const name = `${this.name}.${s}.${p.parts.length}.tfp`;
    const path = join(this.dir, name);
    if (this.sink) {
      // the columns go with the write (moved: they may be detached here as soon as the sink is
      // called, so the size is read first); the next partition fills new ones
      const cap = p.ts.length;
      this.writing++;
      const job = this.sink(path, name, this.kind, s, p.n, p.ts, p.cols, p.row).finally(() => this.writing--);
      job.catch(() => undefined); // (a failed write is met by drain, finish or abort, which await it)
      p.parts.push(job);
      p.ts = new Float64Array(cap);
      p.cols = p.cols.map(() => new Float64Array(cap));
      p.row = new Uint32Array(cap);
    } else p.parts.push(writePartitionColumns(path, name, this.kind, s, p.n, p.ts, p.cols, p.row));
    this.held -= p.n;
    p.n = 0;
  }

  private growSeq(): void {
    const b = new Uint16Array(Math.min(this.chunkRows, this.seq.length * 2));
    b.set(this.seq);
    this.seq = b;
  }

  private flushSeq(): void {
    const name = sequenceName(this.name, this.sequence.length);
    this.sequence.push(writeSequenceChunk(join(this.dir, name), name, this.rows - this.seqN, this.seq.subarray(0, this.seqN)));
    this.seqN = 0;
  }
}
