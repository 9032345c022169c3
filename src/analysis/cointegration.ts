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
  /** In observations, and in µs using the median spacing of the aligned times. */
  readonly halfLifeObs: number;
  readonly halfLifeUs: number;
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

function medianSpacing(ts: Float64Array): number {
  if (ts.length < 2) return NaN;
  const d = new Float64Array(ts.length - 1);
  for (let i = 1; i < ts.length; i++) d[i - 1] = ts[i]! - ts[i - 1]!;
  d.sort();
  return d[Math.floor((d.length - 1) / 2)]!;
}

/** Engle-Granger of ln y on ln x, with (unless `legs` is false) the legs' ADF (constant). */
export function cointegration(t: TickTable, y: string, x: string, o: CointOptions, legs = true): CointReport {
  const al = alignPrices(t, [symbolId(t, y), symbolId(t, x)], o.gridUs);
  const n = al.ts.length;
  if (n < 20) throw new UsageError(`only ${n} common observations of ${y} and ${x}: too few for a cointegration test (need 20)`);
  const ly = al.prices[0]!.map(Math.log);
  const lx = al.prices[1]!.map(Math.log);
  const lagOpts = { autolag: o.autolag ?? 'aic', ...(o.maxLag !== undefined ? { maxLag: o.maxLag } : {}) } as const;
  const eg = engleGranger(ly, lx, lagOpts);
  return {
    y,
    x,
    observations: n,
    alignment: al.method === 'bar-close' ? 'bar closes present for both' : `last mark every ${o.gridUs / 1e6}s`,
    from: al.ts[0]!,
    to: al.ts[n - 1]!,
    stat: eg.stat,
    pValue: eg.pValue,
    crit: eg.crit,
    usedLag: eg.usedLag,
    hedgeRatio: eg.hedgeRatio,
    intercept: eg.intercept,
    halfLifeObs: eg.halfLife,
    halfLifeUs: eg.halfLife * medianSpacing(al.ts),
    adf: legs ? [legAdf(y, adf(ly, { regression: 'c', ...lagOpts })), legAdf(x, adf(lx, { regression: 'c', ...lagOpts }))] : [],
  };
}

export interface ScanRow extends CointReport {
  /** The same pair tested the other way round (x on y). */
  readonly reverse: { readonly stat: number; readonly pValue: number; readonly hedgeRatio: number };
}

/**
 * Every pair of symbols, tested both ways; each row gives the direction with the lower p-value
 * first. Sorted by that p-value, lowest first. Pairs with too few common observations are skipped.
 */
export function scanPairs(t: TickTable, o: CointOptions): { rows: ScanRow[]; skipped: string[] } {
  const rows: ScanRow[] = [];
  const skipped: string[] = [];
  const lagOpts = { autolag: o.autolag ?? 'aic', ...(o.maxLag !== undefined ? { maxLag: o.maxLag } : {}) } as const;
  for (let i = 0; i < t.symbols.length; i++) {
    for (let j = i + 1; j < t.symbols.length; j++) {
      const a = t.symbols[i]!;
      const b = t.symbols[j]!;
      let ab: CointReport;
      try {
        ab = cointegration(t, a, b, o, false);
      } catch (e) {
        if (e instanceof UsageError) {
          skipped.push(`${a}/${b}: ${e.message}`);
          continue;
        }
        throw e;
      }
      const al = alignPrices(t, [i, j], o.gridUs);
      const ba = engleGranger(al.prices[1]!.map(Math.log), al.prices[0]!.map(Math.log), lagOpts);
      if (ba.pValue < ab.pValue) {
        rows.push({
          ...ab,
          y: b,
          x: a,
          stat: ba.stat,
          pValue: ba.pValue,
          usedLag: ba.usedLag,
          hedgeRatio: ba.hedgeRatio,
          intercept: ba.intercept,
          halfLifeObs: ba.halfLife,
          halfLifeUs: ba.halfLife * medianSpacing(al.ts),
          reverse: { stat: ab.stat, pValue: ab.pValue, hedgeRatio: ab.hedgeRatio },
        });
      } else rows.push({ ...ab, reverse: { stat: ba.stat, pValue: ba.pValue, hedgeRatio: ba.hedgeRatio } });
    }
  }
  rows.sort((p, q) => p.pValue - q.pValue || p.y.localeCompare(q.y) || p.x.localeCompare(q.x));
  return { rows, skipped };
}
