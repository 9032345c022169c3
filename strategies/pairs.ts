/**
 * pairs: statistical arbitrage on the spread between two related instruments.
 *
 * On a decision clock (`every`, or every event of either leg), with the latest marks of both legs:
 *   spread = ln A − (a + b ln B), the residual of the OLS of ln A on ln B (A is the first symbol),
 *   z = spread / σ, σ the residual standard deviation of the fit.
 * The fit is either rolling over the last `lookback` steps (O(1) per step) or fixed from the first
 * `lookback` steps (the formation window, `hedge=fixed`). Entry when |z| > `entry` (short the
 * spread when z > 0: sell A, buy B; the reverse when z < 0), exit when |z| < `exit`, stop when
 * |z| > `stop` or after `maxHold`; after a stop, no new entry until |z| < `exit`. Legs are sized
 * dollar-neutral: `fraction`/2 of equity each. With `maxPValue` < 1 a cointegration gate trades
 * only while the Engle-Granger p-value of the formation window (the last `lookback` steps,
 * re-tested every `gateEvery` steps) is below it. Nothing is traded during the first `lookback`
 * steps (warm-up). Works on quotes, trades and bars: it reads only marks.
 */
import { parseDuration } from '../src/data/time.js';
import { engleGranger } from '../src/stats/adf.js';
import { RollingOls } from '../src/stats/ols.js';
import { defineStrategy, type Context, type Params, type Strategy, type TickSubscription } from '../src/strategy/types.js';
import { DecisionClock, History, subscription } from './lib.js';

export interface PairsDiagnostics {
  readonly hedgeRatio: number;
  readonly intercept: number;
  readonly lastZ: number;
  readonly steps: number;
  readonly entries: number;
  readonly stops: number;
  readonly gateOpenShare: number;
  readonly lastGatePValue: number;
  /** Sampled (time, z) for charts: every step, up to 5,000 kept evenly. */
  readonly zSeries: { readonly ts: number[]; readonly z: number[] };
}

export default defineStrategy({
  name: 'pairs',
  description: 'Trades the z-score of the OLS spread of ln A on ln B: enter beyond entry, exit inside exit, stop beyond stop.',
  params: {
    symbols: { type: 'string', default: '', doc: "the two symbols 'A,B' (A regressed on B); '' = the first two symbols in the data" },
    every: { type: 'string', default: '', doc: "decide once per period (e.g. 1m); '' = on every event of either leg" },
    lookback: { type: 'integer', default: 120, min: 10, max: 1_000_000, doc: 'decision steps in the regression window (and the warm-up)' },
    hedge: { type: 'string', default: 'rolling', choices: ['rolling', 'fixed'], doc: 'rolling OLS, or fixed from the first lookback steps (formation window)' },
    entry: { type: 'number', default: 2, min: 0, doc: 'enter when |z| exceeds this' },
    exit: { type: 'number', default: 0.5, min: 0, doc: 'exit when |z| falls below this' },
    stop: { type: 'number', default: 4, min: 0, doc: 'stop out when |z| exceeds this' },
    maxHold: { type: 'string', default: '', doc: "close after holding this long (e.g. 1h, 5d); '' = no limit" },
    fraction: { type: 'number', default: 0.95, min: 0, max: 10, doc: 'gross exposure as a fraction of equity, half on each leg' },
    maxPValue: { type: 'number', default: 1, min: 0, max: 1, doc: 'trade only while the Engle-Granger p-value of the window is below this (1 = no gate)' },
    gateEvery: { type: 'integer', default: 20, min: 1, doc: 'steps between cointegration re-tests' },
  },
  create(p: Params) {
    const lookback = p.lookback as number;
    const entry = p.entry as number;
    const exit = p.exit as number;
    const stop = p.stop as number;
    const fixed = p.hedge === 'fixed';
    const maxHoldUs = (p.maxHold as string) === '' ? Infinity : parseDuration(p.maxHold as string);
    if (Number.isNaN(maxHoldUs)) throw new Error(`maxHold='${String(p.maxHold)}' is not a duration`);
    if (!(exit < entry && entry < stop)) throw new Error(`need exit < entry < stop, got ${exit}, ${entry}, ${stop}`);
    const gate = (p.maxPValue as number) < 1;

    let a = -1;
    let b = -1;
    let symA = '';
    let symB = '';
    let clock: DecisionClock;
    let barTsA = NaN;
    let barTsB = NaN;
    const roll = new RollingOls(lookback);
    const histA = new History(lookback, 1);
    const histB = new History(lookback, 1);
    let fitA = NaN; // fixed fit: intercept, slope, sigma
    let fitB = NaN;
    let fitS = NaN;
    let steps = 0;
    let side = 0; // +1 long spread, −1 short spread, 0 flat
    let enteredAt = 0;
    let stoppedOut = false;
    let gateOpen = !gate;
    let gateOpenSteps = 0;
    let lastP = NaN;
    let entries = 0;
    let stops = 0;
    let lastZ = NaN;
    const zTs: number[] = [];
    const zs: number[] = [];
    let zStride = 1;

    /** Dollar-neutral legs: +1 long the spread (buy A, sell B), −1 short it. */
    const setLegs = (ctx: Context, s: number, pa: number, pb: number): void => {
      const w = ((p.fraction as number) / 2) * ctx.equity;
      ctx.targetPosition(symA, (s * w) / pa);
      ctx.targetPosition(symB, (-s * w) / pb);
    };

    const step = (ctx: Context, ts: number): void => {
      const pa = ctx.price(symA);
      const pb = ctx.price(symB);
      if (!(pa > 0 && pb > 0)) return;
      const y = Math.log(pa);
      const x = Math.log(pb);
      steps++;
      if (!fixed || steps <= lookback) roll.push(x, y);
      if (gate) {
        histA.push(0, y);
        histB.push(0, x);
      }
      if (steps < lookback) return; // warm-up
      if (fixed && steps === lookback) {
        fitA = roll.intercept;
        fitB = roll.slope;
        fitS = roll.residSigma;
      }
      const intercept = fixed ? fitA : roll.intercept;
      const slope = fixed ? fitB : roll.slope;
      const sigma = fixed ? fitS : roll.residSigma;
      if (!(sigma > 0)) return;
      const z = (y - intercept - slope * x) / sigma;
      lastZ = z;
      if (steps % zStride === 0) {
        zTs.push(ts);
        zs.push(z);
        if (zs.length >= 10_000) {
          // keep every other point: at most 10,000 evenly spaced
          for (let k = 0; k < zs.length / 2; k++) {
            zTs[k] = zTs[2 * k]!;
            zs[k] = zs[2 * k]!;
          }
          zTs.length = zs.length = 5_000;
          zStride *= 2;
        }
      }
      if (gate && (steps - lookback) % (p.gateEvery as number) === 0) {
        const ya = new Float64Array(lookback);
        const xb = new Float64Array(lookback);
        for (let k = 0; k < lookback; k++) {
          ya[lookback - 1 - k] = histA.at(0, k);
          xb[lookback - 1 - k] = histB.at(0, k);
        }
        try {
          lastP = engleGranger(ya, xb, { maxLag: 1, autolag: 'none' }).pValue;
        } catch {
          lastP = NaN; // degenerate window (e.g. a constant price): no evidence
        }
        gateOpen = lastP < (p.maxPValue as number);
      }
      if (gateOpen) gateOpenSteps++;
      // The books decide whether a trade is on, not only our own flag: an entry the broker refused
      // (or one refused in a validation warm-up) leaves us flat, and a position handed over from an
      // earlier walk-forward fold (--fold-edge carry) is managed as if we had entered it now.
      const held = Math.sign(ctx.position(symA) + ctx.pending(symA));
      if (held !== side) {
        if (side === 0) enteredAt = ts;
        side = held; // +1 long the spread = long A
      }
      const az = Math.abs(z);
      if (side !== 0) {
        if (az < exit || az > stop || ts - enteredAt >= maxHoldUs || !gateOpen) {
          if (az > stop) {
            stops++;
            stoppedOut = true;
          }
          side = 0;
          ctx.targetPosition(symA, 0);
          ctx.targetPosition(symB, 0);
        }
        return;
      }
      if (stoppedOut) {
        if (az < exit) stoppedOut = false;
        return;
      }
      if (gateOpen && az > entry && az <= stop) {
        side = z > 0 ? -1 : 1;
        enteredAt = ts;
        entries++;
        setLegs(ctx, side, pa, pb);
      }
    };

    const self: Strategy & { ticks?: TickSubscription } = {
      onStart(ctx) {
        const names = (p.symbols as string) === '' ? ctx.symbols.slice(0, 2) : (p.symbols as string).split(',').map((s) => s.trim());
        if (names.length !== 2 || names[0] === names[1]) throw new Error(`pairs needs two symbols, got '${String(p.symbols)}' (data: ${ctx.symbols.join(', ')})`);
        a = ctx.symbols.indexOf(names[0]!);
        b = ctx.symbols.indexOf(names[1]!);
        if (a < 0 || b < 0) throw new Error(`symbols ${names.join(', ')} are not both in the data (${ctx.symbols.join(', ')})`);
        symA = names[0]!;
        symB = names[1]!;
        clock = new DecisionClock(p.every as string, 1);
        self.ticks = subscription([symA, symB], p.every as string, 'strategy');
      },
      onTick(ctx, t) {
        if ((t.symbolId === a || t.symbolId === b) && clock.due(0, t.ts)) step(ctx, t.ts);
      },
      onBar(ctx, bar) {
        // both legs' bars of one period arrive one after the other: decide once both are in
        if (bar.symbolId === a) barTsA = bar.ts;
        else if (bar.symbolId === b) barTsB = bar.ts;
        else return;
        if (barTsA === barTsB && clock.due(0, bar.ts)) step(ctx, bar.ts);
      },
      summary(): PairsDiagnostics {
        return {
          hedgeRatio: fixed ? fitB : roll.slope,
          intercept: fixed ? fitA : roll.intercept,
          lastZ,
          steps,
          entries,
          stops,
          gateOpenShare: steps > lookback ? gateOpenSteps / (steps - lookback + 1) : NaN,
          lastGatePValue: lastP,
          zSeries: { ts: zTs, z: zs },
        };
      },
    };
    return self;
  },
});
