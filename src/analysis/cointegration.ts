/**
 * `tickfold coint` and `tickfold pairs scan`: Engle-Granger tests of log prices, hedge ratios,
 * half-lives, and the ADF of each leg; Johansen's test of a basket (`coint --method johansen`).
 */
import { UsageError, didYouMean } from '../errors.js';
import { alignPrices } from '../data/align.js';
import type { TickTable } from '../data/table.js';
import { formatDuration, formatIso } from '../data/time.js';
import { adf, engleGranger, halfLife, type AdfResult } from '../stats/adf.js';
import { johansen, type DetOrder } from '../stats/johansen.js';
import type { CriticalValues } from '../stats/mackinnon.js';

/** How `cointegration` and `scanPairs` align and test: the grid for tick data and the ADF lag rule. */
export interface CointOptions {
  /** Grid for tick data, µs. */
  readonly gridUs: number;
  readonly maxLag?: number;
  readonly autolag?: 'aic' | 'none';
}

/** One leg's ADF test (constant), on its log prices. */
export interface LegAdf {
  readonly symbol: string;
  readonly stat: number;
  readonly pValue: number;
  readonly usedLag: number;
}

/** An Engle-Granger test of ln y on ln x: statistic, p-value, hedge ratio, half-life, and the legs' ADF. */
export interface CointReport {
  readonly y: string;
  readonly x: string;
  readonly observations: number;
  readonly alignment: string;
  readonly from: number;
  readonly to: number;
  readonly stat: number;
  readonly pValue: number;
  readonly crit: CriticalValues;
  readonly usedLag: number;
  /** Slope of ln y on ln x. */
  readonly hedgeRatio: number;
  readonly intercept: number;
  /** In observations, and in elapsed µs (observations × the mean elapsed time per observation). */
  readonly halfLifeObs: number;
  readonly halfLifeUs: number;
  /** Mean elapsed time between the aligned observations (span / gaps), µs. */
  readonly elapsedPerObsUs: number;
  readonly adf: readonly LegAdf[];
}

/** The id of a symbol in a table, or a usage error with "did you mean". */
export function symbolId(t: TickTable, name: string): number {
  const i = t.symbols.indexOf(name);
  if (i < 0) {
    const near = didYouMean(name, t.symbols);
    throw new UsageError(`symbol '${name}' is not in the data${near ? `; did you mean '${near}'?` : ''} (symbols: ${t.symbols.join(', ')})`);
  }
  return i;
}

const legAdf = (symbol: string, a: AdfResult): LegAdf => ({ symbol, stat: a.stat, pValue: a.pValue, usedLag: a.usedLag });

/**
 * Elapsed time per observation: the span over the gaps. A half-life of k observations takes about
 * k times this in the data's own time, nights, weekends and holidays included (1,860 business
 * days of closes span about 2,600 calendar days; the median spacing, one day, would say 1,860).
 */
function elapsedPerObservation(ts: Float64Array): number {
  if (ts.length < 2) return NaN;
  return (ts[ts.length - 1]! - ts[0]!) / (ts.length - 1);
}

/** Engle-Granger of ln y on ln x, with (unless `legs` is false) the legs' ADF (constant). */
export function cointegration(t: TickTable, y: string, x: string, o: CointOptions, legs = true): CointReport {
  const a = aligned(t, y, x, o);
  const r = cointOnAligned(y, x, a.ly, a.lx, a.ts, o, a.alignment);
  const lagOpts = adfLagOptions(o);
  return legs ? { ...r, adf: [legAdf(y, adf(a.ly, { regression: 'c', ...lagOpts })), legAdf(x, adf(a.lx, { regression: 'c', ...lagOpts }))] } : r;
}

const adfLagOptions = (o: CointOptions) => ({ autolag: o.autolag ?? 'aic', ...(o.maxLag !== undefined ? { maxLag: o.maxLag } : {}) }) as const;

/** Log prices of two symbols on common times; too few observations is a usage error. */
function aligned(t: TickTable, y: string, x: string, o: CointOptions): { ly: Float64Array; lx: Float64Array; ts: Float64Array; alignment: string } {
  const al = alignPrices(t, [symbolId(t, y), symbolId(t, x)], o.gridUs);
  const n = al.ts.length;
  if (n < 20) throw tooFew(t, [y, x], n, al.method, o.gridUs);
  return {
    ly: al.prices[0]!.map(Math.log),
    lx: al.prices[1]!.map(Math.log),
    ts: al.ts,
    alignment: al.method === 'bar-close' ? 'bar closes present for both' : `last mark every ${o.gridUs / 1e6}s`,
  };
}

/** Engle-Granger of ly on lx (without the legs' ADF). */
function cointOnAligned(y: string, x: string, ly: Float64Array, lx: Float64Array, ts: Float64Array, o: CointOptions, alignment: string): CointReport {
  const eg = engleGranger(ly, lx, adfLagOptions(o));
  return {
    y,
    x,
    observations: ts.length,
    alignment,
    from: ts[0]!,
    to: ts[ts.length - 1]!,
    stat: eg.stat,
    pValue: eg.pValue,
    crit: eg.crit,
    usedLag: eg.usedLag,
    hedgeRatio: eg.hedgeRatio,
    intercept: eg.intercept,
    halfLifeObs: eg.halfLife,
    halfLifeUs: eg.halfLife * elapsedPerObservation(ts),
    elapsedPerObsUs: elapsedPerObservation(ts),
    adf: [],
  };
}

/** A pair of `scanPairs`: the better direction first, the other beside it. */
export interface ScanRow extends CointReport {
  /** The same pair tested the other way round (x on y). */
  readonly reverse: { readonly stat: number; readonly pValue: number; readonly hedgeRatio: number };
}

/**
 * Every pair of symbols, tested both ways on one alignment; each row gives the direction with the
 * lower p-value first. Sorted by that p-value, lowest first. Pairs with too few common
 * observations are skipped.
 */
export function scanPairs(t: TickTable, o: CointOptions): { rows: ScanRow[]; skipped: string[] } {
  const rows: ScanRow[] = [];
  const skipped: string[] = [];
  for (let i = 0; i < t.symbols.length; i++) {
    for (let j = i + 1; j < t.symbols.length; j++) {
      const a = t.symbols[i]!;
      const b = t.symbols[j]!;
      let al: ReturnType<typeof aligned>;
      try {
        al = aligned(t, a, b, o);
      } catch (e) {
        if (e instanceof UsageError) {
          skipped.push(`${a}/${b}: ${e.message}`);
          continue;
        }
        throw e;
      }
      const ab = cointOnAligned(a, b, al.ly, al.lx, al.ts, o, al.alignment);
      const ba = cointOnAligned(b, a, al.lx, al.ly, al.ts, o, al.alignment);
      const [best, other] = ba.pValue < ab.pValue ? [ba, ab] : [ab, ba];
      rows.push({ ...best, reverse: { stat: other.stat, pValue: other.pValue, hedgeRatio: other.hedgeRatio } });
    }
  }
  rows.sort((p, q) => p.pValue - q.pValue || p.y.localeCompare(q.y) || p.x.localeCompare(q.x));
  return { rows, skipped };
}

/** Too few common observations: say where each symbol's data lies, and what to change. */
function tooFew(t: TickTable, symbols: readonly string[], n: number, method: string, gridUs: number): UsageError {
  const spans = symbols.map((s) => {
    const id = t.symbols.indexOf(s);
    let a = Infinity;
    let b = -Infinity;
    let rows = 0;
    for (let i = 0; i < t.length; i++) {
      if (t.sym[i] !== id) continue;
      rows++;
      if (t.ts[i]! < a) a = t.ts[i]!;
      if (t.ts[i]! > b) b = t.ts[i]!;
    }
    return rows > 0 ? `${s} ${formatIso(a)} → ${formatIso(b)}` : `${s} no rows in the window`;
  });
  const fix = method === 'bar-close' ? 'widen --from/--to to where all the symbols have bars' : `sample on a finer grid (--every; now ${formatDuration(gridUs)}) or widen --from/--to`;
  return new UsageError(`only ${n} common observations of ${symbols.join(', ')}: too few for a cointegration test (need 20); the data: ${spans.join('; ')}; ${fix}`);
}

/** Johansen's test of a basket (`johansenReport`): statistics per rank, critical values, ranks, vectors and the first vector's spread. */
export interface JohansenReport {
  readonly method: 'johansen';
  readonly symbols: readonly string[];
  readonly observations: number;
  readonly alignment: string;
  readonly from: number;
  readonly to: number;
  readonly detOrder: DetOrder;
  readonly kArDiff: number;
  readonly nobs: number;
  /** Per r = 0..p−1 (H0: rank <= r). */
  readonly tests: readonly {
    readonly r: number;
    readonly eigenvalue: number;
    readonly trace: number;
    readonly traceCrit: { readonly '90%': number; readonly '95%': number; readonly '99%': number };
    readonly maxEig: number;
    readonly maxEigCrit: { readonly '90%': number; readonly '95%': number; readonly '99%': number };
  }[];
  readonly rankTrace: number;
  readonly rankMaxEig: number;
  /** The cointegrating vectors in eigenvalue order, each divided by its first symbol's weight. */
  readonly vectors: readonly Readonly<Record<string, number>>[];
  /** The spread of the first vector (Σ w_i ln p_i), its mean and AR(1) half-life. */
  readonly spread: { readonly mean: number; readonly sd: number; readonly halfLifeObs: number; readonly halfLifeUs: number; readonly elapsedPerObsUs: number };
}

const crit3 = (c: readonly number[]): { '90%': number; '95%': number; '99%': number } => ({ '90%': c[0]!, '95%': c[1]!, '99%': c[2]! });

/** Johansen's test on the log prices of several symbols, aligned as for Engle-Granger. */
export function johansenReport(t: TickTable, symbols: readonly string[], o: { readonly gridUs: number; readonly detOrder: DetOrder; readonly kArDiff: number }): JohansenReport {
  const ids = symbols.map((s) => symbolId(t, s));
  const al = alignPrices(t, ids, o.gridUs);
  const n = al.ts.length;
  if (n < 20) throw tooFew(t, symbols, n, al.method, o.gridUs);
  const logs = al.prices.map((p) => p.map(Math.log));
  const r = johansen(logs, o.detOrder, o.kArDiff);
  const w = r.normalized[0]!;
  const spread = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let k = 0; k < logs.length; k++) spread[i]! += w[k]! * logs[k]![i]!;
  const m = spread.reduce((a, v) => a + v, 0) / n;
  const sd = Math.sqrt(spread.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
  const hl = halfLife(spread);
  const per = elapsedPerObservation(al.ts);
  return {
    method: 'johansen',
    symbols,
    observations: n,
    alignment: al.method === 'bar-close' ? 'bar closes present for all' : `last mark every ${o.gridUs / 1e6}s`,
    from: al.ts[0]!,
    to: al.ts[n - 1]!,
    detOrder: o.detOrder,
    kArDiff: o.kArDiff,
    nobs: r.nobs,
    tests: Array.from(r.eig, (eigenvalue, i) => ({ r: i, eigenvalue, trace: r.trace[i]!, traceCrit: crit3(r.traceCrit[i]!), maxEig: r.maxEig[i]!, maxEigCrit: crit3(r.maxEigCrit[i]!) })),
    rankTrace: r.rankTrace,
    rankMaxEig: r.rankMaxEig,
    vectors: r.normalized.map((v) => Object.fromEntries(symbols.map((s, k) => [s, v[k]!]))),
    spread: { mean: m, sd, halfLifeObs: hl, halfLifeUs: hl * per, elapsedPerObsUs: per },
  };
}
