/**
 * `tickfold data inspect`, `tickfold data convert` and `tickfold data generate`.
 */
import { join } from 'node:path';
import { mkdirSync, statSync } from 'node:fs';
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { inspectData, renderInspection } from '../data/inspect.js';
import { DEFAULT_PAIR, generatePair } from '../data/generate.js';
import { durationError, parseDuration, parseIso, formatIso } from '../data/time.js';
import { addLoadOptions, emitOutput, JSON_OPTION_DOC, numberOption, toLoadOptions, type RawLoadFlags } from './options.js';
import { guardOutputFolder, guardOutputs } from './outputs.js';

export function dataCommand(): Command {
  const data = new Command('data').description('inspect and generate market data files');

  addLoadOptions(data.command('inspect').description('kind, symbols, rows, time range, spacing, gaps, spreads and bad rows of CSV or Parquet files').argument('<paths...>', 'CSV or Parquet files, or folders of them').option('--json <file>', JSON_OPTION_DOC)).action(
    async (paths: string[], flags: RawLoadFlags & { json?: string }) => {
      guardOutputs([{ flag: '--json', path: flags.json, stdout: true }], paths);
      const ins = await inspectData(paths, toLoadOptions(flags));
      emitOutput(flags.json, ins, () => renderInspection(ins));
      // the listing shows each file's bad rows; more than 1% skipped is a warning here too
      const { dataNotesJson, dataWarnings } = await import('../report/data-notes.js');
      for (const w of dataWarnings(
        dataNotesJson(
          ins.files.map((x) => x.summary),
          [],
        ),
      ))
        process.stderr.write(`tickfold: WARNING: ${w}\n`);
    },
  );

  addLoadOptions(
    data.command('convert').description("rewrite a CSV (or Parquet) file as Parquet in tickfold's columns: zstd, timestamps to the µs, unknown sizes as nulls").argument('<in>', 'the CSV or Parquet file').argument('<out>', 'the Parquet file to write (.parquet)'),
  ).action(async (input: string, out: string, flags: RawLoadFlags) => {
    if (!out.toLowerCase().endsWith('.parquet')) throw new UsageError(`data convert writes Parquet: name the output ${out.replace(/\.[^./]*$/, '')}.parquet`);
    guardOutputs([{ flag: 'OUT', path: out }], [input]);
    const { loadFile } = await import('../data/load.js');
    const { toParquet } = await import('../data/convert.js');
    const { writeFileAtomic } = await import('../atomic.js');
    const f = await loadFile(input, { ...toLoadOptions(flags), cache: false });
    const bytes = await toParquet(f.table);
    writeFileAtomic(out, bytes);
    const inBytes = statSync(input).size;
    process.stdout.write(`wrote ${out}: ${f.table.length.toLocaleString('en-US')} ${f.summary.kind} rows, ${(bytes.length / 1e6).toFixed(2)} MB (${input}: ${(inBytes / 1e6).toFixed(2)} MB, ${(inBytes / bytes.length).toFixed(1)}x)\n`);
    // the rows skipped as bad: how many, the first reason; a warning beyond 1%
    const { dataNoteLines, dataNotesJson, dataWarnings } = await import('../report/data-notes.js');
    const notes = dataNotesJson([f.summary], []);
    for (const l of dataNoteLines(notes, 9)) process.stdout.write(`  ${l}\n`);
    for (const w of dataWarnings(notes)) process.stderr.write(`tickfold: WARNING: ${w}\n`);
  });

  data
    .command('generate')
    .description('write a deterministic synthetic cointegrated pair: quotes and trades CSVs')
    .option('--out <dir>', 'output folder (not the bundled data/)', '.')
    .option('--name <prefix>', 'file name prefix', 'sample_pair')
    .option('--seed <n>', 'random seed', String(DEFAULT_PAIR.seed))
    .option('--events <n>', 'quote updates over both symbols', String(DEFAULT_PAIR.events))
    .option('--symbols <a,b>', 'the two symbols', DEFAULT_PAIR.symbols.join(','))
    .option('--start <iso>', 'time of the first event', formatIso(DEFAULT_PAIR.startUs))
    .option('--interval <duration>', 'mean time between quote updates', '500ms')
    .option('--half-life <duration>', 'half-life of the spread (Ornstein-Uhlenbeck)', '10m')
    .option('--beta <x>', 'hedge ratio of ln B on ln A', String(DEFAULT_PAIR.beta))
    .option('--spread-vol <x>', 'stationary standard deviation of the log spread', String(DEFAULT_PAIR.spreadVol))
    .option('--spread-ticks <n>', 'bid/ask spread in ticks', String(DEFAULT_PAIR.spreadTicks))
    .option('--trade-prob <p>', 'probability that a quote update also prints a trade', String(DEFAULT_PAIR.tradeProb))
    .option('--regime-break [fraction]', 'break the relationship after this fraction of events (default 0.6)')
    .option('--no-trades', 'write quotes only')
    .action((f: Record<string, string | boolean | undefined>) => {
      const str = (k: string): string => String(f[k]);
      const pos = (x: number): boolean => Number.isFinite(x) && x > 0;
      const symbols = str('symbols')
        .split(',')
        .map((s) => s.trim());
      if (symbols.length !== 2 || symbols.some((s) => s === '') || symbols[0] === symbols[1]) {
        throw new UsageError(`--symbols '${str('symbols')}' must name two different symbols, e.g. AAA,BBB`);
      }
      const startUs = parseIso(str('start'));
      if (Number.isNaN(startUs)) throw new UsageError(`--start '${str('start')}' is not an ISO-8601 time`);
      const seconds = (k: string, flag: string): number => {
        const us = parseDuration(str(k));
        if (!(us > 0)) throw new UsageError(durationError(flag, str(k), '500ms, 30s, 10m'));
        return us / 1e6;
      };
      let regimeBreak: number | undefined;
      if (f.regimeBreak !== undefined) {
        regimeBreak = f.regimeBreak === true ? 0.6 : numberOption('--regime-break', str('regimeBreak'), (x) => x > 0 && x < 1, 'a fraction between 0 and 1');
      }
      const opts = {
        ...DEFAULT_PAIR,
        seed: numberOption('--seed', str('seed'), Number.isSafeInteger, 'an integer'),
        events: numberOption('--events', str('events'), (x) => Number.isSafeInteger(x) && x > 0, 'a positive integer'),
        symbols: [symbols[0]!, symbols[1]!] as const,
        startUs,
        meanIntervalS: seconds('interval', '--interval'),
        halfLifeS: seconds('halfLife', '--half-life'),
        beta: numberOption('--beta', str('beta'), pos, 'a positive number'),
        spreadVol: numberOption('--spread-vol', str('spreadVol'), pos, 'a positive number'),
        spreadTicks: numberOption('--spread-ticks', str('spreadTicks'), (x) => Number.isSafeInteger(x) && x > 0, 'a positive integer'),
        tradeProb: numberOption('--trade-prob', str('tradeProb'), (x) => x >= 0 && x <= 1, 'a probability'),
        regimeBreak,
      };
      const out = str('out');
      guardOutputFolder('--out', out);
      mkdirSync(out, { recursive: true });
      const prefix = str('name');
      const g = generatePair(opts, join(out, `${prefix}_quotes.csv`), f.trades === false ? undefined : join(out, `${prefix}_trades.csv`));
      process.stdout.write(`wrote ${g.quotesFile} (${g.quotes} quotes)` + (g.tradesFile ? ` and ${g.tradesFile} (${g.trades} trades)` : '') + (g.breakUs !== undefined ? `; regime break at ${formatIso(g.breakUs)} (event ${g.breakEvent})` : '') + '\n');
    });
  return data;
}
