/**
 * Removals on tick-only data (trades, no bars, no sessions): a members file's span covers its
 * last day whole (`to` a date), and a position still held when the span ends is closed at the
 * symbol's last trade before the end × (1 + delisting return), by a fill with order id 0 at the
 * first event at or after the end; orders outside membership are refused; a span that ends on
 * the data's last day is no removal.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { readMembersFile } from '../../src/universe/members.js';
import { dataEndSession, Membership } from '../../src/universe/membership.js';
import type { Strategy } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';

const DAY = 86_400e6;
const D0 = Date.UTC(2020, 0, 6) * 1000; // Monday 6 January 2020; three days of trades, 14:30-21:00 UTC
const OPEN = 14.5 * 3600e6;
const iso = (us: number): string => new Date(us / 1000).toISOString().replace('.000Z', 'Z');
const SYMS = ['AAA', 'BBB', 'CCC', 'DDD'];

describe('removals on tick-only data', () => {
  let table: TickTable;
  let members: Membership;
  const trades: { ts: number; sym: string; px: number }[] = [];
  beforeAll(async () => {
    const rng = seedrandom('ticks');
    const px: Record<string, number> = { AAA: 50, BBB: 80, CCC: 20, DDD: 40 };
    for (let d = 0; d < 3; d++) {
      for (let k = 0; k < 200; k++) {
        const ts = D0 + d * DAY + OPEN + k * 117e6 + Math.floor(rng() * 1000) * 1000;
        const sym = SYMS[k % 4]!;
        px[sym] = Math.round(px[sym]! * (1 + 0.002 * (rng() - 0.5)) * 100) / 100;
        trades.push({ ts, sym, px: px[sym]! });
      }
    }
    trades.sort((a, b) => a.ts - b.ts || a.sym.localeCompare(b.sym));
    const d = tempDir();
    writeFileSync(join(d, 'trades.csv'), ['ts,symbol,price,size', ...trades.map((t) => `${iso(t.ts)},${t.sym},${t.px},100`)].join('\n') + '\n');
    // BBB leaves after day 1 (Tuesday) at -50%, CCC joins on day 1, DDD leaves on the last day (no removal)
    writeFileSync(join(d, 'members.csv'), 'symbol,from,to,delisting_return\nAAA,2020-01-06,2020-01-08,\nBBB,2020-01-06,2020-01-07,-0.5\nCCC,2020-01-07,2020-01-08,\nDDD,2020-01-06,2020-01-08,-1\n');
    table = (await loadData([join(d, 'trades.csv')], { cache: false })).table;
    members = new Membership(table.symbols, readMembersFile(join(d, 'members.csv')), dataEndSession(table));
  });

  /** Buys 10 of every symbol at its first trade of each day; logs each attempt. */
  const run = (universe: Membership | undefined): { r: RunRecord; tried: { sym: string; day: number; ok: boolean }[] } => {
    const tried: { sym: string; day: number; ok: boolean }[] = [];
    const seen = new Set<string>();
    const s: Strategy = {
      onTick(ctx, t) {
        const day = Math.floor((t.ts - D0) / DAY);
        if (seen.has(`${t.symbol} ${day}`)) return;
        seen.add(`${t.symbol} ${day}`);
        const res = ctx.targetPosition(t.symbol, ctx.position(t.symbol) + ctx.pending(t.symbol) + 10);
        tried.push({ sym: t.symbol, day, ok: res?.ok ?? false });
      },
    };
    const r = runBacktest(table, s, { strategyName: 'buy-each-day', initialCapital: 1_000_000, execution: DEFAULT_EXECUTION, periodUs: 3600e6, seed: '1', ...(universe ? { universe } : {}) });
    return { r, tried };
  };

  it('orders only inside membership: a span written as a date covers its whole last day', () => {
    const { tried } = run(members);
    const ok = (sym: string): number[] => tried.filter((x) => x.sym === sym && x.ok).map((x) => x.day);
    expect(ok('AAA')).toEqual([0, 1, 2]);
    expect(ok('BBB')).toEqual([0, 1]); // a member through Tuesday, refused on Wednesday
    expect(ok('CCC')).toEqual([1, 2]); // refused on Monday
    expect(ok('DDD')).toEqual([0, 1, 2]);
    expect(tried.filter((x) => !x.ok).map((x) => `${x.sym} ${x.day}`)).toEqual(['CCC 0', 'BBB 2']);
  });

  it("a removal closes the position at the last trade before the span's end × (1 + delisting return), at the first event after it", () => {
    const { r } = run(members);
    const closes = r.fills.rows().filter((f) => f.orderId === 0);
    expect(closes.map((f) => f.symbol)).toEqual(['BBB']); // DDD's span ends with the data: no removal
    const end = D0 + 2 * DAY;
    const lastBefore = trades.filter((t) => t.sym === 'BBB' && t.ts < end).at(-1)!;
    const firstAfter = trades.find((t) => t.ts >= end)!;
    const f = closes[0]!;
    expect(f.side).toBe('sell');
    expect(f.qty).toBe(20);
    expect(f.price).toBeCloseTo(lastBefore.px * 0.5, 10);
    expect(f.ts).toBe(firstAfter.ts);
    // the books: nothing left in BBB; the biased run (no universe) still holds 30 of it
    expect(
      r.fills
        .rows()
        .filter((x) => x.symbol === 'BBB')
        .reduce((a, x) => a + (x.side === 'buy' ? x.qty : -x.qty), 0),
    ).toBe(0);
    const biased = run(undefined).r;
    expect(
      biased.fills
        .rows()
        .filter((x) => x.symbol === 'BBB')
        .reduce((a, x) => a + (x.side === 'buy' ? x.qty : -x.qty), 0),
    ).toBe(30);
    expect(biased.fills.rows().some((x) => x.orderId === 0)).toBe(false);
  });
});
