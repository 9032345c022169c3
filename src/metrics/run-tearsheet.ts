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
  const b = new BuyAndHoldScan(t.symbols.length, ids, sampleTs, fromTs);
  b.scan(t, 0, t.length);
  return b.result();
}

/** {@link buyAndHoldCurve} over rows given in blocks, in order. */
export class BuyAndHoldScan {
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  private readonly want: Uint8Array;
  private readonly out: Float64Array;
  /** Still among the rows at or before the start (the price each symbol is bought at: its last mark then). */
  private atStart = true;
  /** The next sample to close. */
  private k = 0;

  constructor(
    nSym: number,
    private readonly ids: readonly number[],
    private readonly sampleTs: Float64Array,
    private readonly fromTs: number,
  ) {
    this.first = new Float64Array(nSym).fill(NaN);
    this.last = new Float64Array(nSym).fill(NaN);
    this.want = new Uint8Array(nSym);
    for (const i of ids) this.want[i] = 1;
    this.out = new Float64Array(sampleTs.length + 1);
    this.out[0] = 1;
  }

  private close(k: number): void {
    let sum = 0;
    for (const i of this.ids) sum += Number.isNaN(this.first[i]!) ? 1 : this.last[i]! / this.first[i]!;
    this.out[k + 1] = sum / this.ids.length;
  }

  scan(t: TickTable, from: number, to: number): void {
    const { first, last, want, sampleTs } = this;
    const nSamples = sampleTs.length;
    for (let row = from; row < to; row++) {
      const x = t.ts[row]!;
      const s = t.sym[row]!;
      if (this.atStart) {
        if (x <= this.fromTs) {
          const m = markAt(t, row);
          if (want[s] && m > 0) first[s] = last[s] = m;
          continue;
        }
        this.atStart = false;
      }
      // samples that end before this row: closed with the marks as they stand
      while (this.k < nSamples && x > sampleTs[this.k]!) this.close(this.k++);
      if (this.k >= nSamples) return;
      if (want[s]) {
        const m = markAt(t, row);
        if (m > 0) {
          last[s] = m;
          if (Number.isNaN(first[s]!)) first[s] = m;
        }
      }
    }
  }

  /** The curve, once every row has been scanned. */
  result(): Float64Array {
    while (this.k < this.sampleTs.length) this.close(this.k++);
    return this.out;
  }
}

/**
 * `benchmark`: the symbols given (--benchmark); `traded`: the symbols the default benchmark
 * holds when they are not this run's own (a validation measures every strategy, baselines too,
 * against the candidates' symbols).
 */
export function runTearsheet(r: RunRecord, t: TickTable, periodsPerYear: number, benchmark?: readonly string[], traded?: readonly string[]): RunTearsheet {
  const ids = benchmarkIds(r, t.symbols, benchmark, traded);
  const curve = (which: readonly number[]): Float64Array => buyAndHoldCurve(t, which, r.sampleTs, r.firstTs);
  return tearsheetWith(r, t.symbols, periodsPerYear, ids, curve(ids.bench), ids.traded.length > 0 ? curve(ids.traded) : undefined);
}

/** The symbols of a run's benchmark and those it traded (ids in `symbols`), and which default applied. */
export interface BenchmarkIds {
  readonly bench: readonly number[];
  readonly traded: readonly number[];
  readonly is: RunTearsheet['benchmarkIs'];
}

/** See {@link runTearsheet}: the benchmark's symbols. */
export function benchmarkIds(r: RunRecord, symbols: readonly string[], benchmark?: readonly string[], traded?: readonly string[]): BenchmarkIds {
  const tradedIds = [...new Set(Array.from(r.fills.col(F_SYM)))]
    .map((k) => symbols.indexOf(r.symbols[k]!))
    .filter((i) => i >= 0)
    .sort((a, b) => a - b);
  const defaultIds = traded && traded.length > 0 ? traded.map((s) => symbols.indexOf(s)) : tradedIds;
  const bench = benchmark ? benchmark.map((s) => symbols.indexOf(s)) : defaultIds.length > 0 ? defaultIds : symbols.map((_, i) => i);
  return { bench, traded: tradedIds, is: benchmark ? 'given' : defaultIds.length > 0 ? 'traded symbols' : 'all symbols' };
}

/** The tearsheet from the benchmark's curve and the traded symbols' (undefined: none traded), made by {@link buyAndHoldCurve} or a {@link BuyAndHoldScan}. */
export function tearsheetWith(r: RunRecord, symbols: readonly string[], periodsPerYear: number, ids: BenchmarkIds, curve: Float64Array, own: Float64Array | undefined): RunTearsheet {
  const labels = sampleLabels(r.sampleTs, r.periodUs);
  const n = r.equity.length;
  const equity = new Float64Array(n + 1);
  equity[0] = r.initialCapital;
  equity.set(r.equity, 1);
  const ts = new Float64Array(n + 1);
  ts[0] = n > 0 ? labels[0]! - r.periodUs : r.firstTs;
  ts.set(labels, 1);
  const tradeReturns = Array.from(r.trades.rows(), (x) => x.returnFraction);
  const sheet = tearsheet(equity, ts, periodsPerYear, { benchmark: curve, tradeReturns });
  return {
    ...sheet,
    benchmarkSymbols: ids.bench.map((i) => symbols[i]!),
    benchmarkIs: ids.is,
    buyAndHoldTraded: own ? own[own.length - 1]! - 1 : NaN,
  };
}
