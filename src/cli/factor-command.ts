/**
 * `tickfold factor`: a factor report (src/factor/report.ts) of a built-in factor module over the
 * bars of the data: quantile mean returns, IC series and summary, rank autocorrelation, turnover.
 */
import { Command } from 'commander';
import { UsageError, didYouMean } from '../errors.js';
import { parseIso } from '../data/time.js';
import { barMatrix } from '../panel/bar-matrix.js';
import { BUILTIN_FACTORS } from '../factor/factors.js';
import { factorReport } from '../factor/report.js';
import { factorHtmlPage, factorText } from '../factor/format.js';
import { parseParamPairs, resolveParams } from '../strategy/params.js';
import { writeFileAtomic } from '../atomic.js';
import { loadCommandData } from './load-data.js';
import { addLoadOptions, emitOutput, JSON_OPTION_DOC, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputs } from './outputs.js';

interface Flags extends RawLoadFlags {
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
    .requiredOption('--factor <name>', `built-in factor: ${Object.keys(BUILTIN_FACTORS).join(', ')}`)
    .option('--param <k=v...>', 'factor parameter (e.g. lookback=20)', [])
    .option('--quantiles <n>', 'quantiles per date, by value', '5')
    .option('--horizons <k,...>', 'forward-return horizons in sessions (also the lags of autocorrelation and turnover)', '1,5,10')
    .option('--from <date>', 'first session whose factor is scored (bar start, ISO-8601); earlier bars still feed the lookback')
    .option('--to <date>', 'last session whose factor is scored (inclusive); forward returns read the bars after it when the data has them')
    .option('--json <file>', JSON_OPTION_DOC)
    .option('--html <file>', 'also write the report as an HTML page (atomically)');
  addLoadOptions(cmd);
  cmd.action(async (f: Flags) => {
    guardOutputs(
      [
        { flag: '--json', path: f.json, stdout: true },
        { flag: '--html', path: f.html, stdout: false },
      ],
      f.data,
    );
    const mod = BUILTIN_FACTORS[f.factor];
    if (!mod) {
      const near = didYouMean(f.factor, Object.keys(BUILTIN_FACTORS));
      throw new UsageError(`--factor '${f.factor}' is not a built-in factor${near ? `; did you mean '${near}'?` : ''} (built-ins: ${Object.keys(BUILTIN_FACTORS).join(', ')}); factor module files are not supported yet`);
    }
    const params = resolveParams(mod.name, mod.params, parseParamPairs(f.param), `factor '${mod.name}'`);
    const quantiles = numberOption('--quantiles', f.quantiles, (x) => Number.isInteger(x) && x >= 2 && x <= 100, 'a whole number from 2 to 100');
    const periods = f.horizons.split(',').map((h) => numberOption('--horizons', h.trim(), (x) => Number.isInteger(x) && x >= 1 && x <= 10_000, 'a list of whole numbers of sessions from 1 to 10000, e.g. 1,5,10'));
    for (let i = 1; i < periods.length; i++) if (periods[i]! <= periods[i - 1]!) throw new UsageError(`--horizons '${f.horizons}' must increase, each once (e.g. 1,5,10)`);
    const from = timeBound('--from', f.from, -Infinity);
    const to = timeBound('--to', f.to, Infinity);
    if (from > to) throw new UsageError(`--from ${f.from} is after --to ${f.to}`);
    const { table } = await loadCommandData(f.data, toLoadOptions(f), true);
    const close = barMatrix(table, 'close');
    let firstRow = 0;
    while (firstRow < close.rows && close.calendar[firstRow]! < from) firstRow++;
    let lastRow = close.rows - 1;
    while (lastRow >= 0 && close.calendar[lastRow]! > to) lastRow--;
    if (firstRow > lastRow) throw new UsageError(`no session of the data lies in the window ${f.from ?? 'start'} .. ${f.to ?? 'end'}`);
    const r = factorReport(close, mod, params, { quantiles, periods, firstRow, lastRow });
    if (r.summary.n_dates === 0) throw new UsageError(`no (date, symbol) pair has both the factor and every forward return in the window: widen it, or shorten the lookback or the horizons (${periods[periods.length - 1]} sessions)`);
    if (f.html !== undefined) {
      writeFileAtomic(f.html, factorHtmlPage(r));
      process.stderr.write(`wrote ${f.html}\n`);
    }
    emitOutput(f.json, r, () => factorText(r));
  });
  return cmd;
}
