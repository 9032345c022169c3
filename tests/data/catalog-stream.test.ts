/**
 * The streamed load (catalog partitions, merged by data/catalog/merge-stream.ts) gives the
 * in-memory table row for row, and the same report byte for byte: on the bundled data, on random
 * tables (ties across files and symbols, bars of two lengths, partitions of a few rows) and on
 * every file of ../shared/data. Time windows read only their partitions and slice to the same rows.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXECUTION } from '../../src/broker/settings.js';
import { loadWindow, planWindow } from '../../src/data/catalog/load-window.js';
import { runGuarded } from '../../src/jobs/run.js';
import { runSettings } from '../../src/jobs/settings.js';
import { loadData, type LoadOptions } from '../../src/data/load.js';
import { sliceTime, type TickTable } from '../../src/data/table.js';
import { formatIso } from '../../src/data/time.js';
import { runOnTable } from '../../src/jobs/run.js';
import { parseIso } from '../../src/data/time.js';
import { buildRunReport, renderRunJson } from '../../src/report/run-report.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { describeShared, ROOT, shared, SHARED_FILES, tempDir } from '../helpers.js';

const ALL = { fromUs: -Infinity, toUs: Infinity };
const bytesOf = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Every column of two tables, byte for byte (NaN patterns included), and their dictionaries. */
function expectSameTable(a: TickTable, b: TickTable, what: string): void {
  expect(b.length, `${what}: rows`).toBe(a.length);
  expect(b.symbols, `${what}: symbols`).toEqual(a.symbols);
  expect(Array.from(b.symbolKinds), `${what}: kinds per symbol`).toEqual(Array.from(a.symbolKinds));
  for (const c of ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3', 'f4', 'barStart'] as const) {
    expect(bytesOf(b[c]).equals(bytesOf(a[c])), `${what}: column ${c}`).toBe(true);
  }
}

async function both(paths: readonly string[], opts: LoadOptions, dir: string) {
  const mem = await loadData(paths, { ...opts, cache: false, contentHash: true });
  const streamed = await loadWindow(paths, { ...opts, cacheDir: dir }, ALL);
  expect(streamed, 'the streamed path took the files').toBeDefined();
  return { mem, streamed: streamed! };
}

/** The run report as the CLI writes it (--json), from a loaded table. */
function report(loaded: Awaited<ReturnType<typeof loadData>>, strategy: string, window: { from?: string; to?: string } = {}): string {
  const out = runOnTable(loaded.table, {
    strategy: BUILTIN_STRATEGIES.get(strategy)!,
    ...(window.from !== undefined ? { fromUs: parseIso(window.from) } : {}),
    ...(window.to !== undefined ? { toUs: parseIso(window.to) } : {}),
  });
  return renderRunJson(buildRunReport({ ...out, files: loaded.files, leftOut: loaded.leftOut }, 'test', ['run'], DEFAULT_EXECUTION, '1'));
}

/**
 * The `run` job's report as the CLI makes it, through runGuarded on a worker thread: streamed
 * from the catalog in `dir` (jobs/stream-run.ts) with `memory` bytes (blocks of a few hundred
 * rows when it is small), or in memory (no cache: the table path) without `stream`.
 */
async function jobReport(paths: readonly string[], load: LoadOptions, strategy: string, window: { fromUs?: number; toUs?: number }, stream?: { dir: string; memory: number }): Promise<string> {
  const w = { fromUs: window.fromUs ?? -Infinity, toUs: window.toUs ?? Infinity };
  const out = await runGuarded({
    strategy,
    builtins: BUILTIN_STRATEGIES,
    params: () => ({}),
    settings: runSettings(window),
    data: paths,
    load: stream ? { ...load, cacheDir: stream.dir } : { ...load, cache: false, contentHash: true },
    guard: {},
    ...(stream ? { stream: { plan: (p: readonly string[], o: LoadOptions) => planWindow(p, o, w), memoryBytes: stream.memory, memoryText: `${stream.memory}` } } : {}),
  });
  expect(out.window === undefined, stream ? 'streamed' : 'in memory').toBe(stream !== undefined);
  return renderRunJson(buildRunReport(out, 'test', ['run'], DEFAULT_EXECUTION, '1'));
}

/** A --memory that leaves the replay a block of about `rows` rows (jobs/stream-run.ts blockRowsFor). */
const memoryFor = (rows: number): number => 200 * 2 ** 20 + 64 * 2 ** 20 + rows * 59;

/**
 * Random sets per property below: half of them in `npm test` (each set loads its files twice and
 * every other set runs two jobs, each on worker threads), all of them under `npm run fuzz`
 * (TICKFOLD_FUZZ=1). The half still draws every kind of file, partitions of a single row and of
 * tens, and streamed jobs.
 */
const FUZZ = process.env.TICKFOLD_FUZZ === '1';
const SETS = (all: number): number => (FUZZ ? all : Math.ceil(all / 2));

const BUNDLED: readonly (readonly string[])[] = [
  ['data/sample_pair_quotes.csv', 'data/sample_pair_trades.csv'],
  ['data/sample_pair_break_quotes.csv'],
  ['data/eustockmarkets_daily_1991_1998.csv'],
];

describe('streamed from the catalog = in memory', () => {
  for (const files of BUNDLED) {
    it(`bundled ${files.join(' + ')}: the same table (partitions of 500 rows) and the same report, byte for byte`, async () => {
      const paths = files.map((f) => join(ROOT, f));
      const dir = join(tempDir(), 'cat');
      const { mem, streamed } = await both(paths, { partitionRows: 500 }, dir);
      expectSameTable(mem.table, streamed.table, files.join('+'));
      for (const strategy of ['buy-and-hold', 'momentum']) expect(report(streamed, strategy), strategy).toBe(report(mem, strategy));
      // the second load reads the catalog (no parse) and gives the same again
      const again = (await loadWindow(paths, { partitionRows: 500, cacheDir: dir }, ALL))!;
      expect(again.files.map((f) => f.source)).toEqual(files.map(() => 'cache'));
      expectSameTable(mem.table, again.table, `${files.join('+')} again`);
      expect(report(again, 'momentum')).toBe(report(mem, 'momentum'));
      // the run job streamed (blocks of a few hundred rows, then one block) = the job in memory,
      // with the two strategies that trade throughout (each job a worker thread; flat and
      // buy-and-hold, whose orders are none or one, add no case)
      for (const strategy of ['momentum', 'random']) {
        const inMemory = await jobReport(paths, { partitionRows: 500 }, strategy, {});
        for (const memory of [memoryFor(300), 2 ** 30]) expect(await jobReport(paths, { partitionRows: 500 }, strategy, {}, { dir, memory }), `${strategy} streamed, --memory ${memory}`).toBe(inMemory);
      }
    });
  }

  it('a time window reads only the partitions it needs, and slices to the same rows and report', async () => {
    const paths = BUNDLED[0]!.map((f) => join(ROOT, f));
    const dir = join(tempDir(), 'cat');
    const { mem } = await both(paths, { partitionRows: 200 }, dir);
    const t = mem.table;
    const rng = seedrandom('windows');
    for (let k = 0; k < 12; k++) {
      const a = t.ts[Math.floor(rng() * t.length)]!;
      const b = t.ts[Math.floor(rng() * t.length)]!;
      const [fromUs, toUs] = a < b ? [a, b] : [b, a + 1];
      const w = (await loadWindow(paths, { partitionRows: 200, cacheDir: dir }, { fromUs, toUs }))!;
      expect(w.table.length, 'fewer rows than the whole data').toBeLessThan(t.length + 1);
      expectSameTable(sliceTime(t, fromUs, toUs), sliceTime(w.table, fromUs, toUs), `window ${k}`);
      const from = formatIso(fromUs);
      const to = formatIso(toUs);
      expect(report(w, 'momentum', { from, to }), `window ${from} .. ${to}`).toBe(report(mem, 'momentum', { from, to }));
      if (k < 2) expect(await jobReport(paths, { partitionRows: 200 }, 'momentum', { fromUs, toUs }, { dir, memory: memoryFor(300) }), `streamed window ${from} .. ${to}`).toBe(await jobReport(paths, { partitionRows: 200 }, 'momentum', { fromUs, toUs }));
    }
    // one hour out of a day: a small part of the rows is read
    const hour = (await loadWindow(paths, { partitionRows: 200, cacheDir: dir }, { fromUs: t.ts[0]!, toUs: t.ts[0]! + 3600e6 }))!;
    expect(hour.table.length).toBeLessThan(t.length / 2);
  });
});

describe('the run job streamed meets a damaged partition in the replay', () => {
  it('a flipped bit in a middle partition (not read before the replay): said, the files parsed again, the same report', async () => {
    const paths = BUNDLED[0]!.map((f) => join(ROOT, f));
    const dir = join(tempDir(), 'cat');
    const inMemory = await jobReport(paths, { partitionRows: 300 }, 'momentum', {});
    // first run writes the catalog
    expect(await jobReport(paths, { partitionRows: 300 }, 'momentum', {}, { dir, memory: memoryFor(300) })).toBe(inMemory);
    // a partition in the middle of a symbol's run: tick facts read only the index, the replay meets it
    const parts = readdirSync(dir).filter((n) => /\.0\.3\.tfp$/.test(n));
    expect(parts.length).toBeGreaterThan(0);
    const file = join(dir, parts[0]!);
    const b = readFileSync(file);
    b[b.length - 20] = b[b.length - 20]! ^ 0x10;
    writeFileSync(file, b);
    const notes: string[] = [];
    expect(await jobReport(paths, { partitionRows: 300, onNote: (m) => notes.push(m) }, 'momentum', {}, { dir, memory: memoryFor(300) })).toBe(inMemory);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/fails its checksum.*parsed again and the cache rewritten/);
  });
});

/** A CSV of random rows: `n` rows over few distinct times (many ties), symbols from `syms`. */
function randomTicks(rng: () => number, kind: 'trades' | 'quotes', n: number, syms: readonly string[]): string {
  const head = kind === 'trades' ? 'ts,symbol,price,size' : 'ts,symbol,bid,ask,bid_size,ask_size';
  const lines = [head];
  let t = Date.UTC(2024, 0, 2, 14, 30) * 1000;
  for (let i = 0; i < n; i++) {
    if (rng() < 0.3) t += Math.floor(rng() * 3) * 1000 + 1;
    const s = syms[Math.floor(rng() * syms.length)]!;
    const p = (100 + Math.floor(rng() * 100) / 100).toFixed(2);
    const iso = formatIso(t);
    lines.push(kind === 'trades' ? `${iso},${s},${p},${1 + Math.floor(rng() * 9)}00` : `${iso},${s},${p},${(Number(p) + 0.01).toFixed(2)},${Math.floor(rng() * 5)}00,${Math.floor(rng() * 5)}00`);
  }
  return lines.join('\n') + '\n';
}

/** Bars of two symbols, one every minute and one every five (different lengths, different closes). */
function randomBars(rng: () => number, n: number): string {
  const lines = ['ts,symbol,open,high,low,close,volume'];
  const t0 = Date.UTC(2024, 0, 2, 14, 30) * 1000;
  for (let m = 0; lines.length <= n; m++) {
    const t = formatIso(t0 + m * 60e6);
    const p = (50 + rng()).toFixed(3);
    lines.push(`${t},ONE,${p},${p},${p},${p},${Math.floor(rng() * 100)}`);
    if (m % 5 === 0 && rng() < 0.9) lines.push(`${t},FIVE,${p},${p},${p},${p},`);
  }
  return lines.join('\n') + '\n';
}

describe('property: random tables', () => {
  it(`streamed = in memory for ${SETS(12)} random sets of files, partitions of 1 to 64 rows`, async () => {
    for (let seed = 0; seed < SETS(12); seed++) {
      const rng = seedrandom(`catalog-${seed}`);
      const d = tempDir();
      const files: string[] = [];
      const add = (name: string, text: string): void => {
        writeFileSync(join(d, name), text);
        files.push(join(d, name));
      };
      const n = 50 + Math.floor(rng() * 400);
      if (rng() < 0.8) add('b-trades.csv', randomTicks(rng, 'trades', n, ['X', 'Y', 'Z'].slice(0, 1 + Math.floor(rng() * 3))));
      if (rng() < 0.8 || files.length === 0) add('a-quotes.csv', randomTicks(rng, 'quotes', n, ['Y', 'X']));
      if (rng() < 0.5) add('c-trades.csv', randomTicks(rng, 'trades', n, ['W']));
      if (rng() < 0.3) add('bars.csv', randomBars(rng, n));
      const partitionRows = 1 + Math.floor(rng() * 64);
      const { mem, streamed } = await both(files, { partitionRows }, join(d, 'cat'));
      expectSameTable(mem.table, streamed.table, `seed ${seed} (${files.length} files, partitions of ${partitionRows})`);
      const noSource = (fs: typeof mem.files) => fs.map(({ source: _, ...f }) => f);
      expect(noSource(streamed.files)).toEqual(noSource(mem.files));
      // the run job streamed in blocks of a few hundred rows = in memory (every other set: each costs a worker thread)
      if (seed % 2 === 0) expect(await jobReport(files, { partitionRows }, 'random', {}, { dir: join(d, 'cat'), memory: memoryFor(100) }), `seed ${seed} streamed`).toBe(await jobReport(files, { partitionRows }, 'random', {}));
    }
  });
});

describeShared('streamed = in memory on every file of ../shared/data', () => {
  it('each file: the same table and the same buy-and-hold report, byte for byte', async () => {
    const dir = join(tempDir(), 'cat');
    for (const [file] of SHARED_FILES) {
      const { mem, streamed } = await both([shared(file)], {}, dir);
      expectSameTable(mem.table, streamed.table, file);
      expect(report(streamed, 'buy-and-hold'), file).toBe(report(mem, 'buy-and-hold'));
      expect(await jobReport([shared(file)], {}, 'buy-and-hold', {}, { dir, memory: memoryFor(5000) }), `${file} streamed`).toBe(await jobReport([shared(file)], {}, 'buy-and-hold', {}));
    }
    // and the ticks of one day, quotes and trades together, with a strategy that trades
    const pair = ['binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv', 'binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv'].map(shared);
    const { mem, streamed } = await both(pair, {}, dir);
    expectSameTable(mem.table, streamed.table, 'binance quotes + trades');
    expect(report(streamed, 'momentum')).toBe(report(mem, 'momentum'));
    expect(await jobReport(pair, {}, 'momentum', {}, { dir, memory: memoryFor(5000) }), 'binance pair streamed').toBe(await jobReport(pair, {}, 'momentum', {}));
    const parquet = readdirSync(shared('parquet')).filter((f) => f.endsWith('.parquet'));
    for (const f of parquet) {
      const p = await both([shared(join('parquet', f))], {}, dir);
      expectSameTable(p.mem.table, p.streamed.table, f);
    }
  });
});

/** A CSV's header and the lines of the symbols in `keep` (the symbol is the second column of these files). */
function onlySymbols(text: string, keep: ReadonlySet<string>): string {
  const [head, ...lines] = text.trimEnd().split('\n');
  return [head, ...lines.filter((l) => keep.has(l.split(',')[1]!))].join('\n') + '\n';
}

/** A report without what names the files as parsed (the manifest's file entries and notes): the rest must not know other symbols were there. */
function withoutFiles(json: string): unknown {
  const r = JSON.parse(json) as { manifest: Record<string, unknown> };
  const { data: _d, skippedRows: _s, leftOut: _l, ...manifest } = r.manifest;
  return { ...r, manifest };
}

describe('--symbols: the data is only those symbols rows, as if the files held nothing else', () => {
  it('property: random files and random symbol subsets: in memory = streamed = files holding only those rows (table and report)', async () => {
    for (let seed = 0; seed < SETS(10); seed++) {
      const rng = seedrandom(`symbols-${seed}`);
      const d = tempDir();
      const texts = new Map<string, string>();
      const n = 60 + Math.floor(rng() * 300);
      texts.set('b-trades.csv', randomTicks(rng, 'trades', n, ['X', 'Y', 'Z']));
      texts.set('a-quotes.csv', randomTicks(rng, 'quotes', n, ['Y', 'X', 'V']));
      if (rng() < 0.5) texts.set('c-trades.csv', randomTicks(rng, 'trades', n, ['W', 'U']));
      if (rng() < 0.3) texts.set('bars.csv', randomBars(rng, n));
      const all = [...new Set([...texts.values()].flatMap((t) => t.trimEnd().split('\n').slice(1).map((l) => l.split(',')[1]!)))];
      // a random subset (at least one symbol), named in a random order
      const picked = all.filter(() => rng() < 0.5);
      if (picked.length === 0) picked.push(all[Math.floor(rng() * all.length)]!);
      const selected = picked.sort(() => rng() - 0.5);
      const keep = new Set(selected);
      const files: string[] = [];
      const only: string[] = [];
      for (const [name, text] of texts) {
        writeFileSync(join(d, name), text);
        files.push(join(d, name));
        const kept = onlySymbols(text, keep);
        if (kept.split('\n').length <= 2) continue; // no row of the symbols named: the file is as if absent
        mkdirSync(join(d, 'only'), { recursive: true });
        writeFileSync(join(d, 'only', name), kept);
        only.push(join(d, 'only', name));
      }
      const partitionRows = 1 + Math.floor(rng() * 48);
      const opts: LoadOptions = { partitionRows, symbolSelection: selected };
      const what = `seed ${seed}: ${selected.join(',')} of ${all.join(',')}, partitions of ${partitionRows}`;
      const { mem, streamed } = await both(files, opts, join(d, 'cat'));
      expect(mem.table.symbols.length, `${what}: the symbols named only`).toBe(selected.length);
      expectSameTable(mem.table, streamed.table, `${what}, streamed`);
      const alone = await loadData(only, { cache: false });
      // a file with none of the symbols still gives the table its columns (as an empty file would)
      if (only.length === files.length) expectSameTable(alone.table, mem.table, `${what}, files holding only those rows`);
      const strategy = seed % 2 === 0 ? 'random' : 'buy-and-hold';
      const reference = withoutFiles(report(alone, strategy));
      expect(withoutFiles(report(mem, strategy)), `${what}: report`).toEqual(reference);
      expect(withoutFiles(report(streamed, strategy)), `${what}: report streamed`).toEqual(reference);
      // the run job streamed in blocks of a few hundred rows = in memory, byte for byte (every third set: each costs worker threads)
      if (seed % 3 === 0) {
        const inMemory = await jobReport(files, opts, strategy, {});
        expect(await jobReport(files, opts, strategy, {}, { dir: join(d, 'cat'), memory: memoryFor(100) }), `${what}: job streamed`).toBe(inMemory);
        expect(withoutFiles(inMemory), `${what}: job = files holding only those rows`).toEqual(withoutFiles(await jobReport(only, { partitionRows }, strategy, {})));
      }
    }
  });

  it('the partitions of the other symbols are not read: deleted from the cache, the streamed run does not notice', async () => {
    const paths = BUNDLED[0]!.map((f) => join(ROOT, f));
    const dir = join(tempDir(), 'cat');
    const load: LoadOptions = { partitionRows: 500, symbolSelection: ['BBB'] };
    const inMemory = await jobReport(paths, load, 'momentum', {});
    expect(await jobReport(paths, load, 'momentum', {}, { dir, memory: memoryFor(300) })).toBe(inMemory);
    // AAA is the first symbol of both files (id 0): its partitions go
    const aaa = readdirSync(dir).filter((n) => /\.0\.\d+\.tfp$/.test(n));
    expect(aaa.length).toBeGreaterThan(2);
    for (const p of aaa) rmSync(join(dir, p));
    const notes: string[] = [];
    expect(await jobReport(paths, { ...load, onNote: (m) => notes.push(m) }, 'momentum', {}, { dir, memory: memoryFor(300) })).toBe(inMemory);
    expect(notes, 'no partition found missing, nothing parsed again').toEqual([]);
    // without --symbols the run needs them: said, parsed again
    await jobReport(paths, { partitionRows: 500, onNote: (m) => notes.push(m) }, 'momentum', {}, { dir, memory: memoryFor(300) });
    expect(notes.join('\n')).toMatch(/parsed again and the cache rewritten/);
  });
});
