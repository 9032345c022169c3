/**
 * The study report of a search: per fold, its evaluations in order (the trials over time) with the
 * best in-sample objective so far; parameter importances; and each full-budget trial's in-sample
 * objective (its fold's training window) against its out-of-sample one (the same run's figure on
 * that fold's test window). Pure: the text, JSON and HTML renderers (report/) read these values.
 *
 * Importance is a stated simple measure, not fANOVA: per fold, the correlation ratio η² of the
 * in-sample objective on the parameter alone (the share of the objective's variance between the
 * parameter's groups: a choice by its value, a number by its rank in 5 bins of equal count),
 * over the fold's evaluations with a finite objective at one budget (the full one; halving's
 * first, where every configuration was measured); then the mean over the folds.
 * It is fANOVA's first-order term with bins for the trees, and like it says which parameter moves
 * the objective, not in which direction.
 */
import { mean } from '../metrics/returns.js';
import type { SearchEval, SearchOutcome } from './in-folds.js';
import type { SearchSpa } from './trials-spa.js';

export interface StudyFold {
  readonly fold: number;
  readonly evaluations: number;
  /** Full-budget evaluations (what the fold chose among). */
  readonly fullBudget: number;
  /** Per evaluation, the best full-budget in-sample objective up to it (NaN before the first). */
  readonly bestSoFar: readonly number[];
  /** The evaluation (0-based) where the fold's best was found. */
  readonly bestAt: number;
  readonly best: number;
  /** Spearman rank correlation of in-sample and out-of-sample objectives over its full-budget trials. */
  readonly isOosRankCorrelation: number;
}

export interface Study {
  readonly method: string;
  readonly space: readonly { readonly key: string; readonly spec: string }[];
  readonly folds: readonly StudyFold[];
  /** Per parameter, mean η² over the folds (highest first). */
  readonly importance: readonly { readonly key: string; readonly eta2: number }[];
  readonly importanceMeasure: string;
  readonly refused: number;
  readonly refusal: string | null;
  /** Every evaluation, fold by fold, in order. */
  readonly evaluations: readonly SearchEval[];
}

export const IMPORTANCE_MEASURE = "correlation ratio η² of the fold's in-sample objective on the parameter alone (choices by value, numbers in 5 equal-count bins by rank; at the full budget, halving's at its first), mean over folds";

/** Ranks (average ranks for ties), 1-based. */
function ranks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]! || a - b);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    for (let k = i; k <= j; k++) r[order[k]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

export function spearman(a: readonly number[], b: readonly number[]): number {
  const ok = a.map((x, i) => Number.isFinite(x) && Number.isFinite(b[i]!));
  const x = ranks(a.filter((_, i) => ok[i]));
  const y = ranks(b.filter((_, i) => ok[i]));
  if (x.length < 3) return NaN;
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** η² of `y` grouped by `group`. */
export function correlationRatio(group: readonly string[], y: readonly number[]): number {
  const m = mean(y);
  let total = 0;
  for (const v of y) total += (v - m) ** 2;
  if (!(total > 0)) return NaN;
  const sums = new Map<string, { s: number; n: number }>();
  group.forEach((g, i) => {
    const e = sums.get(g) ?? { s: 0, n: 0 };
    e.s += y[i]!;
    e.n++;
    sums.set(g, e);
  });
  let between = 0;
  for (const { s, n } of sums.values()) between += n * (s / n - m) ** 2;
  return between / total;
}

const BINS = 5;

export function buildStudy(so: SearchOutcome): Study {
  const folds = so.evals.map((ev, k): StudyFold => {
    let best = NaN;
    let bestAt = -1;
    const bestSoFar = ev.map((e) => {
      if (e.budget === 'full' && Number.isFinite(e.isObjective) && !(e.isObjective <= best)) {
        best = e.isObjective;
        bestAt = e.n;
      }
      return best;
    });
    const full = ev.filter((e) => e.budget === 'full');
    return {
      fold: k,
      evaluations: ev.length,
      fullBudget: full.length,
      bestSoFar,
      bestAt,
      best,
      isOosRankCorrelation: spearman(
        full.map((e) => e.isObjective),
        full.map((e) => e.oosObjective),
      ),
    };
  });
  const importance = so.space
    .map((d) => {
      const per = so.evals.map((ev) => {
        // the budget most configurations were measured at (halving: its first; else the full one)
        const budget = so.method === 'halving' ? (ev[0]?.budget ?? 'full') : 'full';
        const full = ev.filter((e) => e.budget === budget && Number.isFinite(e.isObjective));
        if (full.length < 4) return NaN;
        let group: string[];
        if (d.kind === 'choice') group = full.map((e) => String(e.values[d.key]));
        else {
          const r = ranks(full.map((e) => Number(e.values[d.key])));
          group = r.map((x) => String(Math.min(BINS - 1, Math.floor(((x - 1) / full.length) * BINS))));
        }
        return correlationRatio(
          group,
          full.map((e) => e.isObjective),
        );
      });
      const fin = per.filter(Number.isFinite);
      return { key: d.key, eta2: fin.length > 0 ? mean(fin) : NaN };
    })
    .sort((a, b) => {
      const va = Number.isNaN(a.eta2) ? -1 : a.eta2;
      const vb = Number.isNaN(b.eta2) ? -1 : b.eta2;
      return vb - va || (a.key < b.key ? -1 : 1);
    });
  return {
    method: so.method,
    space: so.space.map((d) => ({ key: d.key, spec: d.kind === 'choice' ? `choice:${d.choices.join(',')}` : `${d.kind}:${d.low}..${d.high}${d.log ? ':log' : ''}` })),
    folds,
    importance,
    importanceMeasure: IMPORTANCE_MEASURE,
    refused: so.refused,
    refusal: so.refusal,
    evaluations: so.evals.flat(),
  };
}

const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const fp = (p: number): string => (!Number.isFinite(p) ? 'n/a' : p < 0.001 ? p.toExponential(1) : p.toFixed(3));

/** The Reality Check over the search's trials (trials-spa.ts), in words, after "SPA over the search's trials ": the text report's line and the HTML study's note. */
export function searchSpaSentence(r: { readonly spa: SearchSpa | null; readonly spaNote: string | null }): string {
  const s = r.spa;
  if (!s) return `n/a: ${r.spaNote}`;
  // a p-value of 0: no resample beat it, below 1/B
  const q = (x: number): string => (x === 0 ? `< ${fp(1 / s.reps)}` : fp(x));
  const p = s.consistent === 0 ? `< ${fp(1 / s.reps)} (none of ${s.reps} resamples beat it; ` : `= ${fp(s.consistent)} (`;
  return (
    `p ${p}consistent; lower ${q(s.lower)}, upper = White's Reality Check ${q(s.upper)}; studentized ${q(s.studentized)}): ` +
    `is the best of the ${s.trials} full-budget trials (${s.bestTrial.label}) better than ${s.benchmark} on the ${s.periods} in-sample periods, after the search? ` +
    `${s.reps} stationary-bootstrap resamples, mean block ${s.block}${s.partialExcluded > 0 ? `; ${s.partialExcluded} partial-budget trials left out, as from PBO` : ''}`
  );
}

/** The study in the text report (indented by the caller); with the search's Reality Check when given. */
export function studyText(st: Study, objective: string, spa?: { readonly spa: SearchSpa | null; readonly spaNote: string | null }): string[] {
  const out: string[] = [];
  const ev = st.folds.reduce((a, f) => a + f.evaluations, 0);
  const full = st.folds.reduce((a, f) => a + f.fullBudget, 0);
  // a configuration two folds proposed at full budget ran once
  const runs = new Set(st.evaluations.filter((e) => e.budget === 'full').map((e) => e.trial)).size + (ev - full);
  out.push(
    `search       ${st.method} over ${st.space.map((d) => `${d.key}=${d.spec}`).join(' ')}: ${ev} evaluations in ${st.folds.length} fold${st.folds.length === 1 ? '' : 's'} (${full} at full budget), ${runs} distinct runs${st.refused > 0 ? `; ${st.refused} configurations refused by the strategy, not run (${st.refusal})` : ''}`,
  );
  if (spa) out.push(`search SPA   ${searchSpaSentence(spa)}`);
  out.push(`importance   ${st.importance.map((p) => `${p.key} ${f3(p.eta2)}`).join(', ')} (η²: the share of the in-sample ${objective}'s variance the parameter alone explains, mean over folds)`);
  const q = (f: StudyFold, share: number): string => f3(f.bestSoFar[Math.max(0, Math.ceil(f.evaluations * share) - 1)] ?? NaN);
  out.push(`best so far  in-sample ${objective} of the fold's best after 10% / 25% / 50% / all of its evaluations, where found, and IS~OOS rank correlation:`);
  for (const f of st.folds) out.push(`  fold ${String(f.fold + 1).padEnd(3)} ${q(f, 0.1)} / ${q(f, 0.25)} / ${q(f, 0.5)} / ${f3(f.best)}, at evaluation ${f.bestAt + 1} of ${f.evaluations}; ρ(IS, OOS) ${f3(f.isOosRankCorrelation)}`);
  return out;
}

/** The study as JSON. */
export function studyJson(st: Study): Record<string, unknown> {
  return {
    method: st.method,
    space: st.space,
    importance: st.importance,
    importanceMeasure: st.importanceMeasure,
    refused: st.refused,
    refusal: st.refusal,
    folds: st.folds,
    evaluations: st.evaluations.map((e) => ({ fold: e.fold + 1, n: e.n + 1, budget: e.budget, trial: e.trial, label: e.label, values: e.values, isObjective: e.isObjective, oosObjective: e.oosObjective })),
  };
}

/** A plain SVG chart: points or lines over [x0, x1] × [y0, y1], with axis labels. */
function svgPlot(series: readonly { readonly xs: readonly number[]; readonly ys: readonly number[]; readonly line: boolean; readonly color: string }[], xLabel: string, yLabel: string): string {
  const W = 560;
  const H = 300;
  const L = 56;
  const B = 36;
  const pts = series.flatMap((s) => s.xs.map((x, i) => [x, s.ys[i]!] as const)).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) return '<p class="note">no finite values to draw</p>';
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const [x, y] of pts) {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const X = (x: number): string => (L + ((x - x0) / (x1 - x0)) * (W - L - 10)).toFixed(1);
  const Y = (y: number): string => (H - B - ((y - y0) / (y1 - y0)) * (H - B - 10)).toFixed(1);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" class="plot">`];
  parts.push(`<line x1="${L}" y1="${H - B}" x2="${W - 10}" y2="${H - B}" stroke="#888"/><line x1="${L}" y1="10" x2="${L}" y2="${H - B}" stroke="#888"/>`);
  parts.push(`<text x="${(W + L) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${xLabel}</text><text x="12" y="${(H - B) / 2}" transform="rotate(-90 12 ${(H - B) / 2})" text-anchor="middle" font-size="11">${yLabel}</text>`);
  parts.push(`<text x="${L - 4}" y="${Y(y1)}" text-anchor="end" font-size="10">${f3(y1)}</text><text x="${L - 4}" y="${Y(y0)}" text-anchor="end" font-size="10">${f3(y0)}</text>`);
  parts.push(`<text x="${L}" y="${H - B + 12}" text-anchor="middle" font-size="10">${f3(x0)}</text><text x="${W - 10}" y="${H - B + 12}" text-anchor="end" font-size="10">${f3(x1)}</text>`);
  for (const s of series) {
    const ok = s.xs.map((x, i) => [x, s.ys[i]!] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (s.line) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.2" points="${ok.map(([x, y]) => `${X(x)},${Y(y)}`).join(' ')}"/>`);
    else for (const [x, y] of ok) parts.push(`<circle cx="${X(x)}" cy="${Y(y)}" r="2" fill="${s.color}" fill-opacity="0.6"/>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The study's figures for the HTML report: trials over time with the best so far (its note with the search's Reality Check when given), and IS vs OOS. */
export function studyFigures(name: string, st: Study, objective: string, spa?: { readonly spa: SearchSpa | null; readonly spaNote: string | null }): { title: string; note: string; svg: string }[] {
  const over = st.folds.flatMap((f, k) => {
    const ev = st.evaluations.filter((e) => e.fold === f.fold);
    const c = COLORS[k % COLORS.length]!;
    return [
      { xs: ev.map((e) => e.n + 1), ys: ev.map((e) => e.isObjective), line: false, color: c },
      { xs: f.bestSoFar.map((_, i) => i + 1), ys: [...f.bestSoFar], line: true, color: c },
    ];
  });
  const full = st.evaluations.filter((e) => e.budget === 'full');
  return [
    {
      title: `Search of ${name}: trials over time`,
      note: `Each fold's evaluations in order (dots: in-sample ${objective} on the fold's training window, partial budgets at their share of it) and its best full-budget ${objective} so far (line); one colour per fold.${spa ? ` Hansen's SPA over the search's trials (White's Reality Check in its original use): ${searchSpaSentence(spa)}.` : ''}`,
      svg: svgPlot(over, 'evaluation', `in-sample ${objective}`),
    },
    {
      title: `Search of ${name}: in-sample vs out-of-sample`,
      note: `Every full-budget trial: its ${objective} on its fold's training window (x) and on the fold's test window (y), from the same run. Importances: ${st.importance.map((p) => `${p.key} ${f3(p.eta2)}`).join(', ')} (${st.importanceMeasure}).`,
      svg: svgPlot([{ xs: full.map((e) => e.isObjective), ys: full.map((e) => e.oosObjective), line: false, color: COLORS[0]! }], `in-sample ${objective}`, `out-of-sample ${objective}`),
    },
  ];
}
