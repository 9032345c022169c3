import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costSweep } from '../../src/validation/cost-sweep.js';
import { pairsWalkForward, ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const pt = (level: number, edge: number) => ({ level, edge, pValue: 0.5, baseline: 'flat' });

describe('cost sensitivity', () => {
  it('the break-even cost: linear between the levels around the first sign change; none when it never crosses', () => {
    const s = costSweep('fees.bps', { a: [pt(0, 0.03), pt(1, 0.01), pt(2, -0.01)], b: [pt(0, 0.02), pt(1, 0.01), pt(2, 0.005)], c: [pt(0, -0.01), pt(1, -0.02), pt(2, -0.03)] });
    expect(s.breakEven.a).toBeCloseTo(1.5, 12);
    expect(s.breakEven.b).toBeNull();
    expect(s.breakEvenText.b).toBe('above 2 bps (still ahead at every level)');
    expect(s.breakEvenText.c).toBe('below 0 bps (behind the baseline at every level)');
  });
  it('walk-forward --fee-sweep: the edge falls as the fee rises, and the report names the break-even fee', async () => {
    const d = tempDir();
    // (one worker thread for each level of the sweep: see pairsWalkForward)
    const r = await runCliIn(pairsWalkForward('1.5,2,2.5', '--fee-sweep', '0,0.5,1,2', '--json', join(d, 'r.json')), d);
    expect(r.code, r.stderr).toBe(0);
    const sw = JSON.parse(readFileSync(join(d, 'r.json'), 'utf8')).costSweep as { levels: number[]; candidates: { pairs: { edge: number }[] }; breakEven: { pairs: number | null } };
    expect(sw.levels).toEqual([0, 0.5, 1, 2]);
    const edges = sw.candidates.pairs.map((p) => p.edge);
    for (let i = 1; i < edges.length; i++) expect(edges[i]!).toBeLessThan(edges[i - 1]!);
    expect(sw.breakEven.pairs).toBeGreaterThan(0);
    expect(sw.breakEven.pairs).toBeLessThan(1);
    expect(r.stdout).toMatch(/break-even {3}pairs: 0\.\d\d bps/);
    expect((await runCliIn(['walk-forward', '--strategy', 'pairs', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--train', '1h', '--test', '30m', '--fee-sweep', '1', '--no-cache'], d)).stderr).toMatch(/give at least two levels/);
  });
});
