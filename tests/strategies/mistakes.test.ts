/**
 * Strategy code mistakes are named before the run, and what strategies keep arrays for is given
 * to them: ctx.history() and snapshot().
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { strategyProblems } from '../../src/strategy/instance.js';
import type { Bar } from '../../src/strategy/types.js';
import { B, Q, run, tableOf } from '../engine/harness.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const d = tempDir();
copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(d, 'eu.csv'));
const mod = (name: string, create: string): string => {
  const f = join(d, `${name}.mjs`);
  writeFileSync(f, `export default { name: '${name}', description: '', params: { n: { type: 'integer', default: 1, doc: '' } }, create(p) { ${create} } };\n`);
  return f;
};

describe('strategy code mistakes are usage errors naming the module and the rule', () => {
  it('create() returning nothing', async () => {
    const r = await runCliIn(['run', '--strategy', mod('empty', ''), '--data', 'eu.csv', '--no-cache'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy 'empty': create\(\) returned nothing; it must return an object with handlers/);
  });
  it('a misspelt handler: did you mean onBar', async () => {
    const r = await runCliIn(['run', '--strategy', mod('typo', 'return { onbar(ctx, b) {} };'), '--data', 'eu.csv', '--no-cache'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy 'typo': 'onbar' is not a handler the engine calls; did you mean 'onBar'\?/);
    expect(strategyProblems({ ontick() {} })[0]).toMatch(/did you mean 'onTick'/);
    expect(strategyProblems({ onFills() {} })[0]).toMatch(/did you mean 'onFill'/);
    // a class's methods are checked too; helpers not named on... are fine
    class S {
      onBar(): void {}
      onTik(): void {}
      helper(): void {}
    }
    expect(strategyProblems(new S())).toEqual([expect.stringMatching(/'onTik' is not a handler.*did you mean 'onTick'/)]);
    expect(strategyProblems({})).toEqual([]); // flat
  });
  it('the same in a walk-forward, before any thread starts', async () => {
    const r = await runCliIn(['walk-forward', '--strategy', mod('typo2', 'return { onFills() {} };'), '--data', 'eu.csv', '--split', '0.5', '--no-cache'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy 'typo2': 'onFills' is not a handler the engine calls; did you mean 'onFill'\?/);
  });
  it('create() refusing its parameters is a usage error naming them (exit 2), not an internal error', async () => {
    const f = mod('picky', "if (p.n > 1) throw new Error('n must be 1'); return { onBar() {} };");
    const r = await runCliIn(['run', '--strategy', f, '--data', 'eu.csv', '--param', 'n=2', '--no-cache'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy 'picky' refuses the parameters n=2: n must be 1/);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });
  it('a parameter value that is not a duration is refused before the run (exit 2), not a crash in onStart', async () => {
    const r = await runCliIn(['run', '--strategy', 'momentum', '--data', 'eu.csv', '--param', 'every=1', '--no-cache'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy 'momentum': parameter every=1 is not a duration/);
  });
  it('every order refused: the summary counts them, gives the first reason and warns', async () => {
    const r = await runCliIn(['run', '--strategy', mod('lev', "return { onBar(ctx, b) { if (b.symbol === 'DAX') ctx.targetPercent('DAX', 1.5); } };"), '--data', 'eu.csv', '--no-cache'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/refused {8}1,860 of 1,860 orders; the first at 1991-07-02 \(DAX\): needs gross exposure 150000\.00 > max leverage 1 × equity 100000\.00/);
    expect(r.stdout).toMatch(/warning {8}every order was refused: the strategy never traded/);
  });
});

describe('targets and history', () => {
  // 40 one-minute bars rising by 1 a minute (0.25-1% a bar: drift that an exact target re-trades)
  const bars = `${B}\n` + Array.from({ length: 40 }, (_, i) => `2024-01-02T10:${String(i).padStart(2, '0')}:00Z,A,${100 + i},${101 + i},${99 + i},${100.5 + i},${1000 + i}`).join('\n');
  it('targetPercent does not re-trade a target already held within 1% of equity (and 0 always closes)', async () => {
    const flat = await tableOf(`${B}\n` + Array.from({ length: 40 }, (_, i) => `2024-01-02T10:${String(i).padStart(2, '0')}:00Z,A,100,100.2,99.8,100,1000`).join('\n'));
    let calls = 0;
    const r = run(
      flat,
      {
        onBar: (ctx, b) => {
          calls++;
          ctx.targetPercent(b.symbol, calls < 30 ? 0.5 : 0);
        },
      },
      {},
      100_000,
    );
    // one order to get there, one to close: not one per call
    expect(r.fills.rows().map((f) => f.side)).toEqual(['buy', 'sell']);
    // on a rising price it rebalances only when the drift passes 1% of equity; with tolerance 0,
    // at every call
    const rising = await tableOf(bars);
    let c1 = 0;
    const tol = run(
      rising,
      {
        onBar: (ctx, b) => {
          c1++;
          ctx.targetPercent(b.symbol, c1 < 30 ? 0.5 : 0);
        },
      },
      {},
      100_000,
    );
    let c2 = 0;
    const exact = run(
      rising,
      {
        onBar: (ctx, b) => {
          c2++;
          ctx.targetPercent(b.symbol, c2 < 30 ? 0.5 : 0, 0);
        },
      },
      {},
      100_000,
    );
    expect(tol.fills.length).toBeLessThan(10);
    expect(exact.fills.length).toBeGreaterThanOrEqual(29);
  });
  it('ctx.history gives the last n values up to now, oldest first; snapshot() keeps a bar; a kept view shows the latest bar', async () => {
    const t = await tableOf(bars);
    const seen: Float64Array[] = [];
    const kept: unknown[] = [];
    const snaps: Bar[] = [];
    run(t, {
      onBar: (ctx, b) => {
        seen.push(ctx.history('A', 3, 'close'));
        kept.push(b);
        snaps.push(b.snapshot());
      },
    });
    expect(Array.from(seen[0]!)).toEqual([100.5]);
    expect(Array.from(seen[5]!)).toEqual([103.5, 104.5, 105.5]);
    expect(snaps.map((s) => s.close).slice(0, 3)).toEqual([100.5, 101.5, 102.5]);
    // the views are one object, updated in place: what README warns about
    expect(new Set(kept).size).toBe(1);
    const q = await tableOf(`${Q}\n2024-01-02T10:00:00Z,A,10,11,1,2\n2024-01-02T10:00:01Z,A,11,12,3,4`);
    const mids: number[][] = [];
    run(q, { onTick: (ctx) => mids.push(Array.from(ctx.history('A', 5))) });
    expect(mids).toEqual([[10.5], [10.5, 11.5]]);
  });
});

describe('a strategy file outside the project', () => {
  it('imports npm packages installed next to it, and types from tickfold with nothing installed; a missing one is a clear error', async () => {
    const dir = tempDir();
    copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(dir, 'eu.csv'));
    const src = `import { half } from 'halver';
import type { StrategyModule } from 'tickfold';
export default { name: 'uses-pkg', description: '', params: {}, create() { return { onBar(ctx, b) { if (b.symbol === 'DAX' && ctx.position('DAX') === 0) ctx.targetPercent('DAX', half(1)); } }; } } satisfies StrategyModule;\n`;
    writeFileSync(join(dir, 's.ts'), src);
    const missing = await runCliIn(['run', '--strategy', './s.ts', '--data', 'eu.csv', '--no-cache'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot load strategy \.\/s\.ts: it imports 'halver', which is not installed where the strategy is; install it next to the strategy \(cd .* && npm install halver\)/);
    expect(missing.stderr).not.toMatch(/namespace=|Require stack/);
    mkdirSync(join(dir, 'node_modules/halver'), { recursive: true });
    writeFileSync(join(dir, 'node_modules/halver/package.json'), JSON.stringify({ name: 'halver', version: '1.0.0', type: 'module', main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules/halver/index.js'), 'export const half = (x) => x / 2;\n');
    const r = await runCliIn(['run', '--strategy', './s.ts', '--data', 'eu.csv', '--no-cache', '--json', 'r.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tickfold run: uses-pkg/);
    // and in a walk-forward, whose worker threads load it too
    expect((await runCliIn(['walk-forward', '--strategy', './s.ts', '--data', 'eu.csv', '--split', '0.5', '--no-cache', '--quiet'], dir)).code).toBe(0);
  });
});
