/**
 * The data of a strategy's charts (its `diagnostics()`), as a run's record carries them (the run
 * record below the strategy API, as the venue's refusals are: portfolio/record.ts). What they
 * mean, how they are checked and joined over folds: src/strategy/diagnostics.ts.
 */
import type { EpochUs } from '../data/time.js';

/** One line of a chart: a value at each time (µs, increasing); `ts` and `values` the same length. */
export interface DiagnosticSeries {
  readonly name: string;
  readonly ts: readonly EpochUs[];
  readonly values: readonly number[];
  /** CSS colour; default: the report's palette, in order. */
  readonly color?: string;
  /** Line width in pixels (default 1). */
  readonly width?: 1 | 2 | 3;
}

/** A horizontal line across the chart: a threshold, the edge of a band. */
export interface DiagnosticLevel {
  readonly value: number;
  readonly label: string;
  readonly color?: string;
}

/** An event at a time, drawn as an arrow on the chart's first series ('up' below it, 'down' above it). */
export interface DiagnosticMarker {
  readonly ts: EpochUs;
  readonly label: string;
  readonly direction: 'up' | 'down';
  /** Default: green for up, red for down. */
  readonly color?: string;
}

/** One chart of the report. */
export interface DiagnosticChart {
  /** Names the chart in the page (`chart-<id>`): lower-case letters, digits and '-'; unique among a strategy's charts. */
  readonly id: string;
  readonly title: string;
  /** A sentence under the title: what is drawn, in which unit. */
  readonly note?: string;
  /** The first is the one markers sit on. */
  readonly series: readonly DiagnosticSeries[];
  readonly levels?: readonly DiagnosticLevel[];
  readonly markers?: readonly DiagnosticMarker[];
}

/** What `Strategy.diagnostics()` returns. */
export interface Diagnostics {
  readonly charts: readonly DiagnosticChart[];
}
