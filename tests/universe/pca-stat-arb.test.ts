/**
 * The pca-stat-arb strategy, run through the engine on the S&P 500 file, decides on the oracle's
 * numbers: on the 10 rolling dates of ../shared/oracles/avellaneda_lee_sp500.json (80 names,
 * starting flat on the first), its s-scores (raw and centred runs), kappas and states equal the
 * oracle's, and on the last date its betas; every order it sends is for one of its names.
 */
import { beforeAll, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { sliceRows, type TickTable } from '../../src/data/table.js';
import { runBacktest } from '../../src/engine/engine.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { barMatrix } from '../../src/panel/bar-matrix.js';
import { isoSecond } from '../../src/factor/report.js';
import { resolveParams } from '../../src/strategy/params.js';
import pcaStatArb, { type PcaStatArbDiagnostics } from '../../strategies/pca-stat-arb.js';
import { describeShared, shared } from '../helpers.js';
import { oracle } from '../oracles.js';

const O = oracle('avellaneda_lee_sp500.json');
const V = O.values;
const SYMS: string[] = O.inputs.symbols;

describeShared('pca-stat-arb vs the Avellaneda-Lee oracle (engine run, 80 names, 10 dates)', () => {
  let window: TickTable;
  beforeAll(async () => {
    const { table } = await loadData([shared('sp500_daily_2013_2018.csv')], { cache: false });
    const cal = barMatrix(table, 'close').calendar;
    const T = O.inputs.T_calendar_index as number;
    const first = cal[T - 9 - 60]!; // 61 closes before the first rolling date's decision
    const last = cal[T]!;
    let a = 0;
    while (table.barStart[a]! < first) a++;
    let b = a;
    while (b < table.length && table.barStart[b]! <= last) b++;
    window = sliceRows(table, a, b);
  });

  const runWith = (centred: boolean): PcaStatArbDiagnostics => {
    const params = resolveParams('pca-stat-arb', pcaStatArb.params, { symbols: SYMS.join(','), centred: String(centred), trace: 'true' });
    const rec = runBacktest(window, pcaStatArb.create(params), { strategyName: 'pca-stat-arb', initialCapital: 1e7, execution: DEFAULT_EXECUTION, periodUs: 86_400e6, seed: '1' });
    for (const o of rec.orders.rows()) expect(SYMS).toContain(o.symbol);
    return rec.strategySummary as PcaStatArbDiagnostics;
  };

  for (const centred of [false, true]) {
    it(`s-scores, kappas and positions on the oracle's dates (${centred ? 'centred' : 'raw'} s)`, () => {
      const d = runWith(centred);
      const steps = V.rolling.steps as Record<string, unknown>[];
      expect(d.trace!.map((t) => isoSecond(t.session))).toEqual(steps.map((s) => s.date));
      d.trace!.forEach((t, k) => {
        const want = steps[k]!;
        expect(t.names).toEqual(SYMS);
        const ws = (centred ? want.s_centred : want.s) as (number | null)[];
        ws.forEach((w, i) => {
          if (w === null) expect(t.s[i]).toBeNull();
          else if (!(Math.abs(t.s[i]! - w) <= 1e-8)) expect.fail(`${want.date as string} ${SYMS[i]} s ${t.s[i]} vs ${w}`);
        });
        (want.kappa as (number | null)[]).forEach((w, i) => w !== null && expect(Math.abs(t.kappa[i]! - w)).toBeLessThanOrEqual(1e-8 * Math.abs(w)));
        expect(t.states, `${want.date as string} states`).toEqual(centred ? want.positions_s_centred : want.positions_s);
      });
      const last = d.trace![d.trace!.length - 1]!;
      (V.per_stock as { betas: number[] }[]).forEach((p, i) => p.betas.forEach((w, j) => expect(Math.abs(last.betas[i]![j]! - w)).toBeLessThanOrEqual(1e-8)));
    });
  }
});
