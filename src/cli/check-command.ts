/** `tickfold check`: the contract checks of the shipped strategies, on any strategy and data (the `check` job, jobs/check.ts). */
import { Command } from 'commander';
import { TickfoldError } from '../errors.js';
import { loadCommandData } from './load-data.js';
import { renderCheck, runCheckJob } from '../jobs/check.js';
import { toGuard } from './run-options.js';
import { DEFAULTS } from '../jobs/settings.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { addLoadOptions, addSymbolsOption, collect, emitOutput, JSON_OPTION_DOC, toLoadOptions, withSymbols, type RawLoadFlags } from './options.js';
import { guardOutputs, strategyFiles } from './outputs.js';
import { singleStrategyParams } from './strategy-args.js';

export function checkCommand(): Command {
  const cmd = new Command('check')
    .description('check a strategy as the shipped ones are checked: handlers, determinism, no wall clock or unseeded random numbers, no look-ahead, isolation between runs, warm-up sensitivity, retained views, cost per event')
    .requiredOption('--strategy <name|path>', 'a built-in or a module file (.ts/.js)')
    .requiredOption('--data <paths...>', 'CSV files or folders')
    .option('--param <key=value>', 'strategy parameter (repeatable)', collect, [])
    .option('--json <file>', JSON_OPTION_DOC)
    .option('--timeout <duration>', `time limit per backtest of the check (it replays the strategy about 14 times), e.g. 30s, or none (default: ${DEFAULTS.timeout})`)
    .option('--max-memory <MB>', "heap limit of the thread that runs strategy code, MB (default: Node's)");
  addSandboxOptions(cmd);
  addLoadOptions(cmd);
  addSymbolsOption(cmd);
  cmd.action(async (f: RawLoadFlags & RawSandboxFlags & { strategy: string; data: string[]; param: string[]; json?: string; timeout?: string; maxMemory?: string; symbols?: string }) => {
    guardOutputs([{ flag: '--json', path: f.json, stdout: true }], [...f.data, ...strategyFiles([f.strategy])]);
    const sandbox = await toSandbox(f, [f.strategy]);
    const report = await runCheckJob({
      strategy: f.strategy,
      builtins: BUILTIN_STRATEGIES,
      params: (m) => singleStrategyParams(f.param, f.strategy, m.name),
      data: f.data,
      load: withSymbols(toLoadOptions(f), f.symbols),
      guard: toGuard(f, sandbox),
      ...(sandbox.imports[f.strategy] !== undefined ? { imports: sandbox.imports[f.strategy] } : {}),
      loader: (paths, opts) => loadCommandData(paths, opts, true),
    });
    emitOutput(f.json, report, () => renderCheck(report, f.strategy));
    if (report.failed > 0) throw new TickfoldError('check-failed', `${report.failed} check${report.failed === 1 ? '' : 's'} failed (see above)`, 1);
  });
  return cmd;
}
