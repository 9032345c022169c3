/**
 * `tickfold run`: one backtest, a readable summary, and the JSON report and trades CSV. The flags
 * become one RunSettings (run-options.ts); the backtest is the `run` job (jobs/run.ts).
 */
import { Command } from 'commander';
import { noteUniverse } from './universe-option.js';
import { runGuarded } from '../jobs/run.js';
import { plainExecution } from '../broker/settings.js';
import { loadCommandData } from './load-data.js';
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
import { addLoadOptions, collect, toLoadOptions, type RawLoadFlags } from './options.js';

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
  cmd.action(async (f: RawLoadFlags & RawRunFlags & RawSandboxFlags & { strategy: string; data: string[]; param: string[]; json?: string; trades?: string; report?: string; quiet?: boolean }) => {
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
    const out = await runGuarded({
      strategy: f.strategy,
      builtins: BUILTIN_STRATEGIES,
      params: (m) => singleStrategyParams(f.param, f.strategy, m.name),
      settings,
      data: f.data,
      load: toLoadOptions(f),
      guard: toGuard(f, await toSandbox(f, [f.strategy])),
      // the window's partitions only, streamed from the catalog (data/catalog/)
      loader: (paths, opts) => loadCommandData(paths, opts, false, { fromUs: settings.fromUs, toUs: settings.toUs }),
      checkpoint: checkInterrupted,
    });
    const shownTable = out.window;
    noteUniverse(settings.universe, shownTable);
    const execution = plainExecution(settings.execution);
    const seed = settings.seed;
    const report = buildRunReport(out, VERSION, argvForManifest(), execution, seed);
    // render everything first, then write: a failure leaves no partial output
    const json = f.json !== undefined ? renderRunJson(report) : undefined;
    const csv = f.trades !== undefined ? renderTradesCsv(out.record.trades, out.record.openTrades) : undefined;
    // the HTML report's code is loaded only when one is asked for
    const html = f.report !== undefined ? (await import('../report/html.js')).renderHtmlReport((await import('../report/html-builders.js')).runHtml(report, out, shownTable)) : undefined;
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
