/**
 * A strategy module's error names the line of the user's own file: what its handler threw, a
 * refusal of tickfold's it caused (a NaN target), in a trial and in the out-of-sample run (whose
 * folded strategy wraps the error to name the fold). The module runs bundled on a sandboxed
 * thread; the bundle's source map takes the stack back to the file (runtime/task-run.ts).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const d = tempDir();
copyFileSync(join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), join(d, 'eu.csv'));
const file = (name: string, text: string): string => {
  writeFileSync(join(d, name), text);
  return join(d, name);
};

// a TypeScript module: its line 11, column 20 is `x.boom` (the read of a property of undefined)
const THROWER = `import type { StrategyModule } from 'tickfold';

const m: StrategyModule = {
  name: 'thrower',
  params: {},
  create() {
    let n = 0;
    return {
      onBar() {
        const x: { boom: number } | undefined = ++n === 30 ? undefined : { boom: 1 };
        return void x!.boom;
      },
    };
  },
};
export default m;
`;

describe("a strategy's error names the line of its file", () => {
  it('a TypeError in onBar, in a TypeScript module: the .ts file, line and column', async () => {
    const f = file('thrower.ts', THROWER);
    const r = await runCliIn(['run', '--strategy', f, '--data', 'eu.csv', '--no-cache'], d);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`onBar threw TypeError: Cannot read properties of undefined (reading 'boom') (at ${f}:11:24)`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("a refusal of tickfold's (targetPercent of NaN) names the user's call", async () => {
    const f = file('nan.mjs', ['export default {', "  name: 'nan', description: '', params: {},", '  create() {', '    return {', '      onBar(ctx, b) {', '        ctx.targetPercent(b.symbol, 0 / 0);', '      },', '    };', '  },', '};', ''].join('\n'));
    const r = await runCliIn(['run', '--strategy', f, '--data', 'eu.csv', '--no-cache'], d);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`targetPercent\\(\\w+\\) needs a finite fraction, got NaN \\(at ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:6:13\\)`));
  });

  it('in the out-of-sample run of a walk-forward, through the folded strategy', async () => {
    // the trial replay makes one instance; the out-of-sample run one per fold, and the third throws
    const f = file(
      'oos.mjs',
      ['let made = 0;', 'export default {', "  name: 'oos', description: '', params: {},", '  create() {', '    const me = made++;', '    return {', '      onBar() {', "        if (me >= 2) throw new RangeError('instance ' + me);", '      },', '    };', '  },', '};', ''].join(
        '\n',
      ),
    );
    const r = await runCliIn(['walk-forward', '--strategy', f, '--data', 'eu.csv', '--no-cache', '--train', '1y', '--test', '1y', '--workers', '1'], d);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/oos out-of-sample run: strategy 'oos' failed at .*: onBar threw RangeError: fold \d+ \(defaults\) onBar: instance 2/);
    expect(r.stderr).toContain(`(at ${f}:8:28)`);
  });
});
