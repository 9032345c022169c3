/** `tickfold check`: the contract checks of the shipped strategies, on any strategy and data. */
import { Command } from 'commander';
import { TickfoldError } from '../errors.js';
import { loadCommandData } from './load-data.js';
import { parseParamPairs, resolveParams } from '../strategy/params.js';
import { renderCheck, type CheckReport } from '../validation/check.js';
import { TaskRunner } from '../runtime/pool.js';
import type { StrategyRunner } from '../runtime/runner.js';
import { isBuiltin } from '../strategy/bundle.js';
import type { SandboxPolicy } from '../strategy/sandbox.js';
import { toGuard } from './run-command.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
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
    .option('--json <file>', JSON_OPTION_DOC)
    .option('--timeout <duration>', 'time limit per backtest of the check (it replays the strategy about 14 times), e.g. 30s (default: none)')
    .option('--max-memory <MB>', "heap limit of the thread that runs strategy code, MB (default: Node's)");
  addSandboxOptions(cmd);
  addLoadOptions(cmd);
  cmd.action(async (f: RawLoadFlags & RawSandboxFlags & { strategy: string; data: string[]; param: string[]; json?: string; timeout?: string; maxMemory?: string }) => {
    guardOutputs([{ flag: '--json', path: f.json, stdout: true }], [...f.data, ...strategyFiles([f.strategy])]);
    // the module is loaded, created and checked on a guarded, sandboxed thread, never here
    const sandbox = await toSandbox(f, [f.strategy]);
    const runner: StrategyRunner = new TaskRunner(1, toGuard(f, sandbox));
    let report: CheckReport;
    try {
      const module = await runner.describe(f.strategy, BUILTIN_STRATEGIES);
      const given = parseParamPairs(routeEntries('--param', f.param, new Map([[module.name, module.name], [f.strategy, module.name]]), module.name).get(module.name) ?? []);
      const params = resolveParams(module.name, module.params, given);
      await runner.describe(f.strategy, BUILTIN_STRATEGIES, [params]);
      const { table } = await loadCommandData(f.data, { ...toLoadOptions(f), shared: runner.pooled }, true);
      runner.use(table);
      report = withImports(await runner.check(f.strategy, params), sandbox.imports[f.strategy], sandbox.policy);
    } finally {
      await runner.close();
    }
    emitOutput(f.json, report, () => renderCheck(report, f.strategy));
    if (report.failed > 0) throw new TickfoldError('check-failed', `${report.failed} check${report.failed === 1 ? '' : 's'} failed (see above)`, 1);
  });
  return cmd;
}

/** Node's modules that reach what strategy code may not touch without a flag, and the flag. */
const GATED: readonly { readonly re: RegExp; readonly what: string; readonly allowed: (p: SandboxPolicy) => boolean; readonly flag: string }[] = [
  { re: /^(node:)?(fs|fs\/promises)$/, what: 'files', allowed: (p) => p.allowFs.length > 0, flag: '--allow-fs PATH' },
  { re: /^(node:)?(child_process|cluster)$/, what: 'processes', allowed: (p) => p.allowChildProcess, flag: '--allow-child-process' },
  { re: /^(node:)?(net|tls|http|https|http2|dgram|dns|dns\/promises)$/, what: 'the network', allowed: (p) => p.allowNet, flag: '--allow-net' },
];

/**
 * The report with a first line saying what the module imports (a module file; a built-in imports
 * nothing of note). An import of a module that reaches files, processes or the network without
 * the flag that allows it is a warning: the sandbox refuses the calls, and the check said it first.
 */
function withImports(r: CheckReport, imports: readonly string[] | undefined, policy: SandboxPolicy): CheckReport {
  if (imports === undefined) return r;
  const builtins = imports.filter(isBuiltin);
  const gated = builtins.flatMap((i) => GATED.filter((g) => g.re.test(i) && !g.allowed(policy)).map((g) => `${i} (${g.what}: refused without ${g.flag})`));
  const detail = imports.length === 0 ? 'nothing' : `${imports.join(', ')}${gated.length ? `; refused at run time: ${gated.join(', ')}` : ''}`;
  return { ...r, lines: [{ check: 'imports', status: gated.length ? 'warn' : 'ok', detail }, ...r.lines] };
}
