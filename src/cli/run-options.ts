/**
 * The flags of every command that runs backtests (`run`, `walk-forward`, `compare`), turned into
 * one {@link RunSettings} (jobs/settings.ts): each flag parsed once, here, into its typed value
 * (`--period 1m` into µs, `--from` into µs since the epoch, the execution flags into
 * ExecutionSettings), its default from {@link DEFAULTS}. And the guard on strategy code
 * (`--timeout`, `--max-memory`, the sandbox).
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { durationError, formatDuration, parseDuration, parseIso } from '../data/time.js';
import { DEFAULTS, runSettings, type RunSettings } from '../jobs/settings.js';
import type { Guard } from '../runtime/runner.js';
import { addExecutionFlags, toExecutionSettings, type RawExecFlags } from './execution-options.js';
import { interruptSignal } from './interrupt.js';
import { calendarOption, numberOption } from './options.js';
import { readMembersFile } from '../universe/members.js';

/** Execution flags shared by every command that runs backtests (the venue's models, in execution-options.ts), and the run's own. */
export function addExecutionOptions(cmd: Command): Command {
  return addExecutionFlags(cmd)
    .option('--capital <x>', 'initial capital', String(DEFAULTS.initialCapital))
    .option('--period <duration>', 'equity sampling period for returns, e.g. 1d, 1h, 5m (default: from the data span)')
    .option('--calendar <name>', 'market calendar for annualisation: 24x7, 24x5, us-equity, or <days>d:<hours>h such as 252d:8h (default: measured from the data)')
    .option('--periods-per-year <n>', 'periods per year for annualisation (default: from the period and the calendar)')
    .option('--seed <n>', "seed of the run's random generator", DEFAULTS.seed)
    .option('--universe <file>', 'point-in-time membership: symbol,from,to[,delisting_return] (orders outside it refused; a position closed when its symbol leaves, at its last price x (1 + delisting return))')
    .option('--benchmark <symbols>', "the tearsheet's benchmark: buy-and-hold of these symbols, equal weights (default: the symbols the strategy traded)")
    .option('--timeout <duration>', `time limit per backtest, e.g. 30s or 10m, or none: a strategy that overruns it (a loop that never ends) is stopped and named (default: ${DEFAULTS.timeout}, far beyond any real backtest: 2,000,000 events replay in about a second here)`)
    .option('--max-memory <MB>', "heap limit of each thread that runs strategy code, MB (default: Node's)");
}

/** The flags of {@link addExecutionOptions} as commander gives them, with `--from`/`--to`. */
export interface RawRunFlags extends RawExecFlags {
  capital: string;
  period?: string;
  periodsPerYear?: string;
  calendar?: string;
  seed: string;
  benchmark?: string;
  universe?: string;
  timeout?: string;
  maxMemory?: string;
  from?: string;
  to?: string;
}

/** The longest `--timeout` (12 hours): a batch of 32 trials times it stays within a timer's 2^31-1 ms. */
const MAX_TIMEOUT_MS = 12 * 3_600_000;

/** The limits on strategy code (`--timeout`, default {@link DEFAULTS}.timeout, `none` for none; `--max-memory`), the interrupt that stops it, and the sandbox of strategy code. */
export function toGuard(f: { timeout?: string; maxMemory?: string }, sandbox?: Guard['sandbox']): Guard {
  let timeoutMs: number | undefined;
  const timeout = f.timeout ?? DEFAULTS.timeout;
  if (timeout !== 'none') {
    const us = parseDuration(timeout);
    if (!(us > 0)) throw new UsageError(`${durationError('--timeout', timeout, '30s, 5m, 1h')}; or none for no limit`);
    timeoutMs = us / 1000;
    // a batch of up to 32 trials gets 32 times it, on a timer that holds at most 2^31-1 ms (24.8
    // days; beyond, Node fires it at once): longer limits are no limit, said so
    if (timeoutMs > MAX_TIMEOUT_MS) throw new UsageError(`--timeout '${timeout}' is longer than ${formatDuration(MAX_TIMEOUT_MS * 1000)}, the longest limit kept; give --timeout none for no limit`);
  }
  const maxMemoryMb = f.maxMemory === undefined ? undefined : numberOption('--max-memory', f.maxMemory, (x) => Number.isInteger(x) && x >= 64, 'an integer number of MB >= 64');
  return { signal: interruptSignal, ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(maxMemoryMb !== undefined ? { maxMemoryMb } : {}), ...(sandbox ? { sandbox: { policy: sandbox.policy, modules: sandbox.modules } } : {}) };
}

/** `--benchmark A[,B]` as a list of symbols (checked against the data once it is loaded). */
export function benchmarkOption(v: string): string[] {
  const syms = v.split(',').map((x) => x.trim());
  if (syms.some((x) => x === '') || new Set(syms).size !== syms.length) throw new UsageError(`--benchmark '${v}' must name symbols, comma-separated, each once (e.g. SPY or DAX,CAC)`);
  return syms;
}

/** An ISO-8601 `--from`/`--to` bound in µs, or `fallback` when absent; a usage error when not a time. */
export function timeBound(flag: string, s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const us = parseIso(s);
  if (Number.isNaN(us)) throw new UsageError(`${flag} '${s}' is not an ISO-8601 time; write e.g. 2013-10-09 or 2024-08-08T23:58:00Z`);
  return us;
}

/** The run's flags as one {@link RunSettings}: each parsed once, each default from {@link DEFAULTS}. */
export function toRunSettings(f: RawRunFlags): RunSettings {
  const fromUs = timeBound('--from', f.from, -Infinity);
  const toUs = timeBound('--to', f.to, Infinity);
  if (!(fromUs < toUs)) throw new UsageError(`--from ${f.from} must be before --to ${f.to}`);
  let periodUs: number | undefined;
  if (f.period !== undefined) {
    periodUs = parseDuration(f.period);
    if (!(periodUs > 0)) throw new UsageError(durationError('--period', f.period, '1d, 1h, 5m'));
  }
  return runSettings({
    execution: toExecutionSettings(f),
    initialCapital: numberOption('--capital', f.capital, (x) => Number.isFinite(x) && x > 0, 'a number > 0'),
    seed: f.seed,
    fromUs,
    toUs,
    ...(periodUs !== undefined ? { periodUs } : {}),
    ...(f.periodsPerYear !== undefined ? { periodsPerYear: numberOption('--periods-per-year', f.periodsPerYear, (x) => x > 0, 'a number > 0') } : {}),
    ...(f.calendar !== undefined ? { calendar: calendarOption(f.calendar) } : {}),
    ...(f.benchmark !== undefined ? { benchmark: benchmarkOption(f.benchmark) } : {}),
    ...(f.universe !== undefined ? { universe: readMembersFile(f.universe) } : {}),
  });
}
