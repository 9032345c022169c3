/**
 * The out-of-sample run of a walk-forward: ONE engine run over all test windows, in which fold k's
 * strategy (created with the parameters chosen on fold k's training data) trades during fold k's
 * test window only. This is a strategy like any other to the engine, so the out-of-sample equity
 * is a real, continuous equity curve with every cost of switching parameters paid.
 *
 * - Each fold's instance is alive from its warm-up start to its test end. Before its test window
 *   it only warms up: it sees every event it subscribed to, `ctx.warmingUp` is true, its orders
 *   are refused (no engine order, no rejection) and its positions read 0.
 * - At a fold edge, working orders of the previous instance are cancelled, and with
 *   `--fold-edge close` every open position is closed with market orders (filled, as any order,
 *   at the next event with costs); with `carry` the positions pass to the next instance, which
 *   sees them as its own.
 * - Fills and rejections go to the instance that sent the order; the handover's closing orders
 *   belong to none.
 */
import { createStrategy } from '../strategy/instance.js';
import { checkedDiagnostics, joinDiagnostics, type DiagnosticsPart } from '../strategy/diagnostics.js';
import { checkedSummary } from '../strategy/summary-check.js';
import type { HistoryField, PanelField, PanelMatrix, Context, Fill, OrderRequest, Params, Rejection, Cancellation, Strategy, StrategyModule, SubmitResult, TickSubscription } from '../strategy/types.js';

export type FoldEdge = 'close' | 'carry';

export interface Segment {
  readonly params: Params;
  /** Label of the parameters, for error messages. */
  readonly label: string;
  readonly warmupStart: number;
  readonly testStart: number;
  /** Exclusive; Infinity for the last. */
  readonly testEnd: number;
}

const REFUSED: SubmitResult = Object.freeze({ ok: false, id: 0, reason: 'warm-up: no orders before the out-of-sample window starts' });

/** What an instance sees: the engine's context, gated by whether its test window is on. */
class GatedContext implements Context {
  active = false;
  constructor(
    private readonly real: Context,
    private readonly owned: (id: number) => void,
  ) {}
  get now(): number {
    return this.real.now;
  }
  get warmingUp(): boolean {
    return !this.active;
  }
  get symbols(): readonly string[] {
    return this.real.symbols;
  }
  get cash(): number {
    return this.real.cash;
  }
  get equity(): number {
    return this.real.equity;
  }
  get initialCapital(): number {
    return this.real.initialCapital;
  }
  quote(symbol: string): ReturnType<Context['quote']> {
    return this.real.quote(symbol);
  }
  lastTrade(symbol: string): number {
    return this.real.lastTrade(symbol);
  }
  price(symbol: string): number {
    return this.real.price(symbol);
  }
  position(symbol: string): number {
    return this.active ? this.real.position(symbol) : 0;
  }
  pending(symbol: string): number {
    return this.active ? this.real.pending(symbol) : 0;
  }
  private track(r: SubmitResult | undefined): SubmitResult | undefined {
    if (r) this.owned(r.id);
    return r;
  }
  submit(order: OrderRequest): SubmitResult {
    return this.active ? this.track(this.real.submit(order))! : REFUSED;
  }
  cancel(orderId: number): boolean {
    return this.active && this.real.cancel(orderId);
  }
  cancelAll(symbol?: string): void {
    if (this.active) this.real.cancelAll(symbol);
  }
  targetPosition(symbol: string, qty: number): SubmitResult | undefined {
    return this.active ? this.track(this.real.targetPosition(symbol, qty)) : REFUSED;
  }
  targetPercent(symbol: string, fraction: number, tolerance?: number): SubmitResult | undefined {
    return this.active ? this.track(this.real.targetPercent(symbol, fraction, tolerance)) : REFUSED;
  }
  random(): number {
    return this.real.random();
  }
  history(symbol: string, n: number, field?: HistoryField): Float64Array {
    return this.real.history(symbol, n, field);
  }
  panel(field: PanelField, n: number): PanelMatrix {
    return this.real.panel(field, n);
  }
  member(symbol: string): boolean {
    return this.real.member(symbol);
  }
}

/** An instance's own tick subscription, applied on top of the composite's. */
class TickFilter {
  private readonly want: Uint8Array | undefined;
  private readonly everyUs: number;
  private readonly perSymbol: boolean;
  private readonly nextDue: Float64Array;
  constructor(sub: TickSubscription | undefined, symbols: readonly string[]) {
    this.want = sub?.symbols ? new Uint8Array(symbols.length) : undefined;
    for (const s of sub?.symbols ?? []) {
      const i = symbols.indexOf(s);
      if (i >= 0) this.want![i] = 1;
    }
    this.everyUs = sub?.everyUs ?? 0;
    this.perSymbol = sub?.per !== 'strategy';
    this.nextDue = new Float64Array(this.perSymbol ? symbols.length : 1).fill(-Infinity);
  }
  /** The engine's rule (engine.ts): subscribed symbols, first tick of each period. */
  pass(sym: number, t: number): boolean {
    if (this.want && this.want[sym] !== 1) return false;
    const slot = this.perSymbol ? sym : 0;
    if (t < this.nextDue[slot]!) return false;
    if (this.everyUs > 0) this.nextDue[slot] = (Math.floor(t / this.everyUs) + 1) * this.everyUs;
    return true;
  }
}

/** The union of the instances' subscriptions, for the engine. */
function unionSubscription(subs: readonly (TickSubscription | undefined)[]): TickSubscription | undefined {
  if (subs.some((s) => s === undefined)) return undefined;
  const all = subs as TickSubscription[];
  const symbols = all.some((s) => s.symbols === undefined) ? undefined : [...new Set(all.flatMap((s) => s.symbols!))];
  const every = all.every((s) => (s.everyUs ?? 0) === (all[0]!.everyUs ?? 0)) ? (all[0]!.everyUs ?? 0) : 0;
  const per = all.every((s) => (s.per ?? 'symbol') === (all[0]!.per ?? 'symbol')) ? (all[0]!.per ?? 'symbol') : 'symbol';
  return { ...(symbols ? { symbols } : {}), everyUs: every, per };
}

export function foldedStrategy(module: StrategyModule, segments: readonly Segment[], edge: FoldEdge): Strategy {
  const n = segments.length;
  const instances: Strategy[] = segments.map((s) => createStrategy(module, s.params));
  const contexts: GatedContext[] = [];
  const filters: TickFilter[] = [];
  const owner = new Map<number, number>();
  let active = -1;
  /** Instances [lo, hi) may be alive; both only move forward. */
  let lo = 0;
  let hi = 0;
  let real: Context;

  const wrap = (k: number, what: string, fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      // the thrown error's class kept (a RangeError stays one in the message), the error itself as
      // the cause (its stack names the user's line: runtime/task-run.ts)
      const wrapped = new Error(`fold ${k + 1} (${segments[k]!.label}) ${what}: ${msg}`, { cause: e });
      if (e instanceof Error) wrapped.name = e.name;
      throw wrapped;
    }
  };

  /** Moves the window of live instances and hands over at fold edges. */
  const advance = (t: number): void => {
    while (hi < n && segments[hi]!.warmupStart <= t) hi++;
    while (lo < hi && segments[lo]!.testEnd <= t) lo++;
    let next = active;
    while (next + 1 < n && segments[next + 1]!.testStart <= t) next++;
    if (next !== active || (active >= 0 && segments[active]!.testEnd <= t)) {
      if (active >= 0) {
        contexts[active]!.active = false;
        real.cancelAll();
        if (edge === 'close') for (const s of real.symbols) if (real.position(s) !== 0) real.targetPosition(s, 0);
      }
      active = next >= 0 && segments[next]!.testEnd > t ? next : -1;
      if (active >= 0) contexts[active]!.active = true;
    }
  };

  const self: Strategy & { ticks?: TickSubscription } = {
    onStart(ctx) {
      real = ctx;
      for (let k = 0; k < n; k++) {
        contexts.push(new GatedContext(ctx, (id) => owner.set(id, k)));
        const inst = instances[k]!;
        if (inst.onStart) wrap(k, 'onStart', () => inst.onStart!(contexts[k]!));
        filters.push(new TickFilter(inst.ticks, ctx.symbols));
      }
      // delivered only if some instance has a tick handler
      if (instances.some((i) => i.onTick)) {
        const u = unionSubscription(instances.map((i) => (i.onTick ? i.ticks : { symbols: [] })));
        if (u) self.ticks = u;
      } else self.ticks = { symbols: [] };
    },
    onTick(ctx, tick) {
      const t = tick.ts;
      advance(t);
      for (let k = lo; k < hi; k++) {
        const inst = instances[k]!;
        if (inst.onTick && segments[k]!.testEnd > t && filters[k]!.pass(tick.symbolId, t)) wrap(k, 'onTick', () => inst.onTick!(contexts[k]!, tick));
      }
    },
    onBar(ctx, bar) {
      const t = bar.ts;
      advance(t);
      for (let k = lo; k < hi; k++) {
        const inst = instances[k]!;
        if (inst.onBar && segments[k]!.testEnd > t) wrap(k, 'onBar', () => inst.onBar!(contexts[k]!, bar));
      }
    },
    onBars(ctx, session) {
      const t = ctx.now;
      advance(t);
      for (let k = lo; k < hi; k++) {
        const inst = instances[k]!;
        if (inst.onBars && segments[k]!.testEnd > t) wrap(k, 'onBars', () => inst.onBars!(contexts[k]!, session));
      }
    },
    onFill(ctx, fill: Fill) {
      const k = owner.get(fill.orderId) ?? (fill.parentId !== undefined ? owner.get(fill.parentId) : undefined);
      const inst = k === undefined ? undefined : instances[k];
      if (k !== undefined && inst?.onFill && k === active) wrap(k, 'onFill', () => inst.onFill!(contexts[k]!, fill));
    },
    onReject(ctx, r: Rejection) {
      const k = owner.get(r.orderId);
      const inst = k === undefined ? undefined : instances[k];
      if (k !== undefined && inst?.onReject && k === active) wrap(k, 'onReject', () => inst.onReject!(contexts[k]!, r));
    },
    onCancel(ctx, c: Cancellation) {
      const k = owner.get(c.orderId) ?? (c.parentId !== undefined ? owner.get(c.parentId) : undefined);
      const inst = k === undefined ? undefined : instances[k];
      if (k !== undefined && inst?.onCancel && k === active) wrap(k, 'onCancel', () => inst.onCancel!(contexts[k]!, c));
    },
    onEnd(ctx) {
      for (let k = lo; k < hi; k++) {
        const inst = instances[k]!;
        if (inst.onEnd && segments[k]!.testEnd > ctx.now) wrap(k, 'onEnd', () => inst.onEnd!(contexts[k]!));
      }
    },
    summary() {
      const out: { fold: number; summary: unknown }[] = [];
      for (let k = 0; k < n; k++) {
        const inst = instances[k]!;
        if (inst.summary) wrap(k, 'summary', () => out.push({ fold: k, summary: checkedSummary(inst.summary!()) }));
      }
      return out.length > 0 ? out : undefined;
    },
    diagnostics() {
      // each fold's charts over its test window (where it traded), joined in time order
      const parts: DiagnosticsPart[] = [];
      for (let k = 0; k < n; k++) {
        const inst = instances[k]!;
        const seg = segments[k]!;
        if (inst.diagnostics) wrap(k, 'diagnostics', () => parts.push({ from: seg.testStart, to: seg.testEnd, diagnostics: checkedDiagnostics(inst.diagnostics!()) }));
      }
      return joinDiagnostics(parts) ?? { charts: [] };
    },
  };
  return self;
}
