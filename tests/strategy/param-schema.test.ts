import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/strategy/params.js';
import type { ParamSchema } from '../../src/strategy/types.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { BUILTIN_FACTORS } from '../../src/factor/factors.js';
import { MODELS } from '../../src/broker/models/index.js';
import { runCliIn } from '../cli-harness.js';
import { tempDir } from '../helpers.js';

/** A schema as a user's plain JavaScript module may write it (not checked by TypeScript). */
const schema = (spec: unknown): ParamSchema => ({ lookback: spec }) as unknown as ParamSchema;
const refused = (spec: unknown): string => {
  try {
    resolveParams('m', schema(spec), {});
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(spec)}`);
};

describe("a module's parameter schema is checked before it is used", () => {
  it('an unknown type, a default of the wrong kind or outside its own range, min above max: refused with the spec and the fix', () => {
    expect(refused({ type: 'int', default: 20, doc: '' })).toMatch(/parameter 'lookback' has type "int": the type must be one of number, integer, boolean, string \(did you mean 'integer'\?\)/);
    expect(refused({ default: 20, doc: '' })).toMatch(/has type undefined/);
    expect(refused({ type: 'integer', default: '20', doc: '' })).toMatch(/default "20": a integer parameter's default must be a finite number/);
    expect(refused({ type: 'integer', default: 2.5, doc: '' })).toMatch(/default 2.5: an integer parameter's default must be a whole number/);
    expect(refused({ type: 'number', default: 5, min: 10, doc: '' })).toMatch(/default 5 outside its own range 10..inf/);
    expect(refused({ type: 'number', default: 5, min: 10, max: 1, doc: '' })).toMatch(/min 10 above max 1/);
    expect(refused({ type: 'boolean', default: 'yes', doc: '' })).toMatch(/must be true or false/);
    expect(refused({ type: 'string', default: 'c', choices: ['a', 'b'], doc: '' })).toMatch(/not one of its choices/);
    expect(refused(null)).toMatch(/is null, not an object/);
  });

  it("every built-in strategy's, factor's and execution model's schema passes", () => {
    for (const [name, m] of BUILTIN_STRATEGIES) expect(() => resolveParams(name, m.params, {})).not.toThrow();
    for (const m of Object.values(BUILTIN_FACTORS)) expect(() => resolveParams(m.name, m.params, {})).not.toThrow();
    for (const models of Object.values(MODELS)) for (const m of models) expect(() => resolveParams(m.name, m.params, {})).not.toThrow();
  });

  it("a user's factor module with `type: 'int'` is refused (it ran with lookback undefined: NaN everywhere)", async () => {
    const dir = tempDir();
    const data = join(dir, 'bars.csv');
    const rows = ['ts,symbol,open,high,low,close,volume'];
    for (let d = 0; d < 40; d++)
      for (let s = 0; s < 6; s++) {
        const c = (10 + s + ((d * (s + 1)) % 7)).toFixed(2);
        rows.push(`${new Date(Date.UTC(2021, 0, 1) + d * 86_400_000).toISOString().slice(0, 10)},S${s},${c},${c},${c},${c},100`);
      }
    writeFileSync(data, rows.join('\n') + '\n');
    const mod = join(dir, 'f.mjs');
    writeFileSync(
      mod,
      `export default { name: 'f', description: '', params: { lookback: { type: 'int', default: 5, doc: '' } }, label: (p) => 'f_' + p.lookback,
      compute(close, t, p, out) { for (let s = 0; s < close.cols; s++) out[s] = close.values[t * close.cols + s] / close.values[(t - p.lookback) * close.cols + s] - 1; } };`,
    );
    const r = await runCliIn(['factor', '--data', data, '--factor', mod, '--horizons', '1', '--no-cache'], dir);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toMatch(/the spec of parameter 'lookback' has type "int".*did you mean 'integer'/);
  });
});
