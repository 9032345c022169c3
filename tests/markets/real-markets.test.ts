/**
 * Right dates, baselines and outputs on the real files in ../shared/data, checked the way a
 * researcher checks them by hand: against the CSV rows themselves.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const dir = tempDir();
const out = (f: string): string => join(dir, f);
const json = <T>(f: string): T => JSON.parse(readFileSync(out(f), 'utf8')) as T;
const csvRows = (f: string): string[][] =>
  readFileSync(out(f), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
const weekday = (d: string): number => new Date(`${d.slice(0, 10)}T00:00:00Z`).getUTCDay();
const GOOG = shared('goog_daily_2004_2013.csv');
/**
 * For walk-forward and compare: one worker thread (the default is one per core, each a thread to
 * start for the same report: tests/validation/walk-forward.test.ts checks 1 and 2 give the same
 * bytes). What these tests check is the figures on the real files.
 */
const ONE_THREAD = ['--workers', '1'];

interface RunJson {
  equity: { ts: string[]; equity: number[] };
  metrics: { maxDrawdownPeakTs: string; maxDrawdownTroughTs: string; returnFraction: number; ordersRejected: number };
  manifest: { window: { from: string; to: string; events: number } };
}

describeShared('dates that match the data (GOOG daily bars)', () => {
  it('buy-and-hold fills at the 2004-08-20 open and the trade says 2004-08-20, not the Saturday after', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', GOOG, '--no-cache', '--trades', out('bh.csv'), '--json', out('bh.json')]);
    expect(r.code, r.stderr).toBe(0);
    const [trade] = csvRows('bh.csv');
    // the CSV row of 2004-08-20 opens at 101.01
    expect(readFileSync(GOOG, 'utf8')).toContain('2004-08-20T00:00:00Z,GOOG,101.01,');
    expect([trade![0], trade![2], trade![5]]).toEqual(['2004-08-20', 'GOOG', '101.01']);
    // marked at the last close (2013-03-01, a Friday), and named so
    expect(trade![1]).toBe('2013-03-01');
    expect(r.stdout).toMatch(/data {5}2,148 events \(GOOG\), 2004-08-19 → 2013-03-01/);
  });
  it('daily equity samples carry the trading day whose close they hold: none on a weekend; the drawdown runs 2007-11-06 → 2008-11-24', () => {
    const rep = json<RunJson>('bh.json');
    expect(rep.equity.ts).toHaveLength(2148);
    expect(rep.equity.ts.filter((d) => weekday(d) === 0 || weekday(d) === 6)).toEqual([]);
    // every label is a date of the CSV, in order
    const dates = readFileSync(GOOG, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.slice(0, 10));
    expect(rep.equity.ts).toEqual(dates);
    expect([rep.metrics.maxDrawdownPeakTs, rep.metrics.maxDrawdownTroughTs]).toEqual(['2007-11-06', '2008-11-24']);
    // the closes of those days: 741.79 (the 2007 high) and 257.44; equity tracks them
    const close = (d: string): number =>
      Number(
        readFileSync(GOOG, 'utf8')
          .split('\n')
          .find((l) => l.startsWith(d))!
          .split(',')[5],
      );
    const eq = (d: string): number => rep.equity.equity[rep.equity.ts.indexOf(d)]!;
    const units = 100_000 / 101.01;
    expect(eq('2007-11-06')).toBeCloseTo(100_000 - units * 101.01 + units * close('2007-11-06'), 6);
    expect(eq('2008-11-24')).toBeCloseTo(units * close('2008-11-24'), 6);
    // buy-and-hold return = last close / first open − 1, by hand
    expect(rep.metrics.returnFraction).toBeCloseTo(close('2013-03-01') / 101.01 - 1, 10);
  });
  it('--from 2010-01-01 --to 2011-01-01 selects the bars of 2010 (first 2010-01-04, last 2010-12-31)', async () => {
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', GOOG, '--from', '2010-01-01', '--to', '2011-01-01', '--no-cache', '--json', out('2010.json')]);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<RunJson>('2010.json');
    expect(rep.manifest.window).toEqual({ from: '2010-01-04', to: '2010-12-31', events: 252 });
    expect(rep.equity.ts[0]).toBe('2010-01-04');
    expect(rep.equity.ts.at(-1)).toBe('2010-12-31');
  });
  it("a bar released at its close belongs to the period it closes: the first daily return is the first day's close to close", async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', GOOG, '--from', '2010-01-01', '--to', '2011-01-01', '--no-cache', '--json', out('2010bh.json')]);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<RunJson>('2010bh.json');
    // decided at the 2010-01-04 close, filled at the 2010-01-05 open (627.18); the 2010-01-05
    // sample holds that day's close (623.99), not the next day's
    const units = 100_000 / 627.18;
    expect(rep.equity.ts.slice(0, 2)).toEqual(['2010-01-04', '2010-01-05']);
    expect(rep.equity.equity[0]).toBe(100_000);
    expect(rep.equity.equity[1]).toBeCloseTo(units * 623.99, 6);
  });
});

describeShared('baselines that are what they claim', () => {
  it('buy-and-hold sizes from current equity: in a walk-forward on SPY hourly bars every fold invests, none is refused, and it matches a plain buy-and-hold', async () => {
    const r = await runCliIn([
      'walk-forward',
      '--strategy',
      'momentum',
      '--grid',
      'lookback=5,20',
      '--data',
      shared('spy_1h_1998_2021.csv'),
      '--train',
      '730d',
      '--test',
      '180d',
      '--period',
      '1d',
      '--no-cache',
      '--quiet',
      ...ONE_THREAD,
      '--json',
      out('spy.json'),
      '--fold-edge',
      'carry',
    ]);
    expect(r.code, r.stderr).toBe(0);
    interface S {
      name: string;
      baseline: boolean;
      outOfSample: { metrics: { returnFraction: number } };
      folds: { outOfSample: { trades: number; openTrades: number } }[];
    }
    const rep = json<{ strategies: S[]; folds: { testStart: string }[] }>('spy.json');
    const bh = rep.strategies.find((s) => s.name === 'buy-and-hold')!;
    expect(bh.baseline).toBe(true);
    // carried across folds: bought once, in the first test window, held to the end: the open
    // round trip counts in the fold that entered it (issue 27, point 13)
    expect(bh.folds.map((f) => f.outOfSample.openTrades + f.outOfSample.trades)).toEqual([1, ...bh.folds.slice(1).map(() => 0)]);
    expect(bh.folds[0]!.outOfSample.openTrades).toBe(1);
    const plain = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', shared('spy_1h_1998_2021.csv'), '--from', rep.folds[0]!.testStart, '--period', '1d', '--no-cache', '--json', out('spy-bh.json')]);
    expect(plain.code, plain.stderr).toBe(0);
    const plainReturn = json<RunJson>('spy-bh.json').metrics.returnFraction;
    expect(plainReturn).toBeGreaterThan(1.5);
    expect(bh.outOfSample.metrics.returnFraction).toBeCloseTo(plainReturn, 1);
    // closing at every fold edge: each fold buys again with what it has; a fold's round trip is
    // closed by the first fill of the next fold and counts in the fold that entered it (issue 27,
    // point 13); the last one stays open
    const closed = await runCliIn(['walk-forward', '--strategy', 'momentum', '--grid', 'lookback=5,20', '--data', shared('spy_1h_1998_2021.csv'), '--train', '730d', '--test', '180d', '--period', '1d', '--no-cache', '--quiet', ...ONE_THREAD, '--json', out('spy-close.json')]);
    expect(closed.code, closed.stderr).toBe(0);
    const bh2 = json<{ strategies: S[] }>('spy-close.json').strategies.find((s) => s.name === 'buy-and-hold')!;
    const perFold = bh2.folds.map((f) => [f.outOfSample.trades, f.outOfSample.openTrades]);
    expect(perFold.slice(0, -1).every(([c, o]) => c === 1 && o === 0)).toBe(true);
    expect(perFold.at(-1)).toEqual([0, 1]);
    expect(bh2.outOfSample.metrics.returnFraction).toBeGreaterThan(1.2);
  });
  it('baselines trade the symbols the strategy trades (pairs on GOOG,GOOGL of the ETF file), and buy-and-hold from when both have data', async () => {
    const r = await runCliIn(['compare', '--strategies', 'pairs', '--param', 'symbols=GOOG,GOOGL', '--grid', 'pairs.entry=1.5,2', '--data', shared('us_equities_etfs_daily_1998_2021.csv'), '--split', '0.7', '--no-cache', '--quiet', ...ONE_THREAD, '--json', out('googl.json')]);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<{ manifest: { strategies: { name: string; params: Record<string, unknown> }[] } }>('googl.json');
    const params = Object.fromEntries(rep.manifest.strategies.map((s) => [s.name, s.params]));
    expect(params['buy-and-hold']!.symbol).toBe('GOOG,GOOGL');
    expect(params['random']!.symbol).toBe('GOOG,GOOGL');
    expect(params['momentum']!.symbol).toBe('GOOG,GOOGL');
    // a plain run of the same buy-and-hold buys both legs on the first day GOOGL has a bar
    const run = await runCliIn(['run', '--strategy', 'buy-and-hold', '--param', 'symbol=GOOG,GOOGL', '--data', shared('us_equities_etfs_daily_1998_2021.csv'), '--no-cache', '--trades', out('googl-bh.csv')]);
    expect(run.code, run.stderr).toBe(0);
    const firstGoogl = readFileSync(shared('us_equities_etfs_daily_1998_2021.csv'), 'utf8')
      .split('\n')
      .find((l) => l.includes(',GOOGL,'))!
      .slice(0, 10);
    const entries = csvRows('googl-bh.csv').map((t) => [t[2], t[0]]);
    expect(entries).toHaveLength(2);
    // decided at GOOGL's first close, filled at the next open
    for (const [, d] of entries) expect(d! > firstGoogl).toBe(true);
  });
  it('the edge is measured against every naive baseline whatever --strategies lists; a gridded naive strategy is a candidate', async () => {
    const sma = out('sma.mjs');
    writeFileSync(
      sma,
      `export default { name: 'sma', description: 'SMA cross', params: { fast: { type: 'integer', default: 10, doc: '' }, slow: { type: 'integer', default: 30, doc: '' } },
        create(p) { const c = []; return { onBar(ctx, b) { c.push(b.close); if (c.length < p.slow) return;
          const m = (n) => c.slice(-n).reduce((a, x) => a + x, 0) / n; const pos = ctx.position(b.symbol);
          if (m(p.fast) > m(p.slow) && pos === 0) ctx.submit({ symbol: b.symbol, side: 'buy', notional: ctx.equity * 0.95 });
          else if (m(p.fast) <= m(p.slow) && pos > 0) ctx.submit({ symbol: b.symbol, side: 'sell', qty: pos }); } }; } };\n`,
    );
    const verdict = async (strategies: string, f: string): Promise<{ verdict: string; edges: string[]; names: string[] }> => {
      const r = await runCliIn(['compare', '--strategies', strategies, '--data', GOOG, '--split', '0.6', '--no-cache', '--quiet', ...ONE_THREAD, '--json', out(f)]);
      expect(r.code, r.stderr).toBe(0);
      const rep = json<{ strategies: { name: string; verdict: string; vsBaselines: { baseline: string }[] }[] }>(f);
      const s = rep.strategies.find((x) => x.name === 'sma')!;
      return { verdict: s.verdict, edges: s.vsBaselines.map((b) => b.baseline).sort(), names: rep.strategies.map((x) => x.name).sort() };
    };
    const some = await verdict(`${sma},flat`, 'sma-flat.json');
    const all = await verdict(`${sma},buy-and-hold,flat,random,momentum`, 'sma-all.json');
    expect(some).toEqual(all);
    expect(some.edges).toEqual(['buy-and-hold', 'flat', 'momentum', 'random']);
    // momentum given a grid competes as a candidate; the naive momentum still runs as a baseline
    const r = await runCliIn(['compare', '--strategies', `${sma},momentum`, '--grid', 'momentum.lookback=5,20', '--data', GOOG, '--split', '0.6', '--no-cache', '--quiet', ...ONE_THREAD, '--json', out('mom.json')]);
    expect(r.code, r.stderr).toBe(0);
    const rep = json<{ strategies: { name: string; baseline: boolean; vsBaselines: { baseline: string }[]; overfitting: { configurations: number } }[] }>('mom.json');
    expect(rep.strategies.map((s) => [s.name, s.baseline])).toEqual([
      ['sma', false],
      ['momentum', false],
      ['buy-and-hold', true],
      ['flat', true],
      ['random', true],
      ['momentum (naive)', true],
    ]);
    expect(rep.strategies[1]!.vsBaselines.map((b) => b.baseline)).toEqual(['buy-and-hold', 'flat', 'random', 'momentum (naive)']);
    // N of the deflation: every candidate configuration (1 sma + 2 momentum)
    expect(rep.strategies[0]!.overfitting.configurations).toBe(3);
  });
});

describeShared('ordering and outputs', () => {
  it('Binance trades and quotes in either order give the same trades CSV and the same report (but for the command line it records)', async () => {
    const q = shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv');
    const t = shared('binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv');
    const go = async (data: string[], tag: string): Promise<void> => {
      const r = await runCliIn(['run', '--strategy', 'momentum', '--param', 'every=5s', '--data', ...data, '--no-cache', '--json', out(`bn-${tag}.json`), '--trades', out(`bn-${tag}.csv`)]);
      expect(r.code, r.stderr).toBe(0);
    };
    await go([q, t], 'qt');
    await go([t, q], 'tq');
    expect(readFileSync(out('bn-qt.csv'), 'utf8')).toBe(readFileSync(out('bn-tq.csv'), 'utf8'));
    const body = (f: string): string => readFileSync(out(f), 'utf8').replace(/"argv": \[[^\]]*\]/, '');
    expect(body('bn-qt.json')).toBe(body('bn-tq.json'));
    // the two files do share timestamps: the rule decides those ties, not the arguments
    const times = (f: string): Set<string> =>
      new Set(
        readFileSync(f, 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.slice(0, 27)),
      );
    const tq = times(t);
    expect([...times(q)].filter((x) => tq.has(x)).length).toBeGreaterThanOrEqual(30);
  });
  it('return_pct in the trades CSV is a percent (698.13 for +698%), and report fields are named ...Fraction', () => {
    const [trade] = csvRows('bh.csv');
    const header = readFileSync(out('bh.csv'), 'utf8').split('\n')[0]!.split(',');
    expect(Number(trade![header.indexOf('return_pct')])).toBeCloseTo((806.19 / 101.01 - 1) * 100, 6);
    const rep = readFileSync(out('bh.json'), 'utf8');
    expect(rep).not.toMatch(/Pct"/);
    expect(rep).toMatch(/"returnFraction": 6\.98/);
  });
  it("coint gives the half-life in observations and in the data's own elapsed time (business days are not calendar days)", async () => {
    const r = await runCliIn(['coint', '--symbols', 'DAX,CAC', '--data', shared('eustockmarkets_daily_1991_1998.csv'), '--no-cache', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { observations: number; halfLifeObs: number; halfLifeUs: number; elapsedPerObsUs: number; from: string; to: string };
    const spanUs = Date.parse(`${j.to}T00:00:00Z`) * 1000 - Date.parse(`${j.from}T00:00:00Z`) * 1000;
    expect(j.elapsedPerObsUs).toBeCloseTo(spanUs / (j.observations - 1), 0);
    expect(j.elapsedPerObsUs / 86_400e6).toBeGreaterThan(1.35); // 1,860 business days over ~2,600 calendar days
    expect(j.halfLifeUs).toBeCloseTo(j.halfLifeObs * j.elapsedPerObsUs, 0);
    const text = await runCliIn(['coint', '--symbols', 'DAX,CAC', '--data', shared('eustockmarkets_daily_1991_1998.csv'), '--no-cache']);
    expect(text.stdout).toMatch(/half-life {6}\d+\.\d obs, about \d+d \d+h elapsed \(1d 1\dh per observation in this data\)/);
  });
});

describeShared('a run on each real file prints a calendar and dates a user would agree with', () => {
  const EXPECT: Record<string, { calendar: RegExp; daily: boolean }> = {
    'ibm_trades_tick_2013-10-07_2013-10-11.csv': { calendar: /calendar us-equity/, daily: false },
    'binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv': { calendar: /1m periods, 525,600 a year .*calendar 24x7/, daily: false },
    'binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv': { calendar: /1m periods, 525,600 a year .*calendar 24x7/, daily: false },
    'oanda_eurusd_quotes_tick_20140506.csv': { calendar: /5m periods, 74,880 a year .*calendar 24x5/, daily: false },
    'us_equities_1min_2013-10-04_2013-10-11.csv': { calendar: /1h periods, 1,638 a year .*calendar us-equity/, daily: false },
    'spy_1h_1998_2021.csv': { calendar: /1d periods, 252 a year .*calendar us-equity .*6\.5 h a day, closed on weekends/, daily: true },
    'usdchf_30min_1996_2001.csv': { calendar: /1d periods, 260 a year .*calendar 24x5 .*24 h a day, closed on weekends/, daily: true },
    'us_equities_etfs_daily_1998_2021.csv': { calendar: /1d periods, 252 a year .*calendar 252d/, daily: true },
    'eustockmarkets_daily_1991_1998.csv': { calendar: /1d periods, 260 a year .*calendar 260d .*261\.0 trading days a year/, daily: true },
    'goog_daily_2004_2013.csv': { calendar: /1d periods, 252 a year .*calendar 252d/, daily: true },
  };
  for (const [file, want] of Object.entries(EXPECT)) {
    it(file, async () => {
      const j = out(`each-${file}.json`);
      const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--data', shared(file), '--no-cache', '--json', j, '--trades', out(`each-${file}.trades.csv`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(want.calendar);
      const rep = JSON.parse(readFileSync(j, 'utf8')) as RunJson & { metrics: { ordersRejected: number } };
      expect(rep.metrics.ordersRejected).toBe(0);
      if (want.daily) {
        // daily samples of a weekday market carry weekdays; fills are stamped on bar starts
        const weekend = rep.equity.ts.filter((d) => weekday(d) === 0 || weekday(d) === 6);
        if (!file.startsWith('usdchf')) expect(weekend, file).toEqual([]);
        // FX opens on Sunday evening UTC: that session's short day is the only weekend label
        else expect(weekend.every((d) => weekday(d) === 0)).toBe(true);
        for (const t of csvRows(`each-${file}.trades.csv`)) expect(weekday(t[0]!), t[0]).not.toBe(6);
      }
    });
  }
});
