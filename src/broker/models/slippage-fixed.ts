import type { ExecModel, Slippage } from '../model.js';

/** **Fixed slippage.** A market or stop fill's price moves `bps` against the order: buys pay px·(1 + bps/10⁴), sells get px·(1 − bps/10⁴). Limit fills have none. */
export const slippageFixed: ExecModel<Slippage> = {
  family: 'slippage',
  name: 'fixed',
  rule: 'market and stop fills move `bps` against the order (buys pay more, sells get less); limit fills have none',
  params: {
    bps: { type: 'number', min: 0, default: 0, doc: 'slippage against market and stop fills, basis points (--slippage)' },
  },
  bind(p) {
    const f = Number(p.bps) / 1e4;
    return { price: (side, px) => px * (1 + side * f) };
  },
};
