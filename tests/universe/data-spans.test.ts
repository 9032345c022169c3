/**
 * Without --universe (issue 32's rule), a symbol is a member from its first to its last bar: a
 * run through the task runner (what `tickfold run`, walk-forward and compare use) closes a
 * position whose bars end before the data's at its last close (no delisting return, order id 0),
 * refuses orders for it after that, and is left unchanged when every symbol spans the data.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { executeTask, registerStrategyModule } from '../../src/runtime/task-run.js';
import type { RunResult } from '../../src/runtime/tasks.js';
import { dataSpans, DATA_SPANS_SOURCE } from '../../src/universe/data-spans.js';
import type { StrategyModule } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';

const DAY = 86_400e6;
const START = Date.UTC(2021, 0, 4) * 1000;
const SESSIONS = 60;
const iso = (us: number): string => new Date(us / 1000).toISOString().slice(0, 10);
// AAA and BBB span the data; CCC's bars end at session 25; DDD's start at session 10
const LAST: Record<string, number> = { AAA: SESSIONS - 1, BBB: SESSIONS - 1, CCC: 25, DDD: SESSIONS - 1 };
const FIRST: Record<string, number> = { AAA: 0, BBB: 0, CCC: 0, DDD: 10 };

function writeBars(names: readonly string[]): { file: string; lastClose: Map<string, number> } {
  const rng = seedrandom('data-spans');
  const px = names.map(() => 40 + 20 * rng());
  const lastClose = new Map<string, number>();
  const rows = ['ts,symbol,open,high,low,close,volume'];
  for (let t = 0; t < SESSIONS; t++) {
    names.forEach((n, k) => {
      const open = px[k]!;
      const close = Math.round(open * Math.exp(0.03 * (rng() - 0.5)) * 100) / 100;
      px[k] = close;
      if (t < FIRST[n]! || t > LAST[n]!) return;
      rows.push(`${iso(START + t * DAY)},${n},${open},${Math.max(open, close)},${Math.min(open, close)},${close},1000`);
      if (t === LAST[n]) lastClose.set(n, close);
    });
  }
  const file = join(tempDir(), `${names.join('')}.csv`);
  writeFileSync(file, rows.join('\n') + '\n');
  return { file, lastClose };
}

/** Buys 100 of each symbol at its first price; tries one more share of every symbol every session. */
const probe: StrategyModule = {
  name: 'probe-data-spans',
  description: 'buys each symbol once, then tries a share of each every session',
  params: {},
  create() {
    const bought = new Set<string>();
    return {
      onBars(ctx) {
        for (const s of ctx.symbols) {
          if (Number.isNaN(ctx.price(s))) continue;
          ctx.submit({ symbol: s, side: 'buy', qty: bought.has(s) ? 1 : 100 });
          bought.add(s);
        }
      },
    };
  },
};

async function run(table: TickTable): Promise<RunResult> {
  const r = await executeTask(table, { kind: 'run', strategy: probe.name, params: {}, run: { execution: DEFAULT_EXECUTION, initialCapital: 1_000_000, periodUs: DAY, periodsPerYear: 252, seed: '1' } });
  if (r.kind !== 'run') throw new Error(JSON.stringify(r));
  return r;
}

describe('no --universe: a symbol is a member from its first to its last bar', () => {
  let partial: { table: TickTable; lastClose: Map<string, number> };
  let full: TickTable;
  beforeAll(async () => {
    registerStrategyModule(probe.name, probe);
    const p = writeBars(['AAA', 'BBB', 'CCC', 'DDD']);
    partial = { table: (await loadData([p.file], { cache: false })).table, lastClose: p.lastClose };
    full = (await loadData([writeBars(['AAA', 'BBB']).file], { cache: false })).table;
  });

  it("spans are each symbol's first and last bar; none when every symbol spans the data", () => {
    const f = dataSpans(partial.table)!;
    expect(f.file).toBe(DATA_SPANS_SOURCE);
    const span = (s: string) => f.spans.get(s)![0]!;
    expect([span('CCC').from, span('CCC').to]).toEqual([START, START + 25 * DAY]);
    expect([span('DDD').from, span('DDD').to]).toEqual([START + 10 * DAY, START + (SESSIONS - 1) * DAY]);
    expect(dataSpans(full)).toBeNull();
  });

  it('a position whose bars end early is closed at its last close; no order for it is accepted after', async () => {
    const { record } = await run(partial.table);
    const closes = record.fills.rows().filter((f) => f.orderId === 0);
    expect(closes.map((f) => f.symbol)).toEqual(['CCC']);
    const held = record.fills
      .rows()
      .filter((f) => f.symbol === 'CCC' && f.orderId !== 0)
      .reduce((a, f) => a + f.qty, 0);
    expect(held).toBeGreaterThan(100);
    expect(closes[0]!.qty).toBe(held);
    expect(closes[0]!.side).toBe('sell');
    expect(closes[0]!.price).toBeCloseTo(partial.lastClose.get('CCC')!, 12); // no delisting return
    const after = record.orders.rows().filter((o) => o.symbol === 'CCC' && o.ts > START + 26 * DAY);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((o) => !o.accepted)).toBe(true);
    expect(record.rejections.some((r) => r.reason.includes('CCC is not a member') && r.reason.includes(DATA_SPANS_SOURCE))).toBe(true);
    // the symbols spanning the data are never refused
    expect(
      record.orders
        .rows()
        .filter((o) => o.symbol === 'AAA')
        .every((o) => o.accepted),
    ).toBe(true);
  });

  it('every symbol spanning the data: no refusal, no settlement', async () => {
    const { record } = await run(full);
    expect(record.rejections.length).toBe(0);
    expect(record.fills.rows().some((f) => f.orderId === 0)).toBe(false);
  });
});
