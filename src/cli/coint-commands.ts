/**
 * `tickfold coint` and `tickfold pairs scan`.
 */
import { Command } from 'commander';
import { UsageError, didYouMean } from '../errors.js';
import { cointegration, johansenReport, scanPairs, type CointReport, type JohansenReport } from '../analysis/cointegration.js';
import type { DetOrder } from '../stats/johansen.js';
import { loadCommandData } from './load-data.js';
import { sliceTime, type TickTable } from '../data/table.js';
import { durationError, formatDuration, formatIso, parseDuration } from '../data/time.js';
import { timeBound } from './run-options.js';
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
  const { table } = await loadCommandData(f.data, toLoadOptions(f), true);
  const from = timeBound('--from', f.from, -Infinity);
  const to = timeBound('--to', f.to, Infinity);
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
const halfLife = (r: CointReport): string => (Number.isFinite(r.halfLifeObs) ? `${fmtNum(r.halfLifeObs, 1)} obs, about ${roughly(r.halfLifeUs)} elapsed (${roughly(r.elapsedPerObsUs)} per observation in this data)` : 'n/a (no mean reversion)');

const METHODS = ['engle-granger', 'johansen'] as const;
const DET_ORDERS: Record<string, DetOrder> = { '-1': -1, none: -1, '0': 0, constant: 0, '1': 1, trend: 1 };

interface CointFlags extends CommonFlags {
  symbols: string;
  method?: string;
  detOrder?: string;
  kArDiff?: string;
}

export function cointCommand(): Command {
  const cmd = common(
    new Command('coint')
      .description('cointegration of log prices: Engle-Granger of ln A on ln B (hedge ratio, half-life, ADF of each leg), or Johansen of a basket (--method johansen)')
      .requiredOption('--symbols <A,B[,C...]>', 'the symbols: two for Engle-Granger (A is regressed on B), two or more for Johansen')
      .option('--method <name>', `engle-granger (default) or johansen`)
      .option('--det-order <d>', 'Johansen: deterministic terms, -1 none, 0 constant (default), 1 linear trend (as statsmodels coint_johansen)')
      .option('--k-ar-diff <k>', 'Johansen: lagged differences in the VECM (default 1)'),
  );
  cmd.action(async (f: CointFlags) => {
    const names = f.symbols.split(',').map((s) => s.trim());
    const method = f.method ?? 'engle-granger';
    if (!(METHODS as readonly string[]).includes(method)) {
      const near = didYouMean(method, METHODS);
      throw new UsageError(`--method '${method}' is not a method${near ? `; did you mean '${near}'?` : ''} (methods: ${METHODS.join(', ')})`);
    }
    if (new Set(names).size !== names.length || names.some((n) => n === '')) throw new UsageError(`--symbols '${f.symbols}' must name different symbols, e.g. DAX,CAC`);
    if (method === 'engle-granger') {
      if (f.detOrder !== undefined || f.kArDiff !== undefined) throw new UsageError(`${f.detOrder !== undefined ? '--det-order' : '--k-ar-diff'} applies to --method johansen`);
      if (names.length !== 2) throw new UsageError(`--symbols '${f.symbols}': Engle-Granger tests two symbols; for ${names.length} use --method johansen`);
      const w = await window(f);
      return engleGrangerOutput(f, w, names[0]!, names[1]!);
    }
    if (f.maxLag !== undefined) throw new UsageError('--max-lag is the ADF lag of Engle-Granger; Johansen takes --k-ar-diff');
    if (names.length < 2) throw new UsageError(`--symbols '${f.symbols}': Johansen needs at least two symbols`);
    const detOrder = f.detOrder === undefined ? 0 : DET_ORDERS[f.detOrder.trim()];
    if (detOrder === undefined) throw new UsageError(`--det-order '${f.detOrder}' must be -1 (none), 0 (constant) or 1 (linear trend)`);
    const kArDiff = f.kArDiff === undefined ? 1 : numberOption('--k-ar-diff', f.kArDiff, (x) => Number.isInteger(x) && x >= 1 && x <= 50, 'a whole number from 1 to 50');
    const w = await window(f);
    const r = johansenReport(w.table, names, { gridUs: w.gridUs, detOrder, kArDiff });
    emitOutput(f.json, { ...r, from: formatIso(r.from), to: formatIso(r.to) }, () => johansenText(r));
  });
  return cmd;
}

const DET_TEXT: Record<DetOrder, string> = { [-1]: 'no deterministic term', 0: 'constant', 1: 'linear trend' };

function johansenText(r: JohansenReport): string {
  const p = r.symbols.length;
  const row = (cells: string[], widths: number[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  const wd = [10, 10, 10, 8, 10, 8];
  const fmtW = (x: number): string => (x >= 0 ? ' ' : '') + fmtNum(x, 4);
  const spread = r.symbols.map((s, k) => `${k === 0 ? '' : r.vectors[0]![s]! < 0 ? ' - ' : ' + '}${k === 0 ? '' : fmtNum(Math.abs(r.vectors[0]![s]!), 4) + ' '}ln ${s}`).join('');
  return [
    `Johansen: ln ${r.symbols.join(', ln ')}, ${r.observations} observations (${r.alignment}), ${formatIso(r.from)} → ${formatIso(r.to)}`,
    `  ${DET_TEXT[r.detOrder]} (det_order ${r.detOrder}), ${r.kArDiff} lagged difference${r.kArDiff === 1 ? '' : 's'}, n = ${r.nobs}; critical values MacKinnon-Haug-Michelis (1996)`,
    `  ${row(['H0: rank', 'eigenvalue', 'trace', '95%', 'max-eig', '95%'], wd)}`,
    ...r.tests.map(
      (t) =>
        `  ${row([`<= ${t.r}`, fmtNum(t.eigenvalue, 5), fmtNum(t.trace, 3), fmtNum(t.traceCrit['95%'], 3), fmtNum(t.maxEig, 3), fmtNum(t.maxEigCrit['95%'], 3)], wd)}${t.trace >= t.traceCrit['95%'] ? '  rejected (trace)' : t.maxEig >= t.maxEigCrit['95%'] ? '  rejected (max-eig)' : ''}`,
    ),
    `  rank at 95%: ${r.rankTrace} by the trace test, ${r.rankMaxEig} by the max-eigenvalue test${r.rankTrace === 0 ? ' (the trace test finds no cointegration at 5%)' : r.rankTrace === p ? ' (every series looks stationary: a full rank is no cointegration)' : ''}`,
    `  first vector   ${r.symbols.map((s) => `${s} ${fmtW(r.vectors[0]![s]!)}`).join(', ')}`,
    `  spread         ${spread}  (mean ${fmtNum(r.spread.mean, 4)}, sd ${fmtNum(r.spread.sd, 4)})`,
    `  half-life      ${Number.isFinite(r.spread.halfLifeObs) ? `${fmtNum(r.spread.halfLifeObs, 1)} obs, about ${roughly(r.spread.halfLifeUs)} elapsed (${roughly(r.spread.elapsedPerObsUs)} per observation in this data)` : 'n/a (no mean reversion)'}`,
  ].join('\n');
}

function engleGrangerOutput(f: CointFlags, w: { table: TickTable; gridUs: number; maxLag?: number }, y: string, x: string): void {
  const r = cointegration(w.table, y, x, { gridUs: w.gridUs, ...(w.maxLag !== undefined ? { maxLag: w.maxLag, autolag: 'none' as const } : {}) });
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
      const lines = shown.map((r, k) => `${String(k + 1).padEnd(5)}${`${r.y}/${r.x}`.padEnd(16)}${fmtP(r.pValue).padEnd(10)}${fmtNum(r.stat, 3).padEnd(9)}${fmtNum(r.hedgeRatio, 3).padEnd(10)}${halfLife(r).padEnd(26)}${String(r.observations).padEnd(7)}${fmtP(r.reverse.pValue)}`);
      return [head, ...lines, ...(skipped.length ? [`skipped: ${skipped.join('; ')}`] : [])].join('\n');
    });
  });
  return pairs;
}
