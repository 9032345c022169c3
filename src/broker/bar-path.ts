/**
 * A bar's path: the order in which a bar of open/high/low/close makes its prices, so that the
 * orders working on it are reached in that order (the venue tries them in the order the path
 * reaches their prices, not in the order they were sent). Every path starts at the open, visits
 * both extremes and ends at the close; prices in between are crossed continuously. What differs is
 * which extreme comes first. `--exec fill.barPath=NAME` chooses one of these models.
 */

/** The path goes to the high next. */
export const TO_HIGH = 1;
/** The path goes to the low next. */
export const TO_LOW = -1;

export interface BarPath {
  readonly name: string;
  /** The rule, in a sentence (README and `--help`). */
  readonly rule: string;
  /**
   * Neither extreme visited yet, the price at `cur` and the position `pos` (after the fills made
   * so far on this bar): which extreme the path goes to next.
   */
  firstExtreme(cur: number, high: number, low: number, pos: number): typeof TO_HIGH | typeof TO_LOW;
  /** Whether the choice is made again after each fill on the way to the first extreme. */
  readonly redecides: boolean;
}

/** The extreme nearer to `cur`; the low when both are as near. */
function nearer(cur: number, high: number, low: number): typeof TO_HIGH | typeof TO_LOW {
  return high - cur < cur - low ? TO_HIGH : TO_LOW;
}

/**
 * **Conservative** (the default; backtesting.py's rule for a bracket whose legs are both inside
 * one bar: the stop-loss first). After the fills at the open, the path goes first to the extreme
 * against the position then held (the low for a long, the high for a short), then to the other
 * extreme, then to the close; flat, to the extreme nearer the open. The choice is made again after
 * each fill on the way to the first extreme (an entry filled on the way up by a buy stop turns the
 * path down to the low before the high: a valid path, since the high is still to come), so that a
 * position's stop-loss is always reached before its take-profit when the bar holds both.
 */
export const CONSERVATIVE: BarPath = {
  name: 'conservative',
  rule: 'after the open, the extreme against the position held first (low for a long, high for a short; flat: the nearer), then the other, then the close: a stop-loss before a take-profit in the same bar',
  firstExtreme(cur, high, low, pos) {
    return pos > 0 ? TO_LOW : pos < 0 ? TO_HIGH : nearer(cur, high, low);
  },
  redecides: true,
};

/**
 * **Nearer extreme** (backtrader's and nautilus's convention for bars): open, then the extreme
 * nearer to the open (the low when both are as near), then the other extreme, then the close,
 * whatever the position.
 */
export const NEARER_EXTREME: BarPath = {
  name: 'nearer-extreme',
  rule: 'open, then the extreme nearer to the open (low on a tie), then the other, then the close (backtrader, nautilus)',
  firstExtreme: (cur, high, low) => nearer(cur, high, low),
  redecides: false,
};

/** The bar paths, by name (the first is the default). */
export const BAR_PATHS: readonly BarPath[] = [CONSERVATIVE, NEARER_EXTREME];

export function barPathOf(name: string): BarPath | undefined {
  return BAR_PATHS.find((p) => p.name === name);
}
