/**
 * The `check` job: the contract checks of the shipped strategies (engine/contract-check.ts) on any
 * strategy and data. The module is loaded, created and checked on a guarded, sandboxed worker
 * thread, never here; the report's first line says what a module file imports.
 */
import { DEFAULT_EXECUTION } from '../broker/settings.js';
import { loadData, type Loaded, type LoadOptions } from '../data/load.js';
import { US_PER_HOUR } from '../data/time.js';
import type { CheckReport } from '../engine/contract-check.js';
import type { BacktestSettings } from '../engine/engine.js';
import { isBuiltin } from '../strategy/bundle.js';
import type { SandboxPolicy } from '../strategy/sandbox.js';
import type { ParamValue, StrategyModule } from '../strategy/types.js';
import { TaskRunner } from '../runtime/pool.js';
import type { Guard, StrategyRunner } from '../runtime/runner.js';
import { DEFAULTS } from './settings.js';
import { strategyParams } from './run.js';

export type { CheckReport };

/** What every replay of a check is told: the run's defaults, sampled hourly (the checks compare decisions, not returns). */
export const CHECK_SETTINGS: BacktestSettings = { initialCapital: DEFAULTS.initialCapital, execution: DEFAULT_EXECUTION, periodUs: US_PER_HOUR, periodsPerYear: NaN, seed: DEFAULTS.seed };

export interface CheckJob {
  /** A built-in's name or a module file. */
  readonly strategy: string;
  readonly builtins: ReadonlyMap<string, StrategyModule>;
  /** The parameters as given, once the module's name is known. */
  readonly params: (module: StrategyModule) => Readonly<Record<string, string | ParamValue>>;
  readonly data: readonly string[];
  readonly load: LoadOptions;
  readonly guard: Guard;
  /** What a module file imports (strategy/bundle.ts), for the report's first line; undefined for a built-in. */
  readonly imports?: readonly string[];
  readonly loader?: (paths: readonly string[], opts: LoadOptions) => Promise<Loaded>;
}

/** Runs the check (see {@link CheckJob}). */
export async function runCheckJob(j: CheckJob): Promise<CheckReport> {
  const runner: StrategyRunner = new TaskRunner(1, j.guard);
  try {
    const module = await runner.describe(j.strategy, j.builtins);
    const params = strategyParams(module, j.params(module));
    // an instance made and checked on the thread before the data is read (create() refusing its parameters: exit 2)
    await runner.describe(j.strategy, j.builtins, [params]);
    const { table } = await (j.loader ?? loadData)(j.data, { ...j.load, shared: runner.pooled });
    runner.use(table);
    return withImports(await runner.check(j.strategy, params, CHECK_SETTINGS), j.imports, j.guard.sandbox?.policy);
  } finally {
    await runner.close();
  }
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
function withImports(r: CheckReport, imports: readonly string[] | undefined, policy: SandboxPolicy | undefined): CheckReport {
  if (imports === undefined || policy === undefined) return r;
  const builtins = imports.filter(isBuiltin);
  const gated = builtins.flatMap((i) => GATED.filter((g) => g.re.test(i) && !g.allowed(policy)).map((g) => `${i} (${g.what}: refused without ${g.flag})`));
  const detail = imports.length === 0 ? 'nothing' : `${imports.join(', ')}${gated.length ? `; refused at run time: ${gated.join(', ')}` : ''}`;
  return { ...r, lines: [{ check: 'imports', status: gated.length ? 'warn' : 'ok', detail }, ...r.lines] };
}

/** The check's report as text. */
export function renderCheck(r: CheckReport, source: string): string {
  const out = [
    `tickfold check: ${r.strategy} (${source}) ${Object.entries(r.params)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')}`.trimEnd(),
    `  on ${r.events.toLocaleString('en-US')} events`,
  ];
  for (const l of r.lines) out.push(`  ${l.check.padEnd(15)}${l.status}: ${l.detail}`);
  const warned = r.lines.filter((l) => l.status === 'warn').length;
  out.push(r.failed === 0 ? `passed: ${r.lines.length - warned} of ${r.lines.length} checks${warned ? `, ${warned} warning${warned === 1 ? '' : 's'}` : ''}` : `FAILED: ${r.failed} of ${r.lines.length} checks`);
  return out.join('\n');
}
