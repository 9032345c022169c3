/**
 * Every order rule, by order code (broker/orders.ts): adding an order type is its file here, its
 * code and name in orders.ts and order-request.ts, and its line below.
 */
import { LIMIT, MARKET, MARKET_ON_CLOSE, STOP, STOP_LIMIT, TRAILING_STOP } from '../orders.js';
import { limitRule } from './limit.js';
import type { OrderRule } from './liquidity.js';
import { marketRule } from './market.js';
import { marketOnCloseRule } from './market-on-close.js';
import { stopRule } from './stop.js';
import { stopLimitRule } from './stop-limit.js';
import { trailingStopRule } from './trailing-stop.js';

/** The rules indexed by order code, for a venue whose symbols have the given tick sizes. */
export function orderRules(tickSize: (sym: number) => number): readonly OrderRule[] {
  const rules: OrderRule[] = [];
  rules[MARKET] = marketRule;
  rules[LIMIT] = limitRule;
  rules[STOP] = stopRule;
  rules[STOP_LIMIT] = stopLimitRule;
  rules[TRAILING_STOP] = trailingStopRule(tickSize);
  rules[MARKET_ON_CLOSE] = marketOnCloseRule;
  return rules;
}
