/**
 * A catalog index given as data: `--data DIR/quotes.tfi`, or `--data DIR` for a folder that holds
 * indexes and no CSV or Parquet files (a catalog written by `tickfold data generate --catalog`,
 * data/generate-catalog.ts). The index is read by its path, whatever its key (there is no source
 * file to compare with), checked against its own CRC, and its partitions each against theirs as
 * they are read, exactly as a cached file's are. What cannot be done for it is a rebuild: a damaged
 * index or partition is an error naming the file and saying to generate the catalog again.
 */
import { dirname } from 'node:path';
import { DataError, UsageError } from '../../errors.js';
import type { LoadOptions } from '../load.js';
import { parseFlagGiven } from '../parse-flags.js';
import type { ResolvedHeader } from '../schema.js';
import type { FileTable } from '../table.js';
import { FORMAT, olderFormat, readEntryTable, readIndexFile, type CatalogEntry } from './entry.js';
import { PartitionDamaged } from './partition.js';

/** Whether a data path names a catalog index. */
export const isCatalogIndex = (file: string): boolean => file.toLowerCase().endsWith('.tfi');

/** A damaged index or partition of the catalog index at `file`: an error naming it and how to write it again. */
export const catalogDamaged = (file: string, why: string): DataError =>
  new DataError('catalog-damaged', {
    file,
    line: 0,
    column: 0,
    rule: why,
    hint: `a catalog given as data has no source file to parse again: write it again (tickfold data generate --catalog ${dirname(file)} with the options that made it)`,
  });

/** Reads the index at `file` (a data error when it is missing or damaged). */
export function readCatalogIndex(file: string): CatalogEntry {
  const read = readIndexFile(file);
  if ('damaged' in read) throw catalogDamaged(file, read.damaged);
  if ('miss' in read) throw new DataError('no-such-file', { file, line: 0, column: 0, rule: 'no such catalog index', hint: 'check the path' });
  if (read.hit.format !== FORMAT) throw catalogDamaged(file, olderFormat(file, read.hit.format));
  return read.hit;
}

/** The whole table of the index at `file`, from its partitions (each checked as it is read). */
export function loadCatalogIndex(file: string, shared: boolean): { entry: CatalogEntry; table: FileTable; header: ResolvedHeader } {
  const entry = readCatalogIndex(file);
  try {
    return { entry, table: readEntryTable(dirname(file), entry, shared), header: entry.header };
  } catch (e) {
    if (e instanceof PartitionDamaged) throw catalogDamaged(file, e.message);
    throw e;
  }
}

/**
 * Two catalog indexes of one kind that hold a symbol over overlapping times (`symbol`, the first
 * shared): refused. Their rows could only be compared (a copy left out, a shared row found) by
 * holding both whole, and two generated catalogs of one seed repeat each other's events.
 */
export const catalogsOverlap = (a: string, b: string, symbol: string): DataError =>
  new DataError('same-data-twice', {
    file: b,
    line: 0,
    column: 0,
    value: symbol,
    rule: `${b} and ${a} are catalogs of one kind that both hold ${symbol} over overlapping times: their rows would be replayed together, the same events perhaps twice`,
    hint: `give one of the two; or, to replay both, generate them over times that do not overlap (--start) or with other symbols (--symbols)`,
  });

/** Bytes of a catalog file's data: its partitions. */
export const catalogBytes = (e: CatalogEntry): number => e.partitions.reduce((a, ps) => ps.reduce((b, p) => b + p.bytes, a), 0);

/** Options that shape a parse, when every input is a catalog index (already parsed): refused, not ignored. */
export function checkCatalogOnlyOptions(files: readonly string[], opts: LoadOptions): void {
  if (files.length === 0 || !files.every(isCatalogIndex)) return;
  const given = parseFlagGiven(opts, false);
  if (given) throw new UsageError(`${given} applies to CSV and Parquet files, and every input is a catalog index, already parsed (${files.join(', ')}): leave it out`);
}
