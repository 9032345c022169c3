/**
 * Deterministic synthetic market data: a cointegrated pair of quote streams and their trades.
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
 * All randomness comes from one seeded generator: the same options give the same bytes.
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
  readonly symbols: readonly [string, string];
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

/** Writes `quotesFile` (and `tradesFile` when given) atomically. */
export function generatePair(o: PairOptions, quotesFile: string, tradesFile?: string): Generated {
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
  const decimals = Math.max(0, Math.round(-Math.log10(o.tickSize)));
  const q = new AtomicCsvWriter(quotesFile, 'ts,symbol,bid,ask,bid_size,ask_size');
  const tr = tradesFile ? new AtomicCsvWriter(tradesFile, 'ts,symbol,price,size') : undefined;
  const breakEvent = o.regimeBreak === undefined ? -1 : Math.floor(o.events * o.regimeBreak);
  let breakUs: number | undefined;
  try {
    let lnA = Math.log(o.priceA);
    const lnA0 = lnA;
    const lnB0 = Math.log(o.priceB);
    let s = 0;
    let beta = o.beta;
    let theta = Math.LN2 / o.halfLifeS;
    // σ of the OU increments so that the stationary sd is spreadVol
    let sigmaS = o.spreadVol * Math.sqrt(2 * theta);
    let drift = 0; // spread drift, log units per second
    let tUs = o.startUs;
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
      lnA += o.volA * Math.sqrt(dt) * gauss();
      const decay = Math.exp(-theta * dt);
      s = s * decay + sigmaS * Math.sqrt((1 - decay * decay) / (2 * theta)) * gauss() + drift * dt;
      const leg = rng() < 0.5 ? 0 : 1;
      const mid = leg === 0 ? Math.exp(lnA) : Math.exp(lnB0 + beta * (lnA - lnA0) + s);
      const bidTicks = Math.floor(mid / o.tickSize - o.spreadTicks / 2 + 0.5);
      const bid = bidTicks * o.tickSize;
      const ask = (bidTicks + o.spreadTicks) * o.tickSize;
      const bidSize = (1 + Math.floor(rng() * 20)) * 100;
      const askSize = (1 + Math.floor(rng() * 20)) * 100;
      const ts = formatIsoUs(tUs);
      const sym = o.symbols[leg]!;
      q.line(`${ts},${sym},${fmt(bid, decimals)},${fmt(ask, decimals)},${bidSize},${askSize}`);
      if (tr && rng() < o.tradeProb) {
        const buy = rng() < 0.5;
        const size = (1 + Math.floor(rng() * 5)) * 100;
        tr.line(`${formatIsoUs(tUs + 1)},${sym},${fmt(buy ? ask : bid, decimals)},${size}`);
      }
    }
    q.commit();
    tr?.commit();
  } catch (e) {
    q.abort();
    tr?.abort();
    throw e;
  }
  return { quotesFile, tradesFile, quotes: q.rows, trades: tr?.rows ?? 0, breakEvent, breakUs };
}

/** ISO-8601 with exactly 6 fraction digits. */
function formatIsoUs(us: number): string {
  const iso = formatIso(us);
  if (iso.length === 10) return `${iso}T00:00:00.000000Z`;
  const dot = iso.indexOf('.');
  if (dot < 0) return `${iso.slice(0, -1)}.000000Z`;
  return `${iso.slice(0, -1).padEnd(dot + 7, '0')}Z`;
}
