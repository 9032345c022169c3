/**
 * Deterministic synthetic market data: cointegrated pairs of quote streams and their trades.
 *
 * Model, in log prices on one clock (time in seconds; events arrive as a Poisson process):
 * - leg A: a random walk, ln A(t+dt) = ln A(t) + σ_A √dt · N(0,1);
 * - spread: an Ornstein-Uhlenbeck process with the chosen half-life,
 *   s(t+dt) = s(t) e^{−θ dt} + σ_s √((1 − e^{−2θ dt}) / 2θ) · N(0,1), θ = ln 2 / half-life;
 * - leg B: ln B = ln B0 + β (ln A − ln A0) + s.
 * Each event updates the state and quotes one leg (chosen at random): mid on a tick grid, bid and
 * ask `spreadTicks` apart, random sizes. With probability `tradeProb` a trade prints at that bid or
 * ask. With `regimeBreak` = f, after fraction f of the events the relationship changes: β becomes
 * β·`breakBetaFactor`, the spread all but stops mean-reverting (its θ drops 20-fold) and its level
 * drifts away at `breakDrift` stationary standard deviations an hour, so a hedge ratio and spread
 * band fitted before the break fail after it.
 *
 * More symbols (an even number) are that many pairs, symbols 2j and 2j+1 the legs of pair j,
 * leg prices (1 + j/pairs) times `priceA` and `priceB`: each event picks a pair at random, then
 * advances it by the time since its own last event (the exact transition of both processes over
 * that interval) and quotes one of its legs. With one pair, every event advances it by its own
 * interval, and no pick is drawn.
 *
 * All randomness comes from one seeded generator: the same options give the same bytes. The
 * events go to a {@link TickSink}: CSV lines here, or catalog partitions (data/generate-catalog.ts),
 * the same events either way.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { formatIso, US_PER_SECOND } from './time.js';

export interface PairOptions {
  readonly seed: number;
  /** Quote events (both legs together). */
  readonly events: number;
  readonly startUs: number;
  /** Mean time between events, seconds. */
  readonly meanIntervalS: number;
  /** An even number of symbols: pairs of legs A and B, in this order. */
  readonly symbols: readonly string[];
  readonly priceA: number;
  readonly priceB: number;
  /** Hedge ratio of ln B on ln A. */
  readonly beta: number;
  /** Half-life of the spread, seconds. */
  readonly halfLifeS: number;
  /** Annualised-free volatilities: per √second, of ln A and of the spread's stationary level. */
  readonly volA: number;
  readonly spreadVol: number;
  readonly tickSize: number;
  readonly spreadTicks: number;
  readonly tradeProb: number;
  /** Fraction of events after which the relationship breaks; undefined for no break. */
  readonly regimeBreak: number | undefined;
  readonly breakBetaFactor: number;
  /** Drift of the spread level after the break, in stationary standard deviations per hour. */
  readonly breakDrift: number;
}

export const DEFAULT_PAIR: PairOptions = {
  seed: 42,
  events: 40_000,
  startUs: Date.UTC(2024, 0, 2, 14, 30) * 1000,
  meanIntervalS: 0.5,
  symbols: ['AAA', 'BBB'],
  priceA: 100,
  priceB: 50,
  beta: 0.8,
  halfLifeS: 600,
  volA: 0.0002,
  spreadVol: 0.002,
  tickSize: 0.01,
  spreadTicks: 1,
  tradeProb: 0.15,
  regimeBreak: undefined,
  breakBetaFactor: 1.6,
  breakDrift: 3,
};

/** Buffers lines and writes them to a temp file renamed into place at the end (atomic). */
class AtomicCsvWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private parts: string[] = [];
  private size = 0;
  rows = 0;
  constructor(
    readonly path: string,
    header: string,
  ) {
    this.tmp = `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.tmp, 'w');
    this.line(header);
    this.rows = 0;
  }
  line(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    this.rows++;
    if (this.size > 1 << 20) this.flush();
  }
  private flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    rmSync(this.tmp, { force: true });
  }
}

const fmt = (x: number, decimals: number): string => String(Number(x.toFixed(decimals)));

export interface Generated {
  readonly quotesFile: string;
  readonly tradesFile: string | undefined;
  readonly quotes: number;
  readonly trades: number;
  /** Index of the first event after the break, or -1. */
  readonly breakEvent: number;
  readonly breakUs: number | undefined;
}

/** Where generated events go: prices in ticks of `tickSize`, symbols as indexes into `symbols`. */
export interface TickSink {
  quote(tUs: number, sym: number, bidTicks: number, askTicks: number, bidSize: number, askSize: number): void;
  trade(tUs: number, sym: number, priceTicks: number, size: number): void;
}

/** Runs the model (see the file's comment) and hands each event to `sink`; trades only with `trades`. */
export function generateEvents(o: PairOptions, sink: TickSink, trades: boolean): { breakEvent: number; breakUs: number | undefined } {
  const rng = seedrandom(String(o.seed));
  let spare: number | undefined;
  const gauss = (): number => {
    // Box-Muller, both values used
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = rng();
    const v = rng();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  const pairs = o.symbols.length / 2;
  if (!Number.isInteger(pairs) || pairs < 1) throw new RangeError(`generate: an even number of symbols, not ${o.symbols.length}`);
  const breakEvent = o.regimeBreak === undefined ? -1 : Math.floor(o.events * o.regimeBreak);
  let breakUs: number | undefined;
  const lnA = Float64Array.from({ length: pairs }, (_, j) => Math.log(o.priceA * (1 + j / pairs)));
  const lnA0 = Float64Array.from(lnA);
  const lnB0 = Float64Array.from({ length: pairs }, (_, j) => Math.log(o.priceB * (1 + j / pairs)));
  const spread = new Float64Array(pairs);
  const lastS = new Float64Array(pairs); // each pair's last event, seconds from the start
  let beta = o.beta;
  let theta = Math.LN2 / o.halfLifeS;
  // σ of the OU increments so that the stationary sd is spreadVol
  let sigmaS = o.spreadVol * Math.sqrt(2 * theta);
  let drift = 0; // spread drift, log units per second
  let tUs = o.startUs;
  let tS = 0;
  for (let i = 0; i < o.events; i++) {
    if (i === breakEvent) {
      beta *= o.breakBetaFactor;
      theta /= 20;
      sigmaS = o.spreadVol * Math.sqrt(2 * (Math.LN2 / o.halfLifeS));
      drift = (o.breakDrift * o.spreadVol) / 3600;
      breakUs = tUs;
    }
    const dt = -Math.log(1 - rng()) * o.meanIntervalS;
    tUs += Math.max(1, Math.round(dt * US_PER_SECOND));
    tS += dt;
    const j = pairs === 1 ? 0 : Math.floor(rng() * pairs);
    const el = pairs === 1 ? dt : tS - lastS[j]!;
    lastS[j] = tS;
    lnA[j] = lnA[j]! + o.volA * Math.sqrt(el) * gauss();
    const decay = Math.exp(-theta * el);
    spread[j] = spread[j]! * decay + sigmaS * Math.sqrt((1 - decay * decay) / (2 * theta)) * gauss() + drift * el;
    const leg = rng() < 0.5 ? 0 : 1;
    const mid = leg === 0 ? Math.exp(lnA[j]!) : Math.exp(lnB0[j]! + beta * (lnA[j]! - lnA0[j]!) + spread[j]!);
    const bidTicks = Math.floor(mid / o.tickSize - o.spreadTicks / 2 + 0.5);
    const bidSize = (1 + Math.floor(rng() * 20)) * 100;
    const askSize = (1 + Math.floor(rng() * 20)) * 100;
    const sym = 2 * j + leg;
    sink.quote(tUs, sym, bidTicks, bidTicks + o.spreadTicks, bidSize, askSize);
    if (trades && rng() < o.tradeProb) {
      const buy = rng() < 0.5;
      const size = (1 + Math.floor(rng() * 5)) * 100;
      sink.trade(tUs + 1, sym, buy ? bidTicks + o.spreadTicks : bidTicks, size);
    }
  }
  return { breakEvent, breakUs };
}

/** Writes `quotesFile` (and `tradesFile` when given) atomically. */
export function generatePair(o: PairOptions, quotesFile: string, tradesFile?: string): Generated {
  const decimals = Math.max(0, Math.round(-Math.log10(o.tickSize)));
  const price = (ticks: number): string => fmt(ticks * o.tickSize, decimals);
  const q = new AtomicCsvWriter(quotesFile, 'ts,symbol,bid,ask,bid_size,ask_size');
  const tr = tradesFile ? new AtomicCsvWriter(tradesFile, 'ts,symbol,price,size') : undefined;
  let made;
  try {
    made = generateEvents(
      o,
      {
        quote: (tUs, sym, bid, ask, bidSize, askSize) => q.line(`${formatIsoUs(tUs)},${o.symbols[sym]!},${price(bid)},${price(ask)},${bidSize},${askSize}`),
        trade: (tUs, sym, p, size) => tr!.line(`${formatIsoUs(tUs)},${o.symbols[sym]!},${price(p)},${size}`),
      },
      tr !== undefined,
    );
    q.commit();
    tr?.commit();
  } catch (e) {
    q.abort();
    tr?.abort();
    throw e;
  }
  return { quotesFile, tradesFile, quotes: q.rows, trades: tr?.rows ?? 0, ...made };
}

/** ISO-8601 with exactly 6 fraction digits. */
function formatIsoUs(us: number): string {
  const iso = formatIso(us);
  if (iso.length === 10) return `${iso}T00:00:00.000000Z`;
  const dot = iso.indexOf('.');
  if (dot < 0) return `${iso.slice(0, -1)}.000000Z`;
  return `${iso.slice(0, -1).padEnd(dot + 7, '0')}Z`;
}
