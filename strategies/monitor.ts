/**
 * A relationship monitor for spread strategies (pairs, basket): is the spread still the
 * mean-reverting thing it was fitted as?
 *
 * - CUSUM of the standardised spread's distance from its mean (Page 1954, one-sided on |z|):
 *   S_t = max(0, S_{t−1} + |z_t| − c). While the relationship holds, |z| beyond c (default 3) is
 *   rare and brief (the spread reverts), so S stays near 0; when it breaks, the spread drifts
 *   away and stays, and S climbs past h (default 20: e.g. 10 steps at |z| = 5). Then the monitor
 *   is broken: the strategy flattens and enters nothing.
 * - While broken, z is measured against the reference: the strategy's fit as it was when S last
 *   stood at 0 (before the excursion that broke it), not its current fit, which a rolling or
 *   adaptive hedge bends toward whatever the market now does. It holds again when the spread has
 *   come back under that relationship (S back to 0) and the strategy's own cointegration test of
 *   the recent window (Engle-Granger p-value for pairs, Johansen's trace test for basket, re-run
 *   every few steps) agrees: pairs, p below `resumePValue`; basket, a rank of at least 1 at 95%. A relationship that changed for good (a new
 *   hedge ratio) never comes back, and the strategy stays out: refitting on the new regime is a
 *   new formation, not a resumption.
 * Every break and resumption is kept (time, CUSUM, p-value) for the report.
 */
export interface MonitorEvent {
  readonly ts: number;
  readonly what: 'break' | 'resume';
  readonly cusum: number;
  /** The last cointegration test's figure then (pairs: the Engle-Granger p-value; basket: Johansen's trace statistic for rank 0; NaN before the first test). */
  readonly test: number;
}

export interface MonitorSummary {
  readonly broken: boolean;
  readonly cusum: number;
  readonly breaks: number;
  readonly brokenSteps: number;
  readonly events: readonly MonitorEvent[];
}

/** Events kept for the report, at most (the counts keep counting). */
const MAX_EVENTS = 1000;

export class RelationshipMonitor {
  private s = 0;
  private brokenNow = false;
  private holds = false;
  private test = NaN;
  private nBreaks = 0;
  private nBrokenSteps = 0;
  private readonly events: MonitorEvent[] = [];

  constructor(
    private readonly level: number,
    private readonly limit: number,
  ) {
    if (!(level > 0) || !(limit > 0)) throw new Error(`monitor: cusumLevel and cusumLimit must be > 0 (got ${level}, ${limit})`);
  }

  get broken(): boolean {
    return this.brokenNow;
  }

  /** S = 0: no excursion under way, so the strategy's current fit may serve as the reference. */
  get calm(): boolean {
    return this.s === 0;
  }

  /** The latest cointegration test of the recent window (the strategy runs it): whether it finds the relationship, and its figure. */
  setTest(holds: boolean, figure: number): void {
    this.holds = holds;
    this.test = figure;
  }

  /** One step with the standardised spread z; returns whether the relationship is broken now. */
  step(ts: number, z: number): boolean {
    this.s = Math.max(0, this.s + Math.abs(z) - this.level);
    if (!this.brokenNow && this.s > this.limit) {
      this.brokenNow = true;
      this.nBreaks++;
      this.note(ts, 'break');
    } else if (this.brokenNow && this.s === 0 && this.holds) {
      this.brokenNow = false;
      this.note(ts, 'resume');
    }
    if (this.brokenNow) this.nBrokenSteps++;
    return this.brokenNow;
  }

  private note(ts: number, what: MonitorEvent['what']): void {
    if (this.events.length < MAX_EVENTS) this.events.push({ ts, what, cusum: this.s, test: this.test });
  }

  summary(): MonitorSummary {
    return { broken: this.brokenNow, cusum: this.s, breaks: this.nBreaks, brokenSteps: this.nBrokenSteps, events: this.events };
  }
}
