/**
 * basket: statistical arbitrage on the spread of a cointegrated basket (two or more symbols).
 *
 * On a decision clock (`every`, or every event of a leg; for bars, once every leg's bar of the
 * period is in), with the latest marks of every leg:
 *   spread s = Σ w_i ln p_i, w the first Johansen cointegrating vector (src/stats/johansen.ts)
 *   divided by the first symbol's weight, estimated on the last `formation` steps (the past only)
 *   and re-estimated every `refit` steps while flat (a trade keeps the vector it entered with);
 *   z = (s − mean) / sd, the mean and sd of the spread over the same formation window.
 * Entry when |z| > `entry` (short the spread when z > 0), exit when |z| < `exit`, stop when
 * |z| > `stop` or after `maxHold`; after a stop, no entry until |z| < `exit`. Legs are sized by
 * the vector: leg i holds side × w_i × N in notional (so that a move of the spread by Δs makes
 * about N Δs), N such that the legs' gross notional is `fraction` of equity. With `rankGate`, it
 * trades only while the last estimate's trace test finds a rank of at least 1 at 95%. Nothing is
 * traded during the first `formation` steps (warm-up).
 */
import { formatIso, parseDuration } from '../src/data/time.js';
import { johansen, type DetOrder } from '../src/stats/johansen.js';
import { defineStrategy, type BarView, type Context, type ParamSchema, type ParamsOf, type Strategy, type TickSubscription, type TickView } from '../src/strategy/types.js';
import { DecisionClock, History, subscription, tradedSymbols } from './lib.js';
import { RelationshipMonitor, type MonitorSummary } from './monitor.js';

export interface BasketDiagnostics {
  readonly symbols: readonly string[];
  /** The latest estimate's vector (first symbol 1). */
  readonly weights: Readonly<Record<string, number>>;
  readonly lastRank: number;
  readonly lastTrace0: number;
  readonly lastZ: number;
  readonly steps: number;
  readonly estimates: number;
  readonly entries: number;
  readonly stops: number;
  /** Share of the steps after warm-up on which the rank gate was open (1 without the gate). */
  readonly gateOpenShare: number;
  readonly monitorBreaks?: number;
  readonly monitorLastBreak?: string;
  readonly monitor?: MonitorSummary;
}

const PARAMS = {
  symbols: { type: 'string', default: '', doc: "the basket, comma-separated (2 to 12); '' = every symbol in the data" },
  every: { type: 'string', format: 'duration', default: '', doc: "decide once per period (e.g. 1m, 1d); '' = on every event of a leg (bars: once all legs' bars are in)" },
  formation: { type: 'integer', default: 250, min: 30, max: 1_000_000, doc: 'decision steps the vector, mean and sd are estimated on (and the warm-up)' },
  refit: { type: 'integer', default: 20, min: 1, doc: 'steps between re-estimations (done while flat)' },
  detOrder: { type: 'integer', default: 0, min: -1, max: 1, doc: 'Johansen deterministic terms: -1 none, 0 constant, 1 linear trend' },
  kArDiff: { type: 'integer', default: 1, min: 1, max: 20, doc: 'Johansen lagged differences' },
  entry: { type: 'number', default: 2, min: 0, doc: 'enter when |z| exceeds this' },
  exit: { type: 'number', default: 0.5, min: 0, doc: 'exit when |z| falls below this' },
  stop: { type: 'number', default: 4, min: 0, doc: 'stop out when |z| exceeds this' },
  maxHold: { type: 'string', format: 'duration', default: '', doc: "close after holding this long (e.g. 5d); '' = no limit" },
  fraction: { type: 'number', default: 0.95, min: 0, max: 10, doc: 'gross notional of the legs as a fraction of equity' },
  rankGate: { type: 'boolean', default: false, doc: 'trade only while the trace test finds a cointegration rank >= 1 at 95%' },
  monitor: { type: 'boolean', default: false, doc: 'relationship monitor: flatten and stop when the CUSUM of |z| breaks, resume when it is back and the trace test finds rank >= 1' },
  cusumLevel: { type: 'number', default: 3, min: 0.1, doc: 'monitor: the CUSUM accumulates |z| − cusumLevel' },
  cusumLimit: { type: 'number', default: 20, min: 0.1, doc: 'monitor: broken when the CUSUM exceeds this' },
} satisfies ParamSchema;

type BasketParams = ParamsOf<typeof PARAMS>;

export default defineStrategy({
  name: 'basket',
  description: 'Trades the z-score of the spread of the first Johansen cointegrating vector of a basket, legs sized by the vector.',
  params: PARAMS,
  create: (p) => new Basket(p),
});

class Basket implements Strategy {
  ticks?: TickSubscription;
  private readonly formation: number;
  private readonly refit: number;
  private readonly detOrder: DetOrder;
  private readonly kArDiff: number;
  private readonly entry: number;
  private readonly exit: number;
  private readonly stop: number;
  private readonly maxHoldUs: number;
  private readonly fraction: number;
  private readonly rankGate: boolean;
  private readonly monitor: RelationshipMonitor | undefined;
  // the monitor's reference: vector, mean and sd when the CUSUM last stood at 0
  private refW = new Float64Array(0);
  private refMean = NaN;
  private refSd = NaN;
  private ids: number[] = [];
  private names: string[] = [];
  /** Leg index of each symbol id (−1: not a leg). */
  private legOf = new Int32Array(0);
  private clock: DecisionClock | undefined = undefined;
  private barTs = new Float64Array(0);
  private hist: History | undefined = undefined;
  private readonly logs: number[] = [];
  private w = new Float64Array(0);
  private mean = NaN;
  private sd = NaN;
  private rank = -1;
  private trace0 = NaN;
  private steps = 0;
  private sinceFit = 0;
  private estimates = 0;
  private side = 0;
  private enteredAt = 0;
  private stoppedOut = false;
  private entries = 0;
  private stops = 0;
  private gateOpenSteps = 0;
  private lastZ = NaN;

  constructor(private readonly p: BasketParams) {
    this.formation = p.formation;
    this.refit = p.refit;
    this.detOrder = p.detOrder as DetOrder;
    this.kArDiff = p.kArDiff;
    this.entry = p.entry;
    this.exit = p.exit;
    this.stop = p.stop;
    if (!(this.exit < this.entry && this.entry < this.stop)) throw new Error(`need exit < entry < stop, got ${this.exit}, ${this.entry}, ${this.stop}`);
    this.maxHoldUs = p.maxHold === '' ? Infinity : parseDuration(p.maxHold);
    if (Number.isNaN(this.maxHoldUs)) throw new Error(`maxHold='${String(p.maxHold)}' is not a duration`);
    this.fraction = p.fraction;
    this.rankGate = p.rankGate;
    this.monitor = p.monitor ? new RelationshipMonitor(p.cusumLevel, p.cusumLimit) : undefined;
    if (!p.monitor && (p.cusumLevel !== 3 || p.cusumLimit !== 20)) throw new Error(`${p.cusumLevel !== 3 ? 'cusumLevel' : 'cusumLimit'} applies with monitor=true`);
  }

  onStart(ctx: Context): void {
    this.ids = tradedSymbols(ctx, this.p.symbols, 'symbols');
    const n = this.ids.length;
    if (n < 2 || n > 12 || new Set(this.ids).size !== n) throw new Error(`basket needs 2 to 12 different symbols, got '${String(this.p.symbols)}' (data: ${ctx.symbols.join(', ')})`);
    this.names = this.ids.map((i) => ctx.symbols[i]!);
    this.legOf = new Int32Array(ctx.symbols.length).fill(-1);
    this.ids.forEach((id, k) => (this.legOf[id] = k));
    this.barTs = new Float64Array(n).fill(NaN);
    this.hist = new History(this.formation, n);
    this.w = new Float64Array(n);
    this.refW = new Float64Array(n);
    for (let k = 0; k < n; k++) this.logs.push(NaN);
    this.clock = new DecisionClock(this.p.every, 1);
    this.ticks = subscription(this.names, this.p.every, 'strategy');
  }

  onTick(ctx: Context, t: TickView): void {
    if (this.legOf[t.symbolId]! >= 0 && this.clock!.due(0, t.ts)) this.step(ctx, t.ts);
  }

  onBar(ctx: Context, bar: BarView): void {
    const k = this.legOf[bar.symbolId]!;
    if (k < 0) return;
    this.barTs[k] = bar.ts;
    for (let j = 0; j < this.barTs.length; j++) if (this.barTs[j] !== bar.ts) return;
    if (this.clock!.due(0, bar.ts)) this.step(ctx, bar.ts);
  }

  summary(): BasketDiagnostics {
    return {
      symbols: this.names,
      weights: Object.fromEntries(this.names.map((s, k) => [s, this.w[k]!])),
      lastRank: this.rank,
      lastTrace0: this.trace0,
      lastZ: this.lastZ,
      steps: this.steps,
      estimates: this.estimates,
      entries: this.entries,
      stops: this.stops,
      gateOpenShare: this.steps >= this.formation ? this.gateOpenSteps / (this.steps - this.formation + 1) : NaN,
      ...(this.monitor ? this.monitorFields() : {}),
    };
  }

  private monitorFields(): Pick<BasketDiagnostics, 'monitorBreaks' | 'monitorLastBreak' | 'monitor'> {
    const m = this.monitor!.summary();
    const last = m.events.filter((e) => e.what === 'break').at(-1);
    return { monitorBreaks: m.breaks, monitorLastBreak: last ? formatIso(last.ts) : '', monitor: m };
  }

  /** The vector, mean and sd of the spread over the last `formation` steps. */
  private estimate(): void {
    const F = this.formation;
    const n = this.ids.length;
    const h = this.hist!;
    const levels = Array.from({ length: n }, (_, k) => {
      const a = new Float64Array(F);
      for (let lag = 0; lag < F; lag++) a[F - 1 - lag] = h.at(k, lag);
      return a;
    });
    this.estimates++;
    let r;
    try {
      r = johansen(levels, this.detOrder, this.kArDiff);
    } catch {
      return; // a degenerate window (a constant leg): keep the last estimate
    }
    const w = r.normalized[0]!;
    if (!w.every(Number.isFinite)) return;
    let m = 0;
    for (let t = 0; t < F; t++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += w[k]! * levels[k]![t]!;
      m += s;
    }
    m /= F;
    let v = 0;
    for (let t = 0; t < F; t++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += w[k]! * levels[k]![t]!;
      v += (s - m) ** 2;
    }
    this.w.set(w);
    this.mean = m;
    this.sd = Math.sqrt(v / (F - 1));
    this.rank = r.rankTrace;
    this.trace0 = r.trace[0]!;
    this.monitor?.setTest(r.rankTrace >= 1, r.trace[0]!);
  }

  private setLegs(ctx: Context, side: number): void {
    const n = this.ids.length;
    let gross = 0;
    for (let k = 0; k < n; k++) gross += Math.abs(this.w[k]!);
    const N = (this.fraction * ctx.equity) / gross;
    for (let k = 0; k < n; k++) ctx.targetPosition(this.names[k]!, (side * this.w[k]! * N) / ctx.price(this.names[k]!));
  }

  private flatten(ctx: Context): void {
    for (const s of this.names) ctx.targetPosition(s, 0);
  }

  private step(ctx: Context, ts: number): void {
    const n = this.ids.length;
    for (let k = 0; k < n; k++) {
      const px = ctx.price(this.names[k]!);
      if (!(px > 0)) return;
      this.logs[k] = Math.log(px);
    }
    for (let k = 0; k < n; k++) this.hist!.push(k, this.logs[k]!);
    const steps = ++this.steps;
    if (steps < this.formation) return; // warm-up
    // the books decide whether a trade is on (a refused entry, a position handed over by a fold)
    const held = Math.sign(ctx.position(this.names[0]!) + ctx.pending(this.names[0]!)) * Math.sign(this.w[0]! || 1);
    if (held !== this.side) {
      if (this.side === 0) this.enteredAt = ts;
      this.side = held;
    }
    if (this.side === 0 && (this.estimates === 0 || ++this.sinceFit >= this.refit)) {
      this.sinceFit = 0;
      this.estimate();
    }
    if (!(this.sd > 0)) return;
    let s = 0;
    for (let k = 0; k < n; k++) s += this.w[k]! * this.logs[k]!;
    const z = (s - this.mean) / this.sd;
    this.lastZ = z;
    // the relationship monitor: broken, the basket holds nothing and enters nothing
    const mon = this.monitor;
    if (mon) {
      if (!mon.broken && mon.calm) {
        this.refW.set(this.w);
        this.refMean = this.mean;
        this.refSd = this.sd;
      }
      let zm = z;
      if (mon.broken) {
        let sr = 0;
        for (let k = 0; k < n; k++) sr += this.refW[k]! * this.logs[k]!;
        zm = (sr - this.refMean) / this.refSd;
      }
      if (mon.step(ts, zm)) {
        if (this.side !== 0 || this.names.some((x) => ctx.position(x) !== 0 || ctx.pending(x) !== 0)) this.flatten(ctx);
        this.side = 0;
        return;
      }
    }
    const open = !this.rankGate || this.rank >= 1;
    if (open) this.gateOpenSteps++;
    const az = Math.abs(z);
    if (this.side !== 0) {
      if (az < this.exit || az > this.stop || ts - this.enteredAt >= this.maxHoldUs || !open) {
        if (az > this.stop) {
          this.stops++;
          this.stoppedOut = true;
        }
        this.side = 0;
        this.flatten(ctx);
      }
      return;
    }
    if (this.stoppedOut) {
      if (az < this.exit) this.stoppedOut = false;
      return;
    }
    if (open && az > this.entry && az <= this.stop) {
      this.side = z > 0 ? -1 : 1;
      this.enteredAt = ts;
      this.entries++;
      this.setLegs(ctx, this.side);
    }
  }
}
