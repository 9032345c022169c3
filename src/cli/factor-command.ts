/**
 * `tickfold factor`: a factor report (src/factor/report.ts) of a factor module over the bars of
 * the data: quantile mean returns, IC series and summary, rank autocorrelation, turnover. The
 * factor is a built-in (factor/factors.ts, computed here) or a user's module file, which is
 * bundled here and run on a sandboxed worker thread under --timeout, as a strategy module is
 * (runtime/pool.ts TaskRunner.factor, factor/module-task.ts); its matrix comes back checked.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { UsageError, didYouMean } from '../errors.js';
import { parseIso } from '../data/time.js';
import { barMatrix, type BarMatrix } from '../panel/bar-matrix.js';
import { BUILTIN_FACTORS } from '../factor/factors.js';
import { checkFactorMatrix, factorMatrix, type FactorValues } from '../factor/matrix.js';
import { factorReport } from '../factor/report.js';
import { looksLikePath } from '../strategy/load.js';
import { TaskRunner } from '../runtime/pool.js';
import { DEFAULTS } from '../jobs/settings.js';
import { toGuard } from './run-options.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
import { factorHtmlPage, factorText } from '../factor/format.js';
import { parseParamPairs, resolveParams } from '../strategy/params.js';
import { writeFileAtomic } from '../atomic.js';
import { loadCommandData } from './load-data.js';
import { addLoadOptions, emitOutput, JSON_OPTION_DOC, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputs } from './outputs.js';

interface Flags extends RawLoadFlags, RawSandboxFlags {
  timeout?: string;
  maxMemory?: string;
  data: string[];
  factor: string;
  param: string[];
  quantiles: string;
  horizons: string;
  from?: string;
  to?: string;
  json?: string;
  html?: string;
}

function timeBound(flag: string, s: string | undefined, fallback: number): number {
  if (s === undefined) return fallback;
  const us = parseIso(s);
  if (Number.isNaN(us)) throw new UsageError(`${flag} '${s}' is not an ISO-8601 date; write e.g. 2017-02-08`);
  return us;
}

export function factorCommand(): Command {
  const cmd = new Command('factor')
    .description('factor report (alphalens definitions): quantile mean returns, information coefficient, rank autocorrelation and turnover of a cross-sectional factor over the bars of the data')
    .requiredOption('--data <paths...>', 'bar files (ts,symbol,open,high,low,close,volume) or folders')
    .requiredOption('--factor <name|path>', `a built-in factor (${Object.keys(BUILTIN_FACTORS).join(', ')}) or a factor module file (.ts/.js/.mjs; see README, 'tickfold factor')`)
    .option('--param <k=v...>', "factor parameter (e.g. lookback=20), checked against the factor's schema", [])
    .option('--quantiles <n>', 'quantiles per date, by value', '5')
    .option('--horizons <k,...>', 'forward-return horizons in sessions (also the lags of autocorrelation and turnover)', '1,5,10')
    .option('--from <date>', 'first session whose factor is scored (bar start, ISO-8601); earlier bars still feed the lookback')
    .option('--to <date>', 'last session whose factor is scored (inclusive); forward returns read the bars after it when the data has them')
    .option('--json <file>', JSON_OPTION_DOC)
    .option('--html <file>', 'also write the report as an HTML page (atomically)')
    .option('--timeout <duration>', `time limit of a factor module file's code (loading it and computing the factor), e.g. 30s, or none (default: ${DEFAULTS.timeout})`)
    .option('--max-memory <MB>', "heap limit of the thread that runs a factor module file, MB (default: Node's)");
  addSandboxOptions(cmd);
  addLoadOptions(cmd);
  cmd.action(async (f: Flags) => {
    guardOutputs(
      [
        { flag: '--json', path: f.json, stdout: true },
        { flag: '--html', path: f.html, stdout: false },
      ],
      [...f.data, ...(looksLikePath(f.factor) ? [f.factor] : [])],
    );
    const builtin = Object.hasOwn(BUILTIN_FACTORS, f.factor) ? BUILTIN_FACTORS[f.factor] : undefined;
    const given = parseParamPairs(f.param);
    // a built-in: its parameters checked now, its values computed here (this install's code)
    const params = builtin ? resolveParams(builtin.name, builtin.params, given, `factor '${builtin.name}'`) : undefined;
    if (builtin) refuseModuleFlags(f);
    else checkFactorFile(f.factor);
    const quantiles = numberOption('--quantiles', f.quantiles, (x) => Number.isInteger(x) && x >= 2 && x <= 100, 'a whole number from 2 to 100');
    const periods = f.horizons.split(',').map((h) => numberOption('--horizons', h.trim(), (x) => Number.isInteger(x) && x >= 1 && x <= 10_000, 'a list of whole numbers of sessions from 1 to 10000, e.g. 1,5,10'));
    for (let i = 1; i < periods.length; i++) if (periods[i]! <= periods[i - 1]!) throw new UsageError(`--horizons '${f.horizons}' must increase, each once (e.g. 1,5,10)`);
    const from = timeBound('--from', f.from, -Infinity);
    const to = timeBound('--to', f.to, Infinity);
    if (from > to) throw new UsageError(`--from ${f.from} is after --to ${f.to}`);
    // a module file: bundled now (a syntax error is told before the data is read), its thread
    // started while the data loads
    const runner = builtin ? undefined : new TaskRunner(1, toGuard(f, await toSandbox(f, [f.factor], 'factor')));
    let r;
    let noValue: boolean;
    try {
      const { table } = await loadCommandData(f.data, toLoadOptions(f), true);
      const close = barMatrix(table, 'close');
      const window = scoredRows(close, from, to, f);
      const values: FactorValues = builtin ? { label: builtin.label(params!), name: builtin.name, params: params!, values: factorMatrix(close, builtin, params!, window.firstRow, window.lastRow, `'${builtin.name}'`) } : await moduleValues(runner!, f.factor, given, close, window);
      r = factorReport(close, values, { quantiles, periods, ...window });
      noValue = values.values.every((v) => Number.isNaN(v));
    } finally {
      await runner?.close();
    }
    if (r.summary.n_dates === 0 && noValue)
      throw new UsageError(
        `factor ${f.factor} gave NaN for every symbol on every scored session: compute(close, t, ...) sees rows 0..t of close only (a later row reads as undefined, a NaN: a factor is scored on what was known at t); check its lookback against the window ${f.from ?? 'start'} .. ${f.to ?? 'end'}`,
      );
    if (r.summary.n_dates === 0) throw new UsageError(`no (date, symbol) pair has both the factor and every forward return in the window: widen it, or shorten the lookback or the horizons (${periods[periods.length - 1]} sessions)`);
    if (f.html !== undefined) {
      writeFileAtomic(f.html, factorHtmlPage(r));
      process.stderr.write(`wrote ${f.html}\n`);
    }
    emitOutput(f.json, r, () => factorText(r));
  });
  return cmd;
}

/** The calendar rows from `from` to `to` (µs, inclusive), whose factor is scored. */
function scoredRows(close: BarMatrix, from: number, to: number, f: Flags): { firstRow: number; lastRow: number } {
  let firstRow = 0;
  while (firstRow < close.rows && close.calendar[firstRow]! < from) firstRow++;
  let lastRow = close.rows - 1;
  while (lastRow >= 0 && close.calendar[lastRow]! > to) lastRow--;
  if (firstRow > lastRow) throw new UsageError(`no session of the data lies in the window ${f.from ?? 'start'} .. ${f.to ?? 'end'}`);
  return { firstRow, lastRow };
}

const BUILTINS_TEXT = `built-ins: ${Object.keys(BUILTIN_FACTORS).join(', ')}`;

/** A --factor that is not a built-in: a module file that exists, or an error that lists the built-ins (and a near name or file). */
function checkFactorFile(spec: string): void {
  if (!looksLikePath(spec)) {
    const near = didYouMean(spec, Object.keys(BUILTIN_FACTORS));
    throw new UsageError(`--factor '${spec}' is not a built-in factor${near ? `; did you mean '${near}'?` : ''} (${BUILTINS_TEXT}); or give the path of a factor module file (.ts, .js, .mjs), which must exist, e.g. --factor ./my-factor.ts`);
  }
  if (existsSync(spec)) {
    if (statSync(spec).isDirectory()) throw new UsageError(`--factor ${spec} is a folder; give the factor module file in it (.ts, .js, .mjs), e.g. --factor ${join(spec, 'my-factor.ts')}`);
    return;
  }
  const dir = dirname(resolve(spec));
  const files = existsSync(dir) ? readdirSync(dir).filter((n) => /\.(m?[jt]s)$/.test(n)) : [];
  const near = didYouMean(basename(spec), files);
  throw new UsageError(`factor file ${spec} does not exist${near ? `; did you mean ${join(dirname(spec), near)}?` : ''} (--factor takes a built-in factor (${BUILTINS_TEXT}) or the path of an existing factor module file: .ts, .js or .mjs)`);
}

/** The options of a module file's thread, refused with a built-in (it runs on this thread, under no sandbox: they would do nothing). */
function refuseModuleFlags(f: Flags): void {
  const given = [
    f.timeout !== undefined && '--timeout',
    f.maxMemory !== undefined && '--max-memory',
    f.allowFs.length > 0 && '--allow-fs',
    f.allowNet === true && '--allow-net',
    f.allowChildProcess === true && '--allow-child-process',
    f.allowEnv.length > 0 && '--allow-env',
  ].filter((x): x is string => x !== false);
  if (given.length > 0) throw new UsageError(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to a factor module file only; --factor ${f.factor} is a built-in (tickfold's own code, run without a sandbox): remove ${given.length === 1 ? 'it' : 'them'}`);
}

/** A module file's values, computed on the runner's sandboxed thread from a copy of the closes (moved there), checked as they come back. */
async function moduleValues(runner: TaskRunner, spec: string, params: Readonly<Record<string, string>>, close: BarMatrix, w: { firstRow: number; lastRow: number }): Promise<FactorValues> {
  const copy: BarMatrix = { calendar: close.calendar.slice(), symbols: close.symbols, rows: close.rows, cols: close.cols, values: close.values.slice() };
  const r = await runner.factor({ kind: 'factor', factor: spec, params, close: copy, ...w });
  return { label: r.label, name: r.name, params: r.params, values: checkFactorMatrix(r.values, close, spec) };
}
