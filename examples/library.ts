// examples/library.ts: tickfold as a library (run by the test suite: tests/examples.test.ts).
// From a project that installed tickfold: `npx tsx library.ts` (or compile it with tsc); in a
// CommonJS project (`npm init -y`) name it library.mts: it is an ES module (top-level await).
import { cointegration, computeMetrics, deflatedSharpe, johansen, loadData, loadStrategy, runOnTable, walkForward } from 'tickfold';
import { BUILTIN_STRATEGIES } from 'tickfold/strategies';

const data = process.argv[2] ?? 'data/sample_pair_quotes.csv';
const eu = process.argv[3] ?? 'data/eustockmarkets_daily_1991_1998.csv';

// 1. load data: CSV or Parquet files, or folders of them
const { table } = await loadData([data]);
console.log(`loaded ${table.length} events of ${table.symbols.join(', ')}`);

// 2. one backtest with the default execution (fills at the quote, no fees); only the strategy is required
const pairs = await loadStrategy('pairs');
const run = runOnTable(table, { strategy: pairs, params: { symbols: 'BBB,AAA', every: '30s', lookback: '180' } });
const m = computeMetrics(run.record, run.period.periodsPerYear);
console.log(`pairs: PnL ${m.pnlNet.toFixed(2)}, hit rate ${(m.hitRate.rate * 100).toFixed(1)}% of ${m.trades}, Sharpe ${m.sharpeAnnualized.toFixed(2)}; total return ${(run.tearsheet.totalReturn * 100).toFixed(2)}%`);

// 3. walk-forward over a grid, against the naive baselines on the same folds: DSR, PBO, SPA
const v = await walkForward(table, { strategies: [{ strategy: 'pairs', params: { symbols: 'BBB,AAA', every: '10s' }, grid: { entry: [1.5, 2] } }], train: '1h', test: '30m', workers: 1, bootstrapReps: 500 });
const c = v.strategies.find((s) => !s.baseline)!;
console.log(`walk-forward: ${c.verdictClass}; DSR ${c.overfitting.dsr.toFixed(2)}, PBO ${c.overfitting.pbo?.pbo.toFixed(2)}, SPA p ${v.snooping?.vs[0]?.spa.consistent.toFixed(3)}; ${v.strategies.length} strategies`);

// 4. the statistics on their own: a Deflated Sharpe of 1.2 a year over 500 days, the best of 20 trials
const d = deflatedSharpe(1.2 / Math.sqrt(252), 500, 0, 3, 20, 0.0004);
console.log(`DSR ${d.dsr.toFixed(3)} (SR0 ${d.sr0.toFixed(4)} per period)`);

// 5. cointegration: Engle-Granger of a pair and Johansen of a basket
const bars = (await loadData([eu])).table;
const eg = cointegration(bars, 'DAX', 'CAC', { gridUs: 86_400e6 });
console.log(`Engle-Granger DAX on CAC: p = ${eg.pValue.toFixed(4)}, hedge ${eg.hedgeRatio.toFixed(3)}`);
const closes = (s: string): number[] =>
  Array.from({ length: bars.length }, (_, i) => i)
    .filter((i) => bars.symbols[bars.sym[i]!] === s)
    .map((i) => Math.log(bars.f3[i]!));
const j = johansen(['DAX', 'SMI', 'CAC', 'FTSE'].map(closes), 0, 1);
console.log(`Johansen: trace ${Array.from(j.trace, (x) => x.toFixed(2)).join(', ')}; rank ${j.rankTrace}`);
console.log(`built-in strategies: ${[...BUILTIN_STRATEGIES.keys()].join(', ')}`);
