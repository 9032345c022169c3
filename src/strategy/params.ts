/**
 * Strategy parameters: validated against the module's schema, defaults filled in, unknown keys
 * answered with "did you mean".
 */
import { didYouMean, UsageError } from '../errors.js';
import { DURATION_UNITS_HELP, parseDuration } from '../data/time.js';
import type { ParamSchema, Params, ParamValue } from './types.js';

/** Parses `key=value` pairs (`--param`). */
export function parseParamPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param '${p}' must be key=value, e.g. --param lookback=20`);
    out[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
  }
  return out;
}

/** A duration parameter's value in µs: `0` (no unit needed) or a duration such as `50ms`; NaN otherwise. */
export function durationUs(raw: string): number {
  return raw.trim() === '0' ? 0 : parseDuration(raw);
}

/** true/false, yes/no, on/off, 1/0, in any case; undefined for anything else. */
export function parseBoolean(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (v === 'true' || v === 'yes' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === 'off' || v === '0') return false;
  return undefined;
}

function convert(owner: string, key: string, raw: string | ParamValue, schema: ParamSchema, durations?: Record<string, number>): ParamValue {
  const spec = schema[key]!;
  const bad = (what: string): UsageError => new UsageError(`${owner}: parameter ${key}=${String(raw)} is not ${what} (${spec.doc}; default ${String(spec.default)})`);
  switch (spec.type) {
    case 'number':
    case 'integer': {
      const x = typeof raw === 'number' ? raw : Number(raw);
      if (typeof raw === 'string' && raw.trim() === '') throw bad('a number');
      if (!Number.isFinite(x)) throw bad('a number');
      if (spec.type === 'integer' && !Number.isInteger(x)) throw bad('an integer');
      if (spec.min !== undefined && x < spec.min) throw bad(`>= ${spec.min}`);
      if (spec.max !== undefined && x > spec.max) throw bad(`<= ${spec.max}`);
      return x;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const b = parseBoolean(String(raw));
      if (b === undefined) throw bad('true or false (also yes/no, on/off, 1/0, in any case)');
      return b;
    }
    case 'string': {
      const s = String(raw);
      if (spec.choices && !spec.choices.includes(s)) throw bad(`one of ${spec.choices.join(', ')}`);
      if (spec.format === 'duration' && !(s.trim() === '' && spec.default === '')) {
        // the one parse of a duration: its µs go to `durations` when asked for
        const us = durationUs(s);
        if (!(us > 0 || (spec.min === 0 && us === 0))) throw bad(`a duration (e.g. ${spec.min === 0 ? '0, 50ms, ' : ''}1m, 1h, 5d${spec.default === '' ? "; or '' for none" : ''}; ${DURATION_UNITS_HELP})`);
        if (durations) durations[key] = us;
      }
      return s;
    }
  }
}

/**
 * Defaults overlaid with the given values, each converted and checked. `owner` names whose
 * parameters they are in messages (default: the strategy `strategy`). With `durations`, every
 * duration parameter's value in µs is put there, from the one parse that checks it (an execution
 * model's durations go to the venue as numbers: broker/settings.ts).
 */
export function resolveParams(strategy: string, schema: ParamSchema, given: Readonly<Record<string, string | ParamValue>>, owner = `strategy '${strategy}'`, durations?: Record<string, number>): Params {
  const out: Record<string, ParamValue> = {};
  for (const key of Object.keys(given)) {
    if (!(key in schema)) {
      const known = Object.keys(schema);
      const near = didYouMean(key, known);
      throw new UsageError(`${owner} has no parameter '${key}'${near ? `; did you mean '${near}'?` : ''}` + (known.length ? ` (parameters: ${known.join(', ')})` : ' (it takes no parameters)'));
    }
  }
  for (const key of Object.keys(schema).sort()) {
    const spec = schema[key]!;
    // a default duration is checked by its schema's tests; its µs are wanted here only
    out[key] = key in given ? convert(owner, key, given[key]!, schema, durations) : spec.default;
    if (durations && !(key in given) && spec.format === 'duration' && spec.default !== '') durations[key] = durationUs(String(spec.default));
  }
  return out;
}

/** One line per parameter, for --help and error messages. */
export function describeParams(schema: ParamSchema): string {
  return Object.entries(schema)
    .map(([k, s]) => `  ${k} (${s.type}, default ${JSON.stringify(s.default)}): ${s.doc}`)
    .join('\n');
}
