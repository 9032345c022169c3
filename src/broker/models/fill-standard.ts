import { BAR_PATHS, barPathOf } from '../bar-path.js';
import type { ExecModel, FillRules } from '../model.js';

/**
 * **Fill rules shared by every data kind** (the prices per kind are broker/match.ts's rules):
 * on trade-only data a market order pays the trade price plus (buy) or minus (sell) the assumed
 * half-`spread`; with `capToQuoteSize` a quote fill takes at most the displayed size and a trade
 * through a limit at most the trade's size; with `participation` p > 0 one fill takes at most p of
 * the event's volume (a bar's volume, a trade's size, the displayed size on the side taken; an
 * unknown size does not cap); the rest stays working. A resting limit on bars fills at its limit
 * when the bar goes strictly beyond it, and with probability `barTouch` (drawn from the run's
 * seeded generator) when the bar only touches it. On bars, orders are reached in the order the
 * bar's path (`barPath`, see broker/bar-path.ts) makes their prices.
 */
export const fillStandard: ExecModel<FillRules> = {
  family: 'fill',
  name: 'standard',
  rule: "trade-only data: market orders pay the trade price ± the half-spread; capToQuoteSize: at most the displayed (or traded) size; participation p: at most p of the event's volume per fill; bars: a limit only touched fills with probability barTouch; orders on a bar are reached in the order of its path (barPath)",
  params: {
    spread: { type: 'number', min: 0, default: 0, doc: 'HALF-spread assumed on trade-only data, bps of the trade price (--spread)' },
    capToQuoteSize: { type: 'boolean', default: false, doc: 'fill at most the displayed quote size (a trade through a limit: its size) (--cap-to-quote-size)' },
    participation: { type: 'number', min: 0, max: 1, default: 0, doc: "most of an event's volume one fill may take, 0 to 1; 0: no cap" },
    barTouch: { type: 'number', min: 0, max: 1, default: 0, doc: 'probability that a resting limit fills on a bar that only touches it' },
    barPath: { type: 'string', default: 'conservative', choices: BAR_PATHS.map((b) => b.name), doc: `the order in which a bar makes its prices: ${BAR_PATHS.map((b) => `${b.name} (${b.rule})`).join('; ')}` },
  },
  bind(p) {
    return { halfSpread: Number(p.spread) / 1e4, capToQuoteSize: p.capToQuoteSize === true, participation: Number(p.participation), barTouch: Number(p.barTouch), barPath: barPathOf(String(p.barPath))! };
  },
};
