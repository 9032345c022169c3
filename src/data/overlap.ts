/**
 * The same data in two files loaded together: a bar of one symbol and start, or an identical tick
 * row (time, symbol and every value), found in two files of one kind.
 *
 * Rule: such rows would be replayed twice (a CSV beside its Parquet copy doubled every bar and
 * halved a momentum run's PnL), so they are never merged silently. Two files whose rows are the
 * same (a copy), or one whose rows all appear, with the same values, in the other (a part of it),
 * are loaded once: the other is left out and the run says so. Any other overlap is an error naming
 * both files and the first shared row in each; with `--on-bad-row skip` the later file's shared
 * rows are dropped and counted as its bad rows. (Within one file, identical trade and quote rows
 * stay: several prints in one instant are real events; two bars of one start are refused by
 * read-file.ts.)
 */
import { BAR, type TickKind } from './schema.js';
import type { FileTable } from './table.js';

/** The rows two files share. */
export interface Overlap {
  /** Rows of `b` that are also in `a` (bars: the same symbol and start; ticks: the same row). */
  readonly count: number;
  /** Row of the first shared pair in `a` and in `b` (-1 when none). */
  readonly firstA: number;
  readonly firstB: number;
  /** The first shared pair whose values differ (bars only; -1 when all agree). */
  readonly diffA: number;
  readonly diffB: number;
  /** `b`'s shared rows (1 = shared), when asked for. */
  readonly sharedB: Uint8Array | undefined;
}

const NONE: Overlap = { count: 0, firstA: -1, firstB: -1, diffA: -1, diffB: -1, sharedB: undefined };

const same = (x: number, y: number): boolean => x === y || (x !== x && y !== y); // NaN (unknown) equals NaN

function sameValues(a: FileTable, i: number, b: FileTable, j: number): boolean {
  for (let c = 0; c < a.cols.length; c++) if (!same(a.cols[c]![i]!, b.cols[c]![j]!)) return false;
  return true;
}

/**
 * The rows of `b` also in `a` (two files of one kind, each in time order): one pass over both.
 * Bars match by symbol and start (bars of one symbol whose lengths differ are not compared); tick rows by time, symbol and values, one to one (two equal
 * prints in `b` match two in `a`, not one twice).
 */
export function findOverlap(a: FileTable, b: FileTable, markShared: boolean, barLengthsA?: readonly number[], barLengthsB?: readonly number[]): Overlap {
  if (a.kind !== b.kind || a.length === 0 || b.length === 0) return NONE;
  if (a.ts[a.length - 1]! < b.ts[0]! || b.ts[b.length - 1]! < a.ts[0]!) return NONE;
  // b's symbol ids in a's dictionary (-1: a does not have it)
  const ids = new Map<string, number>();
  a.symbols.forEach((s, i) => ids.set(s, i));
  // bars of different lengths (a daily and an hourly file of one symbol) are different series
  const lengthOk = (sa: number, sb: number): boolean => {
    const la = barLengthsA?.[sa] ?? NaN;
    const lb = barLengthsB?.[sb] ?? NaN;
    return la === lb || Number.isNaN(la) || Number.isNaN(lb);
  };
  const toA = Int32Array.from(b.symbols, (s, sb) => {
    const sa = ids.get(s) ?? -1;
    return sa >= 0 && lengthOk(sa, sb) ? sa : -1;
  });
  if (toA.every((x) => x < 0)) return NONE;
  const bars = (a.kind as TickKind) === BAR;
  const usedA = bars ? undefined : new Uint8Array(a.length);
  const sharedB = markShared ? new Uint8Array(b.length) : undefined;
  let count = 0;
  let firstA = -1;
  let firstB = -1;
  let diffA = -1;
  let diffB = -1;
  const na = a.length;
  const nb = b.length;
  let i = 0;
  let j = 0;
  while (i < na && j < nb) {
    const ta = a.ts[i]!;
    const tb = b.ts[j]!;
    if (ta < tb) {
      i++;
      continue;
    }
    if (tb < ta) {
      j++;
      continue;
    }
    let i1 = i + 1;
    while (i1 < na && a.ts[i1] === ta) i1++;
    let j1 = j + 1;
    while (j1 < nb && b.ts[j1] === ta) j1++;
    for (let q = j; q < j1; q++) {
      const s = toA[b.sym[q]!]!;
      if (s < 0) continue;
      for (let p = i; p < i1; p++) {
        if (a.sym[p] !== s) continue;
        if (bars) {
          if (diffA < 0 && !sameValues(a, p, b, q)) {
            diffA = p;
            diffB = q;
          }
        } else {
          if (usedA![p] === 1 || !sameValues(a, p, b, q)) continue;
          usedA![p] = 1;
        }
        if (count === 0) {
          firstA = p;
          firstB = q;
        }
        count++;
        if (sharedB) sharedB[q] = 1;
        break;
      }
    }
    i = i1;
    j = j1;
  }
  return count === 0 ? NONE : { count, firstA, firstB, diffA, diffB, sharedB };
}

/** How two overlapping files relate: the same rows, one a part of the other, or a partial overlap. */
export function relation(a: FileTable, b: FileTable, o: Overlap): 'none' | 'copy' | 'a-in-b' | 'b-in-a' | 'overlap' {
  if (o.count === 0) return 'none';
  if (o.diffA >= 0) return 'overlap';
  if (o.count === a.length && o.count === b.length) return 'copy';
  if (o.count === b.length) return 'b-in-a';
  if (o.count === a.length) return 'a-in-b';
  return 'overlap';
}

/** Each symbol's first and last stamp in a table (rows in time order): [first, last] per symbol id, +/-Infinity when it has none. */
function symbolSpans(t: FileTable): Float64Array {
  const s = new Float64Array(2 * t.symbols.length);
  for (let k = 0; k < t.symbols.length; k++) {
    s[2 * k] = Infinity;
    s[2 * k + 1] = -Infinity;
  }
  for (let i = 0; i < t.length; i++) {
    const k = t.sym[i]!;
    const ts = t.ts[i]!;
    if (ts < s[2 * k]!) s[2 * k] = ts;
    if (ts > s[2 * k + 1]!) s[2 * k + 1] = ts;
  }
  return s;
}

/** The first symbol of `a` that two tables of one kind both hold over overlapping times (undefined: none); catalog indexes given together are refused on it (catalog/index-file.ts catalogsOverlap). */
export function sharedSpanSymbol(a: FileTable, b: FileTable): string | undefined {
  if (a.kind !== b.kind) return undefined;
  const [sa, sb] = [symbolSpans(a), symbolSpans(b)];
  return a.symbols.find((name, i) => {
    const j = b.symbols.indexOf(name);
    return j >= 0 && sa[2 * i]! <= sb[2 * j + 1]! && sb[2 * j]! <= sa[2 * i + 1]!;
  });
}
