/**
 * `tickfold universe scores` equals the Avellaneda-Lee oracle on its 80 names at 2017-06-30;
 * `tickfold run --universe` with a bad membership file exits 2 naming the file, line and column.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { oracle } from '../oracles.js';

const O = oracle('avellaneda_lee_sp500.json');

describeShared('tickfold universe scores and run --universe', () => {
  it('scores at the oracle date: eigenvalues, betas, s and centred s', async () => {
    const dir = tempDir();
    const json = join(dir, 'scores.json');
    const r = await runCliIn(['universe', 'scores', '--data', shared('sp500_daily_2013_2018.csv'), '--at', '2017-06-30', '--symbols', (O.inputs.symbols as string[]).join(','), '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(readFileSync(json, 'utf8'));
    (O.values.eigenvalues_top as number[]).forEach((w, j) => expect(Math.abs(got.eigenvalues[j] - w)).toBeLessThanOrEqual(1e-9 * w));
    (O.values.per_stock as { symbol: string; betas: number[]; s: number; s_centred: number; eligible_kappa_filter: boolean }[]).forEach((p, i) => {
      expect(got.per_stock[i].symbol).toBe(p.symbol);
      p.betas.forEach((b, j) => expect(Math.abs(got.per_stock[i].betas[j] - b)).toBeLessThanOrEqual(1e-8));
      expect(Math.abs(got.per_stock[i].s - p.s)).toBeLessThanOrEqual(1e-8);
      expect(Math.abs(got.per_stock[i].s_centred - p.s_centred)).toBeLessThanOrEqual(1e-8);
      expect(got.per_stock[i].eligible).toBe(p.eligible_kappa_filter);
    });
    const text = await runCliIn(['universe', 'scores', '--data', shared('sp500_daily_2013_2018.csv'), '--at', '2017-06-30', '--symbols', 'AAPL,MSFT,XOM,JPM,GE', '--factors', '2']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Avellaneda-Lee state at 2017-06-30T00:00:00Z: 5 symbols');
  });

  it('run --universe with a bad row: exit 2, file:line:column, no stack', async () => {
    const dir = tempDir();
    const members = join(dir, 'members.csv');
    writeFileSync(members, 'symbol,from,to,delisting_return\nAAPL,2013-02-08,2018-02-07,\nMSFT,2013-02-08,2014-01-01,-3\n');
    const r = await runCliIn(['run', '--data', shared('sp500_daily_2013_2018.csv'), '--universe', members, '--strategy', 'flat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${members}:3:`);
    expect(r.stderr).toContain('a delisting return must be a number >= -1');
    expect(r.stderr).not.toContain('    at ');
  });
});
