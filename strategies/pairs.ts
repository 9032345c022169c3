/**
 * pairs: statistical arbitrage on the spread between two related instruments.
 *
 * On a decision clock (`every`, or every event of either leg), with the latest marks of both legs:
 *   spread = ln A − (a + b ln B), the residual of the OLS of ln A on ln B (A is the first symbol),
 *   z = spread / σ, σ the residual standard deviation of the fit.
 * The fit is either rolling over the last `lookback` steps (O(1) per step), fixed from the first
 * `lookback` steps (the formation window, `hedge=fixed`), or a Kalman filter (`hedge=kalman`,
 * src/stats/kalman.ts): intercept and hedge ratio a random walk with state noise δ/(1−δ) per
 * step (`delta`) and observation variance `obsVar` (0: the formation fit's residual variance),
 * started from the formation window's OLS; then the spread is the filter's forecast error
 * before it sees the step, and σ its forecast standard deviation. Entry when |z| > `entry` (short the
 * spread when z > 0: sell A, buy B; the reverse when z < 0), exit when |z| < `exit`, stop when
 * |z| > `stop` or after `maxHold`; after a stop, no new entry until |z| < `exit`. Legs are sized
 * dollar-neutral: `fraction`/2 of equity each. With `maxPValue` < 1 a cointegration gate trades
 * only while the Engle-Granger p-value of the formation window (the last `lookback` steps,
 * re-tested every `gateEvery` steps) is below it. Nothing is traded during the first `lookback`
 * steps (warm-up). Works on quotes, trades and bars: it reads only marks.
 */
import { formatIso, parseDuration } from '../src/data/time.js';
import { engleGranger } from '../src/stats/adf.js';
import { KalmanRegression } from '../src/stats/kalman.js';
import { RollingOls } from '../src/stats/ols.js';
import { defineStrategy, type BarView, type Context, type Diagnostics, type ParamSchema, type ParamsOf, type Strategy, type TickSubscription, type TickView } from '../src/strategy/types.js';
import { symbolNotInData } from '../src/strategy/param-error.js';
import { DecisionClock, History, subscription } from './lib.js';
import { RelationshipMonitor, type MonitorSummary } from './monitor.js';

export interface PairsDiagnostics {
  readonly hedgeRatio: number;
  readonly intercept: number;
  readonly lastZ: number;
  readonly steps: number;
  readonly entries: number;
  readonly stops: number;
  readonly gateOpenShare: number;
  readonly lastGatePValue: number;
  /** With monitor=true: how many breaks, the share of steps spent broken, when it last broke (ISO) or '' . */
  readonly monitorBreaks?: number;
  readonly monitorBrokenShare?: number;
  readonly monitorLastBreak?: string;
  /** The relationship monitor's state and its breaks and resumptions (with monitor=true). */
  readonly monitor?: MonitorSummary;
  /** Sampled (time, z), also charted by `diagnostics()`: fewer than 10,000 steps, evenly spaced (every step, then every other, and so on). */
  readonly zSeries: { readonly ts: number[]; readonly z: number[] };
}

const PARAMS = {
  symbols: { type: 'string', default: '', doc: "the two symbols 'A,B' (A regressed on B); '' = the first two symbols in the data" },
  every: { type: 'string', format: 'duration', default: '', doc: "decide once per period (e.g. 1m); '' = on every event of either leg" },
  lookback: { type: 'integer', default: 120, min: 10, max: 1_000_000, doc: 'decision steps in the regression window (and the warm-up)' },
  hedge: { type: 'string', default: 'rolling', choices: ['rolling', 'fixed', 'kalman'], doc: 'rolling OLS, fixed from the first lookback steps (formation window), or a Kalman filter started from it' },
  delta: { type: 'number', default: 1e-4, min: 0, max: 0.5, doc: 'hedge=kalman: state noise, q = delta/(1-delta) per step (0 = constant coefficients: recursive least squares)' },
  obsVar: { type: 'number', default: 0, min: 0, doc: 'hedge=kalman: observation noise variance of ln A (0 = the residual variance of the formation fit)' },
  entry: { type: 'number', default: 2, min: 0, doc: 'enter when |z| exceeds this' },
  exit: { type: 'number', default: 0.5, min: 0, doc: 'exit when |z| falls below this' },
  stop: { type: 'number', default: 4, min: 0, doc: 'stop out when |z| exceeds this' },
  maxHold: { type: 'string', format: 'duration', default: '', doc: "close after holding this long (e.g. 1h, 5d); '' = no limit" },
  fraction: { type: 'number', default: 0.95, min: 0, max: 10, doc: 'gross exposure as a fraction of equity, half on each leg' },
  maxPValue: { type: 'number', default: 1, min: 0, max: 1, doc: 'trade only while the Engle-Granger p-value of the window is below this (1 = no gate)' },
  gateEvery: { type: 'integer', default: 20, min: 1, doc: 'steps between cointegration re-tests' },
  monitor: { type: 'boolean', default: false, doc: 'relationship monitor: flatten and stop when the CUSUM of |z| breaks, resume when it is back and the Engle-Granger p-value holds' },
  cusumLevel: { type: 'number', default: 3, min: 0.1, doc: 'monitor: the CUSUM accumulates |z| − cusumLevel' },
  cusumLimit: { type: 'number', default: 20, min: 0.1, doc: 'monitor: broken when the CUSUM exceeds this' },
  resumePValue: { type: 'number', default: 0.05, min: 0, max: 1, doc: 'monitor: resume when the Engle-Granger p-value of the last lookback steps is below this' },
} satisfies ParamSchema;

type PairsParams = ParamsOf<typeof PARAMS>;

export default defineStrategy({
  name: 'pairs',
  description: 'Trades the z-score of the OLS spread of ln A on ln B: enter beyond entry, exit inside exit, stop beyond stop.',
  params: PARAMS,
  create: (p) => new Pairs(p),
});

/** Points of the z series kept for the chart: when full, every other one is dropped. */
const Z_POINTS = 10_000;

/**
 * One pairs instance. A class rather than closures made in create(), so that V8 compiles its
 * methods once per thread for every instance (each trial of a grid makes one).
 */
class Pairs implements Strategy {
  ticks?: TickSubscription;
  private readonly lookback: number;
  private readonly entry: number;
  private readonly exit: number;
  private readonly stop: number;
  private readonly fixed: boolean;
  private kf: KalmanRegression | undefined = undefined;
  private readonly delta: number;
  private readonly obsVar: number;
  // the formation window's x (Welford), to start the filter from its OLS
  private wn = 0;
  private wMean = 0;
  private wM2 = 0;
  private readonly maxHoldUs: number;
  private readonly gate: boolean;
  private readonly monitor: RelationshipMonitor | undefined;
  // the monitor's reference fit: the fit as it was when the CUSUM last stood at 0
  private refA = NaN;
  private refB = NaN;
  private refS = NaN;
  private readonly maxPValue: number;
  private readonly gateEvery: number;
  private readonly resumePValue: number;
  private readonly fraction: number;
  private a = -1;
  private b = -1;
  private symA = '';
  private symB = '';
  private clock: DecisionClock | undefined = undefined;
  private barTsA = NaN;
  private barTsB = NaN;
  private readonly roll: RollingOls;
  /** The rolling fit of this step: intercept, slope, sigma (RollingOls.fitInto). */
  private readonly fit = new Float64Array(3);
  private readonly histA: History;
  private readonly histB: History;
  // fixed fit: intercept, slope, sigma
  private fitA = NaN;
  private fitB = NaN;
  private fitS = NaN;
  private steps = 0;
  /** +1 long spread, −1 short spread, 0 flat. */
  private side = 0;
  /** When the position was entered (NaN while flat: a timestamp is never a small integer, see Portfolio). */
  private enteredAt = NaN;
  private stoppedOut = false;
  private gateOpen: boolean;
  private gateOpenSteps = 0;
  private lastP = NaN;
  private entries = 0;
  private stops = 0;
  private lastZ = NaN;
  // the z series for the chart: typed storage (no change of array kind between instances)
  private readonly zTs = new Float64Array(Z_POINTS);
  private readonly zs = new Float64Array(Z_POINTS);
  private zCount = 0;
  private zStride = 1;

  constructor(private readonly p: PairsParams) {
    this.lookback = p.lookback;
    this.entry = p.entry;
    this.exit = p.exit;
    this.stop = p.stop;
    // a Kalman hedge is "fixed" for the rolling fit: the OLS of the formation window starts it
    this.fixed = p.hedge === 'fixed' || p.hedge === 'kalman';
    this.delta = p.delta;
    this.obsVar = p.obsVar;
    if (p.hedge !== 'kalman' && (this.delta !== 1e-4 || this.obsVar !== 0)) throw new Error(`${this.delta !== 1e-4 ? 'delta' : 'obsVar'} applies to hedge=kalman (hedge is ${String(p.hedge)})`);
    this.maxHoldUs = p.maxHold === '' ? Infinity : parseDuration(p.maxHold);
    if (Number.isNaN(this.maxHoldUs)) throw new Error(`maxHold='${String(p.maxHold)}' is not a duration`);
    if (!(this.exit < this.entry && this.entry < this.stop)) throw new Error(`need exit < entry < stop, got ${this.exit}, ${this.entry}, ${this.stop}`);
    this.maxPValue = p.maxPValue;
    this.gate = this.maxPValue < 1;
    this.gateEvery = p.gateEvery;
    this.resumePValue = p.resumePValue;
    this.fraction = p.fraction;
    this.gateOpen = !this.gate;
    this.monitor = p.monitor ? new RelationshipMonitor(p.cusumLevel, p.cusumLimit) : undefined;
    if (!p.monitor && (p.cusumLevel !== 3 || p.cusumLimit !== 20 || p.resumePValue !== 0.05)) throw new Error(`${p.cusumLevel !== 3 ? 'cusumLevel' : p.cusumLimit !== 20 ? 'cusumLimit' : 'resumePValue'} applies with monitor=true`);
    this.roll = new RollingOls(this.lookback);
    this.histA = new History(this.lookback, 1);
    this.histB = new History(this.lookback, 1);
  }

  onStart(ctx: Context): void {
    const p = this.p;
    const names = p.symbols === '' ? ctx.symbols.slice(0, 2) : p.symbols.split(',').map((s) => s.trim());
    if (names.length !== 2 || names[0] === names[1]) throw new Error(`pairs needs two symbols, got '${String(p.symbols)}' (data: ${ctx.symbols.join(', ')})`);
    this.a = ctx.symbols.indexOf(names[0]!);
    this.b = ctx.symbols.indexOf(names[1]!);
    if (this.a < 0 || this.b < 0) throw symbolNotInData('symbols', p.symbols, names[this.a < 0 ? 0 : 1]!, ctx.symbols);
    this.symA = names[0]!;
    this.symB = names[1]!;
    this.clock = new DecisionClock(p.every, 1);
    this.ticks = subscription([this.symA, this.symB], p.every, 'strategy');
  }

  onTick(ctx: Context, t: TickView): void {
    if ((t.symbolId === this.a || t.symbolId === this.b) && this.clock!.due(0, t.ts)) this.step(ctx, t.ts);
  }

  onBar(ctx: Context, bar: BarView): void {
    // both legs' bars of one period arrive one after the other: decide once both are in
    if (bar.symbolId === this.a) this.barTsA = bar.ts;
    else if (bar.symbolId === this.b) this.barTsB = bar.ts;
    else return;
    if (this.barTsA === this.barTsB && this.clock!.due(0, bar.ts)) this.step(ctx, bar.ts);
  }

  summary(): PairsDiagnostics {
    const fixed = this.fixed;
    return {
      hedgeRatio: this.kf ? this.kf.b : fixed ? this.fitB : this.roll.slope,
      intercept: this.kf ? this.kf.a : fixed ? this.fitA : this.roll.intercept,
      lastZ: this.lastZ,
      steps: this.steps,
      entries: this.entries,
      stops: this.stops,
      gateOpenShare: this.steps > this.lookback ? this.gateOpenSteps / (this.steps - this.lookback + 1) : NaN,
      lastGatePValue: this.lastP,
      ...(this.monitor ? this.monitorFields() : {}),
      zSeries: this.zSeries(),
    };
  }

  /** The z-score with its bands and, with monitor=true, the monitor's breaks and resumptions. */
  diagnostics(): Diagnostics {
    const band = (v: number, label: string, color: string): { value: number; label: string; color: string }[] => [
      { value: v, label, color },
      { value: -v, label, color },
    ];
    const events = this.monitor?.summary().events ?? [];
    const z = this.zSeries();
    return {
      charts: [
        {
          id: 'spread',
          title: 'Spread z-score',
          note: `z of the hedged spread at each decision, with entry (±${this.entry}), exit (±${this.exit}) and stop (±${this.stop}) bands.${this.monitor ? ' Red markers: the relationship monitor broke (flattened and out); green: it resumed.' : ''}`,
          series: [{ name: 'z', ts: z.ts, values: z.z, color: '#3860d9' }],
          levels: [...band(this.entry, 'entry', '#e07b00'), ...band(this.exit, 'exit', '#2e9e57'), ...band(this.stop, 'stop', '#c23b3b')],
          markers: events.map((e) => ({ ts: e.ts, label: e.what, direction: e.what === 'break' ? 'down' : 'up' })),
        },
      ],
    };
  }

  private monitorFields(): Pick<PairsDiagnostics, 'monitorBreaks' | 'monitorBrokenShare' | 'monitorLastBreak' | 'monitor'> {
    const m = this.monitor!.summary();
    const last = m.events.filter((e) => e.what === 'break').at(-1);
    const after = this.steps - this.lookback + 1;
    return { monitorBreaks: m.breaks, monitorBrokenShare: after > 0 ? m.brokenSteps / after : NaN, monitorLastBreak: last ? formatIso(last.ts) : '', monitor: m };
  }

  /** Dollar-neutral legs: +1 long the spread (buy A, sell B), −1 short it. */
  private setLegs(ctx: Context, s: number, pa: number, pb: number): void {
    const w = (this.fraction / 2) * ctx.equity;
    ctx.targetPosition(this.symA, (s * w) / pa);
    ctx.targetPosition(this.symB, (-s * w) / pb);
  }

  private step(ctx: Context, ts: number): void {
    const pa = ctx.price(this.symA);
    const pb = ctx.price(this.symB);
    if (!(pa > 0 && pb > 0)) return;
    const y = Math.log(pa);
    const x = Math.log(pb);
    const lookback = this.lookback;
    const fixed = this.fixed;
    const roll = this.roll;
    const steps = ++this.steps;
    if (!fixed || steps <= lookback) {
      roll.push(x, y);
      if (steps <= lookback) {
        const d = x - this.wMean;
        this.wMean += d / ++this.wn;
        this.wM2 += d * (x - this.wMean);
      }
    }
    if (this.gate || this.monitor) {
      this.histA.push(0, y);
      this.histB.push(0, x);
    }
    if (steps < lookback) return; // warm-up
    if (fixed && steps === lookback) {
      this.fitA = roll.intercept;
      this.fitB = roll.slope;
      this.fitS = roll.residSigma;
      if (this.p.hedge === 'kalman' && this.fitS > 0 && this.wM2 > 0) {
        this.kf = KalmanRegression.fromOls(this.fitA, this.fitB, this.wn, this.wMean, this.wM2, this.delta, this.obsVar > 0 ? this.obsVar : this.fitS * this.fitS);
      }
    }
    let z: number;
    let fitA: number;
    let fitB: number;
    let fitSigma: number;
    const kf = this.kf;
    if (kf !== undefined) {
      // the forecast error of this step from the state before it; then the state learns the step
      if (steps > lookback) kf.update(x, y);
      else kf.lastError = y - kf.a - kf.b * x;
      const v = steps > lookback ? kf.lastVariance : this.fitS * this.fitS;
      z = kf.lastError / Math.sqrt(v);
      if (!Number.isFinite(z)) return;
      // the state before this step's update, which made the forecast
      fitA = kf.a;
      fitB = kf.b;
      fitSigma = Math.sqrt(v);
    } else {
      if (fixed) {
        fitA = this.fitA;
        fitB = this.fitB;
        fitSigma = this.fitS;
      } else {
        const f = this.fit;
        roll.fitInto(f);
        fitA = f[0]!;
        fitB = f[1]!;
        fitSigma = f[2]!;
      }
      if (!(fitSigma > 0)) return;
      z = (y - fitA - fitB * x) / fitSigma;
    }
    this.lastZ = z;
    if (steps % this.zStride === 0) this.recordZ(ts, z);
    if ((this.gate || this.monitor) && (steps - lookback) % this.gateEvery === 0) this.testGate();
    if (this.gateOpen) this.gateOpenSteps++;
    // the relationship monitor: broken, the strategy holds nothing and enters nothing
    const mon = this.monitor;
    if (mon && !mon.broken && mon.calm) {
      this.refA = fitA;
      this.refB = fitB;
      this.refS = fitSigma;
    }
    if (mon?.step(ts, mon.broken ? (y - this.refA - this.refB * x) / this.refS : z)) {
      if (ctx.position(this.symA) !== 0 || ctx.position(this.symB) !== 0 || ctx.pending(this.symA) !== 0 || ctx.pending(this.symB) !== 0) {
        ctx.targetPosition(this.symA, 0);
        ctx.targetPosition(this.symB, 0);
      }
      this.side = 0;
      return;
    }
    // The books decide whether a trade is on, not only our own flag: an entry the broker refused
    // (or one refused in a validation warm-up) leaves us flat, and a position handed over from an
    // earlier walk-forward fold (--fold-edge carry) is managed as if we had entered it now.
    const held = Math.sign(ctx.position(this.symA) + ctx.pending(this.symA));
    if (held !== this.side) {
      if (this.side === 0) this.enteredAt = ts;
      this.side = held; // +1 long the spread = long A
    }
    const az = Math.abs(z);
    if (this.side !== 0) {
      if (az < this.exit || az > this.stop || ts - this.enteredAt >= this.maxHoldUs || !this.gateOpen) {
        if (az > this.stop) {
          this.stops++;
          this.stoppedOut = true;
        }
        this.side = 0;
        ctx.targetPosition(this.symA, 0);
        ctx.targetPosition(this.symB, 0);
      }
      return;
    }
    if (this.stoppedOut) {
      if (az < this.exit) this.stoppedOut = false;
      return;
    }
    if (this.gateOpen && az > this.entry && az <= this.stop) {
      this.side = z > 0 ? -1 : 1;
      this.enteredAt = ts;
      this.entries++;
      this.setLegs(ctx, this.side, pa, pb);
    }
  }

  /** The (ts, z) kept so far, as plain arrays. */
  private zSeries(): PairsDiagnostics['zSeries'] {
    return { ts: Array.from(this.zTs.subarray(0, this.zCount)), z: Array.from(this.zs.subarray(0, this.zCount)) };
  }

  /** Keeps (ts, z) for the chart: every zStride-th step, fewer than Z_POINTS points evenly spaced. */
  private recordZ(ts: number, z: number): void {
    const zTs = this.zTs;
    const zs = this.zs;
    zTs[this.zCount] = ts;
    zs[this.zCount] = z;
    if (++this.zCount === Z_POINTS) {
      // keep every other point
      for (let k = 0; k < Z_POINTS / 2; k++) {
        zTs[k] = zTs[2 * k]!;
        zs[k] = zs[2 * k]!;
      }
      this.zCount = Z_POINTS / 2;
      this.zStride *= 2;
    }
  }

  /** Engle-Granger p-value of the last `lookback` steps: the gate is open while it is below maxPValue. */
  private testGate(): void {
    const lookback = this.lookback;
    const ya = new Float64Array(lookback);
    const xb = new Float64Array(lookback);
    for (let k = 0; k < lookback; k++) {
      ya[lookback - 1 - k] = this.histA.at(0, k);
      xb[lookback - 1 - k] = this.histB.at(0, k);
    }
    try {
      this.lastP = engleGranger(ya, xb, { maxLag: 1, autolag: 'none' }).pValue;
    } catch {
      this.lastP = NaN; // degenerate window (e.g. a constant price): no evidence
    }
    if (this.gate) this.gateOpen = this.lastP < this.maxPValue;
    this.monitor?.setTest(this.lastP < this.resumePValue, this.lastP);
  }
}
