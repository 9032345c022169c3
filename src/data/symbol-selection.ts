/**
 * `--symbols A,B,...`: which symbols of the data a run, a validation or a check uses.
 *
 * Rule: the data is only those symbols' rows, as if the files held nothing else. Every figure of
 * the report is over those rows: the table replayed and its symbol dictionary (numbered as the
 * files' merge numbers them, file by file in merge order, each file's dictionary in its order,
 * the other symbols left out: whatever order `--symbols` names them in), the window's first and
 * last time, the sampling period chosen, the calendar, the periods with events, each symbol's
 * first time, the baselines' buy-and-hold, the events counted. What is about the files as parsed
 * stays so: the manifest's file entries (rows, symbols, bytes, SHA-1), the bad rows skipped, the
 * files left out as copies, and the checks made on whole files (the same rows in two files, a
 * folder mixing bars and ticks, bar lengths). Names that are not symbols of the data, an empty
 * list and a name given twice are refused. Without `--symbols` every symbol is in.
 *
 * Applied in memory by {@link selectRows} (data/load.ts, after the files' merge) and on the
 * catalog by selecting partitions from the index (catalog/select-symbols.ts): the two give the same
 * table, row for row (tests/data/symbol-selection.test.ts).
 */
import { didYouMean, UsageError } from '../errors.js';
import { f64, u16, u8, type TickTable } from './table.js';

/** How many of the data's symbols an error lists. */
const LISTED = 20;

/** `--symbols A,B,...` as a list: each name once, none empty; else a usage error naming the value and the fix. */
export function parseSymbolSelection(text: string): string[] {
  const names = text.split(',').map((x) => x.trim());
  if (names.every((x) => x === '')) throw new UsageError(`--symbols '${text}' names no symbol; give the symbols of the data to use, comma-separated (e.g. --symbols S01,S02), or leave it out for all of them`);
  const empty = names.indexOf('');
  if (empty >= 0) throw new UsageError(`--symbols '${text}' has an empty name (entry ${empty + 1}); write the symbols comma-separated, without empty entries (e.g. --symbols S01,S02)`);
  const twice = names.find((x, i) => names.indexOf(x) !== i);
  if (twice !== undefined) throw new UsageError(`--symbols '${text}' names ${twice} twice; name each symbol once`);
  return names;
}

/** The data's symbols as a message lists them: the first {@link LISTED}, then how many more. */
function listed(symbols: readonly string[]): string {
  return symbols.length <= LISTED ? symbols.join(', ') : `${symbols.slice(0, LISTED).join(', ')}, ... (${symbols.length} in all)`;
}

/**
 * Per symbol of `dictionary`, whether `selected` keeps it (undefined: all are kept); a name of
 * `selected` that `data` (the data's symbols, all files together) does not hold is a usage error
 * with the nearest symbol and the data's symbols.
 */
export function keptSymbols(selected: readonly string[] | undefined, data: readonly string[], dictionary: readonly string[] = data): boolean[] | undefined {
  if (selected === undefined) return undefined;
  const inData = new Set(data);
  for (const s of selected) {
    if (inData.has(s)) continue;
    // (listed in name order, not the dictionary's: a reader looks a name up)
    const sorted = [...data].sort();
    const near = didYouMean(s, sorted);
    throw new UsageError(`--symbols: ${s} is not a symbol of the data${near ? `; did you mean ${near}?` : ''} (the data's symbols: ${listed(sorted)}); --symbols keeps only the rows of the symbols it names, so each must be in the files given`);
  }
  const keep = new Set(selected);
  return dictionary.map((s) => keep.has(s));
}

/**
 * The table with only the rows of the `selected` symbols (see the file's rule), renumbered in the
 * order the table numbers them; the table itself when every symbol is kept. Columns the table
 * does not use stay empty; `shared`: in shared memory (a table bound for worker threads).
 */
export function selectRows(t: TickTable, selected: readonly string[] | undefined, shared = false): TickTable {
  const keep = keptSymbols(selected, t.symbols);
  if (keep === undefined || keep.every((k) => k)) return t;
  const id = new Int32Array(t.symbols.length).fill(-1);
  const symbols: string[] = [];
  keep.forEach((k, g) => {
    if (!k) return;
    id[g] = symbols.length;
    symbols.push(t.symbols[g]!);
  });
  const symbolKinds = u8(symbols.length);
  keep.forEach((k, g) => {
    if (k) symbolKinds[id[g]!] = t.symbolKinds[g]!;
  });
  let n = 0;
  for (let i = 0; i < t.length; i++) if (id[t.sym[i]!]! >= 0) n++;
  const col = (a: Float64Array): Float64Array => (a.length === 0 ? a : f64(n, shared));
  const out: TickTable = { length: n, symbols, symbolKinds, ts: f64(n, shared), kind: u8(n, shared), sym: u16(n, shared), f0: col(t.f0), f1: col(t.f1), f2: col(t.f2), f3: col(t.f3), f4: col(t.f4), barStart: col(t.barStart) };
  const pairs = [
    [t.ts, out.ts],
    [t.f0, out.f0],
    [t.f1, out.f1],
    [t.f2, out.f2],
    [t.f3, out.f3],
    [t.f4, out.f4],
    [t.barStart, out.barStart],
  ] as const;
  let o = 0;
  for (let i = 0; i < t.length; i++) {
    const g = id[t.sym[i]!]!;
    if (g < 0) continue;
    out.sym[o] = g;
    out.kind[o] = t.kind[i]!;
    o++;
  }
  // column by column: one pass each over the kept rows (no per-row allocation)
  for (const [from, to] of pairs) {
    if (to.length === 0) continue;
    for (let i = 0, k = 0; i < t.length; i++) if (id[t.sym[i]!]! >= 0) to[k++] = from[i]!;
  }
  return out;
}
