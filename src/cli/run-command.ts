/**
 * `tickfold run`: one backtest, a readable summary, and the JSON report and trades CSV. The flags
 * become one RunSettings (run-options.ts); the backtest is the `run` job (jobs/run.ts).
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { noteUniverse } from './universe-option.js';
import { runGuarded } from '../jobs/run.js';
import { plainExecution } from '../broker/settings.js';
import { loadCommandData, planCommandData } from './load-data.js';
import type { LoadOptions } from '../data/load.js';
import { DEFAULTS, memoryBytes } from '../jobs/settings.js';
import { checkInterrupted } from './interrupt.js';
import { writeFilesAtomic } from '../atomic.js';
import { buildRunReport, renderRunJson, renderRunText, renderTradesCsv } from '../report/run-report.js';
import { describeParams } from '../strategy/params.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { VERSION } from '../version.js';
import { guardOutputs, strategyFiles } from './outputs.js';
import { singleStrategyParams } from './strategy-args.js';
import { describeModels, executionInputs } from './execution-options.js';
import { addExecutionOptions, toGuard, toRunSettings, type RawRunFlags } from './run-options.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
import { addLoadOptions, addSymbolsOption, collect, toLoadOptions, withSymbols, type RawLoadFlags } from './options.js';

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
    .option('--memory <size>', `what a run streamed from the catalog may hold (block of rows, one partition per stream, the process), e.g. 512m, 2g; with --no-cache or --report the data is held whole instead`, DEFAULTS.memory)
    .option('--quiet', 'print nothing but errors');
  addExecutionOptions(cmd);
  addSandboxOptions(cmd);
  addLoadOptions(cmd);
  addSymbolsOption(cmd);
  cmd.addHelpText('after', () => `\nBuilt-in strategies and their parameters:\n${[...BUILTIN_STRATEGIES.values()].map((m) => `${m.name}: ${m.description}\n${describeParams(m.params)}`).join('\n')}\n\n${describeModels()}\n`);
  cmd.action(async (f: RawLoadFlags & RawRunFlags & RawSandboxFlags & { strategy: string; data: string[]; param: string[]; json?: string; trades?: string; report?: string; quiet?: boolean; memory: string; symbols?: string }) => {
    guardOutputs(
      [
        { flag: '--json', path: f.json, stdout: true },
        { flag: '--trades', path: f.trades },
        { flag: '--report', path: f.report },
      ],
      [...f.data, ...strategyFiles([f.strategy]), ...executionInputs(f)],
    );
    // every flag checked before any work
    const settings = toRunSettings(f);
    const memory = memoryBytes(f.memory);
    const load = withSymbols(toLoadOptions(f), f.symbols);
    const window = { fromUs: settings.fromUs, toUs: settings.toUs };
    // streamed (the HTML report draws the window's rows: held whole then); the worker reads the catalog
    const streamed = f.report === undefined && load.cache !== false;
    if (!streamed && cmd.getOptionValueSource('memory') === 'cli') throw new UsageError(`--memory bounds a run streamed from the catalog; with ${f.report !== undefined ? '--report (the HTML report draws the rows)' : '--no-cache'} the data is held whole: leave out --memory`);
    const sandbox = await toSandbox(f, [f.strategy]);
    const out = await runGuarded({
      strategy: f.strategy,
      builtins: BUILTIN_STRATEGIES,
      params: (m) => singleStrategyParams(f.param, f.strategy, m.name),
      settings,
      data: f.data,
      load,
      guard: toGuard(f, sandbox),
      // the window's partitions only, read from the catalog (data/catalog/): streamed, or into one table
      loader: (paths, opts) => loadCommandData(paths, opts, false, window),
      ...(streamed
        ? {
            stream: {
              plan: (paths: readonly string[], opts: LoadOptions) => planCommandData(paths, opts, window),
              memoryBytes: memory,
              memoryText: f.memory,
              ...(cmd.getOptionValueSource('memory') === 'cli' ? { heldWhole: (why: string) => process.stderr.write(`tickfold: note: --memory ${f.memory} is not used: the data is held whole, since ${why}\n`) } : {}),
            },
          }
        : {}),
      checkpoint: checkInterrupted,
    });
    const shownTable = out.window;
    noteUniverse(settings.universe, out.symbols, out.endSession);
    const execution = plainExecution(settings.execution);
    const seed = settings.seed;
    const report = buildRunReport(out, VERSION, argvForManifest(), execution, seed);
    // render everything first, then write: a failure leaves no partial output
    const json = f.json !== undefined ? renderRunJson(report) : undefined;
    const csv = f.trades !== undefined ? renderTradesCsv(out.record.trades, out.record.openTrades) : undefined;
    // the HTML report's code is loaded only when one is asked for
    const html = f.report !== undefined ? (await import('../report/html.js')).renderHtmlReport((await import('../report/html-builders.js')).runHtml(report, out, shownTable!)) : undefined;
    await checkInterrupted();
    // all the outputs or none (src/atomic.ts)
    writeFilesAtomic([...(json !== undefined && f.json !== '-' ? [{ path: f.json!, data: json }] : []), ...(csv !== undefined ? [{ path: f.trades!, data: csv }] : []), ...(html !== undefined ? [{ path: f.report!, data: html }] : [])]);
    if (f.json === '-') process.stdout.write(json!);
    else if (!f.quiet) {
      process.stdout.write(renderRunText(report, out) + '\n');
      const wrote = [f.json, f.trades, f.report].filter((x): x is string => x !== undefined);
      if (wrote.length) process.stdout.write(`  wrote          ${wrote.join(', ')}\n`);
    }
  });
  return cmd;
}
