/**
 * The naive baselines on a universe of many names: `random` and `momentum` trade every symbol at
 * equal weights (fraction / n each), however many there are, each from its own first bar.
 *
 * On the S&P 500 file (505 names) they made no trade at all: 0.95 / 505 = 0.19% of equity a name,
 * and targetPercent refused any order within 1% of equity of its target, also from flat. These
 * files have 120 names (0.79% each, under the 1%), ten of them starting late.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { minOf } from '../../src/arrays.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { parseDuration } from '../../src/data/time.js';
import { runJob } from '../../src/jobs/run.js';
import { F_SYM, F_TS } from '../../src/portfolio/record.js';
import type { Context } from '../../src/strategy/types.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { B, run, tableOf } from '../engine/harness.js';
import { describeShared, shared, tempDir } from '../helpers.js';

const DAY = 86_400_000_000;
const START = Date.parse('2020-01-01T00:00:00Z') * 1000;
const NAMES = 120;
const DAYS = 300;
/** S000..S109 from day 0; S110..S119 from day 150, 160, ..., 240. */
const firstDay = (k: number): number => (k < 110 ? 0 : 150 + (k - 110) * 10);
const name = (k: number): string => `S${String(k).padStart(3, '0')}`;

/** Daily close-only bars of NAMES random walks (1.5% a day), each from its first day to the end. */
function universeCsv(seed: string): string {
  const rng = seedrandom(seed);
  const px = Array.from({ length: NAMES }, () => 50 + 100 * rng());
  const lines = [B];
  for (let d = 0; d < DAYS; d++) {
    const ts = new Date((START + d * DAY) / 1000).toISOString().replace('.000Z', 'Z');
    for (let k = 0; k < NAMES; k++) {
      px[k] = px[k]! * Math.exp(0.015 * (rng() + rng() + rng() - 1.5) * 2);
      if (d < firstDay(k)) continue;
      const p = px[k]!.toFixed(4);
      lines.push(`${ts},${name(k)},${p},${p},${p},${p},1000`);
    }
  }
  return lines.join('\n') + '\n';
}

const file = join(tempDir(), 'universe.csv');
writeFileSync(file, universeCsv('many-names'));
const all = Array.from({ length: NAMES }, (_, k) => name(k));

const job = (strategy: string, params: Record<string, string>) => runJob([file], { cache: false }, { strategy: BUILTIN_STRATEGIES.get(strategy)!, params, execution: DEFAULT_EXECUTION, initialCapital: 1_000_000, seed: '1', periodUs: parseDuration('1d') });

describe('random and momentum on 120 names (0.79% of equity each)', () => {
  for (const [strategy, params] of [
    ['random', { every: '1d', prob: '0.1' }],
    ['momentum', { every: '1d', lookback: '5' }],
  ] as const) {
    // as the walk-forward gives them the candidates' symbols, and as the command line does (none named)
    for (const symbol of [all.join(','), '']) {
      it(`${strategy} (${symbol === '' ? 'every symbol of the data' : 'the 120 named'}): trades every name, each from its own first bar, measured from its start or first fill`, async () => {
        const o = await job(strategy, { ...params, symbol });
        const syms = o.record.fills.col(F_SYM);
        const ts = o.record.fills.col(F_TS);
        const firstFill = new Map<string, number>();
        for (let i = 0; i < syms.length; i++) {
          const s = o.record.symbols[syms[i]!]!;
          if (!firstFill.has(s)) firstFill.set(s, ts[i]!);
        }
        // every name traded (before the fix: no fill at all)
        expect([...firstFill.keys()].sort()).toEqual(all);
        // a late starter trades only once it has data
        for (let k = 110; k < NAMES; k++) expect(firstFill.get(name(k))!).toBeGreaterThanOrEqual(START + firstDay(k) * DAY);
        // and trades soon after: random enters at 10% a session (0.9^60 = 0.2% to wait longer), momentum after its 5 sessions of warm-up
        const within = strategy === 'random' ? 60 : 10;
        for (let k = 0; k < NAMES; k++) expect(firstFill.get(name(k))!).toBeLessThanOrEqual(START + (firstDay(k) + within) * DAY);
        // measured from the data's start (none named: the first of the names it traded), or with
        // the names given from its first fill (before it, every name has data only from day 240):
        // never from the last name to start
        const earliest = minOf(ts);
        expect(o.measured.basis).toBe(symbol === '' ? 'traded' : 'named');
        expect(o.measured.fromUs).toBeLessThan(earliest);
        expect(o.measured.periodsBefore).toBe(symbol === '' ? 0 : Math.round((earliest - START) / DAY) - 1);
        expect(o.metrics.trades).toBeGreaterThan(NAMES);
      });
    }
  }
});

describe('targetPercent below its tolerance', () => {
  it('orders from flat and to the other side however small the target; holds a target already on its side', async () => {
    const rows = [B];
    for (let d = 0; d < 6; d++) rows.push(`${new Date((START + d * DAY) / 1000).toISOString().replace('.000Z', 'Z')},A,100,100,100,100,1000`);
    const table = await tableOf(rows.join('\n'));
    // 0.2% of equity: long on bars 0-2, short on bars 3-5, every bar asking again
    const results: (string | undefined)[] = [];
    const strategy = {
      onBar(ctx: Context, b: { index: number }) {
        const r = ctx.targetPercent('A', b.index < 3 ? 0.002 : -0.002);
        results.push(r === undefined ? 'none' : 'order');
      },
    };
    const rec = run(table, strategy);
    // bar 0 opens (flat), bars 1-2 hold, bar 3 turns short, bars 4-5 hold
    expect(results).toEqual(['order', 'none', 'none', 'order', 'none', 'none']);
    const qty = Array.from(rec.fills, (f) => (f.side === 'buy' ? f.qty : -f.qty));
    expect(qty.length).toBe(2);
    expect(qty[0]!).toBeCloseTo(20, 6);
    expect(qty[1]!).toBeCloseTo(-40, 6);
  });
});

describeShared('random and momentum on the S&P 500 file (505 names, 0.19% of equity each)', () => {
  it('trade every name (they made no trade at all before)', async () => {
    for (const [strategy, params] of [
      ['random', { every: '1d', prob: '0.1' }],
      ['momentum', { every: '1d' }],
    ] as const) {
      const o = await runJob([shared('sp500_daily_2013_2018.csv')], { cache: false }, { strategy: BUILTIN_STRATEGIES.get(strategy)!, params, execution: DEFAULT_EXECUTION, initialCapital: 10_000_000, seed: '1', periodUs: parseDuration('1d') });
      const traded = new Set(Array.from(o.record.fills.col(F_SYM), (s) => o.record.symbols[s]));
      expect(traded.size, strategy).toBe(505);
      expect(o.measured.periodsBefore, strategy).toBe(0);
    }
  });
});
