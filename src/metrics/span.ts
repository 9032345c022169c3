/**
 * The span a run's statistics are measured over: where the strategy's symbols have data.
 *
 * Rule: a strategy that names its symbols (a non-empty `symbol` or `symbols` parameter, as the
 * shipped strategies do) is measured from the first time every one of them has data; one that
 * names none, from the first data of the symbols it traded (none traded: the data's start). In
 * either case no later than its first fill, so that no period in which it held a position is left
 * out. The span runs to the end of the run. Before it the strategy could not trade, its equity is
 * flat, and its zero returns would dilute Sharpe, volatility and PSR and stretch CAGR: pairs on
 * GOOGL/GOOG of the ETF file (both from 2014-04-03) had Sharpe 0.27 over 5,849 daily periods from
 * 1998 instead of 0.49 over the 1,761 it could trade.
 */
import type { TickTable } from '../data/table.js';
import { F_SYM, F_TS, type RunRecord } from '../portfolio/record.js';
import { sampleRange } from './window.js';
import { sampleLabelTs } from './period.js';

export interface MeasuredSpan {
  /** Start of the span, µs: the record's samples ending after it are measured. */
  readonly fromUs: number;
  /** The symbols whose data set it. */
  readonly symbols: readonly string[];
  /** 'named': the strategy's symbol(s) parameter; 'traded': the symbols it filled; 'all': it traded none. */
  readonly basis: 'named' | 'traded' | 'all';
  /** Return periods of the record before the span (0: the whole record is measured). */
  readonly periodsBefore: number;
  /** The label of the span's first period, as the report labels samples (a daily one by its day). */
  readonly fromLabelUs: number;
}

/** Per symbol of the table, the time of its first row (NaN: none). One pass over the table. */
export function firstSeen(t: TickTable): Float64Array {
  const out = new Float64Array(t.symbols.length).fill(NaN);
  scanFirstSeen(t, 0, t.length, out);
  return out;
}

/** {@link firstSeen} over rows [from, to) given in order, into `out` (NaN: not seen yet); returns how many symbols are still unseen. */
export function scanFirstSeen(t: TickTable, from: number, to: number, out: Float64Array): number {
  let left = 0;
  for (let s = 0; s < out.length; s++) if (Number.isNaN(out[s]!)) left++;
  for (let i = from; i < to && left > 0; i++) {
    const s = t.sym[i]!;
    if (Number.isNaN(out[s]!)) {
      out[s] = t.ts[i]!;
      left--;
    }
  }
  return left;
}

/** The symbols a strategy's parameters name (`symbol` or `symbols`, comma-separated), or [] when none. */
export function namedSymbols(params: Readonly<Record<string, unknown>>): string[] {
  for (const k of ['symbols', 'symbol']) {
    const v = params[k];
    if (typeof v === 'string' && v.trim() !== '')
      return v
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
  }
  return [];
}

/** The span of `r` to measure (see the module comment); `first` from {@link firstSeen} of the table `symbols` index. */
export function measuredSpan(r: RunRecord, symbols: readonly string[], first: Float64Array, params: Readonly<Record<string, unknown>>): MeasuredSpan {
  const named = namedSymbols(params).filter((s) => symbols.includes(s));
  let basis: MeasuredSpan['basis'];
  let set: string[];
  let from: number;
  if (named.length > 0) {
    basis = 'named';
    set = named;
    from = -Infinity;
    for (const s of named) from = Math.max(from, first[symbols.indexOf(s)]!);
  } else {
    const syms = r.fills.col(F_SYM);
    const seen = new Set<string>();
    for (let i = 0; i < syms.length; i++) seen.add(r.symbols[syms[i]!]!);
    set = symbols.filter((s) => seen.has(s));
    basis = set.length > 0 ? 'traded' : 'all';
    if (set.length === 0) set = [...symbols];
    from = Infinity;
    for (const s of set) from = Math.min(from, first[symbols.indexOf(s)]!);
  }
  const fills = r.fills.col(F_TS);
  if (fills.length > 0) from = Math.min(from, fills[0]!);
  if (!Number.isFinite(from)) from = r.firstTs;
  // the span starts with the period in which its data starts (that period's sample ends at or after it)
  from -= 1;
  const [k0] = sampleRange(r.sampleTs, from, Infinity);
  const fromLabelUs = k0 < r.sampleTs.length ? sampleLabelTs(r.sampleTs[k0]!, r.periodUs) : r.firstTs;
  return { fromUs: from, symbols: set, basis, periodsBefore: k0, fromLabelUs };
}

/** "from 2014-04-04 (when GOOGL, GOOG, the symbols it names, have data): 1,761 of 5,849 periods". */
export function spanText(m: MeasuredSpan, periods: number, day: (us: number) => string): string {
  const list = m.symbols.length <= 6 ? m.symbols.join(', ') : `${m.symbols.length} symbols`;
  const who = m.basis === 'named' ? `the symbols it names (${list})` : m.basis === 'traded' ? `the symbols it traded (${list})` : 'the data (it traded nothing)';
  const total = periods + m.periodsBefore;
  return m.periodsBefore > 0
    ? `from ${day(m.fromLabelUs)} (when ${who} have data, or its first fill): ${periods.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} periods; Sharpe, CAGR, volatility and PSR over this span`
    : `the whole run, ${periods.toLocaleString('en-US')} periods (${who} ${m.basis === 'all' ? 'from' : 'have data from'} its start)`;
}
