/**
 * Point-in-time membership of a universe over the symbols of a table: a symbol exists for a
 * strategy only in the sessions of its spans (members.ts). Orders outside them are refused by the
 * venue; a panel shows NaN for them; when a span ends, the engine closes a position still held at
 * the symbol's last price × (1 + its delisting return) (see {@link Membership.removals}).
 * A span that ends at or after the data's last session is no removal: the run ends there, and
 * what is held is valued at the marks, as in any run. A symbol of the data with no span is never a
 * member; a symbol of the file not in the data is listed in `absent` (the run says so).
 */
import { BAR } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import type { MembersFile } from './members.js';

export interface Removal {
  /** The last session of the span (a bar start, µs). */
  readonly session: number;
  readonly sym: number;
  /** 0 when none is given. */
  readonly delistingReturn: number;
}

export class Membership {
  /** Per symbol, its spans as [from, to] pairs, sorted. */
  private readonly spans: Float64Array[];
  /** Span ends in time order: the engine closes what is still held after each. */
  readonly removals: readonly Removal[];
  readonly absent: readonly string[];
  constructor(
    symbols: readonly string[],
    readonly file: MembersFile,
    /** The last session (bar start) of the data. */
    dataEnd: number,
  ) {
    const removals: Removal[] = [];
    this.spans = symbols.map((sym, s) => {
      const list = file.spans.get(sym) ?? [];
      for (const sp of list) if (sp.to < dataEnd) removals.push({ session: sp.to, sym: s, delistingReturn: Number.isNaN(sp.delistingReturn) ? 0 : sp.delistingReturn });
      return Float64Array.from(list.flatMap((sp) => [sp.from, sp.to]));
    });
    removals.sort((a, b) => a.session - b.session || a.sym - b.sym);
    this.removals = removals;
    const known = new Set(symbols);
    this.absent = [...file.spans.keys()].filter((k) => !known.has(k)).sort();
  }

  /** True when symbol s is a member in the session starting at `session` (µs). */
  isMember(s: number, session: number): boolean {
    const sp = this.spans[s]!;
    for (let k = 0; k < sp.length; k += 2) if (session >= sp[k]! && session <= sp[k + 1]!) return true;
    return false;
  }
}

/** The data's last session: the start of its last bar (or the time of its last event). */
export function dataEndSession(t: TickTable): number {
  for (let i = t.length - 1; i >= 0; i--) if (t.kind[i] === BAR) return t.barStart[i]!;
  return t.length > 0 ? t.ts[t.length - 1]! : -Infinity;
}
