/**
 * The tearsheet of a run (tearsheet.ts) from its record and the data it ran on:
 * - the equity curve is the initial capital followed by the equity at the end of each period,
 *   labelled as the report labels its samples (a daily sample by its day); E_0 carries the label
 *   of the period before the first;
 * - the benchmark is a buy-and-hold of the given symbols (default: the symbols the run traded;
 *   none traded: every symbol of the data), equal weights, bought at the curve's start (its
 *   last mark at or before it, or its first mark after when it has none yet): B_k = mean over
 *   the symbols of p(t_k) / p(start), a symbol not yet priced counting 1; p(t_k) the symbol's
 *   last mark at or before the sample's end (quote mid, trade price or bar close);
 * - the trade statistics use each closed round trip's return (net PnL over its entry notional).
 */
import { markAt, type TickTable } from '../data/table.js';
import { F_SYM, type RunRecord } from '../portfolio/record.js';
import { sampleLabels } from './period.js';
import { tearsheet, type Tearsheet } from './tearsheet.js';

/** A run's tearsheet with its benchmark: which symbols, why, and the buy-and-hold of the traded symbols. */
export interface RunTearsheet extends Tearsheet {
  /** The benchmark's symbols (its buy-and-hold). */
  readonly benchmarkSymbols: readonly string[];
  /** Whether they are the traded symbols (the default) or given with --benchmark. */
  readonly benchmarkIs: 'traded symbols' | 'all symbols' | 'given';
  /** The buy-and-hold return of the traded symbols over the run's span (NaN when nothing traded). */
  readonly buyAndHoldTraded: number;
}

/** Equal-weight buy-and-hold of `ids` bought at `fromTs`, at each of `sampleTs` (B_0 = 1 at the start). */
export function buyAndHoldCurve(t: TickTable, ids: readonly number[], sampleTs: Float64Array, fromTs: number): Float64Array {
  const first = new Float64Array(t.symbols.length).fill(NaN);
  const last = new Float64Array(t.symbols.length).fill(NaN);
  const want = new Uint8Array(t.symbols.length);
  for (const i of ids) want[i] = 1;
  const out = new Float64Array(sampleTs.length + 1);
  out[0] = 1;
  let row = 0;
  // the price each symbol is bought at: its last mark at or before the start
  while (row < t.length && t.ts[row]! <= fromTs) {
    const s = t.sym[row]!;
    const m = markAt(t, row);
    if (want[s] && m > 0) first[s] = last[s] = m;
    row++;
  }
  for (let k = 0; k < sampleTs.length; k++) {
    const end = sampleTs[k]!;
    while (row < t.length && t.ts[row]! <= end) {
      const s = t.sym[row]!;
      if (want[s]) {
        const m = markAt(t, row);
        if (m > 0) {
          last[s] = m;
          if (Number.isNaN(first[s]!)) first[s] = m;
        }
      }
      row++;
    }
    let sum = 0;
    for (const i of ids) sum += Number.isNaN(first[i]!) ? 1 : last[i]! / first[i]!;
    out[k + 1] = sum / ids.length;
  }
  return out;
}

/**
 * `benchmark`: the symbols given (--benchmark); `traded`: the symbols the default benchmark
 * holds when they are not this run's own (a validation measures every strategy, baselines too,
 * against the candidates' symbols).
 */
export function runTearsheet(r: RunRecord, t: TickTable, periodsPerYear: number, benchmark?: readonly string[], traded?: readonly string[]): RunTearsheet {
  const labels = sampleLabels(r.sampleTs, r.periodUs);
  const n = r.equity.length;
  const equity = new Float64Array(n + 1);
  equity[0] = r.initialCapital;
  equity.set(r.equity, 1);
  const ts = new Float64Array(n + 1);
  ts[0] = n > 0 ? labels[0]! - r.periodUs : r.firstTs;
  ts.set(labels, 1);
  const tradedIds = [...new Set(Array.from(r.fills.col(F_SYM)))]
    .map((k) => t.symbols.indexOf(r.symbols[k]!))
    .filter((i) => i >= 0)
    .sort((a, b) => a - b);
  const defaultIds = traded && traded.length > 0 ? traded.map((s) => t.symbols.indexOf(s)) : tradedIds;
  const benchIds = benchmark ? benchmark.map((s) => t.symbols.indexOf(s)) : defaultIds.length > 0 ? defaultIds : t.symbols.map((_, i) => i);
  const curve = buyAndHoldCurve(t, benchIds, r.sampleTs, r.firstTs);
  const own = tradedIds.length > 0 ? buyAndHoldCurve(t, tradedIds, r.sampleTs, r.firstTs) : undefined;
  const tradeReturns = Array.from(r.trades.rows(), (x) => x.returnFraction);
  const sheet = tearsheet(equity, ts, periodsPerYear, { benchmark: curve, tradeReturns });
  return {
    ...sheet,
    benchmarkSymbols: benchIds.map((i) => t.symbols[i]!),
    benchmarkIs: benchmark ? 'given' : defaultIds.length > 0 ? 'traded symbols' : 'all symbols',
    buyAndHoldTraded: own ? own[own.length - 1]! - 1 : NaN,
  };
}
