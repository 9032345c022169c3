/**
 * `tickfold leadlag`: which of two instruments moves first, and by how much.
 *
 * - Each symbol's mark path: the mid of its quotes (or its trade prices, or bar closes when it
 *   has neither), kept only where the mark changes, as log prices.
 * - Grid cross-correlation: both paths sampled on a regular grid (the last mark at or before each
 *   grid time, over the span both cover), log returns, ρ(k) for lags k = −L..L grid steps
 *   (src/stats/cross-correlation.ts).
 * - Hayashi-Yoshida: ρ(θ) of the asynchronous change series for θ on the same lags
 *   (src/stats/hayashi-yoshida.ts); no grid, so no Epps effect.
 * - For each, the lag of the largest |ρ|; positive lags: the first symbol leads.
 * - Is the lead real? A block bootstrap over time (the span cut into `blocks` equal stretches,
 *   redrawn with replacement from the seeded generator; both estimators are sums over A's
 *   intervals or grid steps, so a resample recombines per-block sums without recomputing): the
 *   lag of the largest |ρ| in each resample gives a 95% interval for the lead, and the share of
 *   resamples whose peak lies on the other side of 0 (or at 0) is the p-value of "no lead". The
 *   verdict names a leader only when that p < 0.05: two assets that move together have a
 *   strongly significant correlation and a peak at a lag that is noise.
 * - The lead-lag ratio Σ_{θ>0} ρ(θ)² / Σ_{θ<0} ρ(θ)² (Huth & Abergel 2014): above 1, the first
 *   symbol leads.
 */
import seedrandom from 'seedrandom';
import { UsageError } from '../errors.js';
import { BAR, QUOTE, TRADE } from '../data/schema.js';
import { markAt, type TickTable } from '../data/table.js';
import { hyBlocks } from '../stats/hayashi-yoshida.js';
import { formatDuration, formatIso } from '../data/time.js';
import { symbolId } from './cointegration.js';

/** The lag grid (step and largest lag, µs) and the block bootstrap of `leadLag`. */
export interface LeadLagOptions {
  readonly stepUs: number;
  readonly maxLagUs: number;
  /** Block-bootstrap resamples. */
  readonly reps: number;
  readonly blocks: number;
  readonly seed: string;
}

/** Correlation against lag for one estimator, its peak and the bootstrap of the peak's lag. */
export interface LeadLagCurve {
  /** Lags in µs (positive: the first symbol leads). */
  readonly lagsUs: readonly number[];
  readonly corr: readonly number[];
  readonly best: { readonly lagUs: number; readonly corr: number };
  readonly atZero: number;
  /** 95% block-bootstrap interval of the peak's lag, µs. */
  readonly lagInterval: readonly [number, number];
  /** Shares of the resamples whose peak is at a positive lag, at 0, at a negative lag. */
  readonly peakShares: { readonly positive: number; readonly zero: number; readonly negative: number };
  /** Share of resamples whose peak is not on the observed peak's side of 0 (1 when the peak is at 0). */
  readonly pNoLead: number;
  readonly leadLagRatio: number;
}

/** What `leadLag` finds: both estimators' curves and, when the lead is significant, who leads by how much. */
export interface LeadLagReport {
  readonly a: string;
  readonly b: string;
  readonly marks: { readonly a: string; readonly b: string };
  readonly from: number;
  readonly to: number;
  readonly stepUs: number;
  readonly maxLagUs: number;
  readonly reps: number;
  readonly blocks: number;
  readonly grid: LeadLagCurve & { readonly returns: number };
  readonly hy: LeadLagCurve & { readonly changesA: number; readonly changesB: number };
  /** The symbol that leads by Hayashi-Yoshida when its peak is off 0 with pNoLead < 0.05, else null. */
  readonly leader: string | null;
  readonly leadUs: number;
}

interface Path {
  readonly ts: Float64Array;
  readonly lp: Float64Array;
  readonly what: string;
}

/** A symbol's log-mark path at its changes. */
function pathOf(t: TickTable, name: string): Path {
  const s = symbolId(t, name);
  const kinds = t.symbolKinds[s]!;
  const kind = kinds & (1 << QUOTE) ? QUOTE : kinds & (1 << TRADE) ? TRADE : BAR;
  const ts: number[] = [];
  const lp: number[] = [];
  let last = NaN;
  for (let i = 0; i < t.length; i++) {
    if (t.sym[i] !== s || t.kind[i] !== kind) continue;
    const m = markAt(t, i);
    if (!(m > 0) || m === last) continue;
    last = m;
    ts.push(t.ts[i]!);
    lp.push(Math.log(m));
  }
  return { ts: Float64Array.from(ts), lp: Float64Array.from(lp), what: kind === QUOTE ? 'quote mids' : kind === TRADE ? 'trade prices' : 'bar closes' };
}

/** Log returns of a path sampled at from + k·step (last mark at or before), k = 0..n. */
function gridReturns(p: Path, from: number, step: number, n: number): Float64Array {
  const r = new Float64Array(n);
  let j = 0;
  let prev = NaN;
  for (let k = 0; k <= n; k++) {
    const t = from + k * step;
    while (j + 1 < p.ts.length && p.ts[j + 1]! <= t) j++;
    const v = p.lp[j]!;
    if (k > 0) r[k - 1] = v - prev;
    prev = v;
  }
  return r;
}

/** Per-block sums of an estimator: U[lag][block], and each side's variance per block. */
interface Blocked {
  readonly U: readonly Float64Array[];
  readonly va: Float64Array;
  readonly vb: Float64Array;
}

const corrOf = (b: Blocked, lag: number, w: Float64Array): number => {
  let u = 0;
  let va = 0;
  let vb = 0;
  const U = b.U[lag]!;
  for (let k = 0; k < w.length; k++) {
    u += w[k]! * U[k]!;
    va += w[k]! * b.va[k]!;
    vb += w[k]! * b.vb[k]!;
  }
  return va > 0 && vb > 0 ? u / Math.sqrt(va * vb) : NaN;
};

const argMaxAbs = (c: ArrayLike<number>): number => {
  let bi = 0;
  for (let k = 0; k < c.length; k++) if (Math.abs(c[k]!) > Math.abs(c[bi]!)) bi = k;
  return bi;
};

/** The curve, its peak, and the block bootstrap of the peak's lag. */
function curveOf(lagsUs: readonly number[], b: Blocked, reps: number, rng: () => number): LeadLagCurve {
  const nb = b.va.length;
  const ones = new Float64Array(nb).fill(1);
  const corr = lagsUs.map((_, l) => corrOf(b, l, ones));
  const bi = argMaxAbs(corr);
  const w = new Float64Array(nb);
  const peaks = new Float64Array(reps);
  const c = new Float64Array(lagsUs.length);
  let pos = 0;
  let zero = 0;
  for (let r = 0; r < reps; r++) {
    w.fill(0);
    for (let k = 0; k < nb; k++) w[Math.floor(rng() * nb)]!++;
    for (let l = 0; l < lagsUs.length; l++) c[l] = corrOf(b, l, w);
    const lag = lagsUs[argMaxAbs(c)]!;
    peaks[r] = lag;
    if (lag > 0) pos++;
    else if (lag === 0) zero++;
  }
  peaks.sort();
  const q = (p: number): number => peaks[Math.min(reps - 1, Math.max(0, Math.round(p * (reps - 1))))]!;
  const best = lagsUs[bi]!;
  const same = best > 0 ? pos : best < 0 ? reps - pos - zero : 0;
  let sp = 0;
  let sn = 0;
  lagsUs.forEach((l, k) => {
    if (l > 0) sp += corr[k]! ** 2;
    else if (l < 0) sn += corr[k]! ** 2;
  });
  return {
    lagsUs,
    corr,
    best: { lagUs: best, corr: corr[bi]! },
    atZero: corr[lagsUs.indexOf(0)]!,
    lagInterval: [q(0.025), q(0.975)],
    peakShares: { positive: pos / reps, zero: zero / reps, negative: (reps - pos - zero) / reps },
    pNoLead: best === 0 ? 1 : 1 - same / reps,
    leadLagRatio: sn > 0 ? sp / sn : NaN,
  };
}

/** The grid estimator by blocks of grid steps: U[k][block] = Σ_{t in block} (x_t − x̄)(y_{t+k} − ȳ). */
function gridBlocks(x: Float64Array, y: Float64Array, L: number, blocks: number): Blocked {
  const n = x.length;
  const mx = x.reduce((a, v) => a + v, 0) / n;
  const my = y.reduce((a, v) => a + v, 0) / n;
  const blockOf = (t: number): number => Math.min(blocks - 1, Math.floor((t * blocks) / n));
  const va = new Float64Array(blocks);
  const vb = new Float64Array(blocks);
  for (let t = 0; t < n; t++) {
    va[blockOf(t)]! += (x[t]! - mx) ** 2;
    vb[blockOf(t)]! += (y[t]! - my) ** 2;
  }
  const U: Float64Array[] = [];
  for (let k = -L; k <= L; k++) {
    const u = new Float64Array(blocks);
    for (let t = Math.max(0, -k); t < Math.min(n, n - k); t++) u[blockOf(t)]! += (x[t]! - mx) * (y[t + k]! - my);
    U.push(u);
  }
  return { U, va, vb };
}

/** Hayashi-Yoshida by blocks of time: A's intervals by their end, B's variance by its changes' times. */
function hyBlocked(a: Path, b: Path, lagsUs: readonly number[], from: number, to: number, blocks: number): Blocked {
  const blockAt = (t: number): number => Math.min(blocks - 1, Math.max(0, Math.floor(((t - from) * blocks) / (to - from))));
  const ofA = Int32Array.from(a.ts, blockAt);
  const va = new Float64Array(blocks);
  for (let i = 1; i < a.ts.length; i++) va[ofA[i]!]! += (a.lp[i]! - a.lp[i - 1]!) ** 2;
  const vb = new Float64Array(blocks);
  for (let j = 1; j < b.ts.length; j++) vb[blockAt(b.ts[j]!)]! += (b.lp[j]! - b.lp[j - 1]!) ** 2;
  const U = lagsUs.map((th) => {
    const u = new Float64Array(blocks);
    hyBlocks(a.ts, a.lp, b.ts, b.lp, th, ofA, u);
    return u;
  });
  return { U, va, vb };
}

/** Which of two symbols of a table moves first: grid cross-correlation and Hayashi-Yoshida over a range of lags, with a block bootstrap of the lead (see the module comment). */
export function leadLag(t: TickTable, a: string, b: string, o: LeadLagOptions): LeadLagReport {
  if (a === b) throw new UsageError(`--symbols ${a},${b}: two different symbols`);
  const pa = pathOf(t, a);
  const pb = pathOf(t, b);
  for (const [name, p] of [
    [a, pa],
    [b, pb],
  ] as const)
    if (p.ts.length < 10) throw new UsageError(`${name} changes price only ${p.ts.length} times in the window: too few for a lead-lag estimate (need 10)`);
  const from = Math.max(pa.ts[0]!, pb.ts[0]!);
  const to = Math.min(pa.ts[pa.ts.length - 1]!, pb.ts[pb.ts.length - 1]!);
  if (!(to > from)) throw new UsageError(`${a} and ${b} have no common span (${a} ${formatIso(pa.ts[0]!)} → ${formatIso(pa.ts[pa.ts.length - 1]!)}, ${b} ${formatIso(pb.ts[0]!)} → ${formatIso(pb.ts[pb.ts.length - 1]!)})`);
  const L = Math.round(o.maxLagUs / o.stepUs);
  const n = Math.floor((to - from) / o.stepUs);
  if (n < Math.max(4 * L + 10, 10 * o.blocks))
    throw new UsageError(
      `${a} and ${b} overlap for ${n} steps of ${formatDuration(o.stepUs)} (${formatDuration(to - from)}), too few for lags of ±${L} steps and ${o.blocks} bootstrap blocks (need ${Math.max(4 * L + 10, 10 * o.blocks)}): use a finer step, a smaller largest lag or fewer --blocks`,
    );
  const lagsUs = Array.from({ length: 2 * L + 1 }, (_, k) => (k - L) * o.stepUs);
  const rng = seedrandom(`${o.seed}:leadlag:${a}:${b}`);
  const ra = gridReturns(pa, from, o.stepUs, n);
  const rb = gridReturns(pb, from, o.stepUs, n);
  const grid = { ...curveOf(lagsUs, gridBlocks(ra, rb, L, o.blocks), o.reps, rng), returns: n };
  // Hayashi-Yoshida on the change series inside the common span (with the mark before it)
  const inside = (p: Path): Path => {
    const i0 = p.ts.findIndex((x) => x >= from);
    let i1 = p.ts.length;
    while (i1 > 0 && p.ts[i1 - 1]! > to) i1--;
    return { ts: p.ts.slice(Math.max(0, i0 - 1), i1), lp: p.lp.slice(Math.max(0, i0 - 1), i1), what: p.what };
  };
  const ha = inside(pa);
  const hb = inside(pb);
  const hy = { ...curveOf(lagsUs, hyBlocked(ha, hb, lagsUs, from, to, o.blocks), o.reps, rng), changesA: ha.ts.length - 1, changesB: hb.ts.length - 1 };
  const leads = hy.pNoLead < 0.05 && hy.best.lagUs !== 0;
  return {
    a,
    b,
    marks: { a: pa.what, b: pb.what },
    from,
    to,
    stepUs: o.stepUs,
    maxLagUs: L * o.stepUs,
    reps: o.reps,
    blocks: o.blocks,
    grid,
    hy,
    leader: leads ? (hy.best.lagUs > 0 ? a : b) : null,
    leadUs: leads ? Math.abs(hy.best.lagUs) : 0,
  };
}
