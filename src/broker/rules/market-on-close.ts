import type { WorkingOrder } from '../orders.js';
import type { Liquidity, OrderRule } from './liquidity.js';

/**
 * **Market-on-close.** Decided in onBar of a bar of its symbol (a symbol whose orders fill on
 * bars), with no entry latency, it fills at that bar's close, stamped at the bar's end, after the
 * handler returns (Venue.matchClose; backtesting.py's `trade_on_close`, per order); what it could
 * not fill there is cancelled. Anywhere else it is refused. No other event fills it. Slippage
 * applies; the report's orders carry its type and the summary counts them.
 */
export const marketOnCloseRule: OrderRule = {
  name: 'market-on-close',
  tick(_o: WorkingOrder, _l: Liquidity): void {
    // filled only at the close of its bar (Venue.matchClose)
  },
  path(): number {
    return Infinity;
  },
};
