/**
 * The options that shape a parse, by the flag that gives them, in the order a refusal names them:
 * when no input can use one (every input Parquet, or every input an already parsed catalog index),
 * it is refused, not ignored (load.ts `checkCsvOnlyOptions`, catalog/index-file.ts
 * `checkCatalogOnlyOptions`). `csv`: it applies to CSV only (Parquet has its own schema).
 */
import type { LoadOptions } from './load.js';

const PARSE_FLAGS: readonly { readonly flag: string; readonly csv: boolean; readonly given: (o: LoadOptions) => boolean }[] = [
  { flag: '--delimiter', csv: true, given: (o) => o.delimiter !== undefined },
  { flag: '--reader', csv: true, given: (o) => o.reader !== undefined && o.reader !== 'auto' },
  { flag: '--header', csv: true, given: (o) => o.header !== undefined },
  { flag: '--columns', csv: false, given: (o) => o.columns !== undefined },
  { flag: '--date-order', csv: true, given: (o) => o.dateOrder !== undefined },
  { flag: '--thousands', csv: true, given: (o) => o.thousands !== undefined },
  { flag: '--tz', csv: false, given: (o) => o.tz !== undefined },
  { flag: '--ts-unit', csv: false, given: (o) => o.tsUnit !== undefined },
  { flag: '--sort', csv: false, given: (o) => o.sort === true },
  { flag: '--symbol', csv: false, given: (o) => o.symbol !== undefined || o.fileSymbols !== undefined },
];

/** The first parse flag given (of the CSV-only ones with `csvOnly`), or undefined. */
export function parseFlagGiven(opts: LoadOptions, csvOnly: boolean): string | undefined {
  return PARSE_FLAGS.find((f) => (f.csv || !csvOnly) && f.given(opts))?.flag;
}
