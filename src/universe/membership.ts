/**
 * Point-in-time membership of a universe over the symbols of a table: a symbol exists for a
 * strategy only in the sessions of its spans (members.ts). Orders outside them are refused by the
 * venue; a panel shows NaN for them; when a span ends, the engine closes a position still held at
 * the symbol's last price × (1 + its delisting return) (see {@link Membership.removals}).
 * A span that ends at or after the data's last session is no removal: the run ends there, and
 * what is held is valued at the marks, as in any run.
 *
 * A span covers the times [from, end): `to` written as a date (a UTC midnight, as a daily bar's
 * start) covers that whole day, so that ticks and intraday bars of the span's last day are in it;
 * `to` written as another time covers up to and including that instant. For daily bars (stamped
 * at midnight) this is exactly "from <= session <= to". On tick data (no bars, hence no sessions)
 * the engine settles a removal at the first event at or after `end`, at the symbol's last price
 * before it (engine.ts, settleTickRemovals). A symbol of the data with no span is never a
 * member; a symbol of the file not in the data is listed in `absent` (the run says so).
 */
import { BAR } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import type { MembersFile } from './members.js';
import { US_PER_DAY } from '../data/time.js';

/** The end of a span (exclusive): the day after a date, the instant after another time. */
export const spanEnd = (to: number): number => (to % US_PER_DAY === 0 ? to + US_PER_DAY : to + 1);

export interface Removal {
  /** The last session of the span (a bar start, µs). */
  readonly session: number;
  /** The span's end (exclusive, µs: {@link spanEnd}): on tick data the removal is settled at the first event at or after it. */
  readonly end: number;
  readonly sym: number;
  /** 0 when none is given. */
  readonly delistingReturn: number;
}

export class Membership {
  /** Per symbol, its spans as [from, end) pairs, sorted. */
  private readonly spans: Float64Array[];
  /** Span ends in time order: the engine closes what is still held after each. */
  readonly removals: readonly Removal[];
  readonly absent: readonly string[];
  constructor(
    symbols: readonly string[],
    readonly file: MembersFile,
    /** The last session (bar start) of the data, or the time of its last event when it has no bars. */
    dataEnd: number,
  ) {
    const removals: Removal[] = [];
    this.spans = symbols.map((sym, s) => {
      const list = file.spans.get(sym) ?? [];
      for (const sp of list) if (spanEnd(sp.to) <= dataEnd) removals.push({ session: sp.to, end: spanEnd(sp.to), sym: s, delistingReturn: Number.isNaN(sp.delistingReturn) ? 0 : sp.delistingReturn });
      return Float64Array.from(list.flatMap((sp) => [sp.from, spanEnd(sp.to)]));
    });
    removals.sort((a, b) => a.session - b.session || a.sym - b.sym);
    this.removals = removals;
    const known = new Set(symbols);
    this.absent = [...file.spans.keys()].filter((k) => !known.has(k)).sort();
  }

  /** True when symbol s is a member in the session starting at `session` (µs). */
  isMember(s: number, session: number): boolean {
    const sp = this.spans[s]!;
    for (let k = 0; k < sp.length; k += 2) if (session >= sp[k]! && session < sp[k + 1]!) return true;
    return false;
  }
}

/** The data's last session: the start of its last bar (or the time of its last event). */
export function dataEndSession(t: TickTable): number {
  for (let i = t.length - 1; i >= 0; i--) if (t.kind[i] === BAR) return t.barStart[i]!;
  return t.length > 0 ? t.ts[t.length - 1]! : -Infinity;
}
