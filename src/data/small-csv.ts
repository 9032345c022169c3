/**
 * A small settings CSV (a latency file, a symbols file), read whole with csv-parse: the header
 * (trimmed, lower case) and each non-empty row with its line number, quoted fields and BOM
 * handled. Not for tick data (that is read-file.ts's job).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataError } from '../errors.js';

export interface SmallCsv {
  readonly header: readonly string[];
  readonly rows: readonly { readonly line: number; readonly cells: readonly string[] }[];
}

/** `what` names the file in messages ("latency file"); `hint` says what it should hold. */
export function readSmallCsv(path: string, what: string, hint: string): SmallCsv {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataError(what.replace(/ /g, '-'), { file: path, line: 0, column: 0, rule: `cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, hint });
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true, trim: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? 0;
    throw new DataError(what.replace(/ /g, '-'), { file: path, line, column: 0, rule: `not a CSV the ${what} can be read from (${(e as Error).message})`, hint });
  }
  const [head, ...body] = records;
  return { header: (head?.record ?? []).map((h) => h.toLowerCase()), rows: body.map((r) => ({ line: r.info.lines, cells: r.record })) };
}
