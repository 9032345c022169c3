/**
 * Factor modules: a factor is a function of the panel that gives, for a session t, one value per
 * symbol (NaN where it has none). Built-ins follow the factor report oracle's definitions
 * (../shared/oracles/factor_report_sp500.json, conventions.factors), in IEEE doubles computed in
 * that order:
 *   momentum_L(t, s) = C(t, s) / C(t-L, s) - 1
 *   reversal_L(t, s) = -(C(t, s) / C(t-L, s) - 1)
 * NaN if either close is missing or t-L < 0 ("t-L" is L sessions of the calendar earlier, whether
 * or not the symbol has a row there).
 */
import type { ParamSchema, Params, ParamsOf } from '../strategy/types.js';
import type { BarMatrix } from '../panel/bar-matrix.js';

/**
 * A factor module: the built-ins below, and a user's module file (`tickfold factor --factor
 * ./my-factor.ts`, whose default export has this shape; factor/module.ts checks it, README
 * "tickfold factor" documents it, and `import type { FactorModule } from 'tickfold'` types it).
 */
export interface FactorModule {
  readonly name: string;
  readonly description: string;
  /** Parameters (`--param key=value`), checked against this schema as a strategy's are. */
  readonly params: ParamSchema;
  /** The label of the factor with these parameters in a report (e.g. momentum_20). */
  label(params: Params): string;
  /**
   * The factor of session `t` (row t of `close`; rows before it are the past, rows after it the
   * future, which a factor must not read): writes one value per symbol (close.symbols' order) into
   * `out`, NaN where it has none, and returns nothing; or returns them as an array of close.cols
   * numbers. Values must be finite or NaN. Called once per scored session, in order.
   */
  compute(close: BarMatrix, t: number, params: Params, out: Float64Array): void | ArrayLike<number>;
}

/**
 * A factor module with its parameters typed from its schema, for a module file's default export:
 * with `params: { lookback: { type: 'integer', ... } }`, `compute` and `label` see `p.lookback` as
 * a number, without casts. Returns the module as it is.
 */
export function defineFactor<const S extends ParamSchema>(m: {
  readonly name: string;
  readonly description: string;
  readonly params: S;
  label(params: ParamsOf<S>): string;
  compute(close: BarMatrix, t: number, params: ParamsOf<S>, out: Float64Array): void | ArrayLike<number>;
}): FactorModule {
  return m as unknown as FactorModule;
}

const LOOKBACK = { lookback: { type: 'integer', default: 20, min: 1, max: 10_000, doc: 'sessions back: the return from C(t-lookback) to C(t)' } } as const satisfies ParamSchema;

function pastReturn(close: BarMatrix, t: number, lookback: number, sign: 1 | -1, out: Float64Array): void {
  const n = close.cols;
  if (t - lookback < 0) {
    out.fill(NaN);
    return;
  }
  const v = close.values;
  const now = t * n;
  const then = (t - lookback) * n;
  for (let s = 0; s < n; s++) {
    const r = v[now + s]! / v[then + s]! - 1.0;
    out[s] = sign === 1 ? r : -r; // NaN when either close is missing
  }
}

export const momentum: FactorModule = {
  name: 'momentum',
  description: 'past return over `lookback` sessions: C(t)/C(t-lookback) - 1',
  params: LOOKBACK,
  label: (p) => `momentum_${p.lookback}`,
  compute: (close, t, p, out) => pastReturn(close, t, p.lookback as number, 1, out),
};

export const reversal: FactorModule = {
  name: 'reversal',
  description: 'minus the past return over `lookback` sessions: -(C(t)/C(t-lookback) - 1)',
  params: { lookback: { ...LOOKBACK.lookback, default: 5 } },
  label: (p) => `reversal_${p.lookback}`,
  compute: (close, t, p, out) => pastReturn(close, t, p.lookback as number, -1, out),
};

export const BUILTIN_FACTORS: Readonly<Record<string, FactorModule>> = { momentum, reversal };
