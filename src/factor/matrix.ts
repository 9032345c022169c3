/**
 * A factor's values over the panel, as one matrix (rows = the calendar of the closes, columns =
 * symbols, row-major as BarMatrix), computed session by session by the factor module: on the main
 * thread for a built-in, on a sandboxed worker thread for a user's module (factor/module-task.ts),
 * whose matrix comes back whole and is checked here before the report reads it.
 *
 * The rule a matrix must keep: rows × symbols values, each finite or NaN (NaN: no value for that
 * symbol on that session). Rows outside the scored window are NaN (never computed).
 */
import { UsageError } from '../errors.js';
import type { BarMatrix } from '../panel/bar-matrix.js';
import type { Params } from '../strategy/types.js';
import type { FactorModule } from './factors.js';

/** A factor's values and what the report calls them. */
export interface FactorValues {
  /** The label with its parameters (momentum_20). */
  readonly label: string;
  /** The module's name. */
  readonly name: string;
  readonly params: Params;
  /** rows × cols of the closes, row-major; NaN where there is no value. */
  readonly values: Float64Array;
}

/** A factor module broke the rule of its output: the module's fault, said as the rule and the fix (exit 2). */
export class FactorOutputError extends UsageError {}

/** compute() threw at session `t` (its cause is the module's error, which its caller words: factor/module-task.ts). */
export class FactorThrew extends Error {
  constructor(
    readonly thrown: unknown,
    readonly session: string,
  ) {
    super(thrown instanceof Error ? thrown.message : String(thrown));
  }
}

const RULE = 'compute(close, t, params, out) writes one number per symbol into out (NaN where it has none) and returns nothing, or returns an array of close.cols numbers; each value finite or NaN';

/**
 * Rows `firstRow`..`lastRow` of the factor, by `compute`, the rest NaN. `who` names the module in
 * errors (a built-in's name, a file's path). A row returned or written against the rule is
 * refused with the session and the symbol.
 */
export function factorMatrix(close: BarMatrix, mod: FactorModule, params: Params, firstRow: number, lastRow: number, who: string): Float64Array {
  const N = close.cols;
  const out = new Float64Array(close.rows * N).fill(NaN);
  const row = new Float64Array(N);
  // the closes known so far: rows 0..t copied in as t advances, the rest NaN (one copy in all)
  const known = new Float64Array(close.rows * N).fill(NaN);
  let copied = 0;
  for (let t = firstRow; t <= lastRow; t++) {
    row.fill(NaN);
    known.set(close.values.subarray(copied * N, (t + 1) * N), copied * N);
    copied = t + 1;
    let r: unknown;
    try {
      r = mod.compute(pastOf(close, known, t), t, params, row);
    } catch (e) {
      throw new FactorThrew(e, `session ${t} (${day(close, t)})`);
    }
    if (r !== undefined) {
      if (!isArrayLike(r)) throw new FactorOutputError(`factor ${who}: compute() at session ${t} (${day(close, t)}) returned ${describe(r)}; ${RULE}`);
      if (r.length !== N) throw new FactorOutputError(`factor ${who}: compute() at session ${t} (${day(close, t)}) returned ${r.length} values for ${N} symbols; ${RULE}`);
      for (let s = 0; s < N; s++) {
        const v = r[s];
        if (typeof v !== 'number') throw new FactorOutputError(`factor ${who}: compute() at session ${t} (${day(close, t)}) returned ${describe(v)} for ${close.symbols[s]}; ${RULE}`);
        row[s] = v;
      }
    }
    for (let s = 0; s < N; s++) {
      const v = row[s]!;
      if (v === Infinity || v === -Infinity) throw new FactorOutputError(`factor ${who}: compute() at session ${t} (${day(close, t)}) gave ${v} for ${close.symbols[s]}; ${RULE} (a division by a zero price does this)`);
    }
    out.set(row, t * N);
  }
  return out;
}

/**
 * The panel as it stood at session `t` (point in time): rows 0..t of the closes, a view of
 * `known`, which holds the closes up to t and NaN after (so not even the view's buffer holds the
 * future). A factor that reads a later session (values[(t + 1) * cols + s]) reads past the view's
 * end and gets undefined, a NaN in arithmetic, never the future's close: a factor report scores
 * what could have been known at t, as a strategy's context gives only the past. The built-ins
 * read rows t and t - L only, so their values are the same either way.
 */
function pastOf(close: BarMatrix, known: Float64Array, t: number): BarMatrix {
  const rows = t + 1;
  return { calendar: close.calendar.subarray(0, rows), symbols: close.symbols, rows, cols: close.cols, values: known.subarray(0, rows * close.cols) };
}

/**
 * A matrix as it came back from a worker thread, checked against the closes it was computed on:
 * rows × symbols of numbers, finite or NaN. The worker's own code checks each row already; this is
 * the main thread's check of what crossed the thread boundary.
 */
export function checkFactorMatrix(values: unknown, close: BarMatrix, who: string): Float64Array {
  if (!(values instanceof Float64Array)) throw new FactorOutputError(`factor ${who}: gave ${describe(values)} where a matrix of ${close.rows} × ${close.cols} numbers was due; ${RULE}`);
  if (values.length !== close.rows * close.cols) throw new FactorOutputError(`factor ${who}: gave ${values.length} values where ${close.rows} sessions × ${close.cols} symbols = ${close.rows * close.cols} were due; ${RULE}`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === Infinity || v === -Infinity) {
      const t = Math.floor(i / close.cols);
      throw new FactorOutputError(`factor ${who}: gave ${v} at session ${t} (${day(close, t)}) for ${close.symbols[i % close.cols]}; ${RULE}`);
    }
  }
  return values;
}

const isArrayLike = (x: unknown): x is ArrayLike<unknown> => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
const day = (close: BarMatrix, t: number): string => new Date(Math.floor(close.calendar[t]! / 1000)).toISOString().slice(0, 10);

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}...` : x)}`;
  if (typeof x === 'object') return Array.isArray(x) ? 'an array' : `an object (${Object.prototype.toString.call(x).slice(8, -1)})`;
  return `${typeof x === 'undefined' ? 'undefined' : `a ${typeof x}`}${typeof x === 'boolean' || typeof x === 'bigint' ? ` (${String(x)})` : ''}`;
}
