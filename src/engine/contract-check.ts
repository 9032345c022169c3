/**
 * The contract checks the shipped strategies pass, run on any strategy module and data (the
 * `check` job, jobs/check.ts, runs them on a guarded worker thread). Each check replays the strategy with the real engine and compares what it decided:
 *
 * - handlers: create() returns an object whose handler names are ones the engine calls;
 * - determinism: two runs with the same seed decide the same orders and end with the same equity,
 *   and the strategy never calls the platform's unseeded random generator, Date.now or
 *   performance.now (randomness comes from ctx.random(), seeded; the clock from ctx.now);
 * - look-ahead: runs on the data cut at 25%, 50% and 75% decide exactly what the full run decided
 *   up to each cut (a strategy can only see the past);
 * - isolation: a run gives the same orders whether it runs first, after an instance with other
 *   parameters, or between two (module-level state would leak between the trials of a grid);
 * - warm-up: decisions after the same point agree when the run starts with a warm-up of W or of
 *   2W events (W = 20% of the data), compared from the first event where both runs are flat and
 *   idle (sizes may differ with the equity; sides, symbols, types and prices may not);
 * - retained views: the tick and bar handed to a handler are read only during that call (a kept
 *   view would show a later event: keep snapshot() or use ctx.history());
 * - cost: time per event, against a strategy that does nothing.
 */
import seedrandom from 'seedrandom';
import { lowerBound, rowTime, sliceRows, type TickTable } from '../data/table.js';
import { BAR } from '../data/schema.js';
import { formatIso } from '../data/time.js';
import { runBacktest, type BacktestSettings, type OrderRecord, type RunConfig, type RunRecord } from './engine.js';
import { strategyProblems } from '../strategy/instance.js';
import type { BarView, Context, Params, ParamValue, Strategy, StrategyModule, TickView } from '../strategy/types.js';

export interface CheckLine {
  readonly check: string;
  /** 'warn': a divergence that can be by design (warm-up: random draws, refit schedules). */
  readonly status: 'ok' | 'FAIL' | 'warn';
  readonly detail: string;
}

export interface CheckReport {
  readonly strategy: string;
  readonly params: Params;
  readonly events: number;
  readonly lines: readonly CheckLine[];
  readonly failed: number;
}

/** How an order's time is shown: a decision at a bar's close is named by that bar (its start date). */
let when: (ts: number) => string = formatIso;
function namer(t: TickTable): (ts: number) => string {
  if (t.barStart.length === 0) return formatIso;
  return (ts) => {
    const i = lowerBound(t.ts, ts);
    return i < t.length && t.ts[i] === ts && t.kind[i] === BAR ? `${formatIso(rowTime(t, i))} close` : formatIso(ts);
  };
}

const orderText = (o: OrderRecord, withSize = true): string =>
  `${when(o.ts)} ${o.side} ${o.symbol} ${o.type}${withSize ? ` ${Number.isNaN(o.qty) ? `notional ${+o.notional.toPrecision(10)}` : `qty ${+o.qty.toPrecision(10)}`}` : ''}${Number.isNaN(o.limit) ? '' : ` limit ${o.limit}`}${Number.isNaN(o.stop) ? '' : ` stop ${o.stop}`}`;

/** The first difference between two order lists, or undefined when they agree. */
function firstDifference(a: readonly OrderRecord[], b: readonly OrderRecord[], withSize = true): string | undefined {
  const n = Math.max(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a[k] ? orderText(a[k]!, withSize) : undefined;
    const y = b[k] ? orderText(b[k]!, withSize) : undefined;
    if (x !== y) return `order #${k + 1}: ${x ?? 'none'} vs ${y ?? 'none'}`;
  }
  return undefined;
}

/**
 * The globals a strategy must not use: the platform's unseeded random generator and the wall
 * clocks. While the check runs they are replaced by counting stand-ins. The random one answers
 * from a seeded generator, so no unseeded randomness runs even inside the check. (Named by owner
 * and property: this is the one place in src/ that touches that generator, and only to replace it.)
 */
const WATCHED: readonly { readonly owner: Record<string, unknown>; readonly ownerName: string; readonly prop: string; readonly seeded?: true }[] = [
  { owner: Math as unknown as Record<string, unknown>, ownerName: 'Math', prop: 'random', seeded: true },
  { owner: Date as unknown as Record<string, unknown>, ownerName: 'Date', prop: 'now' },
  { owner: performance as unknown as Record<string, unknown>, ownerName: 'performance', prop: 'now' },
];

/** Runs `fn` with the {@link WATCHED} globals replaced, counting calls to each. */
function watchingClocks<T>(fn: () => T): { value: T; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const saved = WATCHED.map((w) => w.owner[w.prop] as (...a: unknown[]) => unknown);
  const stand = seedrandom('tickfold check');
  WATCHED.forEach((w, k) => {
    const name = `${w.ownerName}.${w.prop}`;
    calls[name] = 0;
    const original = saved[k]!;
    w.owner[w.prop] = w.seeded ? () => (calls[name]!++, stand()) : (...a: unknown[]) => (calls[name]!++, original.apply(w.owner, a));
  });
  try {
    return { value: fn(), calls };
  } finally {
    WATCHED.forEach((w, k) => (w.owner[w.prop] = saved[k]));
  }
}

/**
 * Wraps a strategy so that each tick or bar it is handed is a fresh proxy, stale once the handler
 * returns; a read of a stale one is recorded (the strategy kept the view and read it later).
 */
function staleViewWatch(inner: Strategy): { strategy: Strategy; stale: () => string | undefined } {
  let found: string | undefined;
  const wrap = <V extends object>(view: V, what: string, ts: number): { proxy: V; done: () => void } => {
    let live = true;
    const proxy = new Proxy(view, {
      get(target, prop) {
        if (!live && found === undefined && typeof prop === 'string' && prop !== 'snapshot') found = `a ${what} handed over at ${when(ts)} was read (${prop}) after its call returned`;
        // the view's own getters run on the view itself: they read its table through a private
        // field (engine/views.ts), which a proxy as `this` does not have
        return Reflect.get(target, prop, target) as unknown;
      },
    });
    return { proxy, done: () => (live = false) };
  };
  const s: Strategy = Object.create(inner) as Strategy;
  const self = s as { -readonly [K in keyof Strategy]: Strategy[K] };
  // each view handed over as a proxy that goes stale when the handler returns
  const guarded =
    <V extends TickView | BarView>(handler: (ctx: Context, v: V) => void, what: string) =>
    (ctx: Context, v: V): void => {
      const w = wrap(v, what, v.ts);
      try {
        handler.call(inner, ctx, w.proxy);
      } finally {
        w.done();
      }
    };
  if (inner.onTick) self.onTick = guarded(inner.onTick, 'tick');
  if (inner.onBar) self.onBar = guarded(inner.onBar, 'bar');
  for (const k of ['onStart', 'onBars', 'onFill', 'onReject', 'onCancel', 'onEnd', 'summary'] as const) {
    const f = inner[k];
    if (typeof f === 'function') (self as Record<string, unknown>)[k] = (...a: unknown[]) => (f as (...x: unknown[]) => unknown).apply(inner, a);
  }
  Object.defineProperty(self, 'ticks', { get: () => inner.ticks });
  return { strategy: s, stale: () => found };
}

/** Other parameters for the isolation check: the first number doubled (within its bounds), else the defaults. */
function otherParams(module: StrategyModule, params: Params): Params {
  for (const [k, spec] of Object.entries(module.params)) {
    if (spec.type !== 'number' && spec.type !== 'integer') continue;
    const v = params[k] as number;
    let w = v === 0 ? 1 : v * 2;
    if (spec.max !== undefined && w > spec.max) w = spec.min !== undefined ? Math.max(spec.min, v / 2) : v / 2;
    if (spec.type === 'integer') w = Math.round(w);
    if (w !== v) {
      try {
        module.create({ ...params, [k]: w });
        return { ...params, [k]: w };
      } catch {
        /* another key */
      }
    }
  }
  return params;
}

/** Position per event index from the fills, and whether the run is flat and idle there. */
function idleAt(r: RunRecord, events: number): Uint8Array {
  const idle = new Uint8Array(events);
  const pos = new Map<string, number>();
  const filledBy = new Map<number, number>();
  const fills = r.fills.rows();
  for (const f of fills) if (!filledBy.has(f.orderId)) filledBy.set(f.orderId, f.index);
  // orders still waiting for a fill at each index
  const waitFrom = new Int32Array(events + 1);
  for (const o of r.orders) {
    if (!o.accepted) continue;
    const from = Math.max(0, o.index);
    const to = filledBy.get(o.id) ?? events; // never filled: waiting to the end
    waitFrom[from]!++;
    waitFrom[Math.min(events, to)]!--;
  }
  let fi = 0;
  let waiting = 0;
  for (let i = 0; i < events; i++) {
    while (fi < fills.length && fills[fi]!.index <= i) {
      const f = fills[fi++]!;
      pos.set(f.symbol, (pos.get(f.symbol) ?? 0) + (f.side === 'buy' ? f.qty : -f.qty));
    }
    waiting += waitFrom[i]!;
    let flat = true;
    for (const q of pos.values()) if (Math.abs(q) > 1e-9) flat = false;
    idle[i] = flat && waiting === 0 ? 1 : 0;
  }
  return idle;
}

/** Checks a strategy with these parameters on the table; every replay has the settings `run` (the check job's). */
export function checkStrategy(table: TickTable, module: StrategyModule, params: Params, run: BacktestSettings): CheckReport {
  when = namer(table);
  const cfg = (name: string): RunConfig => ({ strategyName: name, initialCapital: run.initialCapital, execution: run.execution, periodUs: run.periodUs, seed: run.seed });
  const lines: CheckLine[] = [];
  const add = (check: string, ok: boolean, detail: string, soft = false): void => void lines.push({ check, status: ok ? 'ok' : soft ? 'warn' : 'FAIL', detail });
  const n = table.length;
  const make = (p: Params = params): Strategy => module.create(p);
  const runOn = (t: TickTable, p: Params = params): RunRecord => runBacktest(t, make(p), cfg(module.name));

  // handlers
  const problems = strategyProblems(make());
  const inst = make() as unknown as Record<string, unknown>;
  const handlers = ['onStart', 'onTick', 'onBar', 'onBars', 'onFill', 'onReject', 'onCancel', 'onEnd'].filter((h) => typeof inst[h] === 'function');
  add('handlers', problems.length === 0, problems.length === 0 ? (handlers.length ? handlers.join(', ') : 'none (it never acts)') : problems.join('; '));
  if (problems.length > 0) return { strategy: module.name, params, events: n, lines, failed: 1 };

  // determinism, and the clocks it must not read
  const t0 = performance.now();
  const watched = watchingClocks(() => [runOn(table), runOn(table)] as const);
  const elapsed = performance.now() - t0;
  const [a, b] = watched.value;
  const d = firstDifference(a.orders.rows(), b.orders.rows());
  const sameEquity = a.finalEquity === b.finalEquity;
  add('determinism', d === undefined && sameEquity, d ? `two runs with seed 1 differ at ${d}` : sameEquity ? `two runs with seed 1 gave the same ${a.orders.rows().length} orders and final equity` : `final equity ${a.finalEquity} vs ${b.finalEquity}`);
  const used = Object.entries(watched.calls).filter(([, c]) => c > 0);
  add(
    'clock/random',
    used.length === 0,
    used.length === 0
      ? `no ${Object.keys(watched.calls)
          .join(', ')
          .replace(/, ([^,]+)$/, ' or $1')}`
      : `calls ${used.map(([k, c]) => `${k} (${c}×)`).join(', ')}: use ctx.random() (seeded) and ctx.now`,
  );

  // look-ahead by truncation
  const cuts = [0.25, 0.5, 0.75].map((f) => Math.max(2, Math.floor(n * f)));
  let lookahead: string | undefined;
  for (const k of cuts) {
    const part = runOn(sliceRows(table, 0, k));
    const before = (xs: readonly OrderRecord[]): OrderRecord[] => xs.filter((o) => o.index < k - 1);
    const diff = firstDifference(before(part.orders.rows()), before(a.orders.rows()));
    if (diff !== undefined) {
      lookahead = `cut at event ${k} (${when(table.ts[k - 1]!)}): ${diff} (cut run vs full run)`;
      break;
    }
  }
  add('look-ahead', lookahead === undefined, lookahead ?? `runs cut at 25%, 50% and 75% decided what the full run decided up to each cut`);

  // isolation: other parameters before, between and after
  const other = otherParams(module, params);
  const label =
    Object.entries(other)
      .filter(([k, v]) => v !== params[k])
      .map(([k, v]) => `${k}=${String(v as ParamValue)}`)
      .join(',') || 'the same parameters';
  runOn(table, other);
  const afterOther = runOn(table);
  runOn(table, other);
  const between = runOn(table);
  const iso = firstDifference(a.orders.rows(), afterOther.orders.rows()) ?? firstDifference(a.orders.rows(), between.orders.rows());
  add('isolation', iso === undefined, iso === undefined ? `the same orders after runs with ${label}` : `after a run with ${label} the run differs at ${iso} (state kept at module level leaks between trials)`);

  // warm-up sensitivity
  const w = Math.floor(n * 0.2);
  if (w < 10) add('warm-up', true, 'skipped: too little data (fewer than 50 events)');
  else {
    const c = 2 * w;
    const r1 = runOn(sliceRows(table, w, n)); // warm-up W before event c
    const r2 = runOn(table); // warm-up 2W
    const i1 = idleAt(r1, n - w);
    const i2 = idleAt(r2, n);
    let from = -1;
    for (let i = c; i < n; i++)
      if (i1[i - w] === 1 && i2[i] === 1) {
        from = i;
        break;
      }
    if (from < 0) add('warm-up', true, `not compared: the runs are never flat and idle together after ${when(table.ts[c]!)}`);
    else {
      const after1 = r1.orders
        .rows()
        .filter((o) => o.index + w > from)
        .map((o) => ({ ...o, index: o.index + w }));
      const after2 = r2.orders.rows().filter((o) => o.index > from);
      const diff = firstDifference(after1, after2, false);
      add(
        'warm-up',
        diff === undefined,
        diff === undefined
          ? `decisions from ${when(table.ts[from]!)} agree with warm-ups of ${w} and ${2 * w} events (${after2.length} orders)`
          : `decisions from ${when(table.ts[from]!)} differ with warm-ups of ${w} and ${2 * w} events: ${diff} (something depends on where the data starts: a recursive indicator such as an EMA, a refit schedule, random draws; fine if by design, else warm it up longer)`,
        true,
      );
    }
  }

  // retained views
  const watch = staleViewWatch(make());
  runBacktest(table, watch.strategy, cfg(module.name));
  const stale = watch.stale();
  add('retained views', stale === undefined, stale ?? 'ticks and bars read only during their calls');

  // cost per event
  const nothing = (): number => {
    const s = performance.now();
    runBacktest(table, {}, cfg('nothing'));
    return performance.now() - s;
  };
  const base = Math.min(nothing(), nothing());
  add('cost', true, `${((elapsed / 2 / Math.max(1, n)) * 1000).toFixed(2)} µs per event (a strategy that does nothing: ${((base / Math.max(1, n)) * 1000).toFixed(2)} µs)`);

  return { strategy: module.name, params, events: n, lines, failed: lines.filter((l) => l.status === 'FAIL').length };
}
