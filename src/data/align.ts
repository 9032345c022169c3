/**
 * Price series of several symbols on common times, for regressions and cointegration tests.
 * Bars join on their close times (only times where every symbol has a bar); ticks are sampled on
 * a grid: the last mark (mid for quotes, trade price) of each symbol at the end of every grid
 * period, from the first period in which all symbols have a price.
 */
import { BAR } from './schema.js';
import { markAt, type TickTable } from './table.js';

export interface Aligned {
  readonly ts: Float64Array;
  /** One price series per requested symbol. */
  readonly prices: readonly Float64Array[];
  readonly method: 'bar-close' | 'grid';
  readonly gridUs: number;
}

export function alignPrices(t: TickTable, symbolIds: readonly number[], gridUs: number): Aligned {
  const allBars = symbolIds.every((s) => t.symbolKinds[s] === 1 << BAR);
  if (allBars) {
    const maps = symbolIds.map(() => new Map<number, number>());
    const want = new Map(symbolIds.map((s, k) => [s, k]));
    for (let i = 0; i < t.length; i++) {
      const k = want.get(t.sym[i]!);
      if (k !== undefined && t.kind[i] === BAR) maps[k]!.set(t.ts[i]!, t.f3[i]!);
    }
    const times = [...maps[0]!.keys()].filter((ts) => maps.every((m) => m.has(ts))).sort((a, b) => a - b);
    return { ts: Float64Array.from(times), prices: maps.map((m) => Float64Array.from(times, (ts) => m.get(ts)!)), method: 'bar-close', gridUs: NaN };
  }
  const k = symbolIds.length;
  const last = new Float64Array(t.symbols.length).fill(NaN);
  const ts: number[] = [];
  const cols: number[][] = symbolIds.map(() => []);
  let bucketEnd = -Infinity;
  const flush = (): void => {
    for (let j = 0; j < k; j++) if (Number.isNaN(last[symbolIds[j]!]!)) return;
    ts.push(bucketEnd);
    for (let j = 0; j < k; j++) cols[j]!.push(last[symbolIds[j]!]!);
  };
  for (let i = 0; i < t.length; i++) {
    const time = t.ts[i]!;
    if (time >= bucketEnd) {
      if (bucketEnd > -Infinity) flush();
      bucketEnd = (Math.floor(time / gridUs) + 1) * gridUs;
    }
    const s = t.sym[i]!;
    last[s] = markAt(t, i);
  }
  if (bucketEnd > -Infinity) flush();
  return { ts: Float64Array.from(ts), prices: cols.map((c) => Float64Array.from(c)), method: 'grid', gridUs };
}
