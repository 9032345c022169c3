/**
 * `--timeout` has a default (issue 29 point 9: without one, a handler that loops hung the command
 * until Ctrl-C): 30 minutes per backtest, said in the plan, `none` to lift it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toGuard } from '../../src/cli/run-options.js';
import { DEFAULTS } from '../../src/jobs/settings.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const wf = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=1m', '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];

describe('--timeout default', () => {
  it('the guard: 30 minutes per backtest unless told; none lifts it; a given one wins', () => {
    expect(DEFAULTS.timeout).toBe('30m');
    expect(toGuard({}).timeoutMs).toBe(30 * 60_000);
    expect(toGuard({ timeout: 'none' }).timeoutMs).toBeUndefined();
    expect(toGuard({ timeout: '2s' }).timeoutMs).toBe(2_000);
    expect(() => toGuard({ timeout: 'never' })).toThrow(/--timeout 'never' is not a duration.*; or none for no limit/);
    expect(() => toGuard({ timeout: '0s' })).toThrow(/--timeout/);
    // a batch of 32 trials gets 32 times the limit, on a timer that holds 2^31-1 ms: longer ones are refused, not fired at once
    expect(toGuard({ timeout: '12h' }).timeoutMs).toBe(12 * 3_600_000);
    expect(() => toGuard({ timeout: '13h' })).toThrow(/--timeout '13h' is longer than 12h, the longest limit kept; give --timeout none for no limit/);
  });

  it('the plan says the limit: the default as such, one given, or none', async () => {
    const d = tempDir();
    const def = await runCliIn(wf, d);
    expect(def.code, def.stderr).toBe(0);
    expect(def.stderr).toMatch(/^plan: .* out-of-sample runs; each backtest stopped after 30m \(--timeout default; none for no limit\)$/m);
    const given = await runCliIn([...wf, '--timeout', '90s'], d);
    expect(given.stderr).toMatch(/; each backtest stopped after 1m 30s \(--timeout\)$/m);
    const none = await runCliIn([...wf, '--timeout', 'none'], d);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/; no time limit per backtest \(--timeout none\)$/m);
    const bad = await runCliIn(['run', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--timeout', 'never'], d);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--timeout 'never' is not a duration; write e\.g\. 30s, 5m, 1h .*; or none for no limit/);
  });

  it('run --timeout none still runs a strategy to its end (the limit is lifted, not broken)', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'ok.mjs'), `export default { name: 'ok', description: 'flat', params: {}, create() { return { onTick() {} }; } };\n`);
    const r = await runCliIn(['run', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'ok.mjs'), '--timeout', 'none', '--no-cache'], d);
    expect(r.code, r.stderr).toBe(0);
  });
});
