/**
 * The `--symbols` model (data/symbol-selection.ts): the list's rules, the refusal of a name not in
 * the data, and the table cut to the symbols named, numbered in the table's order whatever the
 * order named. (In memory = streamed = files holding only those rows: tests/data/catalog-stream.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { keptSymbols, parseSymbolSelection, selectRows } from '../../src/data/symbol-selection.js';
import { UsageError } from '../../src/errors.js';
import { mergeTables, type FileTable } from '../../src/data/table.js';
import { QUOTE, TRADE } from '../../src/data/schema.js';

describe('--symbols: the list', () => {
  it('takes names comma-separated, trimmed, in the order given', () => {
    expect(parseSymbolSelection('S02, S01')).toEqual(['S02', 'S01']);
  });
  it('refuses an empty list, an empty name and a name given twice, as usage errors (exit 2)', () => {
    for (const [text, said] of [
      ['', /names no symbol/],
      [' , ', /names no symbol/],
      ['A,,B', /has an empty name \(entry 2\)/],
      ['A,B,A', /names A twice/],
    ] as const) {
      expect(() => parseSymbolSelection(text), text).toThrow(UsageError);
      expect(() => parseSymbolSelection(text), text).toThrow(said);
    }
  });
  it('refuses a name not in the data with the nearest one and the first 20 of the data symbols, in name order', () => {
    const data = Array.from({ length: 30 }, (_, i) => `S${String(30 - i).padStart(2, '0')}`);
    expect(() => keptSymbols(['S05', 'S5O'], data)).toThrow(/--symbols: S5O is not a symbol of the data; did you mean S\d\d\? \(the data's symbols: S01, S02, .*, S20, \.\.\. \(30 in all\)\)/);
    expect(keptSymbols(['S05', 'S30'], data, ['S30', 'S29', 'S05'])).toEqual([true, false, true]);
    expect(keptSymbols(undefined, data)).toBeUndefined();
  });
});

/** A file table of `rows` ([ts, symbol, value]) of one kind. */
function fileTable(kind: typeof TRADE | typeof QUOTE, symbols: string[], rows: [number, number, number][]): FileTable {
  const n = rows.length;
  const nCols = kind === TRADE ? 2 : 4;
  return { kind, length: n, symbols, ts: Float64Array.from(rows, (r) => r[0]), sym: Uint16Array.from(rows, (r) => r[1]), cols: Array.from({ length: nCols }, (_, c) => Float64Array.from(rows, (r) => r[2] + c)) };
}

describe('selectRows', () => {
  const trades = fileTable(TRADE, ['B', 'A'], [
    [1, 0, 10],
    [2, 1, 20],
    [3, 0, 11],
  ]);
  const quotes = fileTable(QUOTE, ['C', 'A'], [
    [1, 0, 30],
    [2, 1, 40],
    [4, 0, 31],
  ]);
  const table = mergeTables([trades, quotes].map((t) => ({ table: t, visibleTs: t.ts })));

  it('keeps the rows of the symbols named, numbered in the table order (not the order named), their kinds, and NaN where a kind has no value', () => {
    expect(table.symbols).toEqual(['B', 'A', 'C']);
    const t = selectRows(table, ['C', 'A']);
    expect(t.symbols).toEqual(['A', 'C']);
    expect(Array.from(t.symbolKinds)).toEqual([(1 << TRADE) | (1 << QUOTE), 1 << QUOTE]);
    expect(Array.from(t.ts)).toEqual([1, 2, 2, 4]);
    expect(Array.from(t.sym)).toEqual([1, 0, 0, 1]);
    expect(Array.from(t.kind)).toEqual([QUOTE, TRADE, QUOTE, QUOTE]);
    expect(Array.from(t.f0)).toEqual([30, 20, 40, 31]);
    expect(Array.from(t.f2)).toEqual([32, NaN, 42, 33]);
    expect(t.barStart.length).toBe(0);
  });
  it('gives the table itself when every symbol is named, or none is asked', () => {
    expect(selectRows(table, ['A', 'C', 'B'])).toBe(table);
    expect(selectRows(table, undefined)).toBe(table);
  });
  it('refuses a name the table does not hold', () => {
    expect(() => selectRows(table, ['A', 'D'])).toThrow(/D is not a symbol of the data.*\(the data's symbols: A, B, C\)/);
  });
});
