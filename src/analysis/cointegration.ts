/**
 * `tickfold coint` and `tickfold pairs scan`: Engle-Granger tests of log prices, hedge ratios,
 * half-lives, and the ADF of each leg.
 */
import { UsageError, didYouMean } from '../errors.js';
import { alignPrices } from '../data/align.js';
import type { TickTable } from '../data/table.js';
import { adf, engleGranger, type AdfResult } from '../stats/adf.js';
import type { CriticalValues } from '../stats/mackinnon.js';

export interface CointOptions {
  /** Grid for tick data, µs. */
  readonly gridUs: number;
  readonly maxLag?: number;
  readonly autolag?: 'aic' | 'none';
}

export interface LegAdf {
  readonly symbol: string;
  readonly stat: number;
  readonly pValue: number;
  readonly usedLag: number;
}

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
  if (n < 20) throw new UsageError(`only ${n} common observations of ${y} and ${x}: too few for a cointegration test (need 20)`);
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
