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
    .description('write deterministic synthetic cointegrated pairs: quotes and trades CSVs, or a catalog (--catalog)')
    .option('--out <dir>', 'output folder (not the bundled data/)', '.')
    .option('--catalog <dir>', 'write the events straight into a catalog folder (partitions and indexes, no CSV): run --data DIR replays it')
    .option('--partition-rows <n>', 'with --catalog: rows of a partition, at most (default: 262144, less with many symbols so that the buffers stay under 256 MB)')
    .option('--name <prefix>', 'file name prefix', 'sample_pair')
    .option('--seed <n>', 'random seed', String(DEFAULT_PAIR.seed))
    .option('--events <n>', 'quote updates over both symbols', String(DEFAULT_PAIR.events))
    .option('--symbols <a,b,...|n>', 'the symbols, an even number (pairs of legs A and B), or how many (named S01, S02, ...)', DEFAULT_PAIR.symbols.join(','))
    .option('--start <iso>', 'time of the first event', formatIso(DEFAULT_PAIR.startUs))
    .option('--interval <duration>', 'mean time between quote updates', '500ms')
    .option('--half-life <duration>', 'half-life of the spread (Ornstein-Uhlenbeck)', '10m')
    .option('--beta <x>', 'hedge ratio of ln B on ln A', String(DEFAULT_PAIR.beta))
    .option('--spread-vol <x>', 'stationary standard deviation of the log spread', String(DEFAULT_PAIR.spreadVol))
    .option('--spread-ticks <n>', 'bid/ask spread in ticks', String(DEFAULT_PAIR.spreadTicks))
    .option('--trade-prob <p>', 'probability that a quote update also prints a trade', String(DEFAULT_PAIR.tradeProb))
    .option('--regime-break [fraction]', 'break the relationship after this fraction of events (default 0.6)')
    .option('--no-trades', 'write quotes only')
    .action(async (f: Record<string, string | boolean | undefined>, cmd: Command) => {
      const str = (k: string): string => String(f[k]);
      const pos = (x: number): boolean => Number.isFinite(x) && x > 0;
      const symbols = generatedSymbols(str('symbols'));
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
        symbols,
        startUs,
        meanIntervalS: seconds('interval', '--interval'),
        halfLifeS: seconds('halfLife', '--half-life'),
        beta: numberOption('--beta', str('beta'), pos, 'a positive number'),
        spreadVol: numberOption('--spread-vol', str('spreadVol'), pos, 'a positive number'),
        spreadTicks: numberOption('--spread-ticks', str('spreadTicks'), (x) => Number.isSafeInteger(x) && x > 0, 'a positive integer'),
        tradeProb: numberOption('--trade-prob', str('tradeProb'), (x) => x >= 0 && x <= 1, 'a probability'),
        regimeBreak,
      };
      const breakNote = (g: { breakUs: number | undefined; breakEvent: number }): string => (g.breakUs !== undefined ? `; regime break at ${formatIso(g.breakUs)} (event ${g.breakEvent})` : '');
      if (f.catalog !== undefined) {
        for (const k of ['out', 'name'] as const) if (cmd.getOptionValueSource(k) === 'cli') throw new UsageError(`--${k} names CSV files, and --catalog writes a catalog folder instead: give one of the two`);
        const dir = str('catalog');
        guardOutputFolder('--catalog', dir);
        const { generateCatalog, generatedPartitionRows } = await import('../data/generate-catalog.js');
        const partitionRows = f.partitionRows === undefined ? generatedPartitionRows(symbols.length) : numberOption('--partition-rows', str('partitionRows'), (x) => Number.isSafeInteger(x) && x > 0 && x <= 1 << 24, 'a positive integer up to 16777216');
        const g = generateCatalog(opts, dir, f.trades !== false, partitionRows);
        process.stdout.write(`wrote the catalog ${dir}: ${g.quotes} quotes${g.tradesIndex ? ` and ${g.trades} trades` : ''} of ${symbols.length} symbols in ${g.partitions} partitions of at most ${g.partitionRows} rows, ${(g.bytes / 1e6).toFixed(1)} MB${breakNote(g)}\n`);
        return;
      }
      if (f.partitionRows !== undefined) throw new UsageError('--partition-rows applies to --catalog: leave it out, or add --catalog DIR');
      const out = str('out');
      guardOutputFolder('--out', out);
      mkdirSync(out, { recursive: true });
      const prefix = str('name');
      // a prefix, not a path: the files go into --out, whose folder is checked (not data/, not an input)
      if (prefix === '' || /[\\/]|^\.\.?$/.test(prefix)) throw new UsageError(`--name '${prefix}' is a file name prefix, not a path: name the folder with --out and give a plain prefix (e.g. --name sample_pair)`);
      const g = generatePair(opts, join(out, `${prefix}_quotes.csv`), f.trades === false ? undefined : join(out, `${prefix}_trades.csv`));
      process.stdout.write(`wrote ${g.quotesFile} (${g.quotes} quotes)` + (g.tradesFile ? ` and ${g.tradesFile} (${g.trades} trades)` : '') + breakNote(g) + '\n');
    });
  return data;
}

/** `--symbols`: names (an even number, all different), or a count (S01, S02, ...). */
export function generatedSymbols(text: string): string[] {
  const err = (): UsageError => new UsageError(`--symbols '${text}' must name an even number of different symbols (pairs of legs A and B), e.g. AAA,BBB, or give how many, e.g. 50`);
  if (/^\d+$/.test(text.trim())) {
    const n = Number(text.trim());
    if (!(n >= 2 && n % 2 === 0 && n <= 65_534)) throw err();
    const width = String(n).length < 2 ? 2 : String(n).length;
    return Array.from({ length: n }, (_, i) => `S${String(i + 1).padStart(width, '0')}`);
  }
  const names = text.split(',').map((s) => s.trim());
  if (names.length % 2 !== 0 || names.some((s) => s === '') || new Set(names).size !== names.length) throw err();
  return names;
}
