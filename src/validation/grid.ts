/**
 * Parameter grids: `--grid key=a,b,c` (a list) or `--grid key=10:100:10` (an inclusive range);
 * several keys give the full product. Every combination is one trial; the trial list is in a
 * fixed order (keys sorted, values as given) so that trial numbers are stable across runs.
 */
import { UsageError } from '../errors.js';
import { resolveParams } from '../strategy/params.js';
import type { ParamSchema, Params, ParamValue } from '../strategy/types.js';

export type Grid = ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>;

/** Values of one `key=...` right-hand side: a comma list, or start:stop:step (inclusive). */
function expandValues(flag: string, key: string, rhs: string): string[] {
  const range = /^\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*(-?[\d.]+(?:e-?\d+)?)\s*:\s*([\d.]+(?:e-?\d+)?)\s*$/i.exec(rhs);
  if (range) {
    const [a, b, step] = [Number(range[1]), Number(range[2]), Number(range[3])];
    if (!(step > 0) || !(b >= a)) throw new UsageError(`${flag} ${key}=${rhs}: a range is start:stop:step with stop >= start and step > 0 (e.g. ${key}=10:100:10)`);
    const count = Math.floor((b - a) / step + 1e-9) + 1;
    if (count > 10_000) throw new UsageError(`${flag} ${key}=${rhs} has ${count} values; at most 10,000 per key`);
    // decimals of the inputs, so that 0.1:0.3:0.1 gives 0.1, 0.2, 0.3 and not 0.30000000000000004
    const dec = Math.max((range[1]!.split('.')[1] ?? '').length, (range[3]!.split('.')[1] ?? '').length);
    return Array.from({ length: count }, (_, i) => String(Number((a + i * step).toFixed(dec))));
  }
  const values = rhs.split(',').map((v) => v.trim());
  if (values.some((v) => v === '') && !(values.length === 1)) throw new UsageError(`${flag} ${key}=${rhs} has an empty value; write key=a,b,c`);
  return values;
}

/** Parses `--grid` entries, each `key=values` (prefix `strategy.` where several strategies run). */
export function parseGrid(entries: readonly string[], flag = '--grid'): Grid {
  const pairs: [string, string[]][] = [];
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} '${e}' must be key=a,b,c or key=start:stop:step, e.g. ${flag} lookback=10:100:10`);
    const key = e.slice(0, eq).trim();
    if (pairs.some(([k]) => k === key)) throw new UsageError(`${flag} gives '${key}' twice; list all its values in one entry (${key}=a,b,c)`);
    pairs.push([key, expandValues(flag, key, e.slice(eq + 1))]);
  }
  return gridFrom(flag, pairs);
}

/** A grid from typed values (the library's): per key a list of values, or `start:stop:step` text. */
export function gridOf(values: Readonly<Record<string, string | readonly ParamValue[]>>, flag = 'grid'): Grid {
  return gridFrom(
    flag,
    Object.entries(values).map(([key, v]) => [key, typeof v === 'string' ? expandValues(flag, key, v) : v.map(String)]),
  );
}

/** The grid of (key, values) pairs, keys sorted; a repeated value refused. */
function gridFrom(flag: string, pairs: readonly (readonly [string, readonly string[]])[]): Grid {
  for (const [key, values] of pairs) if (new Set(values).size !== values.length) throw new UsageError(`${flag} ${key}=${values.join(',')} repeats a value`);
  return [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, values]) => ({ key, values }));
}

export interface Trial {
  /** 0-based, in grid order. */
  readonly index: number;
  /** `key=value` of the grid keys, e.g. `entry=2,lookback=60` (or `defaults` without a grid). */
  readonly label: string;
  /** The grid values of this trial. */
  readonly values: Readonly<Record<string, ParamValue>>;
  /** All parameters, resolved against the schema. */
  readonly params: Params;
}

/** The trials of a grid over fixed base parameters; each validated against the schema up front. */
export function expandGrid(strategy: string, schema: ParamSchema, base: Readonly<Record<string, string>>, grid: Grid, maxTrials = 100_000): Trial[] {
  for (const { key } of grid) if (key in base) throw new UsageError(`parameter '${key}' is given both in --param and in --grid; keep one`);
  const total = grid.reduce((n, g) => n * g.values.length, 1);
  if (total > maxTrials) throw new UsageError(`the grid has ${total} combinations; at most ${maxTrials} (narrow the ranges or use fewer keys)`);
  const trials: Trial[] = [];
  for (let i = 0; i < total; i++) {
    const raw: Record<string, string> = { ...base };
    let rest = i;
    // the last key varies fastest
    for (let g = grid.length - 1; g >= 0; g--) {
      const { key, values } = grid[g]!;
      raw[key] = values[rest % values.length]!;
      rest = Math.floor(rest / values.length);
    }
    const params = resolveParams(strategy, schema, raw);
    const values: Record<string, ParamValue> = {};
    for (const { key } of grid) values[key] = params[key]!;
    const label = grid.length === 0 ? 'defaults' : grid.map(({ key }) => `${key}=${String(params[key])}`).join(',');
    trials.push({ index: i, label, values, params });
  }
  return trials;
}
