/**
 * Bars reach strategies only at their close. Files in the shared schema stamp a bar at its start,
 * so the close is computed: close = min(start + length, start of the symbol's next bar). The
 * length is given (`--bar-length 1h`) or inferred per symbol as the median spacing of its bar
 * starts. The `min` handles short bars: SPY's first hourly bar of a day covers 09:30-10:00 only
 * and is released at 10:00, when the next bar starts, not at 10:30.
 *
 * Daily bars stamped at midnight therefore become visible at the next midnight: a strategy sees a
 * day's bar once the day is over, never during it.
 */
import { DataError } from '../errors.js';
import type { FileTable } from './table.js';

export type BarStamp = 'start' | 'end';

export interface BarTiming {
  /** Visible (close) time per row. */
  readonly closeTs: Float64Array;
  /** Start time per row. */
  readonly startTs: Float64Array;
  /** Bar length per symbol (local ids), µs. */
  readonly lengthUs: readonly number[];
}

/** Median of the positive gaps between consecutive starts of each symbol; NaN for one bar. */
export function inferBarLengths(t: FileTable): number[] {
  const gaps: number[][] = t.symbols.map(() => []);
  const last = new Float64Array(t.symbols.length).fill(NaN);
  for (let i = 0; i < t.length; i++) {
    const s = t.sym[i]!;
    const prev = last[s]!;
    const d = t.ts[i]! - prev;
    if (d > 0) gaps[s]!.push(d);
    last[s] = t.ts[i]!;
  }
  return gaps.map((g) => {
    if (g.length === 0) return NaN;
    g.sort((a, b) => a - b);
    return g[Math.floor((g.length - 1) / 2)]!;
  });
}

export function barTiming(file: string, t: FileTable, stamp: BarStamp, lengthUs?: number): BarTiming {
  let lengths: number[];
  if (lengthUs !== undefined) lengths = t.symbols.map(() => lengthUs);
  else {
    lengths = inferBarLengths(t);
    const known = lengths.filter((x) => !Number.isNaN(x));
    const fallback = known.length > 0 ? Math.min(...known) : NaN;
    if (Number.isNaN(fallback)) {
      throw new DataError('bar-length', {
        file,
        line: 0,
        column: 0,
        rule: 'cannot infer the bar length: every symbol has a single bar',
        hint: 'give it with --bar-length, e.g. --bar-length 1d or --bar-length 5m',
      });
    }
    lengths = lengths.map((x) => (Number.isNaN(x) ? fallback : x));
  }
  const n = t.length;
  const closeTs = new Float64Array(n);
  const startTs = new Float64Array(n);
  if (stamp === 'end') {
    for (let i = 0; i < n; i++) {
      closeTs[i] = t.ts[i]!;
      startTs[i] = t.ts[i]! - lengths[t.sym[i]!]!;
    }
    return { closeTs, startTs, lengthUs: lengths };
  }
  // walk backwards so each row knows its symbol's next start
  const nextStart = new Float64Array(t.symbols.length).fill(Infinity);
  for (let i = n - 1; i >= 0; i--) {
    const s = t.sym[i]!;
    const start = t.ts[i]!;
    startTs[i] = start;
    const nx = nextStart[s]!;
    closeTs[i] = Math.min(start + lengths[s]!, nx > start ? nx : Infinity);
    nextStart[s] = start;
  }
  return { closeTs, startTs, lengthUs: lengths };
}

