/**
 * The data the HTML report's page draws its charts from: built by src/report/html.ts, inlined in
 * the page as JSON (non-finite numbers become null), read by src/report/browser/page.ts. Times
 * are seconds since the epoch (the charting library's unit); a point is [time, value].
 */
export type Points = [number, number][];

/** A strategy's chart (src/strategy/diagnostics.ts) as drawn: downsampled, markers on points of its first series. */
export interface ChartPayload {
  readonly id: string;
  readonly series: readonly { readonly name: string; readonly color: string | null; readonly width: number; readonly points: Points }[];
  readonly levels: readonly { readonly value: number; readonly label: string; readonly color: string | null }[];
  readonly markers: readonly { readonly time: number; readonly label: string; readonly direction: 'up' | 'down'; readonly color: string | null }[];
}

export interface Payload {
  readonly equity: readonly { readonly name: string; readonly color: string | null; readonly points: Points }[];
  /** The first equity's drawdown, % below its running peak. */
  readonly drawdown: Points;
  readonly periods: readonly { readonly from: number; readonly to: number | null; readonly kind: 'is' | 'oos' }[];
  readonly foldMarks: readonly { readonly time: number; readonly label: string }[];
  readonly folds: { readonly ts: readonly number[]; readonly is: readonly (number | null)[]; readonly oos: readonly (number | null)[] } | null;
  readonly pbo: { readonly hist: { readonly lo: number; readonly hi: number; readonly counts: readonly number[] }; readonly is: readonly (number | null)[]; readonly oos: readonly (number | null)[] } | null;
  readonly charts: readonly ChartPayload[];
  readonly prices: readonly { readonly symbol: string; readonly points: Points; readonly marks: readonly { readonly time: number; readonly side: 'buy' | 'sell' }[]; readonly thinned: number }[];
  readonly rolling: { readonly window: number; readonly points: Points } | null;
}
