/**
 * `tickfold coint` and `tickfold pairs scan`.
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { cointegration, scanPairs, type CointReport } from '../analysis/cointegration.js';
import { loadData } from '../data/load.js';
import { sliceTime, type TickTable } from '../data/table.js';
import { durationError, formatDuration, formatIso, parseDuration } from '../data/time.js';
import { parseTimeBound } from '../engine/run-job.js';
import { defaultPeriodUs } from '../metrics/period.js';
import { fmtNum, fmtP } from '../report/format.js';
import { addLoadOptions, emitOutput, JSON_OPTION_DOC, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputs } from './outputs.js';

interface CommonFlags extends RawLoadFlags {
  data: string[];
  from?: string;
  to?: string;
  every?: string;
  maxLag?: string;
  json?: string;
}

function common(cmd: Command): Command {
  cmd
    .requiredOption('--data <paths...>', 'CSV files or folders')
    .option('--from <time>', 'start of the window (ISO-8601)')
    .option('--to <time>', 'end of the window (ISO-8601, exclusive)')
    .option('--every <duration>', 'sampling grid for tick data, e.g. 1m (default: from the data span); bars use their closes')
    .option('--max-lag <n>', 'fixed ADF lag (default: chosen by AIC up to the statsmodels maximum)')
    .option('--json <file>', JSON_OPTION_DOC);
  return addLoadOptions(cmd);
}

async function window(f: CommonFlags): Promise<{ table: TickTable; gridUs: number; maxLag?: number }> {
  guardOutputs([{ flag: '--json', path: f.json, stdout: true }], f.data);
  const { table } = await loadData(f.data, toLoadOptions(f));
  const from = parseTimeBound('--from', f.from, -Infinity);
  const to = parseTimeBound('--to', f.to, Infinity);
  const t = sliceTime(table, from, to);
  if (t.length === 0) throw new UsageError('no data in the window');
  const span = t.ts[t.length - 1]! - t.ts[0]!;
  const gridUs = f.every !== undefined ? parseDuration(f.every) : defaultPeriodUs(span);
  if (!(gridUs > 0)) throw new UsageError(durationError('--every', f.every ?? '', '1m, 1h'));
  const maxLag = f.maxLag !== undefined ? numberOption('--max-lag', f.maxLag, (x) => Number.isInteger(x) && x >= 0, 'an integer >= 0') : undefined;
  return { table: t, gridUs, ...(maxLag !== undefined ? { maxLag } : {}) };
}

/** A duration rounded for reading: to the hour from a day up, to the minute from a minute, else as is. */
const roughly = (us: number): string => {
  const unit = us >= 86_400e6 ? 3_600e6 : us >= 60e6 ? 60e6 : 1;
  return formatDuration(Math.round(us / unit) * unit);
};
const halfLife = (r: CointReport): string =>
  Number.isFinite(r.halfLifeObs) ? `${fmtNum(r.halfLifeObs, 1)} obs, about ${roughly(r.halfLifeUs)} elapsed (${roughly(r.elapsedPerObsUs)} per observation in this data)` : 'n/a (no mean reversion)';

export function cointCommand(): Command {
  const cmd = common(
    new Command('coint')
      .description('Engle-Granger cointegration of ln A on ln B: statistic, p-value, hedge ratio, half-life, ADF of each leg')
      .requiredOption('--symbols <A,B>', 'the two symbols; A is regressed on B'),
  );
  cmd.action(async (f: CommonFlags & { symbols: string }) => {
    const names = f.symbols.split(',').map((s) => s.trim());
    if (names.length !== 2 || names[0] === names[1]) throw new UsageError(`--symbols '${f.symbols}' must name two different symbols, e.g. DAX,CAC`);
    const w = await window(f);
    const r = cointegration(w.table, names[0]!, names[1]!, { gridUs: w.gridUs, ...(w.maxLag !== undefined ? { maxLag: w.maxLag, autolag: 'none' as const } : {}) });
    emitOutput(f.json, { ...r, from: formatIso(r.from), to: formatIso(r.to) }, () =>
      [
        `Engle-Granger: ln ${r.y} on ln ${r.x}, ${r.observations} observations (${r.alignment}), ${formatIso(r.from)} → ${formatIso(r.to)}`,
        `  statistic      ${fmtNum(r.stat, 4)}  (lag ${r.usedLag}; critical 1% ${fmtNum(r.crit['1%'], 3)}, 5% ${fmtNum(r.crit['5%'], 3)}, 10% ${fmtNum(r.crit['10%'], 3)})`,
        `  p-value        ${fmtP(r.pValue)}  (MacKinnon 1994, N = 2)  ${r.pValue < 0.05 ? 'cointegrated at 5%' : 'no evidence of cointegration at 5%'}`,
        `  hedge ratio    ${fmtNum(r.hedgeRatio, 6)}  (ln ${r.y} = ${fmtNum(r.intercept, 4)} + ${fmtNum(r.hedgeRatio, 4)} ln ${r.x} + spread)`,
        `  half-life      ${halfLife(r)}`,
        ...r.adf.map((a) => `  ADF ln ${a.symbol.padEnd(8)} ${fmtNum(a.stat, 4)}  p = ${fmtP(a.pValue)} (constant, lag ${a.usedLag})`),
      ].join('\n'),
    );
  });
  return cmd;
}

export function pairsCommand(): Command {
  const pairs = new Command('pairs').description('statistical-arbitrage tools');
  const scan = common(pairs.command('scan').description('every pair of symbols ranked by Engle-Granger p-value, with hedge ratio and half-life'));
  scan.option('--top <n>', 'show the best N pairs (default all)');
  scan.action(async (f: CommonFlags & { top?: string }) => {
    const w = await window(f);
    const { rows, skipped } = scanPairs(w.table, { gridUs: w.gridUs, ...(w.maxLag !== undefined ? { maxLag: w.maxLag, autolag: 'none' as const } : {}) });
    const top = f.top !== undefined ? numberOption('--top', f.top, (x) => Number.isInteger(x) && x > 0, 'a positive integer') : rows.length;
    const shown = rows.slice(0, top);
    emitOutput(f.json, { pairs: shown.map((r) => ({ ...r, from: formatIso(r.from), to: formatIso(r.to) })), skipped }, () => {
      const head = `${'rank'.padEnd(5)}${'y on x'.padEnd(16)}${'p-value'.padEnd(10)}${'stat'.padEnd(9)}${'hedge'.padEnd(10)}${'half-life'.padEnd(26)}${'obs'.padEnd(7)}reverse p`;
      const lines = shown.map(
        (r, k) =>
          `${String(k + 1).padEnd(5)}${`${r.y}/${r.x}`.padEnd(16)}${fmtP(r.pValue).padEnd(10)}${fmtNum(r.stat, 3).padEnd(9)}${fmtNum(r.hedgeRatio, 3).padEnd(10)}${halfLife(r).padEnd(26)}${String(r.observations).padEnd(7)}${fmtP(r.reverse.pValue)}`,
      );
      return [head, ...lines, ...(skipped.length ? [`skipped: ${skipped.join('; ')}`] : [])].join('\n');
    });
  });
  return pairs;
}
