import type { ExecModel, Financing } from '../model.js';

/** **Borrow on shorts.** A short position pays `bps` a year of its value at the mark, accrued by time held (settled at each period's end and before each fill). */
export const financingBorrow: ExecModel<Financing> = {
  family: 'financing',
  name: 'borrow',
  rule: 'short positions pay bps a year of their value at the mark, accrued by time held',
  params: {
    bps: { type: 'number', min: 0, default: 0, doc: 'yearly borrow cost of short positions, basis points (--borrow)' },
  },
  bind(p) {
    const r = Number(p.bps) / 1e4;
    return { shortRate: () => r };
  },
};
