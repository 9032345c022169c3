/**
 * Statistics on degenerate and arbitrary inputs: NaN where a quantity is undefined (no trades, one
 * return, constant equity, zero variance), never ±Infinity; inputs outside a statistic's domain are
 * a RangeError that names the argument.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { runBacktest } from '../../src/engine/engine.js';
import { overfitReport } from '../../src/analysis/overfit.js';
import { hitRate } from '../../src/metrics/hit-rate.js';
import { downsideDeviation, kurtosisNonExcess, maxDrawdown, mean, returnsFromEquity, sharpeAnnualized, sharpePerPeriod, skewness, sortinoPerPeriod, stdev } from '../../src/metrics/returns.js';
import { computeMetrics } from '../../src/metrics/run-metrics.js';
import { deflatedSharpe, expectedMaxZ, minBacktestLength, minTrackRecordLength, probabilisticSharpe } from '../../src/metrics/sharpe-inference.js';
import { binomialTestGreater, wilsonInterval } from '../../src/stats/binomial.js';
import { stationaryBootstrapMean } from '../../src/stats/bootstrap.js';
import { probabilityOfBacktestOverfitting } from '../../src/stats/pbo.js';
import type { Strategy } from '../../src/strategy/types.js';
import { check, fc } from './fc.js';
import { buildMarket, marketArb } from './market.js';

const SUITE = 'stats';

/** Every number in a (nested) value, with its path. */
function numbers(v: unknown, path = '', out: [string, number][] = []): [string, number][] {
  if (typeof v === 'number') out.push([path, v]);
  else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) Array.from(v as Float64Array).forEach((x, i) => numbers(x, `${path}[${i}]`, out));
  else if (Array.isArray(v)) v.forEach((x, i) => numbers(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) numbers(x, path ? `${path}.${k}` : k, out);
  return out;
}
const infinities = (v: unknown): string[] =>
  numbers(v)
    .filter(([, x]) => x === Infinity || x === -Infinity)
    .map(([p, x]) => `${p} = ${x}`);

/** Degenerate return series first, then arbitrary finite ones. */
const series = fc.oneof(
  fc.constant([] as number[]),
  fc.double({ min: -0.5, max: 0.5, noNaN: true }).map((x) => [x]),
  fc.tuple(fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.integer({ min: 2, max: 50 })).map(([c, n]) => Array<number>(n).fill(c)),
  fc.integer({ min: 2, max: 50 }).map((n) => Array<number>(n).fill(0)),
  fc.tuple(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.double({ min: -0.5, max: 0.5, noNaN: true })).map(([n, k, x]) => Array.from({ length: n }, (_, i) => (i === k % n ? x : 0))),
  fc.array(fc.double({ min: -0.9, max: 2, noNaN: true }), { minLength: 2, maxLength: 80 }),
  fc.array(fc.constantFrom(-1e-300, 0, 1e-300, 5e-324), { minLength: 2, maxLength: 20 }),
);

describe('statistics never give Infinity', () => {
  it('on degenerate and arbitrary return series', () => {
    let nanCases = 0;
    check(
      SUITE,
      'return statistics: NaN, never Infinity',
      series,
      (r) => {
        const sr = sharpePerPeriod(r);
        const g1 = skewness(r);
        const b2 = kurtosisNonExcess(r);
        const equity = Float64Array.from(r.reduce<number[]>((e, x) => [...e, (e.at(-1) ?? 100) * (1 + x)], []));
        const out = {
          mean: mean(r),
          stdev: stdev(r),
          sr,
          srAnnual: sharpeAnnualized(r, 252),
          sortino: sortinoPerPeriod(r),
          downside: downsideDeviation(r),
          g1,
          b2,
          psr: probabilisticSharpe(sr, 0, r.length, g1, b2),
          minTrl: minTrackRecordLength(sr, 0, g1, b2),
          dsr: deflatedSharpe(sr, r.length, g1, b2, 10, 0.01),
          drawdown: maxDrawdown(equity, 100),
          returns: returnsFromEquity(equity, 100),
          hit: hitRate(r),
          boot: r.length > 0 ? stationaryBootstrapMean(r, { reps: 40, seed: 'p' }) : null,
        };
        expect(infinities(out)).toEqual([]);
        // constant series: zero variance, so the ratios are undefined (NaN), not infinite
        if (r.length > 1 && r.every((x) => x === r[0])) {
          expect([out.sr, out.psr, out.g1]).toEqual([NaN, NaN, NaN]);
          nanCases++;
        }
        if (r.length < 2) expect([out.stdev, out.sr, out.psr]).toEqual([NaN, NaN, NaN]);
      },
      600,
    );
    expect(nanCases).toBeGreaterThan(50);
  });

  it('binomial test and Wilson interval at the edges', () => {
    check(
      SUITE,
      'hit-rate tests: NaN, never Infinity',
      fc.integer({ min: 0, max: 2000 }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }))),
      ([n, k]) => {
        const p = binomialTestGreater(k, n);
        const w = wilsonInterval(k, n);
        expect(infinities({ p, w })).toEqual([]);
        if (n === 0) expect([p, w.low, w.high]).toEqual([NaN, NaN, NaN]);
        else {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
          expect(w.low).toBeLessThanOrEqual(k / n + 1e-12);
          expect(w.high).toBeGreaterThanOrEqual(k / n - 1e-12);
        }
      },
      400,
    );
  });

  it('run metrics of degenerate runs: no trades, one trade, constant prices', () => {
    const once = (qty: number): Strategy => {
      let done = false;
      return {
        onTick(ctx) {
          if (!done && !Number.isNaN(ctx.price('A'))) {
            ctx.submit({ symbol: 'A', side: qty > 0 ? 'buy' : 'sell', qty: Math.abs(qty) });
            done = true;
          }
        },
      };
    };
    const roundTrip: Strategy = {
      onTick(ctx, t) {
        if (t.index === 3) ctx.submit({ symbol: 'A', side: 'buy', qty: 10 });
        if (t.index === 9) ctx.targetPosition('A', 0);
      },
    };
    check(
      SUITE,
      'run metrics: NaN, never Infinity',
      fc.record({
        market: marketArb,
        flat: fc.boolean(), // constant prices: every return 0
        strategy: fc.constantFrom('none', 'hold', 'short', 'round-trip'),
      }),
      ({ market, flat, strategy }) => {
        const m = flat ? { ...market, quotes: market.quotes.map((q) => ({ ...q, move: 0 })), trades: market.trades.map((t) => ({ ...t, move: 0 })) } : market;
        const table = buildMarket(m);
        const s = strategy === 'none' ? {} : strategy === 'hold' ? once(5) : strategy === 'short' ? once(-5) : roundTrip;
        const record = runBacktest(table, s, { strategyName: strategy, initialCapital: 1e5, execution: DEFAULT_EXECUTION, periodUs: 60e6, seed: '1' });
        const metrics = computeMetrics(record, 525_960);
        expect(infinities(metrics)).toEqual([]);
        if (strategy === 'none') {
          expect([metrics.sharpePerPeriod, metrics.profitFactor, metrics.hitRate.rate, metrics.expectancy]).toEqual([NaN, NaN, NaN, NaN]);
          expect(metrics.maxDrawdownFraction).toBe(0);
        }
      },
      200,
    );
  });

  it('PBO does not depend on the order of the trials (columns permuted, never-trading ones included)', () => {
    check(
      SUITE,
      'PBO invariant under column permutation',
      fc.record({
        T: fc.integer({ min: 16, max: 96 }),
        N: fc.integer({ min: 2, max: 7 }),
        flats: fc.integer({ min: 0, max: 2 }),
        values: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 700, maxLength: 700 }),
        perm: fc.array(fc.nat(), { minLength: 9, maxLength: 9 }),
      }),
      ({ T, N, flats, values, perm }) => {
        // each trading trial gets its own drift and pattern on top of the random values, so that no two
        // have equal Sharpes in sample (a tie would make the choice depend on the order, by design:
        // the lower trial number wins)
        const own = (i: number, j: number): number => 0.001 * (((i * 7 + j * j * 3 + j) % 11) - 5 + 0.37 * (j + 1));
        const cols = Array.from({ length: N + flats }, (_, j) => Float64Array.from({ length: T }, (_, i) => (j >= N ? 0 : values[(i * 11 + j * 97) % values.length]! + own(i, j))));
        // a permutation from the random keys (ties by index)
        const order = cols.map((_, j) => j).sort((a, b) => perm[a]! - perm[b]! || a - b);
        const a = probabilityOfBacktestOverfitting(cols, 4);
        const b = probabilityOfBacktestOverfitting(
          order.map((j) => cols[j]!),
          4,
        );
        if (Number.isNaN(a.pbo)) expect(b.pbo).toBeNaN();
        else expect(b.pbo).toBe(a.pbo);
        expect(b.combinations).toBe(a.combinations);
      },
      200,
    );
  });

  it('overfitting report of degenerate trial matrices (constant, identical, one varying trial)', () => {
    check(
      SUITE,
      'overfit report: NaN, never Infinity',
      fc.record({
        T: fc.integer({ min: 32, max: 120 }),
        N: fc.integer({ min: 2, max: 8 }),
        kind: fc.constantFrom('zeros', 'constant', 'identical', 'one-varies', 'random'),
        values: fc.array(fc.double({ min: -0.05, max: 0.05, noNaN: true }), { minLength: 960, maxLength: 960 }),
      }),
      ({ T, N, kind, values }) => {
        const cols = Array.from({ length: N }, (_, j) =>
          Float64Array.from({ length: T }, (_, i) => {
            const v = values[(i * 7 + j * 131) % values.length]!;
            if (kind === 'zeros') return 0;
            if (kind === 'constant') return values[j]!;
            if (kind === 'identical') return values[i % values.length]!;
            if (kind === 'one-varies') return j === 0 ? v : 0;
            return v;
          }),
        );
        const rep = overfitReport(
          cols.map((_, j) => `t${j}`),
          cols,
          8,
          252,
        );
        expect(infinities(rep)).toEqual([]);
        // no trial with a Sharpe (all zero or constant returns): nothing is ever selected, PBO n/a
        if (kind === 'zeros' || kind === 'constant') expect(rep.pbo.pbo).toBeNaN();
        else {
          expect(rep.pbo.pbo).toBeGreaterThanOrEqual(0);
          expect(rep.pbo.pbo).toBeLessThanOrEqual(1);
        }
      },
      150,
    );
  });
});

describe('inputs outside the domain are a clear RangeError', () => {
  const bad = (f: () => unknown, mentions: RegExp): void => {
    expect(f).toThrow(RangeError);
    expect(f).toThrow(mentions);
  };
  it('PSR, DSR, MinTRL, MinBTL, E[max]', () => {
    check(
      SUITE,
      'Sharpe inference: domain errors',
      fc.record({
        t: fc.oneof(
          fc.integer({ min: -1000, max: -1 }),
          fc.double({ min: 0.01, max: 1000, noNaN: true }).filter((x) => !Number.isInteger(x)),
        ),
        kurt: fc.double({ min: -10, max: 0.99, noNaN: true }),
        n: fc.oneof(
          fc.integer({ min: -50, max: 0 }),
          fc.constant(NaN),
          fc.double({ min: 1.01, max: 99.9, noNaN: true }).filter((x) => !Number.isInteger(x)),
        ),
        v: fc.double({ min: -5, max: -1e-9, noNaN: true }),
        prob: fc.oneof(fc.double({ min: -3, max: 0, noNaN: true }), fc.double({ min: 1, max: 3, noNaN: true })),
      }),
      ({ t, kurt, n, v, prob }) => {
        bad(() => probabilisticSharpe(0.1, 0, t, 0, 3), /number of returns T/);
        bad(() => probabilisticSharpe(0.1, 0, 100, 0, kurt), /non-excess/);
        bad(() => deflatedSharpe(0.1, 100, 0, 3, n, 0.1), /number of trials N/);
        bad(() => deflatedSharpe(0.1, 100, 0, 3, 10, v), /variance V/);
        bad(() => expectedMaxZ(n), /number of trials N/);
        bad(() => minBacktestLength(n, 1), /number of trials N/);
        bad(() => minTrackRecordLength(0.2, 0, 0, 3, prob), /confidence/);
      },
      200,
    );
    // degenerate but possible inputs give NaN, not an error
    expect(probabilisticSharpe(NaN, 0, 0, NaN, NaN)).toBeNaN();
    expect(probabilisticSharpe(0.1, 0, 1, 0, 3)).toBeNaN();
    expect(deflatedSharpe(0.1, 100, 0, 3, 1, NaN).sr0).toBe(0);
  });

  it('PBO: too few trials or periods, odd partitions, ragged or non-finite matrices', () => {
    check(
      SUITE,
      'PBO: domain errors',
      fc.record({
        partitions: fc.oneof(
          fc.integer({ min: -4, max: 1 }),
          fc.integer({ min: 1, max: 12 }).map((k) => 2 * k + 1),
          fc.integer({ min: 13, max: 40 }).map((k) => 2 * k),
        ),
        where: fc.nat({ max: 99 }),
        poison: fc.constantFrom(NaN, Infinity, -Infinity),
      }),
      ({ partitions, where, poison }) => {
        const cols = [0, 1, 2].map((j) => Float64Array.from({ length: 100 }, (_, i) => Math.sin(i * (j + 1)) / 100));
        bad(() => probabilityOfBacktestOverfitting(cols, partitions), /partitions/);
        bad(() => probabilityOfBacktestOverfitting([cols[0]!], 8), /at least 2 trials/);
        bad(() => probabilityOfBacktestOverfitting([cols[0]!, cols[1]!.subarray(1)], 8), /same number of periods/);
        bad(
          () =>
            probabilityOfBacktestOverfitting(
              cols.map((c) => c.subarray(0, 15)),
              8,
            ),
          /too few/,
        );
        const poisoned = cols.map((c) => Float64Array.from(c));
        poisoned[1]![where] = poison;
        bad(() => probabilityOfBacktestOverfitting(poisoned, 8), new RegExp(`trial 2, period ${where + 1}`));
      },
      200,
    );
  });
});
