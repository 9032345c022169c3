/**
 * The universe of a run without `--universe` (issue 32's rule): a symbol is a member from its
 * first to its last bar. When its bars end before the data's last session, the engine closes a
 * position still held at its last price (no delisting return: none is known), as it does for a
 * membership file's span that ends (membership.ts).
 *
 * Made only when it can change something: a table with bars in which some symbol's bars start
 * after the data's first session or end before its last. When every symbol spans the whole data
 * the membership is that of every session, and the run is left exactly as without one. Tick
 * data (quotes, trades) has no sessions to settle on: no membership is made for it.
 */
import { BAR } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import type { MemberSpan, MembersFile } from './members.js';
import { dataEndSession, Membership } from './membership.js';

/** Named in the refusal of an order outside a symbol's data (in place of a file's name). */
export const DATA_SPANS_SOURCE = 'no --universe: each symbol is a member from its first to its last bar';

const cache = new WeakMap<TickTable, MembersFile | null>();

/** Each symbol's span of bar sessions, or null when every one spans the data (or it has no bars). */
export function dataSpans(t: TickTable): MembersFile | null {
  const hit = cache.get(t);
  if (hit !== undefined) return hit;
  const scan = new DataSpanScan(t.symbols.length);
  scan.scan(t, 0, t.length);
  const made = scan.result(t.symbols);
  cache.set(t, made);
  return made;
}

/** {@link dataSpans} over rows given in blocks. */
export class DataSpanScan {
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  private lo = Infinity;
  private hi = -Infinity;
  constructor(nSym: number) {
    this.first = new Float64Array(nSym).fill(Infinity);
    this.last = new Float64Array(nSym).fill(-Infinity);
  }

  scan(t: TickTable, from: number, to: number): void {
    const { first, last } = this;
    const kind = t.kind;
    const sym = t.sym;
    const start = t.barStart;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = from; i < to; i++) {
      if (kind[i] !== BAR) continue;
      const s = sym[i]!;
      const b = start[i]!;
      if (b < first[s]!) first[s] = b;
      if (b > last[s]!) last[s] = b;
      if (b < lo) lo = b;
      if (b > hi) hi = b;
    }
    this.lo = lo;
    this.hi = hi;
  }

  result(symbols: readonly string[]): MembersFile | null {
    const { first, last, lo, hi } = this;
    const n = symbols.length;
    let partial = false;
    const spans = new Map<string, MemberSpan[]>();
    for (let s = 0; s < n; s++) {
      if (first[s] === Infinity) continue; // no bars: ticks only, never settled
      if (first[s]! > lo || last[s]! < hi) partial = true;
      spans.set(symbols[s]!, [{ from: first[s]!, to: last[s]!, delistingReturn: NaN, line: 0 }]);
    }
    // a symbol with ticks only is left out of the spans, so it would never be a member: no membership then
    return partial && spans.size === n ? { file: DATA_SPANS_SOURCE, spans } : null;
  }
}

/** The membership of a run without `--universe`, or undefined when it would change nothing. */
export function dataMembership(t: TickTable): Membership | undefined {
  const f = dataSpans(t);
  return f ? new Membership(t.symbols, f, dataEndSession(t)) : undefined;
}
