import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_EXECUTION, executionOf, type ShortSettings } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import type { Context, OrderRequest, Strategy } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';

/** Loads CSV texts (one per file) into a table, through the real loader. */
export async function tableOf(...csvs: string[]): Promise<TickTable> {
  const d = tempDir();
  const files = csvs.map((text, k) => {
    const p = join(d, `f${k}.csv`);
    writeFileSync(p, text.trim() + '\n');
    return p;
  });
  return (await loadData(files, { cache: false })).table;
}

export const Q = 'ts,symbol,bid,ask,bid_size,ask_size';
export const T = 'ts,symbol,price,size';
export const B = 'ts,symbol,open,high,low,close,volume';

/** A strategy that submits the given orders when it sees the event with that index. */
export function scripted(orders: Record<number, OrderRequest[]>, hooks: Partial<Strategy> = {}): Strategy & { seen: number[] } {
  const seen: number[] = [];
  const on = (ctx: Context, index: number): void => {
    seen.push(index);
    for (const o of orders[index] ?? []) ctx.submit(o);
  };
  return { ...hooks, seen, onTick: (ctx, t) => on(ctx, t.index), onBar: (ctx, b) => on(ctx, b.index) };
}

export function run(table: TickTable, strategy: Strategy, exec: ShortSettings = {}, capital = 1_000_000, more: Readonly<Record<string, string | number | boolean>> = {}): RunRecord {
  return runBacktest(table, strategy, {
    strategyName: 'test',
    initialCapital: capital,
    execution: executionOf(exec, more),
    periodUs: 60e6,
    seed: '1',
  });
}

/**
 * A strategy that trades on most ticks: `momentum` (lookback 5) over generated trades, one per
 * event; `run()` replays it again (for tests that compile first, then measure).
 */
export async function heavyTrading(events: number): Promise<{ run: () => RunRecord }> {
  const { generatePair, DEFAULT_PAIR } = await import('../../src/data/generate.js');
  const { resolveParams } = await import('../../src/strategy/params.js');
  const { BUILTIN_STRATEGIES } = await import('../../strategies/index.js');
  const dir = tempDir();
  const trades = join(dir, 't.csv');
  generatePair({ ...DEFAULT_PAIR, events, tradeProb: 1 }, join(dir, 'q.csv'), trades);
  const { table } = await loadData([trades], { cache: false });
  const m = BUILTIN_STRATEGIES.get('momentum')!;
  return { run: () => runBacktest(table, m.create(resolveParams('momentum', m.params, { lookback: '5' })), { strategyName: 'momentum', initialCapital: 1e5, execution: DEFAULT_EXECUTION, periodUs: 3600e6, seed: '1' }) };
}
