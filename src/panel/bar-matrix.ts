/**
 * A field of a table's bars as a dense matrix: rows = the calendar (the sorted distinct bar
 * start times of the table, over every symbol), columns = symbols, NaN where a symbol has no bar
 * in a session. No forward or back fill: a missing session stays missing (../shared/data's README:
 * "do not treat it as a zero return").
 */
import { UsageError } from '../errors.js';
import { BAR } from '../data/schema.js';
import type { TickTable } from '../data/table.js';

export type BarField = 'open' | 'high' | 'low' | 'close' | 'volume';
const COLUMN: Readonly<Record<BarField, 'f0' | 'f1' | 'f2' | 'f3' | 'f4'>> = { open: 'f0', high: 'f1', low: 'f2', close: 'f3', volume: 'f4' };

export interface BarMatrix {
  /** Bar start time of each row (µs), increasing. */
  readonly calendar: Float64Array;
  readonly symbols: readonly string[];
  readonly rows: number;
  readonly cols: number;
  /** Row-major: values[t * cols + s]. */
  readonly values: Float64Array;
}

export function barMatrix(table: TickTable, field: BarField = 'close'): BarMatrix {
  const n = table.length;
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if (table.kind[i] === BAR) starts.push(table.barStart[i]!);
  if (starts.length === 0) throw new UsageError('the data has no bars: a panel is built from bars (ts,symbol,open,high,low,close,volume)');
  starts.sort((a, b) => a - b);
  const cal: number[] = [];
  for (const s of starts) if (cal.length === 0 || cal[cal.length - 1] !== s) cal.push(s);
  const calendar = Float64Array.from(cal);
  const index = new Map<number, number>();
  for (let t = 0; t < calendar.length; t++) index.set(calendar[t]!, t);
  const cols = table.symbols.length;
  const values = new Float64Array(calendar.length * cols).fill(NaN);
  const col = table[COLUMN[field]];
  for (let i = 0; i < n; i++) {
    if (table.kind[i] !== BAR) continue;
    values[index.get(table.barStart[i]!)! * cols + table.sym[i]!] = col[i]!;
  }
  return { calendar, symbols: table.symbols, rows: calendar.length, cols, values };
}
