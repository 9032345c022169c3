/**
 * `tickfold check`: a user's strategy gets the checks the shipped ones get in the contract suite.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, type CliResult } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const d = tempDir();
copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(d, 'eu.csv'));
const file = (name: string, text: string): string => {
  writeFileSync(join(d, name), text);
  return `./${name}`;
};
const CLEAN = file(
  'clean.mjs',
  `export default { name: 'sma', description: 'SMA cross on closes from ctx.history', params: { fast: { type: 'integer', default: 10, min: 1, doc: '' }, slow: { type: 'integer', default: 30, min: 2, doc: '' } },
  create(p) { return { onBar(ctx, b) { if (b.symbol !== 'DAX') return; const c = ctx.history('DAX', p.slow, 'close'); if (c.length < p.slow) return;
    const m = (n) => c.subarray(c.length - n).reduce((a, x) => a + x, 0) / n; ctx.targetPercent('DAX', m(p.fast) > m(p.slow) ? 0.95 : 0); } }; } };\n`,
);
const LEAKY = file(
  'leaky.mjs',
  `let bars = 0; // module level: shared by every instance
export default { name: 'leaky', description: '', params: { every: { type: 'integer', default: 20, min: 1, doc: '' } },
  create(p) { return { onBar(ctx, b) { if (b.symbol !== 'DAX') return; bars++; if (bars % p.every === 0) ctx.targetPercent('DAX', ctx.position('DAX') > 0 ? 0 : 0.9); } }; } };\n`,
);
const check = async (strategy: string): Promise<CliResult> => await runCliIn(['check', '--strategy', strategy, '--data', 'eu.csv', '--no-cache'], d);

describe('tickfold check', () => {
  it('a clean strategy passes every check, one line each', async () => {
    const r = await check(CLEAN);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const c of ['imports', 'handlers', 'determinism', 'clock/random', 'look-ahead', 'isolation', 'warm-up', 'retained views', 'cost']) expect(r.stdout).toMatch(new RegExp(`^  ${c.replace('/', '\\/')} +ok: `, 'm'));
    expect(r.stdout).toMatch(/^ {2}imports +ok: nothing$/m); // a module file: what it imports, first
    expect(r.stdout).toMatch(/^passed: 9 of 9 checks$/m);
  });
  it('a strategy with module-level state fails isolation (and look-ahead), with the first divergence; exit 1', async () => {
    const r = await check(LEAKY);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}isolation +FAIL: after a run with every=40 the run differs at order #1: \d{4}-\d\d-\d\d close buy DAX market .* vs .* \(state kept at module level leaks between trials\)$/m);
    // a cut run starts from the count the runs before it left: the cut shows it too
    expect(r.stdout).toMatch(/^ {2}look-ahead +FAIL: cut at event \d+ \(.*\): order #1: /m);
    expect(r.stderr).toMatch(/checks failed/);
  });
  it('Math.random and kept bar views are caught', async () => {
    const rnd = await check(file('rnd.mjs', `export default { name: 'rnd', description: '', params: {}, create() { return { onBar(ctx, b) { if (Math.random() < 0.05) ctx.targetPercent(b.symbol, 0); } }; } };\n`));
    expect(rnd.code).toBe(1);
    expect(rnd.stdout).toMatch(/clock\/random +FAIL: calls Math\.random \(\d+×\): use ctx\.random\(\) \(seeded\) and ctx\.now/);
    const keeper = await check(file('keeper.mjs', `export default { name: 'keeper', description: '', params: {}, create() { const kept = []; return { onBar(ctx, b) { kept.push(b); if (kept.length > 3 && kept[kept.length - 3].close > 0) {} } }; } };\n`));
    expect(keeper.code).toBe(1);
    expect(keeper.stdout).toMatch(/retained views +FAIL: a bar handed over at 1991-07-01 close was read \(close\) after its call returned/);
  });
  it('the shipped momentum, buy-and-hold and random pass (a start-dependent decision is a warning, not a failure)', async () => {
    for (const s of ['momentum', 'buy-and-hold', 'random']) {
      const r = await check(s);
      expect(r.code, s + r.stdout).toBe(0);
      expect(r.stdout).toMatch(/^passed: \d of 8 checks/m);
      expect(r.stdout).not.toMatch(/FAIL/);
    }
  });
  it('--json - gives the lines as JSON', async () => {
    const r = await runCliIn(['check', '--strategy', CLEAN, '--data', 'eu.csv', '--no-cache', '--json', '-'], d);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { failed: number; lines: { check: string; status: string }[] };
    expect(j.failed).toBe(0);
    expect(j.lines.map((l) => l.check)).toContain('isolation');
  });
});
