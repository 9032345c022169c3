/**
 * The generator's events (data/generate.ts) written straight into a catalog folder: no CSV, no
 * parse, no table of the whole data. Each symbol's rows fill a buffer of `partitionRows` rows
 * that is written out as a partition (data/catalog/partition.ts, atomically, with its CRC) when it
 * is full, so memory is symbols × partitionRows × (bytes of a row), whatever the events.
 *
 * Layout of a generated catalog (the catalog's own formats, catalog/entry.ts):
 *   quotes.tfi, trades.tfi              the indexes, written last
 *   quotes.<symbol id>.<seq>.tfp, ...   the partitions, per symbol in row order
 *   quotes.seq.<k>.tfs, ...             the symbol sequence (catalog/sequence.ts), written as it fills
 * Symbol ids and rows are what parsing the same events from CSV gives (ids in order of first
 * appearance, rows in event order; a test compares them byte for byte), so `run --data DIR`
 * replays a generated catalog exactly as it would the CSVs' (data/catalog/index-file.ts).
 * An index's key names itself (its file name, so the folder can move; no source file: size 0,
 * fingerprint `generated`) and the options that made it; `sha1` is the SHA-1 of its partitions' names, sizes and CRCs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemps } from '../atomic.js';
import { FORMAT, removeUnnamedPartitions, writeIndex, type CatalogEntry } from './catalog/entry.js';
import { DEFAULT_PARTITION_ROWS, writePartitionColumns, type PartitionInfo } from './catalog/partition.js';
import { sequenceChunkRows, sequenceName, writeSequenceChunk, type SequenceInfo } from './catalog/sequence.js';
import { generateEvents, type PairOptions } from './generate.js';
import { CANONICAL_HEADERS, QUOTE, TRADE, resolveHeader, type TickKind } from './schema.js';

/** What a generated catalog holds: its index files and row counts. */
export interface GeneratedCatalog {
  readonly quotesIndex: string;
  readonly tradesIndex: string | undefined;
  readonly quotes: number;
  readonly trades: number;
  readonly partitions: number;
  /** Bytes of the partitions and indexes written. */
  readonly bytes: number;
  readonly partitionRows: number;
  readonly breakEvent: number;
  readonly breakUs: number | undefined;
}

/** Bytes the generator buffers for partitions, at most, over all symbols and both kinds (sets the default partition size); the two sequences' chunks add 16 bytes × partitionRows. */
export const GENERATE_BUFFER_BYTES = 256 << 20;
/** Bytes of a buffered quote and trade row: ts, values, row index. */
const ROW_BYTES = 8 * (1 + 4) + 4 + 8 * (1 + 2) + 4;

/** Rows of a partition for `symbols` symbols: the catalog's default, or less so that every symbol's buffer fits {@link GENERATE_BUFFER_BYTES}; a power of two. */
export function generatedPartitionRows(symbols: number): number {
  const fit = Math.floor(GENERATE_BUFFER_BYTES / (symbols * ROW_BYTES));
  let p = DEFAULT_PARTITION_ROWS;
  while (p > fit && p > 1024) p >>= 1;
  return p;
}

/** One file of the catalog (quotes or trades), written partition by partition as its symbols' buffers fill. */
class KindWriter {
  private readonly ids: Int32Array;
  private readonly names: string[] = [];
  private readonly ts: Float64Array[] = [];
  private readonly cols: Float64Array[][] = [];
  private readonly row: Uint32Array[] = [];
  private readonly fill: number[] = [];
  readonly parts: PartitionInfo[][] = [];
  /** The symbol sequence: the chunk filling, the chunks written, and whether the rows stayed in time order (else none is kept). */
  private readonly seq: Uint16Array;
  private readonly chunks: SequenceInfo[] = [];
  private inOrder = true;
  private lastTs = -Infinity;
  rows = 0;
  bytes = 0;
  private readonly hash = createHash('sha1');
  constructor(
    readonly dir: string,
    readonly name: string,
    readonly kind: TickKind,
    readonly nCols: number,
    readonly symbols: readonly string[],
    readonly partitionRows: number,
  ) {
    this.ids = new Int32Array(symbols.length).fill(-1);
    this.seq = new Uint16Array(sequenceChunkRows(partitionRows));
  }

  /** The file's id of generated symbol `g` (ids in order of first appearance, as a parse gives them). */
  id(g: number): number {
    let s = this.ids[g]!;
    if (s < 0) {
      s = this.ids[g] = this.names.length;
      this.names.push(this.symbols[g]!);
      const p = this.partitionRows;
      this.ts.push(new Float64Array(p));
      this.cols.push(Array.from({ length: this.nCols }, () => new Float64Array(p)));
      this.row.push(new Uint32Array(p));
      this.fill.push(0);
      this.parts.push([]);
    }
    return s;
  }

  /** The slot of the next row of symbol id `s` (its values then set through {@link col}). */
  next(s: number, tUs: number): number {
    let n = this.fill[s]!;
    if (n === this.partitionRows) {
      this.flush(s);
      n = 0;
    }
    this.ts[s]![n] = tUs;
    const r = this.rows++;
    this.row[s]![n] = r;
    this.fill[s] = n + 1;
    if (!(tUs >= this.lastTs)) this.inOrder = false;
    this.lastTs = tUs;
    const k = r % this.seq.length;
    this.seq[k] = s;
    if (k === this.seq.length - 1) this.flushSequence(k + 1);
    return n;
  }

  /** The sequence's filled chunk (its first `n` ids) written out. */
  private flushSequence(n: number): void {
    const name = sequenceName(this.name, this.chunks.length);
    const info = writeSequenceChunk(join(this.dir, name), name, this.chunks.length * this.seq.length, this.seq.subarray(0, n));
    this.chunks.push(info);
    // (not in `sha1`: the sequence is derived from the rows, and the data's hash is the partitions')
    this.bytes += info.bytes;
  }

  col(s: number, c: number): Float64Array {
    return this.cols[s]![c]!;
  }

  private flush(s: number): void {
    const n = this.fill[s]!;
    const pname = `${this.name}.${s}.${this.parts[s]!.length}.tfp`;
    const info = writePartitionColumns(join(this.dir, pname), pname, this.kind, s, n, this.ts[s]!, this.cols[s]!, this.row[s]!);
    this.parts[s]!.push(info);
    this.hash.update(`${info.name} ${info.bytes} ${info.crc}\n`);
    this.bytes += info.bytes;
    this.fill[s] = 0;
  }

  /** The last partitions, then the index; returns the index's path. */
  finish(options: string): string {
    for (let s = 0; s < this.names.length; s++) if (this.fill[s]! > 0) this.flush(s);
    if (this.rows % this.seq.length > 0) this.flushSequence(this.rows % this.seq.length);
    const path = join(this.dir, `${this.name}.tfi`);
    const names = CANONICAL_HEADERS[this.kind];
    const entry: CatalogEntry = {
      format: FORMAT,
      key: { path: `${this.name}.tfi`, size: 0, mtimeNs: '0', fingerprint: 'generated', options },
      kind: this.kind,
      length: this.rows,
      nCols: this.nCols,
      symbols: this.names,
      header: { ...resolveHeader(path, names), delimiter: ',', tsZone: 'zoned' },
      badRows: 0,
      badSamples: [],
      sorted: false,
      sha1: this.hash.digest('hex'),
      partitions: this.parts,
      ...(this.inOrder ? { sequence: this.chunks } : {}),
    };
    writeIndex(path, entry);
    removeUnnamedPartitions(this.dir, this.name, this.parts, this.inOrder ? this.chunks : []);
    return path;
  }
}

/**
 * Generates `o`'s events into the catalog folder `dir` (quotes, and trades with `trades`). The old
 * indexes go first: a run killed half-way leaves a folder without an index (refused as data, see
 * data/catalog/index-file.ts), never an index over partitions of another generation.
 */
export function generateCatalog(o: PairOptions, dir: string, trades: boolean, partitionRows = generatedPartitionRows(o.symbols.length)): GeneratedCatalog {
  if (!(Number.isSafeInteger(partitionRows) && partitionRows > 0)) throw new RangeError(`generateCatalog: partitionRows must be a positive integer, not ${partitionRows}`);
  mkdirSync(dir, { recursive: true });
  removeStaleTemps(dir);
  for (const n of ['quotes', 'trades']) rmSync(join(dir, `${n}.tfi`), { force: true });
  const decimals = Math.max(0, Math.round(-Math.log10(o.tickSize)));
  // a price of `ticks` ticks as the CSV's text of it parses: ticks / 10^decimals, correctly rounded
  // (the tick is a power of ten: `data generate` has no option to change it)
  if (Math.abs(o.tickSize * 10 ** decimals - 1) > 1e-12) throw new RangeError(`generateCatalog: the tick size ${o.tickSize} is not a power of ten`);
  const scale = 10 ** decimals;
  const q = new KindWriter(dir, 'quotes', QUOTE, 4, o.symbols, partitionRows);
  const t = new KindWriter(dir, 'trades', TRADE, 2, o.symbols, partitionRows);
  const made = generateEvents(
    o,
    {
      quote(tUs, g, bid, ask, bidSize, askSize) {
        const s = q.id(g);
        const n = q.next(s, tUs);
        q.col(s, 0)[n] = bid / scale;
        q.col(s, 1)[n] = ask / scale;
        q.col(s, 2)[n] = bidSize;
        q.col(s, 3)[n] = askSize;
      },
      trade(tUs, g, price, size) {
        const s = t.id(g);
        const n = t.next(s, tUs);
        t.col(s, 0)[n] = price / scale;
        t.col(s, 1)[n] = size;
      },
    },
    trades,
  );
  const options = createHash('sha1').update(JSON.stringify({ ...o, trades, partitionRows })).digest('hex').slice(0, 16);
  const quotesIndex = q.finish(options);
  const tradesIndex = trades ? t.finish(options) : undefined;
  if (!trades) removeUnnamedPartitions(dir, 'trades', []);
  const indexBytes = statSync(quotesIndex).size + (tradesIndex ? statSync(tradesIndex).size : 0);
  return {
    quotesIndex,
    tradesIndex,
    quotes: q.rows,
    trades: t.rows,
    partitions: q.parts.flat().length + t.parts.flat().length,
    bytes: q.bytes + t.bytes + indexBytes,
    partitionRows,
    ...made,
  };
}
