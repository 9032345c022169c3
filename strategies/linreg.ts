/**
 * linreg: a linear-regression forecast of the forward return, traded only when it beats costs.
 *
 * On a decision grid (`every`, or each bar/tick of the symbol) with price p_t (the mark):
 * - features x_t: past returns p_t/p_{t−l} − 1 for each lag l in `lags`; indicators from
 *   `technicalindicators`: RSI(`rsi`) / 100 − 0.5, EMA gap p_t / EMA(`ema`) − 1, MACD histogram / p_t;
 *   and the quote imbalance (bid size − ask size)/(bid size + ask size) when the data has sizes;
 *   from each symbol X in `cross` (lead-lag features): its returns over `crossLags` steps, and
 *   with `crossQuotes` its quote imbalance and relative spread, and with `basis` the log basis
 *   ln p_t − ln X_t; X's marks are the latest at each decision step (known then, never later);
 * - target y_t = p_{t+h}/p_t − 1, the return over the next `horizon` steps, known only at t + h;
 * - fit: OLS of y on x over the last `window` samples whose targets are known (or all of them,
 *   `expanding`), refitted every `refit` steps. Only the past enters a fit: the sample from step t
 *   joins the training set at step t + h.
 * - trade: long when the forecast exceeds the round trip cost (the quoted spread, plus
 *   2 × `feeBps`) plus `threshold` bps, short when below minus that (if `allowShort`), else flat.
 * Its summary reports the last fit's coefficients and R², and the out-of-sample sign accuracy of
 * every forecast made, scored when its target became known.
 */
import { createRequire } from 'node:module';

// technicalindicators is loaded on the first linreg instance, not with the built-in strategies:
// importing it costs ~25 ms, paid by every process and worker thread that never runs linreg
type Indicators = typeof import('technicalindicators');
let indicators: Indicators | undefined;
const loadIndicators = (): Indicators => (indicators ??= createRequire(import.meta.url)('technicalindicators') as Indicators);
import { olsCoefficients, CollinearError } from '../src/stats/ols.js';
import { defineStrategy, type Context, type Diagnostics, type Strategy, type TickSubscription } from '../src/strategy/types.js';
import { symbolNotInData } from '../src/strategy/param-error.js';
import { DecisionClock, subscription } from './lib.js';
import { maxOf } from '../src/arrays.js';

export interface LinregDiagnostics {
  readonly features: readonly string[];
  readonly coefficients: readonly number[];
  readonly r2: number;
  readonly fits: number;
  readonly forecasts: number;
  /** Forecasts whose target is known, and how many had the right sign (zeros excluded). */
  readonly scored: number;
  readonly signHits: number;
  readonly oosSignAccuracy: number;
  /** (time, forecast, realised) of the scored forecasts, also charted by `diagnostics()`: fewer than 10,000 (at 10,000, every other one is dropped). */
  readonly series: { readonly ts: number[]; readonly predicted: number[]; readonly realised: number[] };
}

export default defineStrategy({
  name: 'linreg',
  description: 'OLS forecast of the forward return from lagged returns, RSI, EMA gap, MACD and quote imbalance; trades when it beats costs.',
  params: {
    symbol: { type: 'string', default: '', doc: "the symbol to trade; '' = the first in the data" },
    every: { type: 'string', format: 'duration', default: '', doc: "decision grid (e.g. 1m); '' = every event of the symbol (each bar on bar data)" },
    lags: { type: 'string', default: '1,2,5', doc: 'return lags used as features, in steps' },
    rsi: { type: 'integer', default: 14, min: 0, doc: 'RSI period (0 = no RSI feature)' },
    ema: { type: 'integer', default: 20, min: 0, doc: 'EMA period for the price gap feature (0 = none)' },
    macd: { type: 'boolean', default: true, doc: 'use the MACD(12, 26, 9) histogram' },
    imbalance: { type: 'boolean', default: true, doc: 'use the quote size imbalance when sizes exist' },
    horizon: { type: 'integer', default: 5, min: 1, doc: 'forecast horizon in steps' },
    window: { type: 'integer', default: 500, min: 20, doc: 'training samples (rolling window)' },
    expanding: { type: 'boolean', default: false, doc: 'train on all past samples instead of a rolling window' },
    refit: { type: 'integer', default: 20, min: 1, doc: 'steps between refits' },
    threshold: { type: 'number', default: 0, min: 0, doc: 'extra edge required over costs, bps' },
    feeBps: { type: 'number', default: 0, min: 0, doc: 'fee per side assumed in the cost hurdle, bps' },
    fraction: { type: 'number', default: 0.95, min: 0, max: 10, doc: 'position size as a fraction of equity' },
    allowShort: { type: 'boolean', default: true, doc: 'short on negative forecasts' },
    cross: { type: 'string', default: '', doc: "other symbols whose recent moves are features (e.g. BTCUSDT); '' = none" },
    crossLags: { type: 'string', default: '1,2,5', doc: 'with cross: return lags of each cross symbol, in steps' },
    crossQuotes: { type: 'boolean', default: false, doc: 'with cross: also its quote imbalance and relative spread (needs its quotes)' },
    basis: { type: 'boolean', default: false, doc: 'with cross: also the log basis ln p − ln p_cross' },
  },
  create(p) {
    const lags = String(p.lags)
      .split(',')
      .filter((s) => s.trim() !== '')
      .map((s) => Number(s));
    if (lags.some((l) => !Number.isInteger(l) || l < 1)) throw new Error(`lags='${String(p.lags)}' must be positive integers, e.g. 1,2,5`);
    const horizon = p.horizon;
    const window = p.window;
    const maxLag = maxOf(
      [
        ...lags,
        ...(String(p.cross).trim() !== ''
          ? String(p.crossLags)
              .split(',')
              .filter((x) => x.trim() !== '')
              .map(Number)
          : []),
      ],
      1,
    );
    const rsiP = p.rsi;
    const emaP = p.ema;
    const useMacd = p.macd;
    let useImb = false;
    const cross = String(p.cross)
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
    const crossLags = String(p.crossLags)
      .split(',')
      .filter((x) => x.trim() !== '')
      .map((x) => Number(x));
    if (crossLags.some((l) => !Number.isInteger(l) || l < 1)) throw new Error(`crossLags='${String(p.crossLags)}' must be positive integers, e.g. 1,2,5`);
    const crossQuotes = p.crossQuotes;
    const useBasis = p.basis;
    if (cross.length === 0 && (crossQuotes || useBasis || String(p.crossLags) !== '1,2,5')) throw new Error(`${crossQuotes ? 'crossQuotes' : useBasis ? 'basis' : 'crossLags'} applies with cross=SYMBOL (cross is empty)`);
    if (new Set(cross).size !== cross.length) throw new Error(`cross='${String(p.cross)}' names a symbol twice`);
    // marks of the cross symbols at each decision step, parallel to prices
    const crossPrices: number[][] = cross.map(() => []);
    let crossQuoted: boolean[] = [];
    const { EMA, MACD, RSI } = loadIndicators();
    const rsi = rsiP > 0 ? new RSI({ period: rsiP, values: [] }) : undefined;
    const ema = emaP > 0 ? new EMA({ period: emaP, values: [] }) : undefined;
    const macd = useMacd ? new MACD({ fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, values: [], SimpleMAOscillator: false, SimpleMASignal: false }) : undefined;

    let sym = -1;
    let symbol = '';
    let clock: DecisionClock;
    let names: string[] = [];
    let nf = 0;
    // history of prices and of feature rows per step (kept for `window + horizon` steps); the
    // features by column (hist[j][step − first]), so that a refit copies runs of rows with one
    // TypedArray#set per column instead of element by element; valid[·] = 0 where a step had none
    const prices: number[] = [];
    let hist: Float64Array[] = [];
    let valid = new Uint8Array(1024);
    const forecasts: number[] = [];
    let coef: Float64Array | undefined;
    let r2 = NaN;
    let fits = 0;
    let nForecasts = 0;
    let scored = 0;
    let hits = 0;
    let stepsSinceFit = Infinity;
    const sTs: number[] = [];
    const sPred: number[] = [];
    const sReal: number[] = [];
    let stride = 1;
    let first = 0; // index of prices[0] in steps (old entries are dropped)

    const features = (ctx: Context, t: number, price: number): Float64Array | undefined => {
      const x = new Float64Array(nf);
      let k = 0;
      for (const l of lags) {
        const past = prices[t - l - first];
        x[k++] = past !== undefined ? price / past - 1 : NaN;
      }
      if (rsi) {
        const v = rsi.nextValue(price);
        x[k++] = v === undefined ? NaN : v / 100 - 0.5;
      }
      if (ema) {
        const v = ema.nextValue(price);
        x[k++] = v === undefined ? NaN : price / v - 1;
      }
      if (macd) {
        const v = macd.nextValue(price);
        x[k++] = v?.histogram === undefined ? NaN : v.histogram / price;
      }
      if (useImb) {
        const q = ctx.quote(symbol);
        x[k++] = q && q.bidSize + q.askSize > 0 ? (q.bidSize - q.askSize) / (q.bidSize + q.askSize) : NaN;
      }
      for (let c = 0; c < cross.length; c++) {
        const cp = crossPrices[c]!;
        const now = cp[t - first]!;
        for (const l of crossLags) {
          const past = cp[t - l - first];
          x[k++] = past !== undefined && past > 0 ? now / past - 1 : NaN;
        }
        if (crossQuotes) {
          const q = ctx.quote(cross[c]!);
          if (q) crossQuoted[c] = true;
          x[k++] = q && q.bidSize + q.askSize > 0 ? (q.bidSize - q.askSize) / (q.bidSize + q.askSize) : NaN;
          x[k++] = q && q.ask + q.bid > 0 ? (q.ask - q.bid) / ((q.ask + q.bid) / 2) : NaN;
        }
        if (useBasis) x[k++] = now > 0 ? Math.log(price) - Math.log(now) : NaN;
      }
      for (let j = 0; j < nf; j++) if (!Number.isFinite(x[j]!)) return undefined;
      return x;
    };

    // the design matrix of a refit, in scratch columns reused from fit to fit (the intercept's
    // ones first); olsCoefficients factorises them in place
    let design: Float64Array[] = [];
    let ys = new Float64Array(0);
    const fit = (t: number): void => {
      // samples s with known targets: s + horizon <= t
      const from = p.expanding ? first : Math.max(first, t - horizon - window + 1);
      const most = Math.max(0, t - horizon - from + 1);
      if (ys.length < most) {
        const cap = Math.max(most, 2 * ys.length);
        ys = new Float64Array(cap);
        design = Array.from({ length: nf + 1 }, () => new Float64Array(cap));
      }
      let m = 0;
      const last = t - horizon;
      for (let s = from; s <= last;) {
        if (valid[s - first] === 0) {
          s++;
          continue;
        }
        let e = s; // a run of steps with features: s..e
        while (e < last && valid[e + 1 - first] === 1) e++;
        const a = s - first;
        const b = e - first + 1;
        for (let j = 0; j < nf; j++) design[j + 1]!.set(hist[j]!.subarray(a, b), m);
        for (let q = a; q < b; q++) ys[m + q - a] = prices[q + horizon]! / prices[q]! - 1;
        m += b - a;
        s = e + 1;
      }
      if (m < Math.max(20, 3 * (nf + 1))) return;
      design[0]!.fill(1, 0, m);
      try {
        const f = olsCoefficients(ys.subarray(0, m), design, true);
        coef = f.coef;
        r2 = f.r2;
        fits++;
      } catch (e) {
        if (!(e instanceof CollinearError)) throw e; // flat prices: keep the previous fit
      }
    };

    const step = (ctx: Context, ts: number): void => {
      const price = ctx.price(symbol);
      if (!(price > 0)) return;
      const t = first + prices.length;
      prices.push(price);
      for (let c = 0; c < cross.length; c++) crossPrices[c]!.push(ctx.price(cross[c]!));
      if (crossQuotes && prices.length === 200) {
        const none = cross.filter((_, c) => !crossQuoted[c]);
        if (none.length > 0) throw new Error(`crossQuotes needs quotes of ${none.join(', ')}, and none came in 200 steps; give quote data for it or drop crossQuotes`);
      }
      // features every step (the indicators must see every price), usable once the lags exist
      const computed = features(ctx, t, price);
      const x = t - first >= maxLag ? computed : undefined;
      const at = t - first;
      if (at === valid.length) {
        const grown = new Uint8Array(2 * at);
        grown.set(valid);
        valid = grown;
        hist = hist.map((c) => {
          const g = new Float64Array(2 * at);
          g.set(c);
          return g;
        });
      }
      if (hist.length !== nf) hist = Array.from({ length: nf }, () => new Float64Array(valid.length));
      valid[at] = x ? 1 : 0;
      if (x) for (let j = 0; j < nf; j++) hist[j]![at] = x[j]!;
      // score the forecast made `horizon` steps ago, now that its target is known
      if (t - horizon >= first) {
        const f = forecasts[t - horizon - first];
        if (f !== undefined && !Number.isNaN(f)) {
          const real = price / prices[t - horizon - first]! - 1;
          if (real !== 0 && f !== 0) {
            scored++;
            if (Math.sign(real) === Math.sign(f)) hits++;
          }
          if (scored % stride === 0) {
            sTs.push(ts);
            sPred.push(f);
            sReal.push(real);
            if (sTs.length >= 10_000) {
              for (let k = 0; k < 5_000; k++) {
                sTs[k] = sTs[2 * k]!;
                sPred[k] = sPred[2 * k]!;
                sReal[k] = sReal[2 * k]!;
              }
              sTs.length = sPred.length = sReal.length = 5_000;
              stride *= 2;
            }
          }
        }
      }
      if (++stepsSinceFit >= p.refit) {
        fit(t);
        stepsSinceFit = 0;
      }
      let forecast = NaN;
      if (coef && x) {
        forecast = coef[0]!;
        for (let j = 0; j < nf; j++) forecast += coef[j + 1]! * x[j]!;
        nForecasts++;
      }
      forecasts.push(forecast);
      // drop history no longer needed
      const keep = p.expanding ? Infinity : window + horizon + maxLag + 2;
      if (prices.length > keep * 2) {
        const drop = prices.length - keep;
        prices.splice(0, drop);
        for (const cp of crossPrices) cp.splice(0, drop);
        valid.copyWithin(0, drop, drop + prices.length);
        for (const c of hist) c.copyWithin(0, drop, drop + prices.length);
        forecasts.splice(0, drop);
        first += drop;
      }
      if (Number.isNaN(forecast)) return; // warm-up: no fit yet
      const q = ctx.quote(symbol);
      const spread = q ? (q.ask - q.bid) / ((q.ask + q.bid) / 2) : 0;
      const hurdle = spread + (2 * p.feeBps) / 1e4 + p.threshold / 1e4;
      let target = 0;
      if (forecast > hurdle) target = 1;
      else if (forecast < -hurdle && p.allowShort) target = -1;
      const pos = ctx.position(symbol) + ctx.pending(symbol);
      if (Math.sign(pos) !== target) ctx.targetPercent(symbol, target * p.fraction);
    };

    const self: Strategy & { ticks?: TickSubscription } = {
      onStart(ctx) {
        symbol = p.symbol === '' ? ctx.symbols[0]! : p.symbol;
        sym = ctx.symbols.indexOf(symbol);
        if (sym < 0) throw symbolNotInData('symbol', symbol, symbol, ctx.symbols);
        clock = new DecisionClock(p.every, 1);
        self.ticks = subscription([symbol], p.every, 'symbol');
        for (const c of cross) {
          if (!ctx.symbols.includes(c)) throw symbolNotInData('cross', p.cross, c, ctx.symbols);
          if (c === symbol) throw new Error(`cross symbol '${c}' is the traded symbol; name another`);
        }
        crossQuoted = cross.map(() => false);
      },
      onTick(ctx, tk) {
        if (tk.symbolId !== sym) return;
        if (names.length === 0) {
          useImb = p.imbalance && tk.kind === 'quote' && Number.isFinite(tk.bidSize) && Number.isFinite(tk.askSize);
          names = featureNames();
          nf = names.length;
        }
        if (clock.due(0, tk.ts)) step(ctx, tk.ts);
      },
      onBar(ctx, bar) {
        if (bar.symbolId !== sym) return;
        if (names.length === 0) {
          names = featureNames();
          nf = names.length;
        }
        if (clock.due(0, bar.ts)) step(ctx, bar.ts);
      },
      summary(): LinregDiagnostics {
        return {
          features: ['intercept', ...names],
          coefficients: coef ? Array.from(coef) : [],
          r2,
          fits,
          forecasts: nForecasts,
          scored,
          signHits: hits,
          oosSignAccuracy: scored > 0 ? hits / scored : NaN,
          series: { ts: sTs, predicted: sPred, realised: sReal },
        };
      },
      diagnostics(): Diagnostics {
        return {
          charts: [
            {
              id: 'forecast',
              title: 'Forecast vs realised return',
              note: "The regression's predicted forward return (blue) and the return that followed (orange), per decision, in fractions.",
              series: [
                { name: 'realised', ts: sTs, values: sReal, color: '#e07b00' },
                { name: 'predicted', ts: sTs, values: sPred, color: '#3860d9', width: 2 },
              ],
            },
          ],
        };
      },
    };
    return self;

    function featureNames(): string[] {
      return [
        ...lags.map((l) => `ret_lag${l}`),
        ...(rsi ? [`rsi${rsiP}`] : []),
        ...(ema ? [`ema${emaP}_gap`] : []),
        ...(macd ? ['macd_hist'] : []),
        ...(useImb ? ['quote_imbalance'] : []),
        ...cross.flatMap((c) => [...crossLags.map((l) => `${c}_ret_lag${l}`), ...(crossQuotes ? [`${c}_imbalance`, `${c}_spread`] : []), ...(useBasis ? [`basis_${c}`] : [])]),
      ];
    }
  },
});
