/**
 * `tickfold run`: one backtest, a readable summary, and the JSON report and trades CSV.
 */
import type { TickTable } from '../data/table.js';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { checkSizingSymbols } from '../broker/settings.js';
import { durationError, formatDuration, parseDuration } from '../data/time.js';
import { annualised, outcomeOf, prepareRun, type PreparedRun, type RunOutcome, type RunSpec } from '../engine/run-job.js';
import type { FileSummary, LeftOut } from '../data/load.js';
import { loadCommandData } from './load-data.js';
import { TaskRunner } from '../runtime/pool.js';
import type { Guard, StrategyRunner } from '../runtime/runner.js';
import { checkInterrupted, interruptSignal } from './interrupt.js';
import { writeFilesAtomic } from '../atomic.js';
import { buildRunReport, renderRunJson, renderRunText, renderTradesCsv } from '../report/run-report.js';
import { describeParams, parseParamPairs, resolveParams } from '../strategy/params.js';
import type { StrategyModule } from '../strategy/types.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { VERSION } from '../version.js';
import { guardOutputs, strategyFiles } from './outputs.js';
import { routeEntries } from './strategy-args.js';
import { addExecutionFlags, describeModels, executionInputs, toExecutionSettings, type RawExecFlags as RawExecutionFlags } from './execution-options.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
import { addLoadOptions, calendarOption, collect, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';


/** Execution flags shared by every command that runs backtests (the venue's models, in execution-options.ts), and the run's own. */
export function addExecutionOptions(cmd: Command): Command {
  return addExecutionFlags(cmd)
    .option('--capital <x>', 'initial capital', '100000')
    .option('--period <duration>', 'equity sampling period for returns, e.g. 1d, 1h, 5m (default: from the data span)')
    .option('--calendar <name>', "market calendar for annualisation: 24x7, 24x5, us-equity, or <days>d:<hours>h such as 252d:8h (default: measured from the data)")
    .option('--periods-per-year <n>', 'periods per year for annualisation (default: from the period and the calendar)')
    .option('--seed <n>', 'seed of the run\'s random generator', '1')
    .option('--benchmark <symbols>', 'the tearsheet\'s benchmark: buy-and-hold of these symbols, equal weights (default: the symbols the strategy traded)')
    .option('--timeout <duration>', `time limit per backtest, e.g. 30s or 10m, or none: a strategy that overruns it (a loop that never ends) is stopped and named (default: ${DEFAULT_TIMEOUT}, far beyond any real backtest: 2,000,000 events replay in about a second here)`)
    .option('--max-memory <MB>', 'heap limit of each thread that runs strategy code, MB (default: Node\'s)');
}

/**
 * The default `--timeout`, per backtest (a batch of k trials gets k times it). Without one, a
 * strategy stuck in a loop hung the command until Ctrl-C. 30 minutes is far beyond any backtest a
 * user runs by accident (2,000,000 events replay in about a second on this 2-core machine, see
 * README's Benchmarks: this is some 1,800 times that, or a strategy a thousand times slower than the
 * built-ins on 2M events), yet a stuck one ends the same day. `--timeout none` lifts it.
 */
export const DEFAULT_TIMEOUT = '30m';
/** The longest `--timeout` (12 hours): a batch of 32 trials times it stays within a timer's 2^31-1 ms. */
const MAX_TIMEOUT_MS = 12 * 3_600_000;

/** The limits on strategy code (`--timeout`, default {@link DEFAULT_TIMEOUT}, `none` for none; `--max-memory`), the interrupt that stops it, and the sandbox of strategy code). */
export function toGuard(f: { timeout?: string; maxMemory?: string }, sandbox?: Guard['sandbox']): Guard {
  let timeoutMs: number | undefined;
  const timeout = f.timeout ?? DEFAULT_TIMEOUT;
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

export interface RawExecFlags extends RawExecutionFlags {
  capital: string;
  period?: string;
  periodsPerYear?: string;
  calendar?: string;
  seed: string;
  benchmark?: string;
  timeout?: string;
  maxMemory?: string;
}

export const toExecution = toExecutionSettings;

/** `--benchmark A[,B]` as a list of symbols (checked against the data once it is loaded). */
export function benchmarkOption(v: string): string[] {
  const syms = v.split(',').map((x) => x.trim());
  if (syms.some((x) => x === '') || new Set(syms).size !== syms.length) throw new UsageError(`--benchmark '${v}' must name symbols, comma-separated, each once (e.g. SPY or DAX,CAC)`);
  return syms;
}

export function runCommand(argvForManifest: () => readonly string[]): Command {
  const cmd = new Command('run')
    .description('backtest a strategy on tick, quote or bar data')
    .requiredOption('--strategy <name|path>', `a built-in (${[...BUILTIN_STRATEGIES.keys()].join(', ')}) or a module file (.ts/.js)`)
    .requiredOption('--data <paths...>', 'CSV files or folders')
    .option('--param <key=value>', 'strategy parameter (repeatable)', collect, [])
    .option('--from <time>', 'start of the window (ISO-8601, inclusive)')
    .option('--to <time>', 'end of the window (ISO-8601, exclusive)')
    .option('--json <file>', 'write the JSON report here (atomically); - prints it on standard output instead of the summary')
    .option('--trades <file>', 'write the round-trip trades CSV here (atomically)')
    .option('--report <file>', 'write the self-contained HTML report here (atomically)')
    .option('--quiet', 'print nothing but errors');
  addExecutionOptions(cmd);
  addSandboxOptions(cmd);
  addLoadOptions(cmd);
  cmd.addHelpText('after', () => `\nBuilt-in strategies and their parameters:\n${[...BUILTIN_STRATEGIES.values()].map((m) => `${m.name}: ${m.description}\n${describeParams(m.params)}`).join('\n')}\n\n${describeModels()}\n`);
  cmd.action(async (f: RawLoadFlags & RawExecFlags & RawSandboxFlags & { strategy: string; data: string[]; param: string[]; from?: string; to?: string; json?: string; trades?: string; report?: string; quiet?: boolean }) => {
    guardOutputs(
      [
        { flag: '--json', path: f.json, stdout: true },
        { flag: '--trades', path: f.trades },
        { flag: '--report', path: f.report },
      ],
      [...f.data, ...strategyFiles([f.strategy]), ...executionInputs(f)],
    );
    const execution = toExecution(f);
    const seed = f.seed;
    // the backtest runs on a worker thread, under the guard (time and memory limits, interrupts,
    // the sandbox); the thread starts while this one loads the data. The strategy's module is
    // loaded there too, never here (its top-level code is strategy code).
    const runner: StrategyRunner = new TaskRunner(1, toGuard(f, await toSandbox(f, [f.strategy])));
    let strategy: StrategyModule;
    let paramPairs: ReturnType<typeof parseParamPairs>;
    try {
      strategy = await runner.describe(f.strategy, BUILTIN_STRATEGIES);
      // parameters and the instance checked before the data is read
      paramPairs = parseParamPairs(routeEntries('--param', f.param, new Map([[strategy.name, strategy.name], [f.strategy, strategy.name]]), strategy.name).get(strategy.name) ?? []);
      await runner.describe(f.strategy, BUILTIN_STRATEGIES, [resolveParams(strategy.name, strategy.params, paramPairs)]);
    } catch (e) {
      await runner.close();
      throw e;
    }
    let out: RunOutcome & { files: readonly FileSummary[]; leftOut: readonly LeftOut[] };
    let shownTable: TickTable | undefined;
    try {
      const loaded = await loadCommandData(f.data, { ...toLoadOptions(f), shared: runner.pooled, deferCache: runner.pooled }, false);
      const { table, files, leftOut } = loaded;
      checkSizingSymbols(execution, table.symbols);
      await checkInterrupted();
      const spec: RunSpec = {
        strategy,
        // unprefixed keys, or prefixed with the strategy's name (or path); any other prefix is an error
        params: paramPairs,
        ...(f.from !== undefined ? { from: f.from } : {}),
        ...(f.to !== undefined ? { to: f.to } : {}),
        execution,
        initialCapital: numberOption('--capital', f.capital, (x) => Number.isFinite(x) && x > 0, 'a number > 0'),
        ...(f.period !== undefined ? { period: f.period } : {}),
        ...(f.periodsPerYear !== undefined ? { periodsPerYear: numberOption('--periods-per-year', f.periodsPerYear, (x) => x > 0, 'a number > 0') } : {}),
        ...(f.calendar !== undefined ? { calendar: calendarOption(f.calendar) } : {}),
        seed,
        ...(f.benchmark !== undefined ? { benchmark: benchmarkOption(f.benchmark) } : {}),
      };
      // the calendar (periods a year) is measured while the worker replays: not needed before
      const prepared = prepareRun(table, spec, false);
      runner.use(prepared.window);
      const c = prepared.config;
      const running = runner.runAll([
        {
          task: { kind: 'run', strategy: f.strategy, params: prepared.params, run: { execution: c.execution, initialCapital: c.initialCapital, periodUs: c.periodUs, periodsPerYear: prepared.period.periodsPerYear, seed } },
          label: `strategy '${strategy.name}'`,
        },
      ]);
      // while the worker replays: the content hash and the cache entry of a first run, and the
      // calendar the metrics are annualised by
      let full: PreparedRun;
      try {
        loaded.settle();
        full = annualised(prepared, spec);
      } catch (e) {
        await running.catch(() => undefined);
        throw e;
      }
      const [res] = await running;
      out = { ...outcomeOf(full, res!.record), files, leftOut };
      shownTable = full.window;
    } finally {
      await runner.close();
    }
    const report = buildRunReport(out, VERSION, argvForManifest(), execution, seed);
    // render everything first, then write: a failure leaves no partial output
    const json = f.json !== undefined ? renderRunJson(report) : undefined;
    const csv = f.trades !== undefined ? renderTradesCsv(out.record.trades, out.record.openTrades) : undefined;
    // the HTML report's code is loaded only when one is asked for
    const html = f.report !== undefined ? (await import('../report/html.js')).renderHtmlReport((await import('../report/html-builders.js')).runHtml(report, out, shownTable)) : undefined;
    await checkInterrupted();
    // all the outputs or none (src/atomic.ts)
    writeFilesAtomic([
      ...(json !== undefined && f.json !== '-' ? [{ path: f.json!, data: json }] : []),
      ...(csv !== undefined ? [{ path: f.trades!, data: csv }] : []),
      ...(html !== undefined ? [{ path: f.report!, data: html }] : []),
    ]);
    if (f.json === '-') process.stdout.write(json!);
    else if (!f.quiet) {
      process.stdout.write(renderRunText(report, out) + '\n');
      const wrote = [f.json, f.trades, f.report].filter((x): x is string => x !== undefined);
      if (wrote.length) process.stdout.write(`  wrote          ${wrote.join(', ')}\n`);
    }
  });
  return cmd;
}
