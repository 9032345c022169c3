/**
 * The HTML report shows what the text shows (issue 27, point 12): on a span too short for figures
 * scaled to a year (the Binance trades file: 11 minutes) neither shows an annualised mean, an
 * annual alpha or an annual information ratio (the HTML used to show 125.7% annual alpha from 4.5
 * hours); and the text's "by year" lists every year, not the last 12.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describeShared('the HTML report and the text agree on what means nothing', () => {
  it('a short span: no annualised mean, no annual alpha or information ratio, in the HTML as in the text', async () => {
    const d = tempDir();
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', shared('binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv'), '--no-cache', '--report', join(d, 'r.html')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/CAGR, Calmar and the annual mean not shown/);
    expect(r.stdout).toMatch(/alpha -?[\d.]+% a period, information ratio -?[\d.]+ a period/);
    const html = readFileSync(join(d, 'r.html'), 'utf8');
    expect(html).not.toMatch(/annualised mean/);
    expect(html).not.toMatch(/alpha \(annual\)/);
    expect(html).toMatch(/alpha \(a period\), information ratio \(a period\)/);
  });

  it('by year lists every year of a 24-year run (1998 to 2021), as the HTML heatmap does', async () => {
    const r = await runCliIn(['run', '--strategy', 'buy-and-hold', '--param', 'symbol=SPY', '--data', shared('us_equities_etfs_daily_1998_2021.csv'), '--no-cache', '--json', '-']);
    expect(r.code, r.stderr).toBe(0);
    const years = Object.keys(JSON.parse(r.stdout).tearsheet.monthly);
    expect(years).toHaveLength(24);
    const text = (await runCliIn(['run', '--strategy', 'buy-and-hold', '--param', 'symbol=SPY', '--data', shared('us_equities_etfs_daily_1998_2021.csv'), '--no-cache'])).stdout;
    const line = text.split('\n').find((l) => l.trimStart().startsWith('by year'))!;
    for (const y of years) expect(line).toContain(`${y} `);
    expect(line).toMatch(/^ {2}by year {8}1998 [+-]/);
  });
});
