/**
 * A run with 500,000 round trips measures and reports without "Maximum call stack size exceeded"
 * (issue 27, point 6: `Math.max(...x)` in the tearsheet crashed 2,000,000-trade runs at the end,
 * after all the work, writing nothing). The table is built in memory (1,000,002 trades of one
 * symbol, one a second); the strategy buys one share when flat and sells it when long, so every two
 * trades make one round trip. Everything after the replay is the CLI's own code: the metrics, the
 * tearsheet, the text, JSON and HTML reports.
 */
import { parseDuration } from '../../src/data/time.js';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { TRADE } from '../../src/data/schema.js';
import type { TickTable } from '../../src/data/table.js';
import { runOnTable } from '../../src/jobs/run.js';
import { buildRunReport, renderRunJson, renderRunText } from '../../src/report/run-report.js';
import { renderHtmlReport } from '../../src/report/html.js';
import { runHtml } from '../../src/report/html-builders.js';
import { defineStrategy } from '../../src/strategy/types.js';

function tradesTable(n: number): TickTable {
  const ts = new Float64Array(n);
  const f0 = new Float64Array(n);
  const f1 = new Float64Array(n).fill(1);
  const t0 = Date.UTC(2024, 0, 2) * 1000;
  for (let i = 0; i < n; i++) {
    ts[i] = t0 + i * 1e6;
    // a price that wanders: wins and losses of different sizes
    f0[i] = 100 + 5 * Math.sin(i / 37) + 0.01 * (i % 7);
  }
  const E = new Float64Array(0);
  return { length: n, symbols: ['AAA'], ts, kind: new Uint8Array(n).fill(TRADE), sym: new Uint16Array(n), f0, f1, f2: E, f3: E, f4: E, barStart: E, symbolKinds: Uint8Array.of(1 << TRADE) };
}

const flipper = defineStrategy({
  name: 'flipper',
  description: 'long one share on every other trade',
  params: {},
  create: () => ({
    onTick: (ctx) => {
      if (ctx.pending('AAA') !== 0) return;
      ctx.submit({ symbol: 'AAA', side: ctx.position('AAA') > 0 ? 'sell' : 'buy', qty: 1 });
    },
  }),
});

describe('a big run reports (issue 27, point 6)', () => {
  it('500,000 round trips: metrics, tearsheet, text, JSON and HTML without a stack overflow', () => {
    const table = tradesTable(1_000_002);
    const out = runOnTable(table, { strategy: flipper, execution: DEFAULT_EXECUTION, periodUs: parseDuration('1h') });
    expect(out.metrics.trades).toBeGreaterThanOrEqual(500_000);
    // the best and worst round trips, found by hand
    const rets = Array.from(out.record.trades.rows(), (x) => x.returnFraction);
    let best = -Infinity;
    let worst = Infinity;
    for (const r of rets) {
      best = Math.max(best, r);
      worst = Math.min(worst, r);
    }
    expect(out.tearsheet.trades!.best).toBe(best);
    expect(out.tearsheet.trades!.worst).toBe(worst);
    const rep = buildRunReport({ ...out, files: [] }, 'test', ['run'], DEFAULT_EXECUTION, '1');
    expect(renderRunText(rep, out)).toMatch(/round trips/);
    expect(JSON.parse(renderRunJson(rep)).metrics.trades).toBe(out.metrics.trades);
    expect(renderHtmlReport(runHtml(rep, out, table)).length).toBeGreaterThan(10_000);
  });
});
