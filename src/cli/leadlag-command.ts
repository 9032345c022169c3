/**
 * `tickfold leadlag`: grid cross-correlation and Hayashi-Yoshida lead-lag of two symbols
 * (src/analysis/leadlag.ts).
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { leadLag, type LeadLagCurve, type LeadLagReport } from '../analysis/leadlag.js';
import { loadCommandData } from './load-data.js';
import { sliceTime } from '../data/table.js';
import { durationError, formatDuration, formatIso, parseDuration } from '../data/time.js';
import { timeBound } from './run-options.js';
import { fmtNum, fmtP } from '../report/format.js';
import { addLoadOptions, emitOutput, JSON_OPTION_DOC, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputs } from './outputs.js';
import { DEFAULTS } from '../jobs/settings.js';

interface Flags extends RawLoadFlags {
  data: string[];
  symbols: string;
  grid?: string;
  bootstrap?: string;
  blocks?: string;
  seed?: string;
  from?: string;
  to?: string;
  json?: string;
}

/** More lags than this a side is refused (each costs a Hayashi-Yoshida pass per surrogate). */
const MAX_LAGS = 1000;

/** `--grid STEP..MAXLAG` or `--grid STEP` (largest lag 20 steps). */
function gridOf(s: string): { stepUs: number; maxLagUs: number } {
  const m = /^\s*([^.]+?)\s*(?:\.\.\s*(.+?))?\s*$/.exec(s);
  const step = parseDuration(m?.[1] ?? '');
  if (!(step > 0)) throw new UsageError(`${durationError('--grid', s, '100ms..10s, 1s..1m, 1d..20d')}: give STEP..LARGEST_LAG (e.g. 100ms..10s) or STEP`);
  const max = m?.[2] !== undefined ? parseDuration(m[2]) : 20 * step;
  if (!(max > 0)) throw new UsageError(`--grid '${s}': the largest lag '${m?.[2]}' is not a duration (e.g. 100ms..10s)`);
  if (max < step) throw new UsageError(`--grid '${s}': the largest lag is shorter than the step`);
  if (max / step > MAX_LAGS) throw new UsageError(`--grid '${s}' makes ${Math.round(max / step).toLocaleString('en-US')} lags a side, more than ${MAX_LAGS}: use a coarser step or a smaller largest lag`);
  return { stepUs: step, maxLagUs: max };
}

const lagText = (us: number, r: LeadLagReport): string => (us === 0 ? '0 (together)' : `${us > 0 ? '+' : '-'}${formatDuration(Math.abs(us))} (${us > 0 ? r.a : r.b} leads)`);

const signed = (us: number): string => (us === 0 ? '0' : `${us > 0 ? '+' : '-'}${formatDuration(Math.abs(us))}`);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function curveText(name: string, c: LeadLagCurve, r: LeadLagReport, what: string): string[] {
  return [
    `  ${name}  (${what})`,
    `    largest |corr|   ${fmtNum(c.best.corr, 4)} at lag ${lagText(c.best.lagUs, r)}; at lag 0 ${fmtNum(c.atZero, 4)}`,
    `    peak lag         95% interval ${signed(c.lagInterval[0])} to ${signed(c.lagInterval[1])}; resamples peaking after 0 ${pct(c.peakShares.positive)}, at 0 ${pct(c.peakShares.zero)}, before 0 ${pct(c.peakShares.negative)}; p(no lead) = ${fmtP(c.pNoLead)}`,
    `    lead-lag ratio   ${fmtNum(c.leadLagRatio, 3)} (Σ corr² at positive lags / at negative lags; above 1: ${r.a} leads)`,
  ];
}

export function leadlagCommand(): Command {
  const cmd = new Command('leadlag')
    .description('which of two symbols moves first: cross-correlation of returns on a time grid, and the Hayashi-Yoshida estimator on the asynchronous ticks, over a range of lags')
    .requiredOption('--data <paths...>', 'CSV files or folders')
    .requiredOption('--symbols <A,B>', 'the two symbols; a positive lag means A leads')
    .option('--grid <STEP..LAG>', 'grid step and largest lag (default: 1s..20s for ticks, 1d..20d for daily bars)')
    .option('--bootstrap <n>', "block-bootstrap resamples for the lead's interval and p-value (default 1000)")
    .option('--blocks <n>', 'blocks of time the bootstrap redraws (default 20)')
    .option('--seed <s>', 'seed of the bootstrap (default 1)')
    .option('--from <time>', 'start of the window (ISO-8601)')
    .option('--to <time>', 'end of the window (ISO-8601, exclusive)')
    .option('--json <file>', JSON_OPTION_DOC);
  addLoadOptions(cmd);
  cmd.action(async (f: Flags) => {
    guardOutputs([{ flag: '--json', path: f.json, stdout: true }], f.data);
    const names = f.symbols.split(',').map((s) => s.trim());
    if (names.length !== 2 || names[0] === names[1] || names.includes('')) throw new UsageError(`--symbols '${f.symbols}' must name two different symbols, e.g. BTCUSDT,ETHUSDT`);
    const reps = f.bootstrap === undefined ? 1000 : numberOption('--bootstrap', f.bootstrap, (x) => Number.isInteger(x) && x >= 100 && x <= 100_000, 'a whole number from 100 to 100000');
    const blocks = f.blocks === undefined ? 20 : numberOption('--blocks', f.blocks, (x) => Number.isInteger(x) && x >= 5 && x <= 1000, 'a whole number from 5 to 1000');
    const given = f.grid !== undefined ? gridOf(f.grid) : undefined;
    const { table } = await loadCommandData(f.data, toLoadOptions(f), true);
    const t = sliceTime(table, timeBound('--from', f.from, -Infinity), timeBound('--to', f.to, Infinity));
    if (t.length === 0) throw new UsageError('no data in the window');
    // default grid: ticks at 1 s, bars at their own spacing (the median gap between events)
    let grid = given;
    if (!grid) {
      const span = t.ts[t.length - 1]! - t.ts[0]!;
      const step = span > 30 * 86_400e6 ? 86_400e6 : 1e6;
      grid = { stepUs: step, maxLagUs: 20 * step };
    }
    const r = leadLag(t, names[0]!, names[1]!, { ...grid, reps, blocks, seed: f.seed ?? DEFAULTS.seed });
    emitOutput(f.json, { ...r, from: formatIso(r.from), to: formatIso(r.to) }, () =>
      [
        `Lead-lag: ${r.a} (${r.marks.a}) vs ${r.b} (${r.marks.b}), ${formatIso(r.from)} → ${formatIso(r.to)} (${formatDuration(r.to - r.from)}); lags ±${formatDuration(r.maxLagUs)} in steps of ${formatDuration(r.stepUs)}`,
        ...curveText('grid cross-correlation', r.grid, r, `${r.grid.returns.toLocaleString('en-US')} returns on a ${formatDuration(r.stepUs)} grid, last mark at or before each step`),
        ...curveText('Hayashi-Yoshida', r.hy, r, `asynchronous: ${r.hy.changesA.toLocaleString('en-US')} and ${r.hy.changesB.toLocaleString('en-US')} price changes, no grid`),
        r.leader
          ? `  verdict  ${r.leader} leads ${r.leader === r.a ? r.b : r.a} by about ${formatDuration(r.leadUs)} (Hayashi-Yoshida; p(no lead) = ${fmtP(r.hy.pNoLead)}, ${r.reps} block-bootstrap resamples of ${r.blocks} blocks)`
          : `  verdict  no lead found at ${formatDuration(r.stepUs)} resolution: Hayashi-Yoshida peaks at lag ${lagText(r.hy.best.lagUs, r)}, p(no lead) = ${fmtP(r.hy.pNoLead)} (${r.reps} block-bootstrap resamples of ${r.blocks} blocks)`,
      ].join('\n'),
    );
  });
  return cmd;
}
