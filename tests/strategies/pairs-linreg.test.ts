import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { parseIso, parseDuration } from '../../src/data/time.js';
import { runJob } from '../../src/jobs/run.js';
import type { LinregDiagnostics } from '../../strategies/linreg.js';
import type { PairsDiagnostics } from '../../strategies/pairs.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { describeShared, ROOT, shared } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const job = (files: string[], name: string, params: Record<string, string>) => runJob(files, { cache: false }, { strategy: BUILTIN_STRATEGIES.get(name)!, params, execution: DEFAULT_EXECUTION, initialCapital: 100_000, seed: '1', periodUs: parseDuration('1m') });

/** The break time printed by `data generate` for the bundled break sample (data/README.md). */
const BREAK = parseIso('2024-01-02T17:50:04.507166Z');

describe('pairs on the bundled synthetic pair (zero fees and slippage: the quoted spread is the only cost)', () => {
  it('makes money on the relationship it was generated with (B on A, β = 0.8), rolling and fixed hedge', async () => {
    for (const hedge of ['rolling', 'fixed']) {
      const o = await job([join(ROOT, 'data/sample_pair_quotes.csv')], 'pairs', { symbols: 'BBB,AAA', every: '30s', lookback: '180', hedge });
      const d = o.record.strategySummary as PairsDiagnostics;
      expect(o.metrics.pnlNet, hedge).toBeGreaterThan(0);
      expect(d.entries).toBeGreaterThan(2);
      expect(d.hedgeRatio).toBeGreaterThan(0.6);
      expect(d.hedgeRatio).toBeLessThan(1.0);
    }
  });
  it('on --regime-break data a hedge fixed before the break makes money before it and loses after it', async () => {
    const o = await job([join(ROOT, 'data/sample_pair_break_quotes.csv')], 'pairs', { symbols: 'BBB,AAA', every: '30s', lookback: '180', hedge: 'fixed' });
    const r = o.record;
    let k = 0;
    while (k < r.sampleTs.length && r.sampleTs[k]! <= BREAK) k++;
    const atBreak = r.equity[k - 1]!;
    expect(atBreak - r.initialCapital).toBeGreaterThan(0);
    expect(r.finalEquity - atBreak).toBeLessThan(0);
  });
  it('hedge=kalman follows the hedge ratio through the break (started from the formation fit, which a fixed hedge keeps)', async () => {
    const file = join(ROOT, 'data/sample_pair_break_quotes.csv');
    const params = { symbols: 'BBB,AAA', every: '30s', lookback: '180' };
    const fixed = (await job([file], 'pairs', { ...params, hedge: 'fixed' })).record.strategySummary as PairsDiagnostics;
    const kalman = (await job([file], 'pairs', { ...params, hedge: 'kalman' })).record.strategySummary as PairsDiagnostics;
    const rolling = (await job([file], 'pairs', { ...params, hedge: 'rolling' })).record.strategySummary as PairsDiagnostics;
    expect(fixed.hedgeRatio).toBeLessThan(0.9);
    expect(kalman.hedgeRatio).toBeGreaterThan(1.2);
    expect(Math.abs(kalman.hedgeRatio - rolling.hedgeRatio)).toBeLessThan(0.1);
    // delta = 0 is a constant regression: recursive least squares over every step, nearer the fixed fit
    const rls = (await job([file], 'pairs', { ...params, hedge: 'kalman', delta: '0' })).record.strategySummary as PairsDiagnostics;
    expect(rls.hedgeRatio).toBeLessThan(kalman.hedgeRatio);
  });
  it('the Kalman settings are refused with another hedge', async () => {
    const r = await runCliIn(['run', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'hedge=rolling', '--param', 'delta=0.01']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/delta applies to hedge=kalman \(hedge is rolling\)/);
  });
  it('the cointegration gate keeps it out when the window is not cointegrated', async () => {
    const gated = await job([join(ROOT, 'data/sample_pair_break_quotes.csv')], 'pairs', { symbols: 'BBB,AAA', every: '30s', lookback: '180', maxPValue: '0.05' });
    const d = gated.record.strategySummary as PairsDiagnostics;
    expect(d.gateOpenShare).toBeLessThan(1);
    expect(Number.isFinite(d.lastGatePValue)).toBe(true);
  });
});

describe('linreg', () => {
  it('fits on the past only and reports coefficients, R² and out-of-sample sign accuracy', async () => {
    const o = await job([join(ROOT, 'data/sample_pair_quotes.csv')], 'linreg', { symbol: 'AAA', every: '1m', window: '120', horizon: '5' });
    const d = o.record.strategySummary as LinregDiagnostics;
    expect(d.features).toEqual(['intercept', 'ret_lag1', 'ret_lag2', 'ret_lag5', 'rsi14', 'ema20_gap', 'macd_hist', 'quote_imbalance']);
    expect(d.coefficients).toHaveLength(8);
    expect(d.r2).toBeGreaterThanOrEqual(0);
    expect(d.scored).toBeGreaterThan(100);
    expect(d.oosSignAccuracy).toBeGreaterThan(0.3);
    expect(d.oosSignAccuracy).toBeLessThan(0.7); // a random walk leg: no real edge to find
  });
});

describe('linreg with features from another symbol (lead-lag)', () => {
  it("adds the cross symbol's lagged returns, quote imbalance, spread and the basis, fitted like the rest", async () => {
    const o = await job([join(ROOT, 'data/sample_pair_quotes.csv')], 'linreg', { symbol: 'AAA', every: '1m', window: '120', horizon: '5', cross: 'BBB', crossLags: '1,3', crossQuotes: 'true', basis: 'true' });
    const d = o.record.strategySummary as LinregDiagnostics;
    expect(d.features.slice(-5)).toEqual(['BBB_ret_lag1', 'BBB_ret_lag3', 'BBB_imbalance', 'BBB_spread', 'basis_BBB']);
    expect(d.coefficients).toHaveLength(d.features.length);
    expect(d.fits).toBeGreaterThan(0);
  });
  it('refuses cross settings without a cross symbol, the traded symbol as its own cross, and a cross not in the data', async () => {
    const q = join(ROOT, 'data/sample_pair_quotes.csv');
    for (const [params, re] of [
      [['basis=true'], /basis applies with cross=SYMBOL/],
      [['cross=AAA', 'symbol=AAA'], /cross symbol 'AAA' is the traded symbol/],
      [['cross=CCC'], /parameter cross=CCC: symbol 'CCC' is not in the data/],
      [['cross=BBB', 'crossLags=0'], /crossLags='0' must be positive integers/],
    ] as const) {
      const r = await runCliIn(['run', '--data', q, '--strategy', 'linreg', ...params.flatMap((x) => ['--param', x])]);
      expect(r.code, params.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(re);
    }
  });
});

describeShared('pairs and linreg on real data', () => {
  it('run on the Binance quotes and on DAX/CAC with sensible output', async () => {
    const binance = shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv');
    const eu = join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv');
    for (const [files, name, params] of [
      [[binance], 'pairs', { symbols: 'ETHUSDT,BTCUSDT', every: '1s', lookback: '60' }],
      [[binance], 'linreg', { symbol: 'BTCUSDT', every: '1s' }],
      [[eu], 'pairs', { symbols: 'DAX,CAC', lookback: '120' }],
      [[eu], 'linreg', { symbol: 'DAX' }],
    ] as const) {
      const o = await job([...files], name, params);
      expect(o.metrics.trades, `${name} ${files[0]}`).toBeGreaterThan(5);
      expect(Number.isFinite(o.metrics.sharpeAnnualized)).toBe(true);
      expect(Math.abs(o.metrics.returnFraction)).toBeLessThan(1); // no runaway leverage
    }
  });
  it('tickfold coint on DAX/CAC matches statsmodels coint(maxlag=0)', async () => {
    const r = await runCliIn(['coint', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--symbols', 'DAX,CAC', '--max-lag', '0', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.stat).toBeCloseTo(-1.9482217293589028, 9);
    expect(j.pValue).toBeCloseTo(0.5553655348881288, 6);
    expect(j.hedgeRatio).toBeCloseTo(1.547295572805925, 9);
    expect(j.observations).toBe(1860);
    const text = await runCliIn(['coint', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--symbols', 'DAX,CAC']);
    expect(text.stdout).toContain('p-value        0.5465');
    expect(text.stdout).toContain('ADF ln DAX');
  });
  it('tickfold pairs scan ranks every pair by p-value', async () => {
    const r = await runCliIn(['pairs', 'scan', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { pairs: { y: string; x: string; pValue: number; hedgeRatio: number; halfLifeObs: number }[] };
    expect(j.pairs).toHaveLength(6); // 4 indices: C(4,2)
    for (let k = 1; k < j.pairs.length; k++) expect(j.pairs[k]!.pValue).toBeGreaterThanOrEqual(j.pairs[k - 1]!.pValue);
    const bad = await runCliIn(['coint', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--symbols', 'DAX,CAK']);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain("did you mean 'CAC'?");
  });
});
