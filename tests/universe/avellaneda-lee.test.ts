/**
 * The Avellaneda-Lee state and rule against ../shared/oracles/avellaneda_lee_sp500.json: 80
 * S&P 500 names at 2017-06-30 (eigenvalues, sign-fixed eigenvectors, eigenportfolio returns,
 * betas, a, b, kappa, m, sigma_eq, s and the centred s), one step of the rule, and 10 rolling
 * dates from flat (s, kappa, valid, eligible and positions with s and with the centred s).
 */
import { beforeAll, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { barMatrix, type BarMatrix } from '../../src/panel/bar-matrix.js';
import { alState, alStep, AL_DEFAULTS, type AlState } from '../../src/universe/avellaneda-lee.js';
import { isoSecond } from '../../src/factor/report.js';
import { describeShared, shared } from '../helpers.js';
import { oracle } from '../oracles.js';

const O = oracle('avellaneda_lee_sp500.json');
const V = O.values;
const SYMS: string[] = O.inputs.symbols;
const W: number = O.inputs.pca_window_returns;

/** Log returns of the oracle's symbols, the W rows ending at calendar row t. */
function returnsAt(close: BarMatrix, cols: number[], t: number): Float64Array {
  const N = cols.length;
  const r = new Float64Array(W * N);
  for (let k = 0; k < W; k++) {
    const row = t - W + 1 + k;
    for (let i = 0; i < N; i++) r[k * N + i] = Math.log(close.values[row * close.cols + cols[i]!]! / close.values[(row - 1) * close.cols + cols[i]!]!);
  }
  return r;
}

const absClose = (got: number, want: number, tol: number, what: string): void => {
  if (!(Math.abs(got - want) <= tol)) expect.fail(`${what}: ${got} vs oracle ${want}`);
};
const relClose = (got: number, want: number, tol: number, what: string): void => {
  if (!(Math.abs(got - want) <= tol * Math.abs(want))) expect.fail(`${what}: ${got} vs oracle ${want}`);
};

describeShared('Avellaneda-Lee vs the oracle (80 S&P 500 names)', () => {
  let close: BarMatrix;
  let cols: number[];
  let st: AlState;
  const opts = { ...AL_DEFAULTS, pcaWindow: W, regressionWindow: O.inputs.regression_window_returns, factors: O.inputs.m_factors };
  beforeAll(async () => {
    const { table } = await loadData([shared('sp500_daily_2013_2018.csv')], { cache: false });
    close = barMatrix(table, 'close');
    cols = SYMS.map((s) => close.symbols.indexOf(s));
    expect(cols).not.toContain(-1);
    const t = O.inputs.T_calendar_index as number;
    expect(isoSecond(close.calendar[t]!)).toBe(O.inputs.T);
    st = alState(returnsAt(close, cols, t), W, SYMS.length, opts);
  });

  it('eigenvalues (1e-9 relative) and explained variance', () => {
    (V.eigenvalues_top as number[]).forEach((w, j) => relClose(st.eigenvalues[j]!, w, 1e-9, `eigenvalue ${j}`));
    const sum = st.eigenvalues.reduce((x, y) => x + y, 0);
    relClose(sum, V.eigenvalue_sum_all, 1e-9, 'sum');
    (V.explained_variance_ratio_top_m as number[]).forEach((w, j) => relClose(st.eigenvalues[j]! / sum, w, 1e-9, `ratio ${j}`));
  });

  it('sign-fixed eigenvectors and eigenportfolio returns (1e-8 absolute)', () => {
    const m = st.m;
    (V.eigenvectors as number[][]).forEach((row, i) => row.forEach((w, j) => absClose(st.eigenvectors[i * m + j]!, w, 1e-8, `v[${SYMS[i]}][${j}]`)));
    (V.eigenportfolio_returns_regression_window as number[][]).forEach((row, k) => row.forEach((w, j) => absClose(st.factorReturns[k * m + j]!, w, 1e-8, `F[${k}][${j}]`)));
  });

  it('per stock: betas (1e-8 abs), a, b, kappa, m, sigma_eq (1e-8 rel), s and centred s (1e-8 abs)', () => {
    const m = st.m;
    relClose(st.mBar, V.cross_sectional_mean_of_m_over_valid, 1e-8, 'mbar');
    (V.per_stock as Record<string, unknown>[]).forEach((p, i) => {
      const sym = p.symbol as string;
      expect(sym).toBe(SYMS[i]);
      relClose(st.sigma[i]!, p.sigma_pca_window_ddof1 as number, 1e-9, `${sym} sigma`);
      absClose(st.beta0[i]!, p.intercept_beta0 as number, 1e-8, `${sym} beta0`);
      (p.betas as number[]).forEach((w, j) => absClose(st.betas[i * m + j]!, w, 1e-8, `${sym} beta ${j}`));
      relClose(st.a[i]!, p.a as number, 1e-8, `${sym} a`);
      relClose(st.b[i]!, p.b as number, 1e-8, `${sym} b`);
      relClose(st.varZeta[i]!, p.var_zeta as number, 1e-8, `${sym} var_zeta`);
      expect(st.valid[i] === 1, sym).toBe(p.valid_0_lt_b_lt_1);
      expect(st.eligible[i] === 1, sym).toBe(p.eligible_kappa_filter);
      if (st.valid[i] === 1) {
        relClose(st.kappa[i]!, p.kappa as number, 1e-8, `${sym} kappa`);
        relClose(st.mu[i]!, p.m as number, 1e-8, `${sym} m`);
        relClose(st.sigmaEq[i]!, p.sigma_eq as number, 1e-8, `${sym} sigma_eq`);
        absClose(st.s[i]!, p.s as number, 1e-8, `${sym} s`);
        absClose(st.sCentred[i]!, p.s_centred as number, 1e-8, `${sym} s_centred`);
      }
    });
  });

  it('rolling: 10 dates re-estimated, positions from flat with s and with the centred s (exact)', () => {
    const steps = V.rolling.steps as Record<string, unknown>[];
    let posS = new Array<number>(SYMS.length).fill(0);
    let posC = new Array<number>(SYMS.length).fill(0);
    for (const step of steps) {
      const t = Array.from(close.calendar).findIndex((c) => isoSecond(c) === step.date);
      const r = alState(returnsAt(close, cols, t), W, SYMS.length, opts);
      (step.s as (number | null)[]).forEach((w, i) => (w === null ? expect(r.valid[i]).toBe(0) : absClose(r.s[i]!, w, 1e-8, `${step.date as string} s ${SYMS[i]}`)));
      (step.s_centred as (number | null)[]).forEach((w, i) => w !== null && absClose(r.sCentred[i]!, w, 1e-8, `s_centred ${SYMS[i]}`));
      (step.kappa as (number | null)[]).forEach((w, i) => w !== null && relClose(r.kappa[i]!, w, 1e-8, `kappa ${SYMS[i]}`));
      expect(Array.from(r.valid, (x) => x === 1)).toEqual(step.valid);
      expect(Array.from(r.eligible, (x) => x === 1)).toEqual(step.eligible);
      posS = posS.map((p, i) => alStep(p, r.s[i]!, r.valid[i] === 1, r.eligible[i] === 1));
      posC = posC.map((p, i) => alStep(p, r.sCentred[i]!, r.valid[i] === 1, r.eligible[i] === 1));
      expect(posS, `${step.date as string} positions (s)`).toEqual(step.positions_s);
      expect(posC, `${step.date as string} positions (centred s)`).toEqual(step.positions_s_centred);
    }
    const one = V.trading_rule_one_step;
    expect(posS).toEqual(one.positions_after_s);
    expect(posC).toEqual(one.positions_after_s_centred);
  });
});
