/**
 * `tickfold data generate --catalog DIR`: the generator's events written straight into catalog
 * partitions are, byte for byte, what parsing the same events from its CSVs writes into the cache
 * (partitions, and the index but for its key and hash); `run --data DIR` replays them as it replays
 * the CSVs; damage is found and named; flags that do not fit are refused.
 */
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheKey } from '../../src/data/cache.js';
import { readEntry, readIndexFile, writeIndex, type CatalogEntry } from '../../src/data/catalog/entry.js';
import { DEFAULT_PARTITION_ROWS } from '../../src/data/catalog/partition.js';
import { DEFAULT_PAIR, generatePair, type PairOptions } from '../../src/data/generate.js';
import { GENERATE_BUFFER_BYTES, generateCatalog, generatedPartitionRows } from '../../src/data/generate-catalog.js';
import { loadData, loadFile, rowOptions, type LoadOptions } from '../../src/data/load.js';
import { planWindow } from '../../src/data/catalog/load-window.js';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { runGuarded } from '../../src/jobs/run.js';
import { runSettings } from '../../src/jobs/settings.js';
import { buildRunReport, renderRunJson } from '../../src/report/run-report.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { runCliIn } from '../cli-harness.js';
import { tempDir } from '../helpers.js';

const symbolsN = (n: number): string[] => Array.from({ length: n }, (_, i) => `S${String(i + 1).padStart(2, '0')}`);

const cachedEntry = (dir: string, file: string): CatalogEntry => {
  const r = readEntry(dir, cacheKey(file, { ...rowOptions({}, file), v: 1 }));
  if (!('hit' in r)) throw new Error(`no catalog entry for ${file}`);
  return r.hit;
};
const indexAt = (file: string): CatalogEntry => {
  const r = readIndexFile(file);
  if (!('hit' in r)) throw new Error(`no index ${file}`);
  return r.hit;
};

/** The index without what names its source (key, hash, partition and sequence file names). */
const facts = (e: CatalogEntry) => ({ ...e, key: undefined, sha1: undefined, partitions: e.partitions.map((ps) => ps.map((p) => ({ ...p, name: undefined }))), sequence: e.sequence?.map((c) => ({ ...c, name: undefined })) });

describe('generate --catalog', () => {
  for (const [label, opts, P] of [
    ['one pair, a regime break', { ...DEFAULT_PAIR, events: 6000, regimeBreak: 0.5 }, 700],
    ['8 symbols (4 pairs)', { ...DEFAULT_PAIR, events: 9000, symbols: symbolsN(8), seed: 9 }, 500],
  ] as [string, PairOptions, number][]) {
    it(`${label}: partitions and index identical to the cache of its CSVs parsed`, async () => {
      const d = tempDir();
      generatePair(opts, join(d, 'q.csv'), join(d, 't.csv'));
      const cache = join(d, 'cache');
      await loadFile(join(d, 'q.csv'), { cacheDir: cache, partitionRows: P });
      await loadFile(join(d, 't.csv'), { cacheDir: cache, partitionRows: P });
      const g = generateCatalog(opts, join(d, 'cat'), true, P);
      for (const [csv, name] of [
        ['q.csv', 'quotes'],
        ['t.csv', 'trades'],
      ] as const) {
        const parsed = cachedEntry(cache, join(d, csv));
        const made = indexAt(join(d, 'cat', `${name}.tfi`));
        expect(facts(made)).toEqual(facts(parsed));
        if (name === 'quotes') expect(made.partitions.flat().length).toBeGreaterThan(opts.symbols.length); // several per symbol
        parsed.partitions.forEach((ps, s) =>
          ps.forEach((p, k) => {
            const mine = made.partitions[s]![k]!;
            expect(mine.name).toBe(`${name}.${s}.${k}.tfp`);
            expect(readFileSync(join(d, 'cat', mine.name)).equals(readFileSync(join(cache, p.name))), mine.name).toBe(true);
          }),
        );
        // the symbol sequence too (ticks in time order: every chunk, byte for byte)
        expect(made.sequence!.length).toBeGreaterThan(0);
        parsed.sequence!.forEach((c, k) => {
          const mine = made.sequence![k]!;
          expect(mine.name).toBe(`${name}.seq.${k}.tfs`);
          expect(readFileSync(join(d, 'cat', mine.name)).equals(readFileSync(join(cache, c.name))), mine.name).toBe(true);
        });
      }
      expect(g.quotes).toBe(opts.events);
      expect(g.trades).toBe(indexAt(g.tradesIndex!).length);
    });
  }

  it('the same options give the same bytes, in any folder; generating again over a larger catalog leaves none of its partitions', () => {
    const d = tempDir();
    const o = { ...DEFAULT_PAIR, events: 3000, symbols: symbolsN(4) };
    generateCatalog(o, join(d, 'a'), true, 200);
    generateCatalog({ ...o, events: 9000 }, join(d, 'b'), true, 200);
    generateCatalog(o, join(d, 'b'), true, 200);
    const files = readdirSync(join(d, 'a')).sort();
    expect(readdirSync(join(d, 'b')).sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(d, 'b', f)).equals(readFileSync(join(d, 'a', f))), f).toBe(true);
    generateCatalog(o, join(d, 'b'), false, 200);
    expect(readdirSync(join(d, 'b')).filter((f) => f.startsWith('trades'))).toEqual([]);
  });

  it('the buffers of every symbol fit the budget: partitions get smaller with more symbols', () => {
    expect(generatedPartitionRows(2)).toBe(DEFAULT_PARTITION_ROWS);
    for (const n of [2, 50, 500]) expect(n * generatedPartitionRows(n) * 72).toBeLessThanOrEqual(GENERATE_BUFFER_BYTES);
    expect(generatedPartitionRows(50)).toBe(65536);
  });

  it('loadData of the folder gives the table of the CSVs', async () => {
    const d = tempDir();
    const o = { ...DEFAULT_PAIR, events: 5000, symbols: symbolsN(6) };
    generatePair(o, join(d, 'quotes.csv'), join(d, 'trades.csv'));
    generateCatalog(o, join(d, 'cat'), true, 300);
    const a = await loadData([d], { cache: false });
    const b = await loadData([join(d, 'cat')], { cache: false });
    expect(b.table.length).toBe(a.table.length);
    expect(b.table.symbols).toEqual(a.table.symbols);
    for (const c of ['ts', 'sym', 'kind', 'f0', 'f1', 'f2', 'f3'] as const) expect(Buffer.from(b.table[c].buffer, b.table[c].byteOffset, b.table[c].byteLength).equals(Buffer.from(a.table[c].buffer, a.table[c].byteOffset, a.table[c].byteLength)), c).toBe(true);
  });
});

/**
 * The `run` job's report (as --json writes it) on `paths`: streamed from the catalog with `memory`
 * bytes (jobs/stream-run.ts), or in memory (no cache: the table path) without it.
 */
async function jobReport(paths: readonly string[], strategy: string, memory?: number): Promise<string> {
  const all = { fromUs: -Infinity, toUs: Infinity };
  const out = await runGuarded({
    strategy,
    builtins: BUILTIN_STRATEGIES,
    params: () => ({}),
    settings: runSettings({}),
    data: paths,
    load: memory !== undefined ? { cacheDir: join(tempDir(), 'unused') } : { cache: false },
    guard: {},
    ...(memory !== undefined ? { stream: { plan: (p: readonly string[], o: LoadOptions) => planWindow(p, o, all), memoryBytes: memory, memoryText: `${memory}` } } : {}),
  });
  expect(out.window === undefined, memory !== undefined ? 'streamed' : 'in memory').toBe(memory !== undefined);
  return renderRunJson(buildRunReport(out, 'test', ['run'], DEFAULT_EXECUTION, '1'));
}

describe('a generated catalog streamed (data/catalog/load-window.ts)', () => {
  it('the folder and its indexes are planned from their own folder, nothing parsed or written to the cache', async () => {
    const d = tempDir();
    generateCatalog({ ...DEFAULT_PAIR, events: 3000, symbols: symbolsN(4) }, join(d, 'cat'), true, 200);
    const [q, t] = [join(d, 'cat', 'quotes.tfi'), join(d, 'cat', 'trades.tfi')];
    // files in merge order: trades, then quotes
    for (const [paths, files] of [
      [[join(d, 'cat')], [t, q]],
      [[q], [q]],
      [[q, t], [t, q]],
    ] as [string[], string[]][]) {
      const planned = await planWindow(paths, { cacheDir: join(d, 'cache') }, { fromUs: -Infinity, toUs: Infinity });
      expect(planned, paths.join(' ')).toBeDefined();
      expect(planned!.files.map((f) => f.file)).toEqual(files);
      expect(planned!.plan.sources.map((s) => s.dir)).toEqual(files.map(() => join(d, 'cat')));
      expect(planned!.files.map((f) => f.source)).toEqual(files.map(() => 'cache'));
    }
    expect(readdirSync(d)).toEqual(['cat']); // no cache folder made
  });

  it('streamed in blocks of a few hundred rows = in memory: the same report, byte for byte', async () => {
    const d = tempDir();
    const cat = join(d, 'cat');
    generateCatalog({ ...DEFAULT_PAIR, events: 12000, symbols: symbolsN(6), seed: 5 }, cat, true, 300);
    // partitions of 300 rows, blocks of ~300 rows: many of each in the pass
    const small = 200 * 2 ** 20 + 64 * 2 ** 20 + 300 * 59;
    for (const strategy of ['flat', 'pairs', 'buy-and-hold', 'momentum']) {
      const inMemory = await jobReport([cat], strategy);
      expect(JSON.parse(inMemory).metrics, strategy).toBeDefined();
      for (const memory of [small, 2 ** 30]) expect(await jobReport([cat], strategy, memory), `${strategy}, memory ${memory}`).toBe(inMemory);
    }
  });
});

describe('run --data on a generated catalog (CLI)', () => {
  const report = (path: string) => {
    const r = JSON.parse(readFileSync(path, 'utf8')) as { manifest: { data: unknown }; tickfold: unknown };
    return { ...r, tickfold: undefined, manifest: { ...r.manifest, data: undefined } };
  };

  it('replays it as it replays the CSVs: the same report but for the files named', async () => {
    const d = tempDir();
    const gen = await runCliIn(['data', 'generate', '--events', '8000', '--symbols', '4', '--catalog', join(d, 'cat'), '--partition-rows', '400']);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/wrote the catalog .*: 8000 quotes and \d+ trades of 4 symbols in \d+ partitions of at most 400 rows/);
    expect((await runCliIn(['data', 'generate', '--events', '8000', '--symbols', '4', '--out', d])).code).toBe(0);
    const a = await runCliIn(['run', '--strategy', 'pairs', '--param', 'symbols=S01,S02', '--data', join(d, 'cat'), '--quiet', '--json', join(d, 'a.json'), '--cache-dir', join(d, 'c')]);
    expect(a.code, a.stderr).toBe(0);
    const b = await runCliIn(['run', '--strategy', 'pairs', '--param', 'symbols=S01,S02', '--data', join(d, 'sample_pair_quotes.csv'), join(d, 'sample_pair_trades.csv'), '--quiet', '--json', join(d, 'b.json'), '--cache-dir', join(d, 'c')]);
    expect(b.code, b.stderr).toBe(0);
    expect(report(join(d, 'a.json'))).toEqual(report(join(d, 'b.json')));
    expect(JSON.stringify(JSON.parse(readFileSync(join(d, 'a.json'), 'utf8')).manifest.data)).toContain('quotes.tfi');
  });

  it('a flipped bit, a cut or deleted partition or sequence chunk, a damaged index, an older format: exit 2 naming the file and how to write it again', async () => {
    const d = tempDir();
    const cat = join(d, 'cat');
    const o = { ...DEFAULT_PAIR, events: 4000 };
    const seqChunk = (k: number): string => join(cat, `quotes.seq.${k}.tfs`);
    const damage: [string, (parts: string[]) => void][] = [
      ['fails its checksum', (p) => writeFileSync(p[1]!, Buffer.from(readFileSync(p[1]!).map((x, i) => (i === 200 ? x ^ 4 : x))))],
      ['has 100 bytes where the index says', (p) => truncateSync(p[0]!, 100)],
      ['is missing', (p) => rmSync(p[2]!)],
      ['damaged (checksum mismatch)', () => writeFileSync(join(cat, 'quotes.tfi'), Buffer.from(readFileSync(join(cat, 'quotes.tfi')).map((x, i) => (i === 40 ? x ^ 1 : x))))],
      ['symbol sequence', () => writeFileSync(seqChunk(1), Buffer.from(readFileSync(seqChunk(1)).map((x, i) => (i === 100 ? x ^ 4 : x))))],
      ['symbol sequence', () => truncateSync(seqChunk(0), 100)],
      ['symbol sequence', () => rmSync(seqChunk(1))],
      [
        'is of format 1, and this tickfold reads format 2',
        () => {
          const r = readIndexFile(join(cat, 'quotes.tfi'));
          if (!('hit' in r)) throw new Error('no index');
          writeIndex(join(cat, 'quotes.tfi'), { ...r.hit, format: 1 });
        },
      ],
    ];
    for (const [why, hurt] of damage) {
      generateCatalog(o, cat, true, 500);
      hurt(readdirSync(cat).filter((f) => f.startsWith('quotes.') && f.endsWith('.tfp')).map((f) => join(cat, f)));
      const r = await runCliIn(['run', '--strategy', 'flat', '--data', cat, '--quiet', '--cache-dir', join(d, 'c')]);
      expect(r.code, why).toBe(2);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toContain(join(cat, 'quotes.tfi'));
      expect(r.stderr).toContain(`tickfold data generate --catalog ${cat}`);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('two catalogs of one kind over the same symbols and times: refused, naming both and the fix', async () => {
    const d = tempDir();
    for (const [name, seed] of [['a', '42'], ['b', '42'], ['c', '7']]) {
      const g = await runCliIn(['data', 'generate', '--events', '3000', '--symbols', '4', '--seed', seed!, '--catalog', join(d, name!)]);
      expect(g.code, g.stderr).toBe(0);
    }
    // a copy (one seed) and another world of the same names (another seed)
    for (const other of ['b', 'c']) {
      // streamed (default, --memory) and in memory (--no-cache): the same refusal
      for (const memory of [[], ['--memory', '300m'], ['--no-cache']]) {
        const r = await runCliIn(['run', '--strategy', 'flat', '--data', join(d, 'a'), join(d, other), ...memory, '--quiet', '--cache-dir', join(d, 'cache')]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toContain(`${join(d, other, 'trades.tfi')} and ${join(d, 'a', 'trades.tfi')} are catalogs of one kind that both hold S0`);
        expect(r.stderr).toMatch(/both hold S0[1-4] over overlapping times/);
        expect(r.stderr).toContain('fix: give one of the two; or, to replay both, generate them over times that do not overlap (--start) or with other symbols (--symbols)');
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
    // over times that do not overlap: replayed together
    const later = await runCliIn(['data', 'generate', '--events', '3000', '--symbols', '4', '--start', '2024-02-01T14:30:00Z', '--catalog', join(d, 'later')]);
    expect(later.code, later.stderr).toBe(0);
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', join(d, 'a'), join(d, 'later'), '--json', '-', '--cache-dir', join(d, 'cache')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('refuses flags that do not fit', async () => {
    const d = tempDir();
    const cases: [string[], RegExp][] = [
      [['data', 'generate', '--catalog', join(d, 'x'), '--out', d], /--out names CSV files, and --catalog writes a catalog folder instead/],
      [['data', 'generate', '--catalog', join(d, 'x'), '--name', 'n'], /--name names CSV files/],
      [['data', 'generate', '--out', d, '--partition-rows', '100'], /--partition-rows applies to --catalog/],
      [['data', 'generate', '--catalog', join(d, 'x'), '--partition-rows', '0'], /--partition-rows '0' is not a positive integer/],
      [['data', 'generate', '--catalog', join(d, 'x'), '--symbols', '3'], /must name an even number of different symbols/],
      [['data', 'generate', '--out', d, '--symbols', 'A,B,A,C'], /must name an even number of different symbols/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCliIn(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(msg);
    }
    generateCatalog({ ...DEFAULT_PAIR, events: 500 }, join(d, 'cat'), true);
    const r = await runCliIn(['run', '--strategy', 'flat', '--data', join(d, 'cat'), '--sort', '--quiet', '--cache-dir', join(d, 'c')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--sort applies to CSV and Parquet files, and every input is a catalog index');
  });
});
