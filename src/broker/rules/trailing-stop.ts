import type { WorkingOrder } from '../orders.js';
import type { Liquidity, OrderRule } from './liquidity.js';
import { stopRule, stopTrigger } from './stop.js';

/**
 * The trigger of a trailing stop after the best price `p`: `trail` (or `trailPercent` × p) from
 * the best price since it went live (highest for a sell, lowest for a buy), rounded away from the
 * market to the tick.
 */
export function moveTrail(o: WorkingOrder, p: number, tick: number): void {
  const sell = o.side < 0;
  if (!Number.isNaN(o.best) && (sell ? p <= o.best : p >= o.best)) return;
  o.best = p;
  const d = Number.isNaN(o.trail) ? p * o.trailPct : o.trail;
  const raw = sell ? p - d : p + d;
  o.stop = tick > 0 ? (sell ? Math.floor(raw / tick + 1e-9) * tick : Math.ceil(raw / tick - 1e-9) * tick) : raw;
}

/**
 * **Trailing stop.** A stop whose trigger follows the best price since it went live by `trail`
 * (or `trailPercent`): on ticks each quote's ask (buy) or bid (sell), or trade, moves it before
 * it is tried; on bars it trails from the open, is tried as a stop along the bar's path as it
 * stood at the open, and the bar's extreme moves it after the bar.
 */
export function trailingStopRule(tickSize: (sym: number) => number): OrderRule {
  return {
    name: 'trailing-stop',
    tick(o: WorkingOrder, l: Liquidity): void {
      if (!l.own) return;
      moveTrail(o, l.isQuote ? l.takePrice(o.side > 0) : l.table.f0[l.i]!, tickSize(o.sym));
      l.px = stopTrigger(o, l);
    },
    path: stopRule.path,
  };
}
