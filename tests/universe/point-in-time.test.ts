/**
 * A synthetic universe of 20 names over 120 sessions where 30% (6) leave early, three at -100%,
 * two at -30%, one with no delisting return, and three enter late. The same buy-and-hold
 * strategy runs point in time (--universe) and survivorship-biased (all names, no removals):
 * - no order is accepted outside membership, and the orders tried outside are refused;
 * - each delisted position is closed at its last close x (1 + delisting return) by a fill with
 *   order id 0;
 * - the final equities differ by exactly the planted amount, sum of qty x last close x return;
 * - ctx.panel, read incrementally on the decision clock, equals the matrix recomputed from the
 *   whole table with the non-members blanked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { runBacktest, type RunRecord } from '../../src/engine/engine.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { barMatrix } from '../../src/panel/bar-matrix.js';
import { readMembersFile } from '../../src/universe/members.js';
import { Membership } from '../../src/universe/membership.js';
import type { Context, Strategy } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';

const DAY = 86_400e6;
const START = Date.UTC(2020, 0, 1) * 1000;
const SESSIONS = 120;
const N = 20;
const QTY = 100;
const iso = (us: number): string => new Date(us / 1000).toISOString().slice(0, 10);

interface Name {
  sym: string;
  first: number;
  last: number;
  ret: number | null;
}
// names 0-5 leave early (30%): -1, -1, -1, -0.3, -0.3, none; names 6-8 enter late
const NAMES: Name[] = Array.from({ length: N }, (_, k) => ({
  sym: `S${String(k).padStart(2, '0')}`,
  first: k >= 6 && k <= 8 ? 10 + 5 * k : 0,
  last: k < 6 ? 40 + 10 * k : SESSIONS - 1,
  ret: k < 3 ? -1 : k < 5 ? -0.3 : null,
}));

function universeFiles(): { data: string; members: string; lastClose: Map<string, number> } {
  const rng = seedrandom('pit');
  const px = NAMES.map(() => 50 + 50 * rng());
  const lastClose = new Map<string, number>();
  const rows = ['ts,symbol,open,high,low,close,volume'];
  for (let t = 0; t < SESSIONS; t++) {
    NAMES.forEach((n, k) => {
      const open = px[k]!;
      const close = Math.round(open * Math.exp(0.02 * (rng() - 0.5)) * 100) / 100;
      px[k] = close;
      if (t < n.first || t > n.last) return;
      rows.push(`${iso(START + t * DAY)},${n.sym},${open},${Math.max(open, close)},${Math.min(open, close)},${close},1000`);
      if (t === n.last) lastClose.set(n.sym, close);
    });
  }
  const d = tempDir();
  const data = join(d, 'bars.csv');
  const members = join(d, 'members.csv');
  writeFileSync(data, rows.join('\n') + '\n');
  writeFileSync(members, ['symbol,from,to,delisting_return', ...NAMES.map((n) => `${n.sym},${iso(START + n.first * DAY)},${iso(START + n.last * DAY)},${n.ret ?? ''}`)].join('\n') + '\n');
  return { data, members, lastClose };
}

/** Buys QTY of each name once, on the first session it is a member; tries an order for every non-member. */
function buyMembers(): Strategy & { refused: number; accepted: number } {
  const bought = new Set<string>();
  const self = {
    refused: 0,
    accepted: 0,
    onBars(ctx: Context) {
      for (const s of ctx.symbols) {
        if (!ctx.member(s)) {
          const r = ctx.submit({ symbol: s, side: 'buy', qty: 1 });
          if (r.ok) self.accepted++;
          else self.refused++;
          continue;
        }
        if (bought.has(s) || Number.isNaN(ctx.price(s))) continue;
        bought.add(s);
        ctx.submit({ symbol: s, side: 'buy', qty: QTY });
      }
    },
  };
  return self;
}

const run = (table: TickTable, strategy: Strategy, universe?: Membership): RunRecord => runBacktest(table, strategy, { strategyName: 'buy-members', initialCapital: 1_000_000, execution: DEFAULT_EXECUTION, periodUs: DAY, seed: '1', ...(universe ? { universe } : {}) });

describe('point-in-time universe: 30% of names delist', () => {
  let table: TickTable;
  let members: Membership;
  let files: ReturnType<typeof universeFiles>;
  beforeAll(async () => {
    files = universeFiles();
    table = (await loadData([files.data], { cache: false })).table;
    members = new Membership(table.symbols, readMembersFile(files.members), table.barStart[table.length - 1]!);
  });

  it('no order outside membership; delisted positions closed at last close x (1 + return); equity differs by the planted amount', () => {
    const pit = buyMembers();
    const a = run(table, pit, members);
    const biased = buyMembers();
    const b = run(table, biased);
    // every accepted order lies inside its symbol's membership
    const orders = a.orders.rows();
    expect(orders.length).toBeGreaterThan(N);
    for (const o of orders) {
      const n = NAMES.find((x) => x.sym === o.symbol)!;
      const session = Math.floor((o.ts - START) / DAY) - 1; // a daily bar is visible at its close, the next midnight
      if (o.accepted) expect(session >= n.first && session <= n.last, `${o.symbol} ordered at session ${session}`).toBe(true);
    }
    expect(pit.accepted).toBe(0);
    expect(pit.refused).toBeGreaterThan(0);
    expect(a.rejections.every((r) => r.reason.includes('not a member of the universe'))).toBe(true);
    // the delistings: order id 0, at the last close x (1 + return)
    const delisted = a.fills.rows().filter((f) => f.orderId === 0);
    expect(delisted.map((f) => f.symbol).sort()).toEqual(NAMES.slice(0, 6).map((n) => n.sym));
    let planted = 0;
    for (const f of delisted) {
      const n = NAMES.find((x) => x.sym === f.symbol)!;
      const last = files.lastClose.get(f.symbol)!;
      expect(f.qty).toBe(QTY);
      expect(f.price).toBeCloseTo(last * (1 + (n.ret ?? 0)), 12);
      planted += QTY * last * (n.ret ?? 0);
    }
    // the biased run holds them to the end at their last close
    expect(b.fills.rows().some((f) => f.orderId === 0)).toBe(false);
    const diff = a.equity[a.equity.length - 1]! - b.equity[b.equity.length - 1]!;
    expect(planted).toBeLessThan(-1000); // a real loss was planted
    expect(diff).toBeCloseTo(planted, 6);
  });

  it('ctx.panel incremental equals the matrix recomputed, non-members NaN', () => {
    const full = barMatrix(table, 'close');
    let checked = 0;
    const strategy: Strategy = {
      onBars(ctx, session) {
        const p = ctx.panel('close', 7);
        const t = full.calendar.indexOf(session);
        expect(p.rows).toBe(Math.min(7, t + 1));
        for (let r = 0; r < p.rows; r++) {
          const row = t - p.rows + 1 + r;
          expect(p.sessions[r]).toBe(full.calendar[row]);
          for (let s = 0; s < N; s++) {
            const want = members.isMember(s, full.calendar[row]!) ? full.values[row * N + s]! : NaN;
            expect(Object.is(p.values[r * N + s], want) || p.values[r * N + s] === want, `${row} ${s}`).toBe(true);
          }
        }
        checked++;
      },
    };
    run(table, strategy, members);
    expect(checked).toBe(SESSIONS);
  });
});
