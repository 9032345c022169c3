/**
 * Small helpers shared by the shipped strategies: which symbols to trade, a decision clock, and a
 * price history ring buffer. None allocates per tick.
 */
import { parseDuration } from '../src/data/time.js';
import type { Context, ParamSpec, TickSubscription } from '../src/strategy/types.js';
import { symbolNotInData } from '../src/strategy/param-error.js';

export const COMMON_PARAMS = {
  symbol: { type: 'string', default: '', doc: "symbols to trade, comma-separated; '' = every symbol in the data, equal weights" },
  every: { type: 'string', format: 'duration', default: '', doc: "decide once per period of this length (e.g. 1m, 1h); '' = on every tick or bar" },
  fraction: {
    type: 'number',
    default: 0.95,
    min: 0,
    max: 10,
    doc: 'position size as a fraction of equity, split across the traded symbols (below 1 so that price drift between symbols does not push gross exposure over --max-leverage)',
  },
} as const satisfies Record<string, ParamSpec>;

/** The symbols a strategy trades, as ids into ctx.symbols (`param`: the parameter that named them, for the error). */
export function tradedSymbols(ctx: Context, spec: string, param = 'symbol'): number[] {
  if (spec.trim() === '') return ctx.symbols.map((_, i) => i);
  return spec.split(',').map((s) => {
    const i = ctx.symbols.indexOf(s.trim());
    if (i < 0) throw symbolNotInData(param, spec, s.trim(), ctx.symbols);
    return i;
  });
}

/** Fires once per period per symbol: true on the first event of each new period. */
export class DecisionClock {
  private readonly last: Float64Array;
  private readonly everyUs: number;
  constructor(every: string, nSymbols: number) {
    this.everyUs = every.trim() === '' ? 0 : parseDuration(every);
    if (Number.isNaN(this.everyUs)) throw new Error(`every='${every}' is not a duration (e.g. 1m, 1h)`);
    this.last = new Float64Array(nSymbols).fill(NaN);
  }
  due(sym: number, ts: number): boolean {
    if (this.everyUs === 0) return true;
    const b = Math.floor(ts / this.everyUs);
    if (b === this.last[sym]) return false;
    this.last[sym] = b;
    return true;
  }
}

/** Last `capacity` values per symbol. */
export class History {
  private readonly buf: Float64Array;
  private readonly count: Uint32Array;
  constructor(
    private readonly capacity: number,
    nSymbols: number,
  ) {
    this.buf = new Float64Array(capacity * nSymbols);
    this.count = new Uint32Array(nSymbols);
  }
  push(sym: number, v: number): void {
    this.buf[sym * this.capacity + (this.count[sym]! % this.capacity)] = v;
    this.count[sym]!++;
  }
  /** Whether `capacity` values have been seen. */
  full(sym: number): boolean {
    return this.count[sym]! >= this.capacity;
  }
  /** The value `lag` steps back (0 = latest). */
  at(sym: number, lag: number): number {
    const c = this.count[sym]!;
    if (lag >= Math.min(c, this.capacity)) return NaN;
    return this.buf[sym * this.capacity + ((c - 1 - lag) % this.capacity)]!;
  }
}

/** What the sign and random baselines set up in onStart: which symbols, their weight, the clock. */
export interface Universe {
  /** traded[symbolId] */
  readonly traded: readonly boolean[];
  /** Fraction of equity per traded symbol. */
  readonly weight: number;
  readonly clock: DecisionClock;
}

export function universe(ctx: Context, symbolSpec: string, fraction: number, every: string): Universe {
  const ids = tradedSymbols(ctx, symbolSpec);
  return {
    traded: ctx.symbols.map((_, i) => ids.includes(i)),
    weight: fraction / ids.length,
    clock: new DecisionClock(every, ctx.symbols.length),
  };
}

/** The tick subscription matching a decision clock: only these symbols, first tick per period. */
export function subscription(symbols: readonly string[], every: string, per: 'symbol' | 'strategy'): TickSubscription {
  const everyUs = every.trim() === '' ? 0 : parseDuration(every);
  return { symbols, everyUs, per };
}
