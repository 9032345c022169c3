/**
 * A strategy's summary() is plain data, checked where it is called: a BigInt, a cycle, a getter or
 * more than 16 MB is the strategy's error, named (exit 3, no stack trace), on a run and in a
 * walk-forward; plain data (NaN included) is kept as it is.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkedSummary } from '../../src/strategy/summary-check.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describe('summary() returns plain data', () => {
  it('plain data is returned as it is (the same object, NaN kept)', () => {
    const s = { a: NaN, b: [1, 'x', null, { c: true }], f: new Float64Array(3) };
    expect(checkedSummary(s)).toBe(s);
    expect(checkedSummary(undefined)).toBeUndefined();
  });

  it('a BigInt, a function, a cycle, a getter, a Proxy that throws, too many characters: refused, naming where', () => {
    const cyc: Record<string, unknown> = { a: 1 };
    cyc.self = cyc;
    const bad: [unknown, RegExp][] = [
      [{ n: 1n }, /a BigInt at summary\.n/],
      [[1, () => 0], /a function at summary\[1\]/],
      [cyc, /a cycle \(an object that holds itself\) at summary\.self/],
      [
        {
          get x(): number {
            throw new Error('boom');
          },
        },
        /a getter at summary\.x/,
      ],
      [
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('no keys');
            },
          },
        ),
        /an object whose keys cannot be read at summary/,
      ],
      [{ s: 'x'.repeat(17 * 2 ** 20) }, /more than 16777216 characters in all at summary\.s/],
    ];
    for (const [v, re] of bad) expect(() => checkedSummary(v)).toThrow(re);
  });

  it('on the command line: exit 3 naming the strategy and what it returned, no stack trace, run and walk-forward', async () => {
    const d = tempDir();
    writeFileSync(join(d, 's.mjs'), `export default { name: 's', description: '', params: {}, create() { return { summary() { return { n: 1n }; } }; } };\n`);
    const q = join(ROOT, 'data/sample_pair_quotes.csv');
    for (const args of [
      ['run', '--strategy', './s.mjs', '--data', q, '--quiet', '--no-cache'],
      ['walk-forward', '--strategy', './s.mjs', '--data', q, '--train', '1h', '--test', '1h', '--no-ledger', '--no-cache', '--quiet'],
    ]) {
      const r = await runCliIn(args, d);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/strategy 's'.*summary threw TypeError: summary\(\) returned a BigInt at summary\.n/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
