/**
 * equal-weight-members, the universe baseline: on the first session of each month it holds
 * equal shares of equity in the members of that session, and trades nothing in between; a name
 * that joins mid-month waits for the next month, a name that leaves is closed by the engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { readMembersFile } from '../../src/universe/members.js';
import { Membership } from '../../src/universe/membership.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { monthOf } from '../../strategies/equal-weight-members.js';
import { resolveParams } from '../../src/strategy/params.js';
import { writeDailyUniverse } from './daily-universe.js';

const DAY = 86_400e6;
const START = Date.UTC(2020, 0, 1) * 1000; // sessions 0..89: January 1 to March 30
const SESSIONS = 90;
const NAMES = ['A', 'B', 'C', 'D', 'E'];
// D leaves on session 40 (February 9), E joins on session 45 (February 14): a member from March only for the strategy
const FROM: Record<string, number> = { A: 0, B: 0, C: 0, D: 0, E: 45 };
const TO: Record<string, number> = { A: 89, B: 89, C: 89, D: 40, E: 89 };

describe('equal-weight-members', () => {
  let table: TickTable;
  let members: Membership;
  let close: Map<string, number>; // `${sym} ${session}` -> close
  beforeAll(async () => {
    const u = writeDailyUniverse(
      'ew',
      NAMES,
      SESSIONS,
      START,
      (k) => FROM[NAMES[k]!]!,
      (k) => TO[NAMES[k]!]!,
    );
    close = u.close;
    table = (await loadData([u.bars], { cache: false })).table;
    members = new Membership(table.symbols, readMembersFile(u.members), START + (SESSIONS - 1) * DAY);
  });

  const run = (): RunRecord => {
    const m = BUILTIN_STRATEGIES.get('equal-weight-members')!;
    return runBacktest(table, m.create(resolveParams(m.name, m.params, {})), { strategyName: m.name, initialCapital: 1_000_000, execution: DEFAULT_EXECUTION, periodUs: DAY, seed: '1', universe: members });
  };

  it('orders only on the first session of each month, for the members then, at equal value', () => {
    const r = run();
    const orders = r.orders.rows().filter((o) => o.accepted);
    const session = (ts: number): number => Math.round((ts - START) / DAY) - 1; // a daily bar is seen at its close, the next midnight
    const sessions = [...new Set(orders.map((o) => session(o.ts)))].sort((a, b) => a - b);
    // January 1 (session 0), February 1 (31), March 1 (60)
    expect(sessions).toEqual([0, 31, 60]);
    for (const s of sessions.slice(1)) expect(monthOf(START + s * DAY)).toBe(monthOf(START + (s - 1) * DAY) + 1);
    // first rebalance: 1,000,000 / 4 members (E not yet) in each, at the session's close
    const first = orders.filter((o) => session(o.ts) === 0);
    expect(first.map((o) => o.symbol).sort()).toEqual(['A', 'B', 'C', 'D']);
    for (const o of first) expect(o.qty * close.get(`${o.symbol} 0`)!).toBeCloseTo(250_000, 6);
    // D left on session 40 (closed by the engine, order id 0); E is bought on March 1, not before
    expect(
      r.fills
        .rows()
        .filter((f) => f.orderId === 0)
        .map((f) => f.symbol),
    ).toEqual(['D']);
    expect(orders.filter((o) => o.symbol === 'E').map((o) => session(o.ts))).toEqual([60]);
    expect(orders.some((o) => o.symbol === 'D' && session(o.ts) > 40)).toBe(false);
    expect((r.strategySummary as { rebalances: number }).rebalances).toBe(3);
  });
});
