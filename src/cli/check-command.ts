/** `tickfold check`: the contract checks of the shipped strategies, on any strategy and data. */
import { Command } from 'commander';
import { TickfoldError } from '../errors.js';
import { loadCommandData } from './load-data.js';
import { loadStrategy } from '../strategy/load.js';
import { parseParamPairs, resolveParams } from '../strategy/params.js';
import { createStrategy } from '../strategy/instance.js';
import { checkStrategy, renderCheck } from '../validation/check.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { addLoadOptions, collect, emitOutput, JSON_OPTION_DOC, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputs, strategyFiles } from './outputs.js';
import { routeEntries } from './strategy-args.js';

export function checkCommand(): Command {
  const cmd = new Command('check')
    .description('check a strategy as the shipped ones are checked: handlers, determinism, no wall clock or unseeded random numbers, no look-ahead, isolation between runs, warm-up sensitivity, retained views, cost per event')
    .requiredOption('--strategy <name|path>', 'a built-in or a module file (.ts/.js)')
    .requiredOption('--data <paths...>', 'CSV files or folders')
    .option('--param <key=value>', 'strategy parameter (repeatable)', collect, [])
    .option('--json <file>', JSON_OPTION_DOC);
  addLoadOptions(cmd);
  cmd.action(async (f: RawLoadFlags & { strategy: string; data: string[]; param: string[]; json?: string }) => {
    guardOutputs([{ flag: '--json', path: f.json, stdout: true }], [...f.data, ...strategyFiles([f.strategy])]);
    const module = await loadStrategy(f.strategy, BUILTIN_STRATEGIES);
    const given = parseParamPairs(routeEntries('--param', f.param, new Map([[module.name, module.name], [f.strategy, module.name]]), module.name).get(module.name) ?? []);
    const params = resolveParams(module.name, module.params, given);
    createStrategy(module, params);
    const { table } = await loadCommandData(f.data, toLoadOptions(f), true);
    const report = checkStrategy(table, module, params);
    emitOutput(f.json, report, () => renderCheck(report, f.strategy));
    if (report.failed > 0) throw new TickfoldError('check-failed', `${report.failed} check${report.failed === 1 ? '' : 's'} failed (see above)`, 1);
  });
  return cmd;
}
