/**
 * What a run held and over which span, from its fills: per symbol, the time of the fill that
 * first opened a position, and the end of the run when a position is still open (else the time
 * of the fill that last closed one). The buy-and-hold baseline's report says with it which
 * symbols it held from when (on the ETF file GOOG and GOOGL only from 2014-04).
 */
import { F_QTY, F_SIDE, F_SYM, F_TS, type RunRecord } from '../portfolio/record.js';
import { formatIso } from '../data/time.js';

export interface Holding {
  readonly symbol: string;
  /** Time of the first fill that opened a position, µs. */
  readonly fromUs: number;
  /** The run's end when still held, else the last fill that closed it, µs. */
  readonly toUs: number;
  /** Held at the end of the run. */
  readonly atEnd: boolean;
}

/** The symbols a run held, in the order it first opened them (ties: the run's symbol order). */
export function holdings(r: RunRecord): Holding[] {
  const n = r.symbols.length;
  const pos = new Float64Array(n);
  const from = new Float64Array(n).fill(NaN);
  const closed = new Float64Array(n).fill(NaN);
  const ts = r.fills.col(F_TS);
  const sym = r.fills.col(F_SYM);
  const side = r.fills.col(F_SIDE);
  const qty = r.fills.col(F_QTY);
  for (let i = 0; i < ts.length; i++) {
    const s = sym[i]!;
    const before = pos[s]!;
    pos[s] = before + side[i]! * qty[i]!;
    if (before === 0 && Number.isNaN(from[s]!)) from[s] = ts[i]!;
    // a position closed to within rounding of the quantities traded
    if (Math.abs(pos[s]!) <= 1e-9 * Math.abs(qty[i]!)) {
      pos[s] = 0;
      closed[s] = ts[i]!;
    }
  }
  const out: Holding[] = [];
  for (let s = 0; s < n; s++) {
    if (Number.isNaN(from[s]!)) continue;
    const atEnd = pos[s] !== 0;
    out.push({ symbol: r.symbols[s]!, fromUs: from[s]!, toUs: atEnd ? r.lastTs : closed[s]!, atEnd });
  }
  return out.sort((a, b) => a.fromUs - b.fromUs);
}

const day = (us: number): string => formatIso(us).replace(/T00:00:00(\.0+)?Z$/, '');

/** "A, B from 2024-01-03; C from 2024-01-06; all held to the end": symbols grouped by the time they were first bought. */
export function holdingsText(h: readonly Holding[]): string {
  if (h.length === 0) return 'nothing';
  const groups: { from: number; symbols: string[] }[] = [];
  for (const x of h) {
    const g = groups[groups.length - 1];
    if (g && g.from === x.fromUs) g.symbols.push(x.symbol);
    else groups.push({ from: x.fromUs, symbols: [x.symbol] });
  }
  const ends = h.every((x) => x.atEnd) ? '; all held to the end' : `; ${h.map((x) => `${x.symbol} to ${x.atEnd ? 'the end' : day(x.toUs)}`).join(', ')}`;
  return groups.map((g) => `${g.symbols.join(', ')} from ${day(g.from)}`).join('; ') + ends;
}

/** The holdings as the JSON report gives them (times as ISO strings). */
export const holdingsJson = (h: readonly Holding[]): { symbol: string; from: string; to: string; atEnd: boolean }[] => h.map((x) => ({ symbol: x.symbol, from: formatIso(x.fromUs), to: formatIso(x.toUs), atEnd: x.atEnd }));
