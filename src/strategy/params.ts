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
    const key = p.slice(0, eq).trim();
    const value = p.slice(eq + 1).trim();
    // a key given twice with two values is refused, as --grid and --columns refuse theirs: the first was never silently dropped
    if (Object.hasOwn(out, key) && out[key] !== value) throw new UsageError(`--param gives '${key}' twice (${key}=${out[key]}, then ${key}=${value}); give it once`);
    out[key] = value;
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

const TYPES = ['number', 'integer', 'boolean', 'string'] as const;
/** Other languages' names of the types, for the error's "did you mean". */
const TYPE_ALIASES: Readonly<Record<string, string>> = { int: 'integer', float: 'number', double: 'number', bool: 'boolean', str: 'string' };

/**
 * A module's parameter schema, checked before it is used: a user's module file is plain
 * JavaScript at run time, and a spec the code below does not know (`type: 'int'`, a default of
 * the wrong kind or out of its own range) would otherwise give the strategy or factor `undefined`
 * or a value its own rules refuse, and a report of a run nobody asked for.
 */
function checkSchema(owner: string, schema: ParamSchema): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
    throw new UsageError(`${owner}: its params must be an object of parameter specs (e.g. params: { lookback: { type: 'integer', default: 20, min: 1, doc: 'bars back' } }), not ${Array.isArray(schema) ? 'an array' : String(schema)}`);
  for (const [key, spec] of Object.entries(schema)) {
    const bad = (what: string): UsageError => new UsageError(`${owner}: the spec of parameter '${key}' ${what} (a spec: { type: 'number' | 'integer' | 'boolean' | 'string', default, doc, min?, max?, choices?, format?: 'duration' })`);
    if (typeof spec !== 'object' || spec === null) throw bad(`is ${String(spec)}, not an object`);
    const type = (spec as { type?: unknown }).type;
    if (!TYPES.includes(type as (typeof TYPES)[number])) {
      const near = typeof type === 'string' ? (TYPE_ALIASES[type.toLowerCase()] ?? didYouMean(type, TYPES)) : undefined;
      throw bad(`has type ${JSON.stringify(type)}: the type must be one of ${TYPES.join(', ')}${near ? ` (did you mean '${near}'?)` : ''}`);
    }
    const d = spec.default;
    if (spec.type === 'number' || spec.type === 'integer') {
      if (typeof d !== 'number' || !Number.isFinite(d)) throw bad(`has default ${JSON.stringify(d)}: a ${spec.type} parameter's default must be a finite number`);
      if (spec.type === 'integer' && !Number.isInteger(d)) throw bad(`has default ${d}: an integer parameter's default must be a whole number`);
      for (const bound of ['min', 'max'] as const) if (spec[bound] !== undefined && (typeof spec[bound] !== 'number' || Number.isNaN(spec[bound]))) throw bad(`has ${bound} ${JSON.stringify(spec[bound])}: it must be a number`);
      if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) throw bad(`has min ${spec.min} above max ${spec.max}`);
      if ((spec.min !== undefined && d < spec.min) || (spec.max !== undefined && d > spec.max)) throw bad(`has default ${d} outside its own range ${spec.min ?? '-inf'}..${spec.max ?? 'inf'}`);
    } else if (spec.type === 'boolean') {
      if (typeof d !== 'boolean') throw bad(`has default ${JSON.stringify(d)}: a boolean parameter's default must be true or false`);
    } else {
      if (typeof d !== 'string') throw bad(`has default ${JSON.stringify(d)}: a string parameter's default must be a string`);
      if (spec.choices !== undefined && (!Array.isArray(spec.choices) || !spec.choices.includes(d))) throw bad(`has default ${JSON.stringify(d)}, not one of its choices ${JSON.stringify(spec.choices)}`);
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
  checkSchema(owner, schema);
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
