/**
 * `tickfold factor` on the S&P 500 file: the JSON is the report the oracle test checks (its IC
 * mean equals the oracle's), the text and HTML carry the same numbers; mistakes exit 2 naming the fix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { oracle } from '../oracles.js';

const O = oracle('factor_report_sp500.json');

describeShared('tickfold factor', () => {
  it('JSON, text and HTML of reversal_5 over the last 252 sessions', async () => {
    const dir = tempDir();
    const html = join(dir, 'factor.html');
    const json = join(dir, 'factor.json');
    const args = ['factor', '--data', shared('sp500_daily_2013_2018.csv'), '--factor', 'reversal', '--param', 'lookback=5', '--quantiles', '5', '--horizons', '1,5,10', '--from', '2017-02-08'];
    const r = await runCliIn([...args, '--json', json, '--html', html]);
    expect(r.stderr).toContain('wrote');
    expect(r.code).toBe(0);
    const rep = JSON.parse(readFileSync(json, 'utf8'));
    const want = O.factors.reversal_5.summary;
    expect(rep.factor).toBe('reversal_5');
    expect(rep.summary.n_pairs).toBe(want.n_pairs);
    expect(Math.abs(rep.summary.information_coefficient['5D'].ic_mean - want.information_coefficient['5D'].ic_mean)).toBeLessThan(1e-12);
    expect(readFileSync(html, 'utf8')).toContain('<section class="factor-report">');
    const text = await runCliIn(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`kept ${want.n_dates} dates`);
    expect(text.stdout).toContain(want.mean_factor_rank_autocorrelation.lag_1.toFixed(4));
  });

  it('an unknown factor, parameter or horizon list: exit 2 with the fix', async () => {
    const base = ['factor', '--data', shared('sp500_daily_2013_2018.csv')];
    const a = await runCliIn([...base, '--factor', 'momentun']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("did you mean 'momentum'");
    const b = await runCliIn([...base, '--factor', 'momentum', '--param', 'lookbak=3']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("did you mean 'lookback'");
    const c = await runCliIn([...base, '--factor', 'momentum', '--horizons', '5,1']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('must increase');
    expect(a.stderr + b.stderr + c.stderr).not.toContain('    at ');
  });
});
