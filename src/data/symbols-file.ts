/**
 * A symbols file for the sizing rules: CSV with a header naming `symbol` and any of `lot_size`,
 * `min_qty`, `tick_size` (also `lot`, `min`, `tick`), one row per symbol (`*` for every symbol not
 * named); an empty cell means no rule. Errors name the file, line, column and value, with the fix.
 */
import { DataError } from '../errors.js';
import { readSmallCsv } from './small-csv.js';

export interface SymbolRow {
  lot?: number;
  minQty?: number;
  tick?: number;
}

const COLUMNS: Readonly<Record<string, keyof SymbolRow>> = { lot_size: 'lot', lot: 'lot', min_qty: 'minQty', min: 'minQty', tick_size: 'tick', tick: 'tick' };

export function readSymbolsFile(path: string): Record<string, SymbolRow> {
  const { header, rows } = readSmallCsv(path, 'symbols file', 'give a CSV with columns symbol,lot_size,min_qty,tick_size (--symbols-file)');
  const sc = header.indexOf('symbol');
  if (sc < 0) throw new DataError('symbols-file', { file: path, line: 1, column: 0, field: 'symbol', value: header.join(','), rule: "the symbols file has no column 'symbol'", hint: 'its header must be symbol, then any of lot_size, min_qty, tick_size' });
  header.forEach((h, c) => {
    if (c !== sc && !(h in COLUMNS)) throw new DataError('symbols-file', { file: path, line: 1, column: c + 1, field: h, value: h, rule: `unknown column '${h}'`, hint: 'the columns are symbol, lot_size, min_qty and tick_size' });
  });
  const out: Record<string, SymbolRow> = {};
  for (const { line, cells: f } of rows) {
    const sym = (f[sc] ?? '').trim();
    if (sym === '') throw new DataError('symbols-file', { file: path, line, column: sc + 1, field: 'symbol', value: f.join(','), rule: 'a row without a symbol', hint: 'name the symbol, or * for every symbol not named' });
    if (sym in out) throw new DataError('symbols-file', { file: path, line, column: sc + 1, field: 'symbol', value: sym, rule: `${sym} is named twice`, hint: 'one row per symbol' });
    const row: SymbolRow = {};
    header.forEach((h, c) => {
      if (c === sc) return;
      const raw = (f[c] ?? '').trim();
      if (raw === '') return;
      const v = Number(raw);
      if (!(Number.isFinite(v) && v > 0)) throw new DataError('symbols-file', { file: path, line, column: c + 1, field: h, value: raw, rule: 'not a number > 0', hint: 'write a positive number, e.g. 1 or 0.01, or leave it empty for no rule' });
      row[COLUMNS[h]!] = v;
    });
    out[sym] = row;
  }
  return out;
}
