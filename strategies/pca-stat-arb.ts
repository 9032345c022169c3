/**
 * pca-stat-arb: Avellaneda & Lee (2010), "Statistical arbitrage in the US equities market",
 * across a universe, with the paper's defaults.
 *
 * Once a session (onBars: every bar of the session is in), over the names that are members and
 * have a close on each of the last window + 1 sessions (ctx.panel):
 *   log returns → PCA of their correlation over `pcaWindow` sessions → `factors` eigenportfolios
 *   (or as many as explain `varianceShare` of the variance) → each name regressed on them over
 *   `regressionWindow` → OU fit of the cumulated residual → s-score (centred with `centred`)
 *   (src/universe/avellaneda-lee.ts). The rule: open long when s < −`openLong`, short when
 *   s > `openShort` (only when κ > 252 / `maxReversionDays`), close a long when s > −`closeLong`,
 *   a short when s < `closeShort`; a name whose fit is not valid (b outside (0, 1)) keeps its state.
 * Sizing and neutrality (the paper's): each open name holds `perName` × equity in the stock on its
 * side and the opposite of its factor exposure, Σ_j β_ij Q_kj dollars in each stock k per dollar of
 * name i (Q_kj = v_kj / σ_k, the eigenportfolios); the targets of all names are netted per stock
 * and traded with market orders (filled at the next bar: bid/ask where the venue has quotes, its
 * slippage and fee models, and borrow on the shorts at the financing model's rate).
 * A name that leaves the universe is closed by the engine (at its delisting return, if any).
 */
import { defineStrategy, type Context, type Strategy } from '../src/strategy/types.js';
import { symbolNotInData } from '../src/strategy/param-error.js';
import { alState, alStep, type AlOptions, type AlRule } from '../src/universe/avellaneda-lee.js';
import { correlationPca } from '../src/stats/pca.js';

export interface PcaStatArbDiagnostics {
  readonly decisions: number;
  /** Sessions on which a fit was made, and the names it covered (first and last). */
  readonly namesFitted: { readonly first: number; readonly last: number };
  readonly factorsUsed: { readonly first: number; readonly last: number };
  readonly opened: number;
  readonly closed: number;
  /** Per session with `trace`: the date, and per name its s-score (the one traded), β and state. */
  readonly trace?: readonly TraceStep[];
}

export interface TraceStep {
  readonly session: number;
  readonly names: readonly string[];
  readonly s: readonly (number | null)[];
  readonly kappa: readonly (number | null)[];
  readonly betas: readonly (readonly number[])[];
  readonly states: readonly number[];
}

export default defineStrategy({
  name: 'pca-stat-arb',
  description: "Avellaneda-Lee statistical arbitrage: trades each name's s-score of its PCA-factor residual (OU fit), market neutral through the eigenportfolios.",
  params: {
    symbols: { type: 'string', default: '', doc: "names to trade, comma-separated; '' = every member of the universe" },
    pcaWindow: { type: 'integer', default: 60, min: 10, max: 2000, doc: 'sessions of returns the correlation matrix is estimated on' },
    regressionWindow: { type: 'integer', default: 60, min: 10, max: 2000, doc: 'sessions of returns each name is regressed on the factors over (and the OU fit)' },
    factors: { type: 'integer', default: 15, min: 1, max: 500, doc: 'eigenportfolios (the paper: 15); ignored when varianceShare > 0' },
    varianceShare: { type: 'number', default: 0, min: 0, max: 0.99, doc: "if > 0: as many factors as explain this share of the variance (the paper's alternative: 0.55)" },
    maxReversionDays: { type: 'number', default: 30, min: 1, max: 252, doc: 'open only when the mean-reversion time 252/kappa is below this many sessions (kappa > 252/30)' },
    openLong: { type: 'number', default: 1.25, min: 0, doc: 'open long when s < -openLong' },
    openShort: { type: 'number', default: 1.25, min: 0, doc: 'open short when s > openShort' },
    closeLong: { type: 'number', default: 0.5, min: 0, doc: 'close a long when s > -closeLong' },
    closeShort: { type: 'number', default: 0.75, min: 0, doc: 'close a short when s < closeShort' },
    centred: { type: 'boolean', default: true, doc: "trade the centred s-score (m minus its cross-sectional mean: the paper's adjusted score)" },
    perName: { type: 'number', default: 0.002, min: 0, max: 1, doc: 'stock leg of each open name as a fraction of equity (its hedge on top)' },
    hedge: { type: 'boolean', default: true, doc: 'hold the factor hedge (market neutral); false: the stock legs only' },
    tolerance: { type: 'number', default: 0.002, min: 0, max: 0.5, doc: "no order while a stock's position is within this share of equity of its target" },
    trace: { type: 'boolean', default: false, doc: "record per session every name's s-score, kappa, betas and state in the summary (large)" },
  },
  create(p): Strategy {
    const annual = 252;
    const rule: AlRule = { openLongBelow: -p.openLong, openShortAbove: p.openShort, closeLongAbove: -p.closeLong, closeShortBelow: p.closeShort, kappaMin: annual / p.maxReversionDays };
    const W = Math.max(p.pcaWindow, p.regressionWindow);
    let names: number[] = [];
    let state = new Int8Array(0);
    let decisions = 0;
    let opened = 0;
    let closed = 0;
    const fitted = { first: 0, last: 0 };
    const used = { first: 0, last: 0 };
    const trace: TraceStep[] = [];
    let target = new Float64Array(0);
    const exposure = new Float64Array(500);
    return {
      onStart(ctx: Context) {
        names =
          p.symbols.trim() === ''
            ? ctx.symbols.map((_, i) => i)
            : p.symbols.split(',').map((s) => {
                const i = ctx.symbols.indexOf(s.trim());
                if (i < 0) throw symbolNotInData('symbols', p.symbols, s.trim(), ctx.symbols);
                return i;
              });
        state = new Int8Array(ctx.symbols.length);
        target = new Float64Array(ctx.symbols.length);
      },
      onBars(ctx: Context, session: number) {
        const panel = ctx.panel('close', W + 1);
        if (panel.rows < W + 1) return;
        const cols = panel.cols;
        const v = panel.values;
        // the names with a close on every session of the window (and members now)
        const fit: number[] = [];
        for (const s of names) {
          let ok = ctx.member(ctx.symbols[s]!);
          for (let r = 0; ok && r <= W; r++) ok = v[r * cols + s]! > 0;
          if (ok) fit.push(s);
        }
        const N = fit.length;
        if (N < 3) return;
        const R = new Float64Array(W * N);
        for (let k = 0; k < W; k++) for (let i = 0; i < N; i++) R[k * N + i] = Math.log(v[(k + 1) * cols + fit[i]!]! / v[k * cols + fit[i]!]!);
        let m = Math.min(p.factors, N - 1, p.pcaWindow - 2);
        if (p.varianceShare > 0) {
          const vals = correlationPca(R.subarray((W - p.pcaWindow) * N), p.pcaWindow, N, 1).values;
          let acc = 0;
          m = 0;
          while (m < vals.length && acc < p.varianceShare * N) acc += vals[m++]!;
          m = Math.max(1, Math.min(m, N - 1, p.pcaWindow - 2));
        }
        const o: AlOptions = { pcaWindow: p.pcaWindow, regressionWindow: p.regressionWindow, factors: m, annualisation: annual };
        const st = alState(R, W, N, o, rule);
        decisions++;
        if (decisions === 1) {
          fitted.first = N;
          used.first = m;
        }
        fitted.last = N;
        used.last = m;
        const score = p.centred ? st.sCentred : st.s;
        for (let i = 0; i < N; i++) {
          const s = fit[i]!;
          const before = state[s]!;
          const after = alStep(before, score[i]!, st.valid[i] === 1, st.eligible[i] === 1, rule);
          if (before === 0 && after !== 0) opened++;
          if (before !== 0 && after === 0) closed++;
          state[s] = after;
        }
        if (p.trace) {
          trace.push({
            session,
            names: fit.map((s) => ctx.symbols[s]!),
            s: Array.from(score, (x) => (Number.isFinite(x) ? x : null)),
            kappa: Array.from(st.kappa, (x) => (Number.isFinite(x) ? x : null)),
            betas: fit.map((_, i) => Array.from(st.betas.subarray(i * m, (i + 1) * m))),
            states: fit.map((s) => state[s]!),
          });
        }
        if (ctx.warmingUp) return;
        // targets in units of equity: stock legs, then the netted factor hedges
        target.fill(0);
        for (const s of names) target[s] = state[s]! * p.perName;
        if (p.hedge) {
          // the book's exposure to each eigenportfolio, E_j = Σ_i side_i β_ij, then its opposite
          // in the stocks: −perName Σ_j E_j Q_kj dollars (per unit of equity) in stock k
          exposure.fill(0, 0, m);
          for (let i = 0; i < N; i++) {
            const side = state[fit[i]!]!;
            if (side !== 0) for (let j = 0; j < m; j++) exposure[j] = exposure[j]! + side * st.betas[i * m + j]!;
          }
          for (let k = 0; k < N; k++) {
            let h = 0;
            for (let j = 0; j < m; j++) h += exposure[j]! * st.eigenvectors[k * m + j]!;
            target[fit[k]!] = target[fit[k]!]! - (p.perName * h) / st.sigma[k]!;
          }
        }
        // orders for the difference, except where the book is within `tolerance` × equity of it
        const equity = ctx.equity;
        for (const s of names) {
          const sym = ctx.symbols[s]!;
          if (!ctx.member(sym)) continue;
          const px = ctx.price(sym);
          if (!(px > 0)) continue;
          const want = (target[s]! * equity) / px;
          const have = ctx.position(sym) + ctx.pending(sym);
          if (want === have || (want !== 0 && Math.abs(want - have) * px <= p.tolerance * equity)) continue;
          ctx.targetPosition(sym, want);
        }
      },
      summary(): PcaStatArbDiagnostics {
        return { decisions, namesFitted: fitted, factorsUsed: used, opened, closed, ...(p.trace ? { trace } : {}) };
      },
    };
  },
});
