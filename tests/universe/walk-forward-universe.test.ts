/**
 * A walk-forward of pca-stat-arb over a small synthetic universe with a membership file (the
 * library's walkForward with `universe`, what `tickfold walk-forward --universe` runs): every fold
 * and trial runs point in time, so no order is submitted and accepted for a symbol outside its
 * span. The data goes on after five names leave the file's universe (and starts before three
 * enter), so the same walk-forward without the file does trade them outside their spans: the
 * check can fail.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import type { TickTable } from '../../src/data/table.js';
import { walkForward } from '../../src/jobs/walk-forward.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { readMembersFile, type MembersFile } from '../../src/universe/members.js';
import { Membership } from '../../src/universe/membership.js';
import type { Context, Strategy, StrategyModule } from '../../src/strategy/types.js';
import { tempDir } from '../helpers.js';

const DAY = 86_400e6;
const START = Date.UTC(2020, 0, 1) * 1000;
const SESSIONS = 260;
const N = 16;
const iso = (us: number): string => new Date(us / 1000).toISOString().slice(0, 10);
// members: names 0-4 leave at sessions 120..200 (two at -100%), names 5-7 join at 70..90; the data spans every session
const FROM = (k: number): number => (k >= 5 && k <= 7 ? 70 + 10 * (k - 5) : 0);
const TO = (k: number): number => (k < 5 ? 120 + 20 * k : SESSIONS - 1);

interface Submission {
  sym: number;
  session: number;
  accepted: boolean;
}

/** pca-stat-arb, with every order it sends (submit, targetPosition) logged: symbol, session, accepted. */
function logged(log: Submission[]): StrategyModule {
  const inner = BUILTIN_STRATEGIES.get('pca-stat-arb')!;
  return {
    ...inner,
    name: 'pca-stat-arb-logged',
    create(p) {
      const s = inner.create(p);
      let session = NaN;
      const wrap = (ctx: Context): Context =>
        new Proxy(ctx, {
          get(target, prop) {
            if (prop === 'submit') {
              return (o: Parameters<Context['submit']>[0]) => {
                const r = target.submit(o);
                log.push({ sym: target.symbols.indexOf(o.symbol), session, accepted: r.ok });
                return r;
              };
            }
            if (prop === 'targetPosition') {
              return (sym: string, qty: number) => {
                const r = target.targetPosition(sym, qty);
                if (r) log.push({ sym: target.symbols.indexOf(sym), session, accepted: r.ok });
                return r;
              };
            }
            const v: unknown = Reflect.get(target, prop, target);
            return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
          },
        });
      const out: Strategy = {
        onBars(ctx, at) {
          session = at;
          s.onBars!.call(s, wrap(ctx), at);
        },
      };
      for (const hook of ['onStart', 'onFill', 'onReject', 'onCancel', 'onEnd'] as const) {
        const h = s[hook] as ((ctx: Context, x?: unknown) => void) | undefined;
        if (h) (out as Record<string, unknown>)[hook] = (ctx: Context, x?: unknown) => h.call(s, wrap(ctx), x);
      }
      return out;
    },
  };
}

describe('walk-forward of pca-stat-arb on a point-in-time universe', () => {
  let table: TickTable;
  let members: MembersFile;
  let membership: Membership;
  beforeAll(async () => {
    const rng = seedrandom('wf-universe');
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const names = Array.from({ length: N }, (_, k) => `U${String(k).padStart(2, '0')}`);
    const idio = names.map(() => 0);
    let market = 0;
    const rows = ['ts,symbol,open,high,low,close,volume'];
    for (let t = 0; t < SESSIONS; t++) {
      market += 0.01 * gauss();
      names.forEach((n, k) => {
        idio[k] = 0.7 * idio[k]! + 0.015 * gauss();
        const c = ((40 + 4 * k) * Math.exp((0.6 + k / N) * market + idio[k]!)).toFixed(4);
        rows.push(`${iso(START + t * DAY)},${n},${c},${c},${c},${c},1000`);
      });
    }
    const d = tempDir();
    writeFileSync(join(d, 'bars.csv'), rows.join('\n') + '\n');
    writeFileSync(join(d, 'members.csv'), ['symbol,from,to,delisting_return', ...names.map((n, k) => `${n},${iso(START + FROM(k) * DAY)},${iso(START + TO(k) * DAY)},${k < 2 ? -1 : ''}`)].join('\n') + '\n');
    table = (await loadData([join(d, 'bars.csv')], { cache: false })).table;
    members = readMembersFile(join(d, 'members.csv'));
    membership = new Membership(table.symbols, members, START + (SESSIONS - 1) * DAY);
  });

  const run = async (universe: MembersFile | undefined): Promise<{ log: Submission[]; outside: Submission[] }> => {
    const log: Submission[] = [];
    await walkForward(table, {
      strategies: [{ strategy: logged(log), params: { pcaWindow: 20, regressionWindow: 20, factors: 3, maxReversionDays: 60, tolerance: 0 }, grid: { openLong: [1, 1.25] } }],
      train: '60d',
      test: '40d',
      periodUs: DAY,
      bootstrapReps: 200,
      pboPartitions: 4,
      ...(universe ? { universe } : {}),
    });
    return { log, outside: log.filter((x) => !membership.isMember(x.sym, x.session)) };
  };

  it('no order accepted outside membership; without the file, orders outside it are', async () => {
    const pit = await run(members);
    expect(pit.log.filter((x) => x.accepted).length).toBeGreaterThan(50);
    expect(pit.outside.filter((x) => x.accepted)).toEqual([]);
    const biased = await run(undefined);
    expect(biased.outside.filter((x) => x.accepted).length).toBeGreaterThan(0);
  });
});
