/**
 * A search space: `--space lookback=int:10..500:log --space entry=float:0.5..3 --space
 * hedge=choice:ols,kalman`. Each dimension is sampled in its own coordinate: an integer or a
 * float as its value (its logarithm when `:log`), a choice as the index of the value. Samplers
 * (random.ts, tpe.ts, halving.ts) work in those coordinates; {@link pointValues} turns a point into
 * the parameter strings a strategy's schema resolves, so an integer is rounded and a float written
 * with 6 significant digits: the same point always gives the same parameters, and the same label.
 */
import { didYouMean, UsageError } from '../errors.js';
import type { ParamSchema } from '../strategy/types.js';

export type Dimension = { readonly key: string; readonly kind: 'int' | 'float'; readonly low: number; readonly high: number; readonly log: boolean } | { readonly key: string; readonly kind: 'choice'; readonly choices: readonly string[] };

/** Dimensions sorted by key (trial labels and sampler draws in a fixed order). */
export type Space = readonly Dimension[];

/** A point: one coordinate per dimension, in the space's order. */
export type Point = readonly number[];

const NUM = String.raw`(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)`;
const RANGE = new RegExp(String.raw`^(int|float):\s*${NUM}\s*\.\.\s*${NUM}\s*(?::\s*(log))?\s*$`, 'i');

function parseDimension(flag: string, entry: string): Dimension {
  const eq = entry.indexOf('=');
  const example = `${flag} lookback=int:10..500:log, ${flag} entry=float:0.5..3 or ${flag} hedge=choice:ols,kalman`;
  if (eq <= 0) throw new UsageError(`${flag} '${entry}' must be key=int:low..high[:log], key=float:low..high[:log] or key=choice:a,b,c, e.g. ${example}`);
  const key = entry.slice(0, eq).trim();
  const rhs = entry.slice(eq + 1).trim();
  if (/^choice:/i.test(rhs)) {
    const choices = rhs
      .slice(rhs.indexOf(':') + 1)
      .split(',')
      .map((c) => c.trim());
    if (choices.some((c) => c === '')) throw new UsageError(`${flag} ${entry} has an empty choice; write ${key}=choice:a,b,c`);
    if (choices.length < 2) throw new UsageError(`${flag} ${entry} has one choice; a fixed value is --param ${key}=${choices[0]}`);
    if (new Set(choices).size !== choices.length) throw new UsageError(`${flag} ${entry} repeats a choice`);
    return { key, kind: 'choice', choices };
  }
  const m = RANGE.exec(rhs);
  if (!m) throw new UsageError(`${flag} ${entry}: '${rhs}' is not int:low..high[:log], float:low..high[:log] or choice:a,b,c (e.g. ${example})`);
  const kind = m[1]!.toLowerCase() as 'int' | 'float';
  const low = Number(m[2]);
  const high = Number(m[3]);
  const log = m[4] !== undefined;
  if (!(high > low)) throw new UsageError(`${flag} ${entry}: the range needs high > low (got ${m[2]}..${m[3]})`);
  if (kind === 'int' && !(Number.isInteger(low) && Number.isInteger(high))) throw new UsageError(`${flag} ${entry}: an int range has integer ends (got ${m[2]}..${m[3]}); use float:${m[2]}..${m[3]} for a real range`);
  if (log && !(low > 0)) throw new UsageError(`${flag} ${entry}: a :log range needs low > 0 (got ${m[2]}); drop :log or start above 0`);
  return { key, kind, low, high, log };
}

/** Parses `--space` entries (several keys: every combination is in the space). */
export function parseSpace(entries: readonly string[], flag = '--space'): Space {
  const out = new Map<string, Dimension>();
  for (const e of entries) {
    const d = parseDimension(flag, e);
    if (out.has(d.key)) throw new UsageError(`${flag} gives '${d.key}' twice; give each key once`);
    out.set(d.key, d);
  }
  return [...out.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The space against a strategy's schema and fixed parameters: every key a parameter of the right type, given once. */
export function checkSpace(space: Space, strategy: string, schema: ParamSchema, base: Readonly<Record<string, string>>, gridKeys: readonly string[]): void {
  for (const d of space) {
    const spec = schema[d.key];
    if (!spec) {
      const known = Object.keys(schema);
      const near = didYouMean(d.key, known);
      throw new UsageError(`--space ${d.key}: strategy '${strategy}' has no parameter '${d.key}'${near ? ` (did you mean '${near}'?)` : ''}; its parameters: ${known.join(', ')}`);
    }
    if (d.key in base) throw new UsageError(`parameter '${d.key}' is given both in --param and in --space; keep one`);
    if (gridKeys.includes(d.key)) throw new UsageError(`parameter '${d.key}' is given both in --grid and in --space; keep one (a search replaces the grid)`);
    const want = d.kind === 'choice' ? spec.type === 'string' || spec.type === 'boolean' || spec.type === 'integer' || spec.type === 'number' : spec.type === 'number' || (spec.type === 'integer' && d.kind === 'int');
    if (!want) throw new UsageError(`--space ${d.key}=${d.kind}:…: '${d.key}' of strategy '${strategy}' is ${spec.type === 'integer' ? 'an integer: use int:low..high' : `a ${spec.type}: use choice:a,b`}`);
    if (d.kind !== 'choice') {
      if (spec.min !== undefined && d.low < spec.min) throw new UsageError(`--space ${d.key}: low ${d.low} is below the parameter's minimum ${spec.min}`);
      if (spec.max !== undefined && d.high > spec.max) throw new UsageError(`--space ${d.key}: high ${d.high} is above the parameter's maximum ${spec.max}`);
    }
  }
}

/** The coordinate range [lo, hi] of a numeric dimension (an integer's widened by half a step each side, as a continuous draw is rounded). */
export function coordRange(d: Dimension & { kind: 'int' | 'float' }): readonly [number, number] {
  const lo = d.kind === 'int' ? d.low - 0.5 : d.low;
  const hi = d.kind === 'int' ? d.high + 0.5 : d.high;
  // a log integer range (low >= 1): its rounded values are those of [low - 0.5, high + 0.5]
  return d.log ? [Math.log(lo), Math.log(hi)] : [lo, hi];
}

/** A coordinate as the parameter's value: rounded (int, inside its range) or 6 significant digits (float). */
export function coordValue(d: Dimension, x: number): string {
  if (d.kind === 'choice') return d.choices[Math.min(d.choices.length - 1, Math.max(0, Math.floor(x)))]!;
  const v = d.log ? Math.exp(x) : x;
  if (d.kind === 'int') return String(Math.min(d.high, Math.max(d.low, Math.round(v))));
  return String(Math.min(d.high, Math.max(d.low, Number(v.toPrecision(6)))));
}

/** The coordinate of a parameter's value (a point's own, after rounding: what the sampler learns from). */
export function valueCoord(d: Dimension, v: string): number {
  if (d.kind === 'choice') return d.choices.indexOf(v);
  return d.log ? Math.log(Number(v)) : Number(v);
}

/** A point as parameter strings, keyed by dimension. */
export function pointValues(space: Space, p: Point): Record<string, string> {
  const out: Record<string, string> = {};
  space.forEach((d, i) => (out[d.key] = coordValue(d, p[i]!)));
  return out;
}

/** The point a sampler learns from: each coordinate that of the value it gave (rounded). */
export function snap(space: Space, p: Point): number[] {
  return space.map((d, i) => valueCoord(d, coordValue(d, p[i]!)));
}

/** The size of the space when every dimension is discrete (choices, integers), else Infinity. */
export function spaceSize(space: Space): number {
  return space.reduce((n, d) => n * (d.kind === 'choice' ? d.choices.length : d.kind === 'int' ? d.high - d.low + 1 : Infinity), 1);
}
