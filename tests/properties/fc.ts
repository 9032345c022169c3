/**
 * fast-check with fixed seeds and a record of how many cases each property ran.
 *
 * `npm test` runs every property with its base number of cases and a fixed seed (the same cases on
 * every run). `npm run fuzz` sets TICKFOLD_FUZZ=1: each property runs TICKFOLD_FUZZ_FACTOR times as
 * many cases (default 25) from a fresh seed, printed so that a failure can be replayed with
 * TICKFOLD_FUZZ_SEED=<seed>. Every check appends {property, runs, seed, ms} to
 * out/properties/<suite>.json, which is where the case counts in the closing notes come from.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ROOT } from '../helpers.js';

export { fc };

export const FUZZ = process.env.TICKFOLD_FUZZ === '1';
const FACTOR = Number(process.env.TICKFOLD_FUZZ_FACTOR ?? 25);
const SEED = process.env.TICKFOLD_FUZZ_SEED !== undefined ? Number(process.env.TICKFOLD_FUZZ_SEED) : FUZZ ? Date.now() % 2_147_483_647 : 20_261_122;

export const casesFor = (base: number): number => (FUZZ ? Math.round(base * FACTOR) : base);

interface Entry {
  property: string;
  runs: number;
  seed: number;
  ms: number;
  fuzz: boolean;
}

function record(suite: string, e: Entry): void {
  const dir = join(ROOT, 'out/properties');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${suite}.json`);
  let all: Entry[];
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as Entry[];
  } catch {
    all = [];
  }
  all = all.filter((x) => x.property !== e.property);
  all.push(e);
  writeFileSync(file, JSON.stringify(all, null, 1) + '\n');
}

function finish<Ts>(suite: string, property: string, d: fc.RunDetails<Ts>, ms: number): void {
  record(suite, { property, runs: d.numRuns, seed: SEED, ms: Math.round(ms), fuzz: FUZZ });
  if (d.failed) throw new Error(`${property} (seed ${SEED}):\n${fc.defaultReportMessage(d) ?? ''}\n${d.errorInstance instanceof Error ? d.errorInstance.message : String(d.errorInstance)}`);
}

/** Checks a synchronous property `base` times (more under `npm run fuzz`); throws fast-check's report on failure. */
export function check<T>(suite: string, property: string, arb: fc.Arbitrary<T>, predicate: (t: T) => void, base: number): void {
  const t0 = performance.now();
  const d = fc.check(
    fc.property(arb, (t) => {
      predicate(t);
    }),
    { seed: SEED, numRuns: casesFor(base) },
  );
  finish(suite, property, d, performance.now() - t0);
}

/** {@link check} for an asynchronous property. */
export async function checkAsync<T>(suite: string, property: string, arb: fc.Arbitrary<T>, predicate: (t: T) => Promise<void>, base: number): Promise<void> {
  const t0 = performance.now();
  const d = await fc.check(
    fc.asyncProperty(arb, async (t) => {
      await predicate(t);
    }),
    { seed: SEED, numRuns: casesFor(base) },
  );
  finish(suite, property, d, performance.now() - t0);
}

if (FUZZ) process.stderr.write(`fuzz: seed ${SEED}, ${FACTOR}x cases (replay with TICKFOLD_FUZZ_SEED=${SEED})\n`);
