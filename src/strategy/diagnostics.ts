/**
 * A strategy's diagnostics: the charts it wants in the HTML report (a pairs strategy's spread
 * z-score with its entry and exit bands, a forecaster's prediction against what followed). A
 * strategy returns them from `diagnostics()` (src/strategy/types.ts), once at the end of a run;
 * they are plain data (JSON-serialisable, they cross threads), and the report draws each chart
 * the same way whatever the strategy: lines, horizontal levels and markers on a time axis.
 * In a walk-forward each fold's instance gives its own, and the report joins them over the test
 * windows (src/validation/folded.ts).
 */
// the charts' data: plain types, in the run record's layer
import type { DiagnosticChart, DiagnosticMarker, Diagnostics } from '../portfolio/diagnostics.js';
export type { DiagnosticChart, DiagnosticLevel, DiagnosticMarker, DiagnosticSeries, Diagnostics } from '../portfolio/diagnostics.js';

const ID = /^[a-z][a-z0-9-]*$/;
/** Ids of the report's own charts (`chart-<id>` in the page), not a strategy's to take. */
const RESERVED = /^(equity|rolling|folds|price-\d+)$/;

/**
 * Why a strategy's diagnostics cannot be drawn (an id that is not a name, or used twice; a series
 * whose times and values differ in length; times out of order), or undefined when they can.
 */
export function diagnosticsProblem(d: Diagnostics): string | undefined {
  if (!d || !Array.isArray(d.charts)) return 'diagnostics() must return { charts: [...] }';
  const seen = new Set<string>();
  for (const c of d.charts) {
    if (typeof c.id !== 'string' || !ID.test(c.id)) return `chart id '${String(c.id)}' must be lower-case letters, digits and '-' (e.g. 'spread')`;
    if (RESERVED.test(c.id)) return `chart id '${c.id}' is the report's own (equity, rolling, folds, price-N): choose another`;
    if (seen.has(c.id)) return `chart id '${c.id}' is used twice`;
    seen.add(c.id);
    if (!Array.isArray(c.series) || c.series.length === 0) return `chart '${c.id}' needs at least one series`;
    for (const s of c.series) {
      if (s.ts.length !== s.values.length) return `chart '${c.id}', series '${s.name}': ${s.ts.length} times but ${s.values.length} values`;
      for (let i = 1; i < s.ts.length; i++) if (!(s.ts[i]! >= s.ts[i - 1]!)) return `chart '${c.id}', series '${s.name}': times go back at index ${i}`;
    }
  }
  return undefined;
}

/** A strategy's charts, refused (thrown, as the strategy's error) when the report could not draw them. */
export function checkedDiagnostics(d: Diagnostics): Diagnostics {
  const why = diagnosticsProblem(d);
  if (why) throw new Error(why);
  return d;
}

/** One instance's charts and the window its points count in: from ≤ ts < to (µs). */
export interface DiagnosticsPart {
  readonly from: number;
  readonly to: number;
  readonly diagnostics: Diagnostics;
}

/**
 * Several instances' charts as one (a walk-forward's folds): each chart by id, each series by name,
 * the points and markers inside each part's window, in the parts' order; title, note, levels and
 * colours from the last part that has the chart (its parameters are the latest). A chart with no
 * point left is dropped; undefined when none is left.
 */
export function joinDiagnostics(parts: readonly DiagnosticsPart[]): Diagnostics | undefined {
  const charts = new Map<string, { last: DiagnosticChart; series: Map<string, { ts: number[]; values: number[] }>; markers: DiagnosticMarker[] }>();
  for (const { from, to, diagnostics } of parts) {
    for (const c of diagnostics.charts) {
      let j = charts.get(c.id);
      if (!j) charts.set(c.id, (j = { last: c, series: new Map(), markers: [] }));
      j.last = c;
      for (const s of c.series) {
        let out = j.series.get(s.name);
        if (!out) j.series.set(s.name, (out = { ts: [], values: [] }));
        for (let i = 0; i < s.ts.length; i++) {
          const t = s.ts[i]!;
          if (t >= from && t < to) {
            out.ts.push(t);
            out.values.push(s.values[i]!);
          }
        }
      }
      for (const m of c.markers ?? []) if (m.ts >= from && m.ts < to) j.markers.push(m);
    }
  }
  const out: DiagnosticChart[] = [];
  for (const { last, series, markers } of charts.values()) {
    if (![...series.values()].some((s) => s.ts.length > 0)) continue;
    const style = new Map(last.series.map((s) => [s.name, s]));
    out.push({
      ...last,
      series: [...series].map(([name, s]) => ({ ...style.get(name), name, ts: s.ts, values: s.values })),
      markers,
    });
  }
  return out.length > 0 ? { charts: out } : undefined;
}
