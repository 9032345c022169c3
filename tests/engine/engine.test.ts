import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION, executionOf } from '../../src/broker/settings.js';
import { loadData } from '../../src/data/load.js';
import { sliceTime, type TickTable } from '../../src/data/table.js';
import { parseIso } from '../../src/data/time.js';
import { runBacktest, type RunConfig, type RunRecord } from '../../src/engine/engine.js';
import { resolveParams } from '../../src/strategy/params.js';
import type { Strategy } from '../../src/strategy/types.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { describeShared, ROOT, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const cfg = (over: Partial<RunConfig> = {}): RunConfig => ({
  strategyName: 'x',
  initialCapital: 100_000,
  execution: executionOf({ feeBps: 1, feePerUnit: 0.001, borrowBps: 50, maxLeverage: 2 }),
  periodUs: 60e6,
  seed: '7',
  ...over,
});
const make = (name: string, params: Record<string, string> = {}): Strategy => {
  const m = BUILTIN_STRATEGIES.get(name)!;
  return m.create(resolveParams(name, m.params, params));
};
const sample = async (): Promise<TickTable> => (await loadData([join(ROOT, 'data/sample_pair_quotes.csv'), join(ROOT, 'data/sample_pair_trades.csv')], { cache: false })).table;

/** The strategy's decisions: every order it submitted, with the time it was made. */
const decisions = (rec: RunRecord, before: number): string[] =>
  rec.orders
    .rows()
    .filter((o) => o.ts < before)
    .map((o) => `${o.ts} ${o.symbol} ${o.side} ${o.type} ${o.qty} ${o.notional} ${o.accepted}`);

describe('accounting invariants (every event)', () => {
  for (const name of ['random', 'momentum', 'mean-reversion']) {
    it(`${name}: cash + Σ position × mark = equity after every event; closed + open PnL = equity change`, async () => {
      const table = await sample();
      let worst = 0;
      let prevTs = -Infinity;
      const rec = runBacktest(
        table,
        make(name, name === 'random' ? { prob: '0.02' } : { every: '30s', lookback: '5' }),
        cfg({
          observer: ({ ts, portfolio: pf }) => {
            expect(ts).toBeGreaterThanOrEqual(prevTs); // time never goes back
            prevTs = ts;
            let pv = 0;
            for (let s = 0; s < pf.position.length; s++) if (pf.position[s] !== 0) pv += pf.position[s]! * pf.mark[s]!;
            const eq = pf.equity();
            worst = Math.max(worst, Math.abs(pf.cash + pv - eq) / Math.abs(eq));
            const pnl = pf.closed.rows().reduce((a, t) => a + t.netPnl, 0) + pf.totalOpenPnl();
            worst = Math.max(worst, Math.abs(pnl - (eq - pf.initialCapital)) / pf.initialCapital);
          },
        }),
      );
      expect(rec.trades.length).toBeGreaterThan(5);
      expect(worst).toBeLessThan(1e-9);
      const total = rec.trades.rows().reduce((a, t) => a + t.netPnl, 0) + rec.openTrades.rows().reduce((a, t) => a + t.netPnl, 0);
      expect(Math.abs(total - (rec.finalEquity - rec.initialCapital)) / rec.initialCapital).toBeLessThan(1e-9);
      for (const f of rec.fills) {
        expect(f.fee).toBeGreaterThanOrEqual(0);
        // no fill outside the quote it filled against
        if (!Number.isNaN(f.ask)) expect(f.price).toBe(f.side === 'buy' ? f.ask : f.bid);
      }
    });
  }
});

describe('no look-ahead', () => {
  for (const [name, params] of [
    ['random', { prob: '0.05' }],
    ['momentum', { lookback: '3' }],
    ['mean-reversion', { every: '10s', lookback: '4' }],
  ] as const) {
    it(`${name}: decisions up to t are identical on data truncated at t and on the full data`, async () => {
      const table = await sample();
      const cut = table.ts[Math.floor(table.length * 0.4)]!;
      const full = runBacktest(table, make(name, params), cfg());
      const part = runBacktest(sliceTime(table, -Infinity, cut), make(name, params), cfg());
      expect(decisions(part, cut).length).toBeGreaterThan(3);
      expect(decisions(part, cut)).toEqual(decisions(full, cut));
      expect(decisions(full, Infinity).length).toBeGreaterThan(decisions(part, cut).length);
    });
  }
  it('a strategy cannot read a quote later than now', async () => {
    const table = await sample();
    const s: Strategy = {
      onTick(ctx, t) {
        const q = ctx.quote(t.symbol);
        if (q) expect(q.ts).toBeLessThanOrEqual(ctx.now);
        expect(t.ts).toBe(ctx.now);
      },
    };
    runBacktest(table, s, cfg());
  });
});

describeShared('real data', () => {
  it('buy-and-hold on GOOG daily with zero costs: net return = last close / second bar open − 1', async () => {
    const { table } = await loadData([shared('goog_daily_2004_2013.csv')], { cache: false });
    const rec = runBacktest(table, make('buy-and-hold'), cfg({ execution: DEFAULT_EXECUTION, periodUs: 86_400e6 }));
    const lastClose = table.f3[table.length - 1]!;
    const entry = table.f0[1]!;
    expect(entry).toBe(101.01); // 2004-08-20 open, from the file
    expect(rec.fills.at(0).price).toBe(entry);
    expect((rec.finalEquity - rec.initialCapital) / rec.initialCapital).toBeCloseTo(lastClose / entry - 1, 12);
  });
  it('a two-symbol run on the Binance quotes fills buys at the ask and sells at the bid of real rows', async () => {
    const { table } = await loadData([shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv')], { cache: false });
    const rec = runBacktest(table, make('random', { prob: '0.001' }), cfg({ execution: executionOf({ maxLeverage: 1 }) }));
    const sides = new Set(rec.fills.rows().map((f) => `${f.symbol} ${f.side}`));
    expect(sides).toEqual(new Set(['BTCUSDT buy', 'BTCUSDT sell', 'ETHUSDT buy', 'ETHUSDT sell']));
    for (const f of rec.fills) {
      const i = f.index;
      expect(table.symbols[table.sym[i]!]).toBe(f.symbol);
      expect(f.price).toBe(f.side === 'buy' ? table.f1[i] : table.f0[i]);
      expect(f.ts).toBeGreaterThan(parseIso('2024-08-08T23:54:14Z'));
    }
  });
});

describe('backtests in one process share nothing but compiled code', () => {
  // The engine keeps an empty backtest and the last strategy instance per name alive between runs
  // (keepShapes, for V8's hidden classes): a run must not see anything of the runs before it.
  it('the same run three times, other strategies and tables between: identical records', async () => {
    const table = await sample();
    const part = sliceTime(table, -Infinity, table.ts[Math.floor(table.length / 2)]!);
    const once = (): string => JSON.stringify(runBacktest(table, make('pairs', { every: '30s', lookback: '20' }), cfg({ strategyName: 'pairs' })));
    const first = once();
    runBacktest(part, make('pairs', { every: '10s', lookback: '30', entry: '1' }), cfg({ strategyName: 'pairs', seed: '8' }));
    expect(once()).toBe(first);
    runBacktest(table, make('random', { prob: '0.05' }), cfg({ strategyName: 'random' }));
    runBacktest(part, make('momentum', { every: '30s', lookback: '5' }), cfg({ strategyName: 'pairs' })); // same name, other strategy
    expect(once()).toBe(first);
    expect(JSON.parse(first).fills.length).toBeGreaterThan(10);
  });
});

describe('tickfold run', () => {
  const args = (d: string, seed = '3') => ['run', '--strategy', 'random', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--param', 'prob=0.01', '--param', 'every=10s', '--fee', '2', '--seed', seed, '--json', join(d, 'r.json'), '--trades', join(d, 't.csv'), '--no-cache'];
  it('prints PnL and hit rate first and writes the JSON report and trades CSV; same seed, same bytes', async () => {
    const d1 = tempDir();
    const r1 = await runCliIn(args(d1));
    expect(r1.stderr).toBe('');
    expect(r1.code, r1.stderr).toBe(0);
    const lines = r1.stdout.split('\n');
    expect(lines[3]).toMatch(/^ {2}PnL net/);
    expect(lines[4]).toMatch(/^ {2}hit rate/);
    const first = [readFileSync(join(d1, 'r.json')), readFileSync(join(d1, 't.csv'))];
    await runCliIn(args(d1)); // again, same paths (the command line is part of the manifest)
    expect(readFileSync(join(d1, 'r.json')).equals(first[0]!)).toBe(true);
    expect(readFileSync(join(d1, 't.csv')).equals(first[1]!)).toBe(true);
    const rep = JSON.parse(readFileSync(join(d1, 'r.json'), 'utf8'));
    expect(rep.summary.trades).toBeGreaterThan(10);
    expect(rep.manifest.seed).toBe('3');
    expect(readFileSync(join(d1, 't.csv'), 'utf8').split('\n')[0]).toBe('entry_ts,exit_ts,symbol,side,max_qty,entry_price,exit_price,gross_pnl,fees,net_pnl,return_pct,holding_s,status');
    await runCliIn(args(d1, '4'));
    expect(readFileSync(join(d1, 't.csv')).equals(first[1]!)).toBe(false); // another seed, other trades
  });
  it('unknown parameters get "did you mean"; unknown strategies too', async () => {
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--param', 'lookbak=5']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain("strategy 'momentum' has no parameter 'lookbak'; did you mean 'lookback'?");
    const r2 = await runCliIn(['run', '--strategy', 'momentun', '--data', join(ROOT, 'data/sample_pair_quotes.csv')]);
    expect(r2.stderr).toContain("did you mean 'momentum'?");
    const r3 = await runCliIn(['run', '--strategy', 'momentum', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--param', 'lookback=abc']);
    expect(r3.stderr).toContain('lookback=abc is not a number');
  });
  it('a strategy that throws: clear error, exit 3, no report written', async () => {
    const d = tempDir();
    const file = join(d, 'bad.ts');
    writeFileSync(file, `export default { name: 'bad', params: {}, create: () => ({ onTick(ctx: any, t: any) { if (t.index === 100) throw new RangeError('oops'); } }) };\n`);
    const r = await runCliIn(['run', '--strategy', file, '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--json', join(d, 'r.json'), '--trades', join(d, 't.csv')]);
    expect(r.code, r.stderr).toBe(3);
    // the place in the user's file: line 1, the column of `throw` (tests/strategies/error-line.test.ts)
    expect(r.stderr).toMatch(/^tickfold: strategy 'bad' failed at 2024-01-02T14:30:\d\d\.\d+Z: onTick threw RangeError: oops \(at .*bad\.ts:1:\d+\)\n$/);
    expect(existsSync(join(d, 'r.json'))).toBe(false);
    expect(existsSync(join(d, 't.csv'))).toBe(false);
  });
});
