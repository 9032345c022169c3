import type { ExecModel, Fees } from '../model.js';

/**
 * **Fee schedule.** A fill of q units at price p pays q × `perUnit` + q × p × rate, at least
 * `minimum`; the rate is `bps` for a taker (market orders, stops, a limit marketable when it went
 * live) and `makerBps` for a maker (a resting limit filled at its limit); `makerBps` unset means
 * the taker rate. `perOrder` is a fixed amount per order (as brokers charge a ticket), added to
 * the first fill of each order (a bracket's legs and a margin call's closing are orders of their
 * own). A notional order is sized at its fill price net of the taker fee and the per-order fee.
 */
export const feesSchedule: ExecModel<Fees> = {
  family: 'fees',
  name: 'schedule',
  rule: 'per fill: qty × perUnit + notional × rate, at least minimum; rate bps for takers, makerBps for a resting limit filled at its limit; plus perOrder on the first fill of each order',
  params: {
    bps: { type: 'number', min: 0, default: 0, doc: 'taker fee, basis points of notional (--fee)' },
    makerBps: { type: 'number', min: -1, default: -1, doc: 'maker fee (a resting limit filled), basis points; -1: the taker rate' },
    perUnit: { type: 'number', min: 0, default: 0, doc: 'fee per unit traded (--fee-per-unit)' },
    minimum: { type: 'number', min: 0, default: 0, doc: 'minimum fee per fill (--fee-min)' },
    perOrder: { type: 'number', min: 0, default: 0, doc: 'fixed fee per order, charged on its first fill (--fee-per-order)' },
  },
  bind(p) {
    const taker = Number(p.bps) / 1e4;
    const maker = Number(p.makerBps) < 0 ? taker : Number(p.makerBps) / 1e4;
    const perUnit = Number(p.perUnit);
    const minimum = Number(p.minimum);
    const perOrder = Number(p.perOrder);
    return {
      fee(qty, px, isMaker, firstFill) {
        const f = qty * perUnit + qty * px * (isMaker ? maker : taker);
        return (minimum > 0 ? Math.max(minimum, f) : f) + (firstFill ? perOrder : 0);
      },
      units: (notional, px) => Math.max(0, notional - perOrder) / (px * (1 + taker) + perUnit),
    };
  },
};
