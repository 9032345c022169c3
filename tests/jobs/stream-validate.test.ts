/**
 * A validation streamed from the catalog (jobs/stream-validate.ts: every trial batch one pass in
 * lockstep, every out-of-sample and CPCV path its own pass, blocks of a few hundred rows) gives
 * the report of the validation over the table in memory, byte for byte: walk-forward folds, one
 * split, CPCV beside them, a search's partial budgets, on one thread and on two, over generated
 * pairs of several seeds and sizes written to CSV and read through the catalog (partitions of a
 * few hundred rows). Settings the stream cannot serve hold the data whole, and say why.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planWindow } from '../../src/data/catalog/load-window.js';
import { DEFAULT_PAIR, generatePair } from '../../src/data/generate.js';
import { loadData, type LoadOptions } from '../../src/data/load.js';
import { runSettings } from '../../src/jobs/settings.js';
import { runValidationJob, validationOptions, type ValidationOptions } from '../../src/jobs/validate.js';
import { buildValidationReport, renderValidationJson } from '../../src/report/validation-report.js';
import { checkSearchMethod, searchOf } from '../../src/search/spec.js';
import { baselineDefaults } from '../../src/validation/baselines.js';
import type { FoldOptions } from '../../src/validation/folds.js';
import { gridOf } from '../../src/validation/grid.js';
import { NAIVE_BASELINES, type Entry } from '../../src/validation/validate.js';
import { BUILTIN_STRATEGIES } from '../../strategies/index.js';
import { tempDir } from '../helpers.js';

const ALL = { fromUs: -Infinity, toUs: Infinity };
const HOUR = 3600e6;

/** A --memory that leaves each of `threads` threads blocks of about `rows` rows (jobs/stream-run.ts blockRowsFor, 33 blocks a thread). */
const memoryFor = (rows: number, threads: number): number => 200 * 2 ** 20 + 8 * 2 ** 20 + threads * 33 * rows * 59;

/** The candidate (pairs over a grid, or searched) and the naive baselines, as the CLI makes them. */
function entriesOf(search: boolean): (label: string) => Entry[] {
  const pairs = BUILTIN_STRATEGIES.get('pairs')!;
  const base = { every: '1m' };
  const candidate: Entry = search
    ? { name: 'pairs', spec: 'pairs', module: pairs, base, grid: [], baseline: false, search: searchOf(checkSearchMethod('halving', 9), 'pairs', pairs, base, ['lookback=int:20..80', 'entry=float:1..2.5'], [], { space: 'space', grid: 'grid' })! }
    : { name: 'pairs', spec: 'pairs', module: pairs, base, grid: gridOf({ entry: [1.5, 2, 2.5], lookback: [30, 60] }), baseline: false };
  return (label) => [candidate, ...NAIVE_BASELINES.map((b): Entry => ({ name: b, spec: b, module: BUILTIN_STRATEGIES.get(b)!, base: baselineDefaults(BUILTIN_STRATEGIES.get(b)!, {}, label), grid: [], baseline: true }))];
}

interface Case {
  readonly folds: FoldOptions;
  readonly options?: Partial<ValidationOptions>;
  readonly search?: boolean;
  readonly fromUs?: number;
}

/** The validation's JSON report: in memory (no cache), or streamed from the catalog in `dir` with `memory` bytes on `workers` threads. */
async function report(paths: readonly string[], c: Case, workers: number, stream?: { dir: string; memory: number }): Promise<{ json: string; streamed: boolean }> {
  const load: LoadOptions = { partitionRows: 300, ...(stream ? { cacheDir: stream.dir } : { cache: false, contentHash: true }) };
  const settings = runSettings({ ...(c.fromUs !== undefined ? { fromUs: c.fromUs } : {}), periodUs: 300e6 });
  let held: string | undefined;
  const r = await runValidationJob({
    command: 'walk-forward',
    data: async () => loadData(paths, load),
    ...(stream ? { stream: { plan: () => planWindow(paths, load, { fromUs: settings.fromUs, toUs: settings.toUs }), memoryBytes: stream.memory, memoryText: `${stream.memory}`, heldWhole: (why: string) => (held = why) } } : {}),
    entries: entriesOf(c.search === true),
    settings,
    folds: c.folds,
    options: validationOptions({ bootstrapReps: 200, ...c.options }),
    workers,
    argv: [],
  });
  expect(held, 'not held whole').toBeUndefined();
  return { json: renderValidationJson(buildValidationReport(r.outcome, r.context)), streamed: r.table === undefined };
}

/** Generated quotes and trades of a pair, as CSV files. */
function pairFiles(seed: number, events: number): string[] {
  const dir = tempDir();
  const q = join(dir, 'q.csv');
  const t = join(dir, 't.csv');
  generatePair({ ...DEFAULT_PAIR, seed, events, meanIntervalS: 2 }, q, t);
  return [q, t];
}

describe('a validation streamed from the catalog = the validation in memory, byte for byte', () => {
  const cases: [string, number, number, Case][] = [
    ['walk-forward folds', 7, 12_000, { folds: { train: '2h', test: '1h' } }],
    ['anchored folds with an embargo and a warm-up, CPCV beside them', 11, 9_000, { folds: { train: '90m', test: '45m', anchored: true, embargo: '5m', warmup: '30m' }, options: { cpcv: { groups: 5, testGroups: 2, purgeUs: 0.1 * HOUR, embargoUs: 0.05 * HOUR } } }],
    ['one split at a time, from --from', 3, 8_000, { folds: { split: '2024-01-02T18:00:00Z' }, fromUs: Date.UTC(2024, 0, 2, 15) * 1000 }],
    ['a searched candidate (halving: partial budgets cut by time)', 5, 8_000, { folds: { train: '90m', test: '1h' }, search: true }],
  ];
  for (const [what, seed, events, c] of cases) {
    it(`${what} (seed ${seed}, ${events} quotes)`, async () => {
      const paths = pairFiles(seed, events);
      const inMemory = await report(paths, c, 1);
      expect(inMemory.streamed).toBe(false);
      const dir = tempDir();
      for (const [workers, rows] of [
        [1, 300],
        [2, 500],
        [1, 1 << 18],
      ] as const) {
        const s = await report(paths, c, workers, { dir, memory: memoryFor(rows, workers) });
        expect(s.streamed, 'streamed').toBe(true);
        expect(s.json, `streamed on ${workers} thread(s), blocks of ~${rows} rows`).toBe(inMemory.json);
      }
    });
  }

  it('holds the data whole, saying why, where the stream cannot serve the settings', async () => {
    const paths = pairFiles(1, 3_000);
    const dir = tempDir();
    const why = async (folds: FoldOptions): Promise<string | undefined> => {
      let held: string | undefined;
      const load: LoadOptions = { cacheDir: dir };
      const r = await runValidationJob({
        command: 'walk-forward',
        data: async () => loadData(paths, load),
        stream: { plan: () => planWindow(paths, load, ALL), memoryBytes: 2 ** 30, memoryText: '1g', heldWhole: (w: string) => (held = w) },
        entries: entriesOf(false),
        settings: runSettings({ periodUs: 300e6 }),
        folds,
        options: validationOptions({ bootstrapReps: 50 }),
        workers: 1,
        argv: [],
      });
      expect(r.table === undefined, 'streamed when nothing is said').toBe(held === undefined);
      return held;
    };
    expect(await why({ split: '0.6' })).toMatch(/as a fraction of the rows/);
    expect(await why({ train: '500rows', test: '300rows' })).toMatch(/given in rows/);
    expect(await why({ train: '30m', test: '20m' })).toBeUndefined();
  });

  it('refuses a --memory too small for a block per trial of a batch on each thread, naming the figure to give', async () => {
    const paths = pairFiles(2, 2_000);
    const load: LoadOptions = { cacheDir: tempDir() };
    await expect(
      runValidationJob({
        command: 'walk-forward',
        data: async () => loadData(paths, load),
        stream: { plan: () => planWindow(paths, load, ALL), memoryBytes: 202 * 2 ** 20, memoryText: '202m' },
        entries: entriesOf(false),
        settings: runSettings({ periodUs: 300e6 }),
        folds: { train: '30m', test: '20m' },
        options: validationOptions({ bootstrapReps: 50 }),
        workers: 2,
        argv: [],
      }),
    ).rejects.toThrow(/--memory 202m is too small for this data: .* 33 blocks of at least \d+ rows on each of 2 threads .*give --memory \d+m or more/);
  });
});
