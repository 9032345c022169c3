/**
 * CPCV of pca-stat-arb on the real S&P 500 file, point in time (`walk-forward --cpcv` with
 * `--universe`): every path is replayed through the engine and trades, each split chooses one of
 * the grid's configurations, and the paths' Sharpe summary is the paths' own. Reads
 * ../shared/data in place; skipped when it is absent. Kept small (80 names, 18 months) so that
 * it runs in a test: the command is the README's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeShared, shared, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describeShared('CPCV of pca-stat-arb on the S&P 500 file', () => {
  it('6 splits, 3 replayed paths, each trading the split choices of the factors grid', async () => {
    const members = shared('sp500_daily_2013_2018_members.csv');
    const names = readFileSync(members, 'utf8')
      .trim()
      .split('\n')
      .slice(1, 81)
      .map((l) => l.split(',')[0]!);
    const d = tempDir();
    const r = await runCliIn(
      [
        'walk-forward',
        '--strategy',
        'pca-stat-arb',
        '--data',
        shared('sp500_daily_2013_2018.csv'),
        '--universe',
        members,
        '--from',
        '2016-01-01',
        '--to',
        '2017-07-01',
        '--param',
        `symbols=${names.join(',')}`,
        '--grid',
        'factors=3,5',
        '--train',
        '180d',
        '--test',
        '90d',
        '--cpcv',
        '4:2',
        '--purge',
        '1d',
        '--baselines',
        'none',
        '--bootstrap',
        '200',
        '--pbo-partitions',
        '4',
        '--capital',
        '10000000',
        '--no-ledger',
        '--json',
        join(d, 'r.json'),
      ],
      d,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/CPCV {9}4 groups, 2 tested: 6 splits, 3 paths over \d+ periods \(purge 1, embargo 0 periods\), each path replayed; OOS Sharpe over the paths: mean -?\d+\.\d\d/);
    const rep = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8'));
    const cv = rep.strategies[0].cpcv;
    expect(cv.replayed).toBe(true);
    expect(cv.chosenBySplit).toHaveLength(6);
    for (const c of cv.chosenBySplit) expect(['factors=3', 'factors=5']).toContain(c);
    expect(cv.paths).toHaveLength(3);
    for (const p of cv.paths) {
      expect(p.chosen).toHaveLength(4);
      expect(p.trades).toBeGreaterThan(0); // a replayed path of the stat-arb trades names
      expect(Number.isFinite(p.sharpeAnnualized)).toBe(true);
    }
    const sh = cv.paths.map((p: { sharpeAnnualized: number }) => p.sharpeAnnualized);
    expect(cv.sharpe.mean).toBeCloseTo(sh.reduce((a: number, b: number) => a + b, 0) / sh.length, 12);
    // the recombination beside it makes the same choices
    cv.paths.forEach((p: { chosen: string[] }, k: number) => expect(p.chosen).toEqual(cv.recombined.paths[k].chosen));
  }, 900_000);
});
