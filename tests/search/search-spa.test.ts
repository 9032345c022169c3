/**
 * Hansen's SPA over a search's own trials (src/search/trials-spa.ts; White's Reality Check in its
 * original use): is the best of the N configurations a search evaluated better than the verdict's
 * baseline on the in-sample periods, after the search? Through the command the verdict benchmark
 * runs (walk-forward, one 60/40 split, 15m periods, the flat baseline), small: 12 trials, 2,000
 * minutes (133 periods, 80 in sample), 500 resamples, in process.
 * - planted data (the test helper's default spread, a large edge): p < 0.05;
 * - noise (independent random walks): p > 0.05 on most of several seeds;
 * - the SPA recomputed here from the report's own trial returns (the trials', the baseline's, the
 *   in-sample ranges) by calling spaTest directly is the report's, p-value for p-value;
 * - the JSON field, the text report's line (N and the baseline named), the verdict's text and the
 *   HTML study's note;
 * - halving: its partial-budget trials are left out (N = the full-budget trials, as PBO's);
 * - with --baselines none the benchmark is flat: 0 every period.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { twoSymbolBars } from '../validation/truth.js';
import { bootstrapIndices } from '../../src/stats/resample.js';
import { spaTest } from '../../src/stats/spa.js';
import { FLAT_BENCHMARK } from '../../src/search/trials-spa.js';

const dir = tempDir();
const TRIALS = 12;
const MINUTES = 2000;
const SPACE = '--space entry=float:0.8..3 --space lookback=int:10..120:log --space exit=float:0..0.6';
/** The verdict bench's command, small (paths without spaces: tempDir's). */
const search = (data: string, json: string, method: string, trials: number, ...extra: string[]): string[] => [
  // (--baselines flat unless the call gives its own: an option of one value is given once)
  ...`walk-forward --strategy pairs --data ${data} --split 0.6 --period 15m --no-cache${extra.includes('--baselines') ? '' : ' --baselines flat'} --bootstrap 500`.split(' '),
  ...`--search ${method} --trials ${trials} ${SPACE} --workers 1 --no-ledger --json ${json}`.split(' '),
  ...extra,
];

interface Spa {
  benchmark: string;
  trials: number;
  partialExcluded: number;
  periods: number;
  inSample: [number, number][];
  reps: number;
  block: number;
  seed: string;
  lower: number;
  consistent: number;
  upper: number;
  studentized: number;
  bestTrial: { label: string; meanDiffPerPeriod: number };
}
interface Strategy {
  name: string;
  verdict: string;
  overfitting: { search?: { method: string; evaluations: number; partial: number; fullBudget: number; spa: Spa | null; spaNote: string | null }; inSamplePeriods: number };
  trials: { label: string; returns: number[] }[];
}
const report = (p: string): Strategy[] => (JSON.parse(readFileSync(p, 'utf8')) as { strategies: Strategy[] }).strategies;

/** Runs a search; its report's candidate and flat baseline, and the text report. */
async function run(name: string, kind: 'planted' | 'noise', seed: string, method = 'random', trials = TRIALS, ...extra: string[]): Promise<{ s: Strategy; flat: Strategy | undefined; stdout: string }> {
  const data = join(dir, `${name}.csv`);
  writeFileSync(data, twoSymbolBars(kind, MINUTES, seed));
  const json = join(dir, `${name}.json`);
  const r = await runCliIn(search(data, json, method, trials, ...extra));
  expect(r.code, r.stderr).toBe(0);
  const all = report(json);
  return { s: all.find((x) => x.name === 'pairs')!, flat: all.find((x) => x.name === 'flat'), stdout: r.stdout };
}

/** The SPA of the report's trial returns against the report's flat returns (none: 0) on its in-sample ranges, by spaTest directly. */
function recomputed(s: Strategy, flat: Strategy | undefined): ReturnType<typeof spaTest> {
  const spa = s.overfitting.search!.spa!;
  const rows = spa.inSample.flatMap(([a, b]) => Array.from({ length: b - a }, (_, k) => a + k));
  const bench = flat ? flat.trials[0]!.returns : s.trials[0]!.returns.map(() => 0);
  const d = s.trials.map((t) => Float64Array.from(rows, (k) => t.returns[k]! - bench[k]!));
  return spaTest(d, bootstrapIndices('stationary', rows.length, spa.block, spa.reps, seedrandom.alea(spa.seed)), spa.block);
}

let planted: Awaited<ReturnType<typeof run>>;
const html = join(dir, 'planted.html');
beforeAll(async () => {
  planted = await run('planted', 'planted', 'search-spa-planted', 'random', TRIALS, '--report', html);
});

describe("SPA over a search's trials (White's Reality Check of the search)", () => {
  it(`planted data: the best of ${TRIALS} random trials beats flat in sample after the search (p < 0.05)`, () => {
    const spa = planted.s.overfitting.search!.spa!;
    expect(spa.consistent).toBeLessThan(0.05);
    expect(spa.upper).toBeLessThan(0.05);
    expect(spa.bestTrial.meanDiffPerPeriod).toBeGreaterThan(0);
  });

  it("the report's SPA is spaTest's over the report's own trial returns, baseline returns and in-sample ranges", () => {
    const { s, flat } = planted;
    const spa = s.overfitting.search!.spa!;
    const r = recomputed(s, flat);
    expect(spa.lower).toBe(r.pValues.lower);
    expect(spa.consistent).toBe(r.pValues.consistent);
    expect(spa.upper).toBe(r.pValues.upper);
    expect(spa.studentized).toBe(r.studentized.pValues.consistent);
    expect(spa.bestTrial.label).toBe(s.trials[r.argmax]!.label);
    expect(spa.bestTrial.meanDiffPerPeriod).toBe(r.statistic);
  });

  it('the JSON field beside the search counts, the text report line and the verdict name N, T and the baseline', () => {
    const { s, stdout } = planted;
    const se = s.overfitting.search!;
    expect(se.spaNote).toBeNull();
    const spa = se.spa!;
    // N: every full-budget trial (PBO's); T: the in-sample periods DSR uses; B: --bootstrap; block T^(1/3)
    expect(spa.trials).toBe(se.fullBudget);
    expect(spa.trials).toBe(s.trials.length);
    expect(spa.partialExcluded).toBe(0);
    expect(spa.periods).toBe(s.overfitting.inSamplePeriods);
    expect(spa.periods).toBe(80);
    expect(spa.inSample).toEqual([[0, 80]]);
    expect(spa.reps).toBe(500);
    expect(spa.block).toBe(Math.round(Math.cbrt(80)));
    expect(spa.benchmark).toBe('flat');
    expect(spa.lower).toBeLessThanOrEqual(spa.consistent);
    expect(spa.consistent).toBeLessThanOrEqual(spa.upper);
    expect(s.verdict).toContain(`SPA over its ${spa.trials} full-budget trials' in-sample returns vs flat p`);
    const line = stdout.split('\n').find((l) => l.trimStart().startsWith('search SPA'));
    expect(line).toBeDefined();
    expect(line).toContain(`the best of the ${spa.trials} full-budget trials`);
    expect(line).toContain(`better than flat on the 80 in-sample periods`);
    expect(line).toContain("White's Reality Check");
    // the HTML study section: the trials-over-time figure's note says it
    const page = readFileSync(html, 'utf8').replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c)));
    const note = `Hansen's SPA over the search's trials (White's Reality Check in its original use): ${line!.trim().replace(/^search SPA\s+/, '')}`;
    expect(page.includes(note), `the HTML has: ${note}`).toBe(true);
  });

  it(`noise: the best of ${TRIALS} random trials does not beat flat after the search (p > 0.05) on most of 3 seeds`, async () => {
    const ps: number[] = [];
    for (const seed of ['a', 'b', 'c']) {
      const { s, flat } = await run(`noise-${seed}`, 'noise', `search-spa-noise-${seed}`);
      const spa = s.overfitting.search!.spa!;
      expect(spa.trials).toBe(s.trials.length);
      expect(spa.consistent).toBe(recomputed(s, flat).pValues.consistent);
      ps.push(spa.consistent);
    }
    expect(ps.filter((p) => p > 0.05).length, `p-values ${ps.join(', ')}`).toBeGreaterThanOrEqual(2);
  });

  it("halving: its partial-budget trials are left out (N = the full-budget trials, PBO's), and say so; with no baseline, against flat = 0", async () => {
    const { s, flat, stdout } = await run('halving', 'noise', 'search-spa-halving', 'halving', 9, '--baselines', 'none');
    expect(flat).toBeUndefined();
    const se = s.overfitting.search!;
    expect(se.spa!.benchmark).toBe(FLAT_BENCHMARK);
    expect(se.spa!.consistent).toBe(recomputed(s, undefined).pValues.consistent);
    expect(s.verdict).toContain(`SPA over its ${se.spa!.trials} full-budget trials' in-sample returns vs ${FLAT_BENCHMARK} p`);
    expect(se.partial).toBeGreaterThan(0);
    expect(se.spa!.trials).toBe(se.fullBudget);
    expect(se.spa!.trials).toBe(s.trials.length);
    expect(se.spa!.partialExcluded).toBe(se.partial);
    expect(stdout).toContain(`${se.partial} partial-budget trials left out, as from PBO`);
  });
});
