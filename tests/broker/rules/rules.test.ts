/**
 * The order rules (broker/rules), one named test each on a bar's path, and their registration:
 * every order type a strategy can send has its rule under its own name.
 */
import { describe, expect, it } from 'vitest';
import { LIMIT, MARKET, MARKET_ON_CLOSE, ORDER_TYPE_NAMES, STOP, STOP_LIMIT, TRAILING_STOP, WorkingOrder } from '../../../src/broker/orders.js';
import { orderRules } from '../../../src/broker/rules/index.js';
import { ACT_MAKER, ACT_TAKER, ACT_TOUCH, ACT_TRIGGER, Liquidity } from '../../../src/broker/rules/liquidity.js';
import { moveTrail } from '../../../src/broker/rules/trailing-stop.js';
import type { TickTable } from '../../../src/data/table.js';
import type { Queue } from '../../../src/broker/model.js';

const rules = orderRules(() => 0.01);
const l = new Liquidity({} as TickTable, 0, {} as Queue, new Int32Array(1));
function order(type: number, side: 1 | -1, price: number, pathFirst = false): WorkingOrder {
  const o = new WorkingOrder();
  o.type = type as WorkingOrder['type'];
  o.side = side;
  o.limit = price;
  o.stop = price;
  o.pathFirst = pathFirst;
  return o;
}
/** [distance, price, act] of an order on the stretch cur → to. */
const on = (o: WorkingOrder, cur: number, to: number, extreme = true): [number, number, number] => {
  const d = rules[o.type]!.path(o, cur, to, extreme, l);
  return [d, d === Infinity ? NaN : l.reachPx, l.reachAct];
};

describe("order rules on a bar's path", () => {
  it('registration: every order type has its rule, named as strategies name it', () => {
    for (const code of [MARKET, LIMIT, STOP, STOP_LIMIT, TRAILING_STOP, MARKET_ON_CLOSE]) expect(rules[code]!.name).toBe(ORDER_TYPE_NAMES[code]);
  });
  it('market: at the point of the path where it is (the open)', () => {
    expect(on(order(MARKET, 1, NaN), 100, 90)).toEqual([0, 100, ACT_TAKER]);
  });
  it('limit: marketable on arrival at the price there; resting, at its limit when the path goes beyond it, by the touch rule at an extreme equal to it; at the open when the open is beyond it', () => {
    expect(on(order(LIMIT, 1, 101, true), 100, 90)).toEqual([0, 100, ACT_TAKER]);
    expect(on(order(LIMIT, 1, 95), 100, 90)).toEqual([5, 95, ACT_MAKER]);
    expect(on(order(LIMIT, 1, 90), 100, 90)).toEqual([10, 90, ACT_TOUCH]);
    expect(on(order(LIMIT, 1, 90), 100, 90, false)[0]).toBe(Infinity);
    expect(on(order(LIMIT, 1, 101), 100, 110)).toEqual([0, 100, ACT_MAKER]);
    expect(on(order(LIMIT, -1, 105), 100, 110)).toEqual([5, 105, ACT_MAKER]);
  });
  it('stop: at the price the path is at when already beyond it (a gap), else at the stop where the path reaches it', () => {
    expect(on(order(STOP, -1, 102), 100, 90)).toEqual([0, 100, ACT_TAKER]);
    expect(on(order(STOP, -1, 95), 100, 90)).toEqual([5, 95, ACT_TAKER]);
    expect(on(order(STOP, -1, 95), 100, 110)[0]).toBe(Infinity);
    expect(on(order(STOP, 1, 104), 100, 110)).toEqual([4, 104, ACT_TAKER]);
  });
  it('stop-limit: its stop is a trigger (it turns into a limit there)', () => {
    expect(on(order(STOP_LIMIT, -1, 95), 100, 90)).toEqual([5, 95, ACT_TRIGGER]);
  });
  it('trailing stop: a stop on the path; its trigger trails the best price by trail, rounded away from the market to the tick', () => {
    const o = order(TRAILING_STOP, -1, NaN);
    o.trail = 2;
    moveTrail(o, 100.005, 0.01);
    expect(o.stop).toBeCloseTo(98, 9);
    moveTrail(o, 99, 0.01); // not a better price: unchanged
    expect(o.stop).toBeCloseTo(98, 9);
    expect(on(o, 100, 90)).toEqual([2, o.stop, ACT_TAKER]);
  });
  it("market-on-close: never on a path (only at its bar's close)", () => {
    expect(on(order(MARKET_ON_CLOSE, 1, NaN), 100, 90)[0]).toBe(Infinity);
  });
});
