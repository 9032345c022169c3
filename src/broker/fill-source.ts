/**
 * Which data fills a symbol's orders: its quotes if the data has any for it, else its trades,
 * else its bars.
 */
import { QUOTE, TRADE } from '../data/schema.js';
import type { TickTable } from '../data/table.js';

export const FILL_QUOTE = 0;
export const FILL_TRADE = 1;
export const FILL_BAR = 2;

/** Quotes if a symbol has any, else trades, else bars. */
export function fillSources(t: TickTable): Uint8Array {
  return Uint8Array.from(t.symbolKinds, (k) => (k & (1 << QUOTE) ? FILL_QUOTE : k & (1 << TRADE) ? FILL_TRADE : FILL_BAR));
}
