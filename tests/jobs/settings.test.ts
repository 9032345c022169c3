/**
 * One settings value for a run (jobs/settings.ts): every default from DEFAULTS, each flag parsed
 * once into a typed value, and that value carried to the venue unchanged (`--latency 50ms` is
 * 50,000 µs in the settings and in the latency model the venue binds; reports show it as written).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { plainExecution, DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { latencyConstant } from '../../src/broker/models/latency-constant.js';
import { addExecutionOptions, toRunSettings, type RawRunFlags } from '../../src/cli/run-options.js';
import { loadData } from '../../src/data/load.js';
import { DEFAULTS, runSettings } from '../../src/jobs/settings.js';
import { runOnTable } from '../../src/jobs/run.js';
import { validationOptions } from '../../src/jobs/validate.js';
import { defineStrategy } from '../../src/strategy/types.js';

/** The flags as commander gives them for `args`. */
function flags(...args: string[]): RawRunFlags {
  const cmd = addExecutionOptions(new Command('t').exitOverride().option('--from <t>').option('--to <t>'));
  cmd.parse(args, { from: 'user' });
  return cmd.opts() as RawRunFlags;
}

afterEach(() => vi.restoreAllMocks());

describe('run settings', () => {
  it('every default comes from DEFAULTS: the library, the flags and the validation options agree', () => {
    const lib = runSettings();
    const cli = toRunSettings(flags());
    expect(lib).toEqual(cli);
    expect([lib.initialCapital, lib.seed, lib.execution]).toEqual([DEFAULTS.initialCapital, DEFAULTS.seed, DEFAULT_EXECUTION]);
    expect([lib.fromUs, lib.toUs, lib.periodUs]).toEqual([-Infinity, Infinity, undefined]);
    expect(validationOptions()).toEqual({ objective: DEFAULTS.objective, edge: DEFAULTS.foldEdge, pboPartitions: DEFAULTS.pboPartitions, bootstrapReps: DEFAULTS.bootstrapReps, targetSharpe: DEFAULTS.targetSharpe });
  });

  it('flags are parsed once, into typed values: µs for durations and times, numbers for numbers', () => {
    const s = toRunSettings(flags('--capital', '5000', '--period', '5m', '--seed', '7', '--from', '2024-01-02', '--to', '2024-01-03', '--periods-per-year', '252', '--benchmark', 'AAA'));
    expect(s).toMatchObject({ initialCapital: 5000, periodUs: 300_000_000, seed: '7', fromUs: Date.UTC(2024, 0, 2) * 1000, toUs: Date.UTC(2024, 0, 3) * 1000, periodsPerYear: 252, benchmark: ['AAA'] });
    expect(() => toRunSettings(flags('--period', '5M'))).toThrow(/--period '5M' is not a duration; 'M' is ambiguous/);
    expect(() => toRunSettings(flags('--from', '2024-01-03', '--to', '2024-01-02'))).toThrow(/--from 2024-01-03 must be before --to 2024-01-02/);
  });

  it("a bad --latency is said as the flag the user gave, with the usual slips' hints (not as the model parameter latency.entry it sets)", () => {
    expect(() => toRunSettings(flags('--latency', '50'))).toThrow(/^--latency '50' is not a duration; give a unit/);
    expect(() => toRunSettings(flags('--latency', '5M'))).toThrow(/^--latency '5M' is not a duration; 'M' is ambiguous/);
    expect(() => toRunSettings(flags('--latency', '-5ms'))).toThrow(/^--latency '-5ms' is not a duration; write e\.g\. 0, 50ms/);
    // a good latency with another model's mistake: that mistake, unchanged
    expect(() => toRunSettings(flags('--latency', '5ms', '--exec', 'latency.response=x'))).toThrow(/latency model 'constant': parameter response=x is not a duration/);
  });

  it('a key the settings do not have is refused with "did you mean", not ignored', () => {
    expect(() => runSettings({ period: '1m' } as never)).toThrow(/run settings have no 'period'; did you mean 'periodUs'\?/);
    expect(() => runSettings({ initialCapital: 0 })).toThrow(/--capital 0 must be > 0/);
  });

  it('--latency 50ms: 50,000 µs in the settings, the same number in the model the venue binds; the report shows 50ms', async () => {
    const s = toRunSettings(flags('--latency', '50ms'));
    expect(s.execution.latency).toEqual({ model: 'constant', params: { entry: '50ms', response: '0' }, us: { entry: 50_000, response: 0 } });
    expect(plainExecution(s.execution).latency).toEqual({ model: 'constant', params: { entry: '50ms', response: '0' } });
    const bind = vi.spyOn(latencyConstant, 'bind');
    const { table } = await loadData(['data/sample_pair_quotes.csv'], { cache: false });
    const buyOnce = defineStrategy({
      name: 'buy-once',
      description: 'buys one AAA on the first tick',
      params: {},
      create: () => {
        let done = false;
        return {
          onTick(ctx) {
            if (!done) {
              done = true;
              ctx.submit({ symbol: 'AAA', side: 'buy', qty: 1 });
            }
          },
        };
      },
    });
    const out = runOnTable(table, { strategy: buyOnce, execution: s.execution });
    expect(bind).toHaveBeenCalled();
    // every venue (the run's, and the engine's empty one that keeps its shapes) got the
    // settings' µs themselves, not a text to parse again
    for (const call of bind.mock.calls) expect(call[2]).toBe(s.execution.latency.us);
    for (const r of bind.mock.results) expect(r.value.entryUs(0)).toBe(50_000);
    const [order] = out.record.orders.rows();
    const [fill] = out.record.fills.rows();
    expect(fill!.ts - order!.ts).toBeGreaterThanOrEqual(50_000);
  });
});
