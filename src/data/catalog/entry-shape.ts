/**
 * What an index must hold to be read at all: the shape of a {@link CatalogEntry}, checked when an
 * index is read (its CRC says only that its bytes are the ones written, not that they were written
 * by tickfold). An index that fails is damaged: a cache's is rebuilt from its file, a catalog given
 * as data is refused naming it; before, a hand-made index with `symbols: [{}]` or
 * `partitions: null` ended in an internal error with a stack trace, one naming `../../etc/passwd`
 * had that file's size said, and one with `length: 1e12` was reported as 10^12 rows.
 */
import { valueColumnCount, MAX_SYMBOLS } from '../table.js';
import type { CatalogEntry } from './entry.js';

const isInt = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
/** A JSON object (not an array, not null). */
export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** A file name in the catalog's own folder: no folder in it. */
const plainName = (x: unknown, ext: string): boolean => typeof x === 'string' && x.endsWith(ext) && !/[\\/]/.test(x) && !x.startsWith('.');

/** Why `x` (an index's parsed JSON) is not a catalog entry, or undefined when it is one. */
export function entryShapeProblem(x: unknown): string | undefined {
  if (!isObject(x)) return 'not an object';
  const { kind, length, nCols, symbols, partitions, sequence, key, header, badRows, badSamples, sorted, sha1, barLengthsUs } = x;
  if (!isObject(key) || typeof key.path !== 'string') return 'no key';
  if (kind !== 0 && kind !== 1 && kind !== 2) return `kind ${JSON.stringify(kind)}`;
  if (!isInt(length)) return `length ${JSON.stringify(length)}`;
  if (nCols !== valueColumnCount(kind)) return `nCols ${JSON.stringify(nCols)} for its kind`;
  if (!Array.isArray(symbols) || symbols.length > MAX_SYMBOLS || !symbols.every((s) => typeof s === 'string' && s !== '')) return 'symbols not a list of names';
  if (new Set(symbols).size !== symbols.length) return 'a symbol named twice';
  if (!isObject(header) || !isInt(badRows) || !Array.isArray(badSamples) || typeof sorted !== 'boolean' || typeof sha1 !== 'string') return "the parse's facts (header, bad rows, sorted, SHA-1) missing";
  if (barLengthsUs !== undefined && (!Array.isArray(barLengthsUs) || barLengthsUs.length !== symbols.length || !barLengthsUs.every((l) => l === null || (typeof l === 'number' && l > 0)))) return 'bar lengths not one per symbol';
  if (!Array.isArray(partitions) || partitions.length !== symbols.length) return 'partitions not one list per symbol';
  let rows = 0;
  for (const [s, parts] of partitions.entries()) {
    if (!Array.isArray(parts)) return `partitions of symbol ${s} not a list`;
    let last = -Infinity;
    for (const p of parts as unknown[]) {
      if (!isObject(p) || !plainName(p.name, '.tfp') || p.sym !== s || !isInt(p.rows, 1) || !isInt(p.bytes, 1) || !isInt(p.crc)) return `a partition of symbol ${s} is not one (${JSON.stringify(isObject(p) ? p.name : p)})`;
      if (typeof p.firstTs !== 'number' || typeof p.lastTs !== 'number' || !(p.firstTs <= p.lastTs) || !(p.firstTs >= last)) return `partition ${String(p.name)}'s times are out of order`;
      last = p.lastTs;
      rows += p.rows;
    }
  }
  if (rows !== length) return `its partitions hold ${rows} rows where it says ${length}`;
  if (sequence !== undefined) {
    if (!Array.isArray(sequence)) return 'its symbol sequence is not a list';
    let next = 0;
    for (const c of sequence as unknown[]) {
      if (!isObject(c) || !plainName(c.name, '.tfs') || c.firstRow !== next || !isInt(c.rows, 1) || !isInt(c.bytes, 1) || !isInt(c.crc)) return 'a chunk of its symbol sequence is not one';
      next += c.rows as number;
    }
    if (next !== length) return `its symbol sequence holds ${next} rows where it says ${length}`;
  }
  return undefined;
}

