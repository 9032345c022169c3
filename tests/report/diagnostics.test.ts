/**
 * A strategy's own charts (Strategy.diagnostics(), src/strategy/diagnostics.ts) in the HTML
 * report: a user's module file declares a chart and it is drawn, by a report that knows no
 * strategy by name; a walk-forward joins the folds' charts over their test windows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosticsProblem, joinDiagnostics, type Diagnostics } from '../../src/strategy/diagnostics.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const dir = tempDir();

/** The page's chart payload (src/report/browser/payload.ts), from a report file. */
function charts(html: string): { id: string; series: { name: string; color: string | null; width: number; points: [number, number][] }[]; levels: { value: number; label: string }[]; markers: { time: number; label: string; direction: string }[] }[] {
  const m = /<script id="payload" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!).charts;
}

// a user's strategy: no orders, one chart of the mark of the first symbol every minute, a level
// at its first value and a marker at its third point
const USER = `
export default {
  name: 'watcher',
  description: 'charts the mark of the first symbol every minute',
  params: {},
  create() {
    const ts: number[] = [];
    const values: number[] = [];
    let next = -Infinity;
    return {
      onTick(ctx, t) {
        if (t.ts < next) return;
        next = t.ts + 60e6;
        ts.push(t.ts);
        values.push(ctx.price(ctx.symbols[0]));
      },
      diagnostics() {
        return { charts: [{ id: 'watched-mark', title: 'Watched mark', note: 'the mark, once a minute', series: [{ name: 'mark', ts, values, color: '#123456', width: 2 }], levels: [{ value: values[0], label: 'first' }], markers: [{ ts: ts[2], label: 'third', direction: 'up' }] }] };
      },
    };
  },
};
`;

describe('a strategy declares its own charts; the HTML report draws them', () => {
  it("a user's module file: its chart, series, level and marker are in the page", async () => {
    const file = join(dir, 'watcher.ts');
    writeFileSync(file, USER);
    const r = await runCliIn(['run', '--strategy', file, '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--no-cache', '--report', join(dir, 'watcher.html')]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(dir, 'watcher.html'), 'utf8');
    expect(html).toContain('<h2>Watched mark</h2><p class="note">the mark, once a minute Markers: third ×1.</p><div id="chart-watched-mark" class="chart small"></div>');
    const [c, ...more] = charts(html);
    expect(more).toEqual([]);
    expect(c!.id).toBe('watched-mark');
    expect(c!.series.map((s) => [s.name, s.color, s.width])).toEqual([['mark', '#123456', 2]]);
    const pts = c!.series[0]!.points;
    // the sample's 5h 33m: a point a minute
    expect(pts.length).toBeGreaterThan(300);
    expect(pts.length).toBeLessThan(340);
    for (let i = 1; i < pts.length; i++) expect(pts[i]![0] - pts[i - 1]![0]).toBeGreaterThanOrEqual(60);
    expect(c!.levels).toEqual([{ value: pts[0]![1], label: 'first', color: null }]);
    expect(c!.markers).toEqual([{ time: pts[2]![0], label: 'third', direction: 'up', color: null }]);
  });

  it('charts the report could not draw are refused, naming the chart', () => {
    const s = (ts: number[], values: number[]) => [{ name: 'x', ts, values }];
    expect(diagnosticsProblem({ charts: [{ id: 'ok-1', title: 't', series: s([1, 2], [3, 4]) }] })).toBeUndefined();
    expect(diagnosticsProblem({ charts: [{ id: 'Spread', title: 't', series: s([1], [1]) }] })).toMatch(/chart id 'Spread' must be lower-case/);
    expect(diagnosticsProblem({ charts: [{ id: 'equity', title: 't', series: s([1], [1]) }] })).toMatch(/'equity' is the report's own/);
    expect(
      diagnosticsProblem({
        charts: [
          { id: 'a', title: 't', series: s([1], [1]) },
          { id: 'a', title: 't', series: s([1], [1]) },
        ],
      }),
    ).toMatch(/'a' is used twice/);
    expect(diagnosticsProblem({ charts: [{ id: 'a', title: 't', series: s([1, 2], [1]) }] })).toMatch(/series 'x': 2 times but 1 values/);
    expect(diagnosticsProblem({ charts: [{ id: 'a', title: 't', series: s([2, 1], [1, 1]) }] })).toMatch(/times go back at index 1/);
    expect(diagnosticsProblem({ charts: [{ id: 'a', title: 't', series: [] }] })).toMatch(/at least one series/);
  });

  it("folds' charts join over their test windows: points and markers inside them, levels of the last fold", () => {
    const fold = (entry: number, ts: number[], marks: number[]): Diagnostics => ({
      charts: [{ id: 'z', title: `z ${entry}`, series: [{ name: 'z', ts, values: ts.map((t) => t * 10), color: '#111111' }], levels: [{ value: entry, label: 'entry' }], markers: marks.map((t) => ({ ts: t, label: 'm', direction: 'down' as const })) }],
    });
    const j = joinDiagnostics([
      { from: 3, to: 6, diagnostics: fold(1, [1, 2, 3, 4, 5, 6, 7], [2, 4]) },
      { from: 6, to: Infinity, diagnostics: fold(2, [4, 5, 6, 7, 8], [5, 7]) },
    ]);
    expect(j).toEqual({
      charts: [
        {
          id: 'z',
          title: 'z 2',
          series: [{ name: 'z', ts: [3, 4, 5, 6, 7, 8], values: [30, 40, 50, 60, 70, 80], color: '#111111' }],
          levels: [{ value: 2, label: 'entry' }],
          markers: [
            { ts: 4, label: 'm', direction: 'down' },
            { ts: 7, label: 'm', direction: 'down' },
          ],
        },
      ],
    });
    // nothing inside the windows: no chart
    expect(joinDiagnostics([{ from: 100, to: 200, diagnostics: fold(1, [1, 2], []) }])).toBeUndefined();
  });

  it("the HTML builders know no strategy: no built-in name as a string, no read of a strategy's free-form summary", () => {
    const src = readFileSync(join(ROOT, 'src/report/html-builders.ts'), 'utf8');
    for (const name of BUILTIN_STRATEGIES.keys()) expect(src, name).not.toMatch(new RegExp(`['"\`]${name}['"\`]`));
    expect(src).not.toMatch(/strategySummary|\.diagnostics\b/);
  });
});
