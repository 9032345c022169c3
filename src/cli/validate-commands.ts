/**
 * `tickfold walk-forward` and `tickfold compare`: the flags of a validation, turned into typed
 * settings (run-options.ts), the strategies' {@link Entry} list (their --param and --grid routed)
 * and a runner (threads here, or a queue), then the validation job (jobs/validate.ts); the two
 * commands differ only in which strategies run. Output: text, JSON, HTML, written atomically.
 */
import { appendFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { UsageError } from '../errors.js';
import { loadCommandData, planCommandData } from './load-data.js';
import { durationError, formatDuration, formatIso, parseDuration } from '../data/time.js';
import { writeFilesAtomic } from '../atomic.js';
import { buildValidationReport, renderValidationJson, renderValidationText } from '../report/validation-report.js';
import { parseParamPairs } from '../strategy/params.js';
import type { StrategyModule } from '../strategy/types.js';
import { DEFAULT_MAX_FOLDS, type FoldPlan } from '../validation/folds.js';
import { parseGrid } from '../validation/grid.js';
import { parseListed, routeEntries } from './strategy-args.js';
import { CPCV_OBJECTIVE_NAMES, NAIVE_BASELINES, OBJECTIVES, UNIVERSE_BASELINES, type Entry, type Objective, type ValidationSettings } from '../validation/validate.js';
import { TaskRunner } from '../runtime/pool.js';
import type { Runner, StrategyRunner } from '../runtime/runner.js';
import { renderHtmlReport } from '../report/html.js';
import { validationHtml } from '../report/html-builders.js';
import { baselineDefaults } from '../validation/baselines.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { checkStoreFolder, guardOutputs, strategyFiles } from './outputs.js';
import { addLoadOptions, addSymbolsOption, collect, numberOption, toLoadOptions, withSymbols, type RawLoadFlags } from './options.js';
import { addLedgerOptions, ledgerChoice } from './ledger-options.js';
import { binomial, MAX_CPCV_SPLITS } from '../validation/cpcv.js';
import { addExecutionOptions, toGuard, toRunSettings, type RawRunFlags } from './run-options.js';
import { checkInterrupted } from './interrupt.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
import { executionInputs } from './execution-options.js';
import { noteUniverse } from './universe-option.js';
import { DEFAULTS, memoryBytes } from '../jobs/settings.js';
import { addSearchOptions, checkSpaceOwners, searchFlags, searchOf, searchPlanNote, type RawSearchFlags } from './search-options.js';
import { runValidationJob, validationOptions } from '../jobs/validate.js';
import type { SweepSpec } from '../jobs/sweep.js';

interface RawValidationFlags extends RawLoadFlags, RawRunFlags, RawSandboxFlags, RawSearchFlags {
  queue?: string;
  dataStore?: string;
  queueKeyFile?: string;
  insecureLoopback?: boolean;
  data: string[];
  param: string[];
  grid: string[];
  split?: string;
  train?: string;
  test?: string;
  step?: string;
  anchored?: boolean;
  embargo?: string;
  warmup?: string;
  maxFolds: string;
  foldEdge: string;
  objective: string;
  workers?: string;
  pboPartitions: string;
  bootstrap: string;
  block?: string;
  targetSharpe: string;
  json?: string;
  report?: string;
  memory: string;
  /** --memory was given on the command line (not the default). */
  memoryGiven?: boolean;
  quiet?: boolean;
  progress?: boolean;
  ledger: string | false;
  fresh?: boolean;
  feeSweep?: string;
  slippageSweep?: string;
  cpcv?: string;
  purge?: string;
  cpcvEmbargo?: string;
  /** `--symbols`: the data's symbols used (data/symbol-selection.ts). */
  symbols?: string;
}

function addValidationOptions(cmd: Command): Command {
  cmd
    .requiredOption('--data <paths...>', 'CSV files or folders')
    .option('--param <key=value>', 'fixed strategy parameter (repeatable; prefix with the strategy name where several run, e.g. pairs.every=1m)', collect, [])
    .option('--grid <key=values>', 'parameter grid searched in-sample: key=a,b,c or key=start:stop:step (repeatable: the full product)', collect, [])
    .option('--from <time>', 'start of the data used (ISO-8601, inclusive)')
    .option('--to <time>', 'end of the data used (ISO-8601, exclusive)')
    .option('--split <at>', 'one in-sample/out-of-sample split: a fraction of the events (0.7) or a time (2013-10-09)')
    .option('--train <length>', 'walk-forward training window: a duration (30d, 6h) or rows (50000rows)')
    .option('--test <length>', 'walk-forward test window (also the step between folds)')
    .option('--step <length>', 'step between folds; must equal --test (out-of-sample windows tile the data)')
    .option('--anchored', 'anchored walk-forward: training windows all start at the beginning of the data (default: rolling)')
    .option('--embargo <length>', 'gap left out between each training window and its test window')
    .option('--warmup <length>', 'data replayed without trading before each test window (default: the training window)')
    .option('--max-folds <n>', 'refuse a plan of more walk-forward folds than this, before any work', String(DEFAULT_MAX_FOLDS))
    .addOption(new Option('--fold-edge <policy>', 'positions at a fold edge: close them (paying costs) or carry them into the next fold').choices(['close', 'carry']).default(DEFAULTS.foldEdge))
    .addOption(new Option('--objective <metric>', 'what the in-sample choice maximises').choices(Object.keys(OBJECTIVES)).default(DEFAULTS.objective))
    .option('--queue <url>', 'run the tasks on a distributed queue (BullMQ on Redis, redis://HOST:PORT) drained by tickfold worker processes; the report is the same bytes as a local run')
    .option('--data-store <dir>', 'with --queue: put the data in this folder, shared with the workers (their --data-store), instead of in Redis')
    .option('--queue-key-file <file>', "with --queue: the queue's shared key, in a file (default: $TICKFOLD_QUEUE_KEY); the workers hold the same: jobs and results are authenticated by it")
    .option('--insecure-loopback', 'with --queue on this machine (127.0.0.1, ::1, localhost): no key, jobs and results unauthenticated')
    .option('--workers <n>', `worker threads for trials and folds (default: ${availableParallelism()}, the cores here; each guarded, see --timeout)`)
    .option('--pbo-partitions <S>', 'CSCV blocks for PBO (even, 2..24)', String(DEFAULTS.pboPartitions))
    .option('--bootstrap <B>', 'stationary-bootstrap resamples for the p-values against baselines', String(DEFAULTS.bootstrapReps))
    .option('--block <L>', 'mean block length of the bootstrap, in periods (default: n^(1/3))')
    .option('--target-sharpe <x>', 'annual Sharpe for MinBTL', String(DEFAULTS.targetSharpe))
    .option('--cpcv <N:k>', 'also combinatorial purged CV over the configurations: N groups, k of them tested per split (e.g. 6:2: 15 splits, 5 paths)')
    .option('--purge <duration>', 'CPCV: the label horizon purged around each test block (e.g. 1h; default 0)')
    .option('--cpcv-embargo <duration>', 'CPCV: the embargo after each test block (e.g. 30m; default 0)')
    .option('--fee-sweep <bps,...>', 'cost sensitivity: the same validation at each taker fee (e.g. 0,1,2,5), and the fee at which the OOS edge over the best baseline disappears')
    .option('--slippage-sweep <bps,...>', 'the same at each fixed slippage')
    .option('--json <file>', 'write the JSON report here (atomically); - prints it on standard output instead of the text')
    .option('--report <file>', 'write the self-contained HTML report here (atomically)')
    .option(
      '--memory <size>',
      `what a validation streamed from the catalog may hold (the process; on each worker thread, or each task slot of a queue's workers, one partition per stream and a block per trial of a batch), e.g. 512m, 2g; with --no-cache or --report the data is held whole instead`,
      DEFAULTS.memory,
    )
    .option('--quiet', 'print nothing but errors')
    .option('--no-progress', 'no progress bar (it shows only when stderr is a terminal)');
  addExecutionOptions(cmd);
  addSandboxOptions(cmd);
  addLedgerOptions(cmd);
  addSearchOptions(cmd);
  addLoadOptions(cmd);
  addSymbolsOption(cmd);
  return cmd;
}

/** The time limit on each backtest, as the plan says it (the default shown as such, so that no one meets it by surprise). */
const timeoutNote = (f: { timeout?: string }): string => {
  const ms = toGuard(f).timeoutMs;
  return ms === undefined ? 'no time limit per backtest (--timeout none)' : `each backtest stopped after ${formatDuration(ms * 1000)} (--timeout${f.timeout === undefined ? ' default; none for no limit' : ''})`;
};

/** A naive baseline's name when it also runs as a candidate (given a grid, or under test). */
const naiveCopy = (n: string): string => `${n} (naive)`;

async function runValidation(command: 'walk-forward' | 'compare', items: readonly string[], mainIndex: number | undefined, baselines: readonly string[], f: RawValidationFlags, argv: readonly string[]): Promise<void> {
  const listed = items.map(parseListed);
  guardOutputs(
    [
      { flag: '--json', path: f.json, stdout: true },
      { flag: '--report', path: f.report },
      // the ledger is written too: never over an input (it was refused only after all the work,
      // "not a ledger", its fix moving the user's file aside), nor into the bundled data/
      { flag: '--ledger', path: typeof f.ledger === 'string' ? f.ledger : undefined },
    ],
    [...f.data, ...strategyFiles(listed.map((l) => l.spec)), ...executionInputs(f)],
  );
  // the listed strategies, called by their alias or their module's name; a module file is
  // bundled here and loaded on a guarded, sandboxed thread (its top-level code is strategy code)
  const sandbox = await toSandbox(
    f,
    listed.map((l) => l.spec),
  );
  const listedModules: StrategyModule[] = [];
  const describer: StrategyRunner | undefined = listed.some((l) => !BUILTIN_STRATEGIES.has(l.spec)) ? new TaskRunner(1, toGuard(f, sandbox)) : undefined;
  try {
    for (const l of listed) listedModules.push(describer ? await describer.describe(l.spec, BUILTIN_STRATEGIES) : BUILTIN_STRATEGIES.get(l.spec)!);
  } finally {
    await describer?.close();
  }
  const names = listed.map((l, i) => l.alias ?? listedModules[i]!.name);
  if (new Set(names).size !== names.length) throw new UsageError(`two listed strategies are called the same (${names.join(', ')}); list each once, or name them: --strategies a=./a.ts,b=./b.ts`);
  const mainName = mainIndex === undefined ? undefined : names[mainIndex];
  // every name an entry may use for its owner: the canonical name and the spec as written
  const owners = new Map<string, string>();
  listed.forEach((l, i) => {
    owners.set(names[i]!, names[i]!);
    owners.set(l.spec, names[i]!);
  });
  const unlistedBaselines = baselines.filter((b) => !owners.has(b));
  for (const b of unlistedBaselines) owners.set(b, b);
  const schemaOf = (n: string): Record<string, unknown> => {
    const i = names.indexOf(n);
    return i >= 0 ? listedModules[i]!.params : (BUILTIN_STRATEGIES.get(n)?.params ?? {});
  };
  const having = (key: string): string[] => [...new Set(owners.values())].filter((n) => key in schemaOf(n));
  // --grid and --param entries, each to its strategy (none is ever dropped)
  const gridEntries = routeEntries('--grid', f.grid, owners, mainName, having);
  for (const g of gridEntries.keys()) {
    if (!names.includes(g)) throw new UsageError(`--grid for '${g}': a naive baseline given a grid is a candidate; list it in --strategies (e.g. --strategies ${[...names, g].join(',')})`);
  }
  const paramEntries = routeEntries('--param', f.param, owners, mainName, having);
  const searching = searchFlags(f);
  const spaceEntries = routeEntries('--space', f.space, owners, mainName, having);
  checkSpaceOwners(spaceEntries, names);
  // a candidate: any strategy that is not a naive baseline, one given a grid, or the one under
  // test in walk-forward; every naive baseline also runs as the yardstick, under its own name, or
  // as 'NAME (naive)' when a candidate has that name
  const isNaive = (n: string): boolean => (NAIVE_BASELINES as readonly string[]).includes(n);
  const candidate = (i: number): boolean => !isNaive(names[i]!) || names[i] === mainName || (gridEntries.get(names[i]!)?.length ?? 0) > 0 || (spaceEntries.get(names[i]!)?.length ?? 0) > 0;
  interface Slot {
    readonly name: string;
    readonly spec: string;
    readonly module: StrategyModule;
    readonly baseline: boolean;
    readonly naiveCopy: boolean;
  }
  const slots: Slot[] = listed.map((l, i) => ({ name: names[i]!, spec: l.spec, module: listedModules[i]!, baseline: !candidate(i), naiveCopy: false }));
  // with --universe, the universe's baselines run beside the naive ones (when any run)
  const yardsticks = f.universe !== undefined && baselines.length > 0 ? [...baselines, ...UNIVERSE_BASELINES.filter((b) => !baselines.includes(b))] : baselines;
  for (const b of yardsticks) {
    const i = names.indexOf(b);
    if (i >= 0 && !candidate(i)) continue; // listed, and a baseline already
    slots.push({ name: i >= 0 ? naiveCopy(b) : b, spec: b, module: BUILTIN_STRATEGIES.get(b)!, baseline: true, naiveCopy: i >= 0 });
  }
  // every flag checked before any thread starts
  const settings = toRunSettings(f);
  const workers = f.workers === undefined ? availableParallelism() : numberOption('--workers', f.workers, (x) => Number.isInteger(x) && x >= 1 && x <= 256, 'an integer from 1 to 256');
  const options = validationOptions({
    objective: f.objective as Objective,
    edge: f.foldEdge === 'carry' ? 'carry' : 'close',
    pboPartitions: numberOption('--pbo-partitions', f.pboPartitions, (x) => Number.isInteger(x) && x >= 2 && x % 2 === 0 && x <= 24, 'an even integer from 2 to 24'),
    bootstrapReps: numberOption('--bootstrap', f.bootstrap, (x) => Number.isInteger(x) && x >= 100 && x <= 1_000_000, 'an integer from 100 to 1,000,000'),
    ...(f.block !== undefined ? { bootstrapBlock: numberOption('--block', f.block, (x) => x >= 1, 'a number >= 1 (periods)') } : {}),
    targetSharpe: numberOption('--target-sharpe', f.targetSharpe, (x) => x > 0, 'a number > 0'),
    ...cpcvOf(f),
  });
  const sweep = sweepOf(f);
  const folds = {
    ...(f.split !== undefined ? { split: f.split } : {}),
    ...(f.train !== undefined ? { train: f.train } : {}),
    ...(f.test !== undefined ? { test: f.test } : {}),
    ...(f.step !== undefined ? { step: f.step } : {}),
    ...(f.anchored ? { anchored: true } : {}),
    ...(f.embargo !== undefined ? { embargo: f.embargo } : {}),
    ...(f.warmup !== undefined ? { warmup: f.warmup } : {}),
    maxFolds: numberOption('--max-folds', f.maxFolds, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1'),
  };
  const entriesFor = (periodLabel: string): Entry[] =>
    slots.map((sl) => {
      // the naive copy of a candidate runs with its defaults; the candidate takes the entries
      const given = sl.naiveCopy ? {} : parseParamPairs(paramEntries.get(sl.name) ?? []);
      const base = sl.baseline ? baselineDefaults(sl.module, given, periodLabel) : given;
      const grid = sl.baseline ? [] : parseGrid(gridEntries.get(sl.name) ?? []);
      const search =
        sl.baseline || sl.naiveCopy
          ? undefined
          : searchOf(
              searching,
              sl.name,
              sl.module,
              base,
              spaceEntries.get(sl.name),
              grid.map((g) => g.key),
            );
      return { name: sl.name, spec: sl.spec, module: sl.module, base, grid, baseline: sl.baseline, ...(search ? { search } : {}) };
    });
  // start the worker threads now: they load their code while this thread reads the data; or the
  // queue of other machines (--queue), checked before any work
  if (f.queue !== undefined && f.workers !== undefined) throw new UsageError("--workers sets this machine's threads; with --queue the tasks run on the workers of the queue (tickfold worker --concurrency N there)");
  if (f.dataStore !== undefined && f.queue === undefined) throw new UsageError('--data-store is where the data goes for the workers of a queue: give --queue redis://HOST:PORT too (a local run reads the data itself)');
  if (f.queue === undefined && f.queueKeyFile !== undefined) throw new UsageError("--queue-key-file is the key of a queue's jobs: give --queue redis://HOST:PORT too (a local run needs no key)");
  if (f.queue === undefined && f.insecureLoopback) throw new UsageError('--insecure-loopback is for a queue without a key: give --queue redis://127.0.0.1:PORT too (a local run needs neither)');
  if (f.dataStore !== undefined) checkStoreFolder(f.dataStore, true);
  // streamed from the catalog (the HTML report draws the rows: held whole then); the worker
  // threads read the partitions, or a queue's workers fetch them by hash (runtime/queue-catalog.ts)
  const load = withSymbols(toLoadOptions(f), f.symbols);
  const streamed = f.report === undefined && load.cache !== false;
  const memoryGiven = f.memoryGiven === true;
  if (!streamed && memoryGiven) throw new UsageError(`--memory bounds a validation streamed from the catalog; with ${f.report !== undefined ? '--report (the HTML report draws the rows)' : '--no-cache'} the data is held whole: leave out --memory`);
  const memory = memoryBytes(f.memory);
  const window = { fromUs: settings.fromUs, toUs: settings.toUs };
  let runner: Runner;
  if (f.queue !== undefined) {
    const { QueueRunner, queueModuleName } = await import('../runtime/queue.js');
    const { checkQueueAccess, loadQueueKey } = await import('../runtime/queue-key.js');
    const { checkUrl } = await import('../runtime/queue-url.js');
    // all checked before any work: the URL, the key and who may use the queue, the modules' names
    checkUrl(f.queue);
    const key = loadQueueKey(f.queueKeyFile);
    checkQueueAccess(f.queue, key, f.insecureLoopback === true);
    for (const sl of slots) if (!BUILTIN_STRATEGIES.has(sl.spec)) queueModuleName(sl.spec);
    runner = await QueueRunner.open(f.queue, { key, insecureLoopback: f.insecureLoopback === true }, toGuard(f), f.dataStore);
  } else runner = new TaskRunner(workers, toGuard(f, sandbox));
  const bar =
    f.progress !== false && !f.quiet && process.stderr.isTTY
      ? new cliProgress.SingleBar({ stream: process.stderr, format: 'validating [{bar}] {value}/{total} backtests, {eta_formatted} left', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic)
      : undefined;
  let doneRuns = 0;
  let shown = 0;
  let ticker: NodeJS.Timeout | undefined;
  const show = (n: number): void => {
    if (n <= shown) return; // never backwards
    shown = n;
    bar?.update(n);
  };
  let result;
  try {
    const ledger = ledgerChoice(f);
    result = await runValidationJob({
      command,
      data: async (shared) => loadCommandData(f.data, { ...load, shared }, false),
      ...(streamed
        ? {
            stream: {
              plan: () => planCommandData(f.data, load, window),
              memoryBytes: memory,
              memoryText: f.memory,
              ...(memoryGiven ? { heldWhole: (why: string) => process.stderr.write(`tickfold: note: --memory ${f.memory} is not used: the data is held whole, since ${why}\n`) } : {}),
            },
          }
        : {}),
      entries: entriesFor,
      settings,
      folds,
      options,
      workers: runner,
      // each level of a sweep on fresh worker threads (a queue's workers stay)
      sweepWorkers: f.queue !== undefined ? runner : workers,
      ...(sweep ? { sweep } : {}),
      ...(ledger ? { ledger } : {}),
      argv,
      // the plan, before any work (on stderr: stdout may be the JSON)
      onPlan: (plan, entries) => {
        if (!f.quiet) process.stderr.write(planText(plan, entries, timeoutNote(f)));
      },
      // the phases' wall times, for npm run bench (TICKFOLD_PHASE_TIMES=file): never in a report
      ...(process.env.TICKFOLD_PHASE_TIMES ? { onPhase: (phase: string, ms: number) => appendFileSync(process.env.TICKFOLD_PHASE_TIMES!, JSON.stringify({ phase, ms }) + '\n') } : {}),
      onProgress: (done, total) => {
        if (!bar) return;
        doneRuns = done;
        if (done === 0) {
          bar.start(total, 0);
          // between finished tasks, from the engines' clocks: a batch of trials moves the bar as it goes
          if (runner.partial) ticker = setInterval(() => show(Math.min(total, Math.floor(doneRuns + runner.partial!()))), 250);
        } else show(done);
      },
      ...(f.quiet ? {} : { onSearch: (n: string, cached: number, ran: number) => process.stderr.write(`search ${n}: ${ran} trial${ran === 1 ? '' : 's'} run${cached > 0 ? `, ${cached} resumed from the ledger` : ''}\n`) }),
      checkpoint: checkInterrupted,
    });
  } finally {
    if (ticker) clearInterval(ticker);
    bar?.stop();
    await runner.close();
  }
  const { outcome, context: ctx, table } = result;
  if (!f.quiet) noteUniverse(settings.universe, result.symbols, result.endSession);
  const reportObj = f.json !== undefined || f.report !== undefined ? buildValidationReport(outcome, ctx) : undefined;
  // render everything first, then write: a failure leaves no partial output
  const json = f.json !== undefined ? renderValidationJson(reportObj!) : undefined;
  const html = f.report !== undefined ? renderHtmlReport(validationHtml(outcome, reportObj!, command, table!)) : undefined;
  await checkInterrupted();
  // both outputs or neither (src/atomic.ts)
  writeFilesAtomic([...(json !== undefined && f.json !== '-' ? [{ path: f.json!, data: json }] : []), ...(html !== undefined ? [{ path: f.report!, data: html }] : [])]);
  if (f.json === '-') process.stdout.write(json!);
  else if (!f.quiet) {
    process.stdout.write(renderValidationText(outcome, ctx) + '\n');
    const wrote = [f.json, f.report].filter((x): x is string => x !== undefined);
    if (wrote.length) process.stdout.write(`\nwrote ${wrote.join(', ')}\n`);
  }
}

/** The plan as shown before any work. */
function planText(plan: FoldPlan, entries: readonly Entry[], timeout: string): string {
  const nf = plan.folds.length;
  const trials = entries.reduce((n, e) => n + (e.search ? 0 : e.grid.reduce((p, g) => p * g.values.length, 1)), 0);
  const searches = entries.flatMap((e) => (e.search ? [`${e.name}: ${searchPlanNote(e.search, nf)}`] : []));
  const firstF = plan.folds[0]!;
  const lastF = plan.folds[nf - 1]!;
  const end = (t: number): string => (Number.isFinite(t) ? formatIso(t) : 'the end');
  return (
    `plan: ${nf} fold${nf === 1 ? '' : 's'} (first: train ${formatIso(firstF.trainStart)} → ${formatIso(firstF.trainEnd)}, test → ${end(firstF.testEnd)}` +
    `${nf > 1 ? `; last: test ${formatIso(lastF.testStart)} → ${end(lastF.testEnd)}` : ''}); ${trials} trial${trials === 1 ? '' : 's'} (one replay each) × ${nf} in-sample choice${nf === 1 ? '' : 's'}${searches.length ? `, ${searches.join('; ')}` : ''}, then ${entries.length} out-of-sample runs; ${timeout}\n`
  );
}

export function walkForwardCommand(argv: () => readonly string[]): Command {
  const cmd = new Command('walk-forward')
    .description('walk-forward validation of one strategy over a parameter grid, against the naive baselines, with the overfitting verdict')
    .requiredOption('--strategy <name|path>', `a built-in (${[...BUILTIN_STRATEGIES.keys()].join(', ')}) or a module file`)
    .option('--baselines <list>', `naive baselines run on the same folds, or 'none'`, NAIVE_BASELINES.join(','));
  addValidationOptions(cmd);
  cmd.action(async (f: RawValidationFlags & { strategy: string; baselines: string }) => {
    const baselines =
      f.baselines.trim() === 'none'
        ? []
        : f.baselines
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    for (const b of baselines) if (!(NAIVE_BASELINES as readonly string[]).includes(b)) throw new UsageError(`--baselines: '${b}' is not a naive baseline (${NAIVE_BASELINES.join(', ')}, or none)`);
    await runValidation('walk-forward', [f.strategy], 0, baselines, { ...f, memoryGiven: cmd.getOptionValueSource('memory') === 'cli' }, argv());
  });
  return cmd;
}

export function compareCommand(argv: () => readonly string[]): Command {
  const cmd = new Command('compare')
    .description('several strategies on the same folds: IS and OOS metrics, edge over the naive baselines and a verdict for each')
    .requiredOption('--strategies <list>', 'comma-separated built-ins or module files; every naive baseline (buy-and-hold, flat, random, momentum) runs as the yardstick whether listed or not; a naive one given a --grid is a candidate');
  addValidationOptions(cmd);
  cmd.action(async (f: RawValidationFlags & { strategies: string }) => {
    const names = f.strategies
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (names.length === 0) throw new UsageError('--strategies needs at least one strategy');
    if (new Set(names).size !== names.length) throw new UsageError(`--strategies lists a strategy twice (${names.join(', ')})`);
    // the edge is always measured against every naive baseline, whichever are listed
    await runValidation('compare', names, names.length === 1 ? 0 : undefined, [...NAIVE_BASELINES], { ...f, memoryGiven: cmd.getOptionValueSource('memory') === 'cli' }, argv());
  });
  return cmd;
}

/** --fee-sweep or --slippage-sweep: which cost, and its levels (checked against the execution by the job, before any work). */
function sweepOf(f: RawValidationFlags): SweepSpec | undefined {
  if (f.feeSweep !== undefined && f.slippageSweep !== undefined) throw new UsageError('give one of --fee-sweep and --slippage-sweep');
  const raw = f.feeSweep ?? f.slippageSweep;
  if (raw === undefined) return undefined;
  const flag = f.feeSweep !== undefined ? '--fee-sweep' : '--slippage-sweep';
  const levels = raw.split(',').map((x) => numberOption(flag, x.trim(), (v) => Number.isFinite(v) && v >= 0, 'a list of numbers >= 0 (bps), e.g. 0,1,2,5'));
  return { cost: f.feeSweep !== undefined ? 'fees' : 'slippage', levels };
}

/** --cpcv N:k with --purge and --cpcv-embargo, checked before any work. */
function cpcvOf(f: RawValidationFlags): { cpcv?: NonNullable<ValidationSettings['cpcv']> } {
  if (f.cpcv === undefined) {
    if (f.purge !== undefined || f.cpcvEmbargo !== undefined) throw new UsageError(`${f.purge !== undefined ? '--purge' : '--cpcv-embargo'} applies to --cpcv N:k (combinatorial purged CV), which is not given`);
    return {};
  }
  if (!CPCV_OBJECTIVE_NAMES.includes(f.objective)) throw new UsageError(`--objective ${f.objective} with --cpcv: CPCV chooses on the trials' returns over its training groups, so by ${CPCV_OBJECTIVE_NAMES.join(', ')}; give one of those`);
  const m = /^\s*(\d+)\s*:\s*(\d+)\s*$/.exec(f.cpcv);
  if (!m) throw new UsageError(`--cpcv '${f.cpcv}' must be N:k, e.g. 6:2 (6 groups, 2 tested per split)`);
  const groups = Number(m[1]);
  const testGroups = Number(m[2]);
  if (!(groups >= 2 && testGroups >= 1 && testGroups < groups)) throw new UsageError(`--cpcv ${f.cpcv}: needs N >= 2 groups and 1 <= k < N test groups`);
  const splits = binomial(groups, testGroups);
  if (splits > MAX_CPCV_SPLITS) throw new UsageError(`--cpcv ${f.cpcv} makes C(${groups},${testGroups}) = ${splits.toLocaleString('en-US')} splits, more than ${MAX_CPCV_SPLITS.toLocaleString('en-US')}; use fewer groups or test groups`);
  const dur = (flag: string, v: string | undefined): number => {
    if (v === undefined || v.trim() === '0') return 0;
    const us = parseDuration(v);
    if (!(us > 0)) throw new UsageError(durationError(flag, v, '0, 30m, 1h, 1d'));
    return us;
  };
  return { cpcv: { groups, testGroups, purgeUs: dur('--purge', f.purge), embargoUs: dur('--cpcv-embargo', f.cpcvEmbargo) } };
}
