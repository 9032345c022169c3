import { LIMIT, type WorkingOrder } from '../orders.js';
import { limitRule } from './limit.js';
import { ACT_TRIGGER, type Liquidity, type OrderRule } from './liquidity.js';
import { stopOnPath, stopTrigger } from './stop.js';

/**
 * **Stop-limit.** Its stop triggers as a stop's does; from there it is a limit order at its
 * limit, new (marketable at the triggering price when that is within the limit), tried at once: on
 * a tick, on the same event; on a bar's path, on the rest of the path from where the stop was
 * reached (resting at its limit when the trigger price is beyond it).
 */
export const stopLimitRule: OrderRule = {
  name: 'stop-limit',
  tick(o: WorkingOrder, l: Liquidity): void {
    if (Number.isNaN(stopTrigger(o, l))) return;
    o.type = LIMIT;
    o.seen = false;
    l.clear(true);
    limitRule.tick(o, l);
  },
  path(o: WorkingOrder, cur: number, to: number, _extreme: boolean, l: Liquidity): number {
    // the venue turns it into a new limit where it is reached (ACT_TRIGGER)
    l.reachAct = ACT_TRIGGER;
    return stopOnPath(o, cur, to, l);
  },
};
