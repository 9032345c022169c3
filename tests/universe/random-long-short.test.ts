/**
 * random-long-short, the second universe baseline: on the first session of each month it draws
 * (from the run's seed) round(share × members) names long and as many short among the members of
 * that session, Σ |value| = gross × equity, dollar neutral; in a walk-forward with a universe its
 * gross is the candidate's measured mean gross exposure.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { readMembersFile, type MembersFile } from '../../src/universe/members.js';
import { Membership } from '../../src/universe/membership.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { resolveParams } from '../../src/strategy/params.js';
import { meanGrossLeverage } from '../../src/metrics/gross-exposure.js';
import { walkForward } from '../../src/jobs/walk-forward.js';
import { writeDailyUniverse } from './daily-universe.js';

const DAY = 86_400e6;
const START = Date.UTC(2020, 0, 1) * 1000; // sessions 0..119: January 1 to April 29
const SESSIONS = 120;
const N = 20;
const NAMES = Array.from({ length: N }, (_, k) => `N${String(k).padStart(2, '0')}`);
// N00-N03 leave on session 40; N04-N05 join on session 50
const FROM = (k: number): number => (k === 4 || k === 5 ? 50 : 0);
const TO = (k: number): number => (k < 4 ? 40 : SESSIONS - 1);
const session = (ts: number): number => Math.round((ts - START) / DAY) - 1; // a daily bar is seen at its close

describe('random-long-short', () => {
  let table: TickTable;
  let members: MembersFile;
  let membership: Membership;
  let close: Map<string, number>;
  beforeAll(async () => {
    const u = writeDailyUniverse('rls', NAMES, SESSIONS, START, FROM, TO);
    close = u.close;
    table = (await loadData([u.bars], { cache: false })).table;
    members = readMembersFile(u.members);
    membership = new Membership(table.symbols, members, START + (SESSIONS - 1) * DAY);
  });

  const run = (params: Record<string, string>, seed = '1'): RunRecord => {
    const m = BUILTIN_STRATEGIES.get('random-long-short')!;
    return runBacktest(table, m.create(resolveParams(m.name, m.params, params)), { strategyName: m.name, initialCapital: 1_000_000, execution: DEFAULT_EXECUTION, periodUs: DAY, seed, universe: membership });
  };

  it('each month: round(share × members) long and as many short among the members, Σ|value| = gross × equity, dollar neutral', () => {
    const r = run({ gross: '0.9', share: '0.2' }); // within the venue's default max leverage of 1
    expect(r.rejections).toEqual([]);
    const orders = r.orders.rows().filter((o) => o.accepted);
    const sessions = [...new Set(orders.map((o) => session(o.ts)))].sort((a, b) => a - b);
    expect(sessions).toEqual([0, 31, 60, 91]); // January 1, February 1, March 1, April 1
    for (const o of orders) expect(membership.isMember(table.symbols.indexOf(o.symbol), START + session(o.ts) * DAY)).toBe(true);
    // the book right after each rebalance: replay the fills (orders of a session fill at its next bar)
    const pos = new Map<string, number>();
    const fills = r.fills.rows();
    const books: { s: number; held: Map<string, number> }[] = [];
    for (const s of sessions) {
      for (const f of fills) if (session(f.ts) <= s + 1 && session(f.ts) > (books.at(-1)?.s ?? -2) + 1) pos.set(f.symbol, (pos.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
      books.push({ s, held: new Map([...pos].filter(([, q]) => Math.abs(q) > 1e-9)) });
    }
    const picks: string[] = [];
    for (const { s, held } of books) {
      const n = NAMES.filter((_, k) => FROM(k) <= s && s <= TO(k)).length;
      const side = Math.round(0.2 * n);
      const longs = [...held].filter(([, q]) => q > 0);
      const shorts = [...held].filter(([, q]) => q < 0);
      expect(longs.length, `session ${s}`).toBe(side);
      expect(shorts.length, `session ${s}`).toBe(side);
      // valued at the session's close, the price they were sized at
      const value = (q: number, sym: string): number => q * close.get(`${sym} ${s}`)!;
      const equity = r.equity[s]!; // the sample at the end of session s (before the fills)
      const lv = longs.reduce((a, [sym, q]) => a + value(q, sym), 0);
      const sv = shorts.reduce((a, [sym, q]) => a + value(q, sym), 0);
      expect(lv).toBeCloseTo(0.45 * equity, 0);
      expect(sv).toBeCloseTo(-0.45 * equity, 0);
      picks.push([...held.keys()].sort().join(','));
    }
    expect(new Set(picks).size).toBe(picks.length); // a new draw each month
  });

  it('the draws come from the run seed: same seed same orders, another seed other names', () => {
    const key = (r: RunRecord): string =>
      r.orders
        .rows()
        .map((o) => `${o.ts} ${o.symbol} ${o.side} ${o.qty}`)
        .join('\n');
    expect(key(run({}, '7'))).toBe(key(run({}, '7')));
    expect(key(run({}, '7'))).not.toBe(key(run({}, '8')));
  });

  it("in a walk-forward with a universe it runs beside equal-weight-members at the candidate's measured mean gross", async () => {
    const pca = { pcaWindow: 20, regressionWindow: 20, factors: 3, maxReversionDays: 60, tolerance: 0 };
    const o = await walkForward(table, { strategies: [{ strategy: 'pca-stat-arb', params: pca }], train: '40d', test: '30d', periodUs: DAY, bootstrapReps: 200, pboPartitions: 4, universe: members });
    const names = o.strategies.map((s) => s.name);
    expect(names).toContain('equal-weight-members');
    expect(names).toContain('random-long-short');
    // the candidate's one trial, replayed on its own: its mean gross / equity over the samples holding a position
    const m = BUILTIN_STRATEGIES.get('pca-stat-arb')!;
    const alone = runBacktest(table, m.create(resolveParams(m.name, m.params, Object.fromEntries(Object.entries(pca).map(([k, v]) => [k, String(v)])))), {
      strategyName: m.name,
      initialCapital: 100_000,
      execution: DEFAULT_EXECUTION,
      periodUs: DAY,
      seed: '1',
      universe: membership,
    });
    const g = meanGrossLeverage(alone);
    expect(g).toBeGreaterThan(0);
    const rls = o.strategies.find((s) => s.name === 'random-long-short')!;
    expect(Number(rls.base.gross)).toBeCloseTo(g, 4);
    // and its out-of-sample run holds about that much
    expect(meanGrossLeverage(rls.oos.record)).toBeGreaterThan(0.5 * g);
    // without a universe it does not run
    const without = await walkForward(table, { strategies: [{ strategy: 'pca-stat-arb', params: pca }], train: '40d', test: '30d', periodUs: DAY, bootstrapReps: 200, pboPartitions: 4 });
    expect(without.strategies.map((s) => s.name)).not.toContain('random-long-short');
  });
});
