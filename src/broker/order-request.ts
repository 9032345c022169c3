/**
 * A strategy's order request, checked: side, type, exactly one of qty or notional, the prices its
 * type needs (and none it does not), trailing distance, time in force, bracket prices and
 * reduce-only. A mistake is the strategy's, so it stops the run naming it (`fail`).
 */
import type { OrderRequest } from '../strategy/types.js';
import { FOK, GTC, GTT, IOC, LIMIT, MARKET, MARKET_ON_CLOSE, STOP, STOP_LIMIT, TRAILING_STOP, type OrderCode, type TifCode } from './orders.js';

const TYPE_CODES: Readonly<Record<string, OrderCode>> = { market: MARKET, limit: LIMIT, stop: STOP, 'stop-limit': STOP_LIMIT, 'trailing-stop': TRAILING_STOP, 'market-on-close': MARKET_ON_CLOSE };
const TIF_CODES: Readonly<Record<string, TifCode>> = { gtc: GTC, ioc: IOC, fok: FOK, gtt: GTT };

export interface CheckedOrder {
  readonly symbol: string;
  readonly side: 1 | -1;
  readonly type: OrderCode;
  readonly hasQty: boolean;
  /** The qty, or the notional. */
  readonly amount: number;
  readonly limit: number;
  readonly stop: number;
  readonly trail: number;
  readonly trailPct: number;
  readonly tif: TifCode;
  readonly expireAt: number;
  readonly takeProfit: number;
  readonly stopLoss: number;
  readonly reduceOnly: boolean;
  readonly tag: string | undefined;
}

export function checkOrder(o: OrderRequest, fail: (cause: string) => never): CheckedOrder {
  if (o === null || typeof o !== 'object') return fail(`submit() needs an order object, got ${String(o)}`);
  const side: number = o.side === 'buy' ? 1 : o.side === 'sell' ? -1 : fail(`order side must be 'buy' or 'sell', got ${JSON.stringify(o.side)}`);
  const typeName = o.type ?? 'market';
  const type = TYPE_CODES[typeName as string];
  if (type === undefined) fail(`order type must be ${Object.keys(TYPE_CODES).join(', ')}; got ${JSON.stringify(typeName)}`);
  const hasQty = o.qty !== undefined;
  const hasNotional = o.notional !== undefined;
  if (hasQty === hasNotional) fail(`an order needs exactly one of qty or notional (got ${JSON.stringify(o)})`);
  const amount = hasQty ? o.qty! : o.notional!;
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) fail(`order ${hasQty ? 'qty' : 'notional'} must be a finite number > 0, got ${String(amount)}`);
  const price = (name: 'limit' | 'stop' | 'takeProfit' | 'stopLoss' | 'trail', v: unknown): number => {
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) fail(`${name === 'limit' || name === 'stop' ? `a ${typeName} order needs a ${name} price` : `${name} must be a number`} > 0, got ${String(v)}`);
    return v as number;
  };
  const needsLimit = type === LIMIT || type === STOP_LIMIT;
  const needsStop = type === STOP || type === STOP_LIMIT;
  if (!needsLimit && o.limit !== undefined) fail(`a ${typeName} order takes no limit price (got limit ${String(o.limit)}); use type 'limit' or 'stop-limit'`);
  if (!needsStop && o.stop !== undefined) fail(`a ${typeName} order takes no stop price (got stop ${String(o.stop)}); use type 'stop' or 'stop-limit'`);
  const limit = needsLimit ? price('limit', o.limit) : NaN;
  const stop = needsStop ? price('stop', o.stop) : NaN;
  let trail = NaN;
  let trailPct = NaN;
  if (type === TRAILING_STOP) {
    if ((o.trail === undefined) === (o.trailPercent === undefined)) fail(`a trailing-stop order needs exactly one of trail (a price distance) or trailPercent (a fraction, 0.02 for 2%), got ${JSON.stringify(o)}`);
    if (o.trail !== undefined) trail = price('trail', o.trail);
    else if (!(typeof o.trailPercent === 'number' && o.trailPercent > 0 && o.trailPercent < 1)) fail(`trailPercent must be a fraction between 0 and 1 (0.02 for 2%), got ${String(o.trailPercent)}`);
    else trailPct = o.trailPercent;
  } else if (o.trail !== undefined || o.trailPercent !== undefined) fail(`trail and trailPercent belong to trailing-stop orders (this one is ${typeName})`);
  const tifName = o.tif ?? (o.expireAt !== undefined ? 'gtt' : 'gtc');
  const tif = TIF_CODES[tifName as string];
  if (tif === undefined) fail(`tif must be ${Object.keys(TIF_CODES).join(', ')}; got ${JSON.stringify(tifName)}`);
  if ((tif === IOC || tif === FOK) && type !== MARKET && type !== LIMIT) fail(`tif '${tifName}' applies to market and limit orders (this one is ${typeName})`);
  if (tif === GTT && !(typeof o.expireAt === 'number' && Number.isFinite(o.expireAt))) fail(`tif 'gtt' needs expireAt, a time in µs since the epoch (e.g. ctx.now + 60e6), got ${String(o.expireAt)}`);
  if (tif !== GTT && o.expireAt !== undefined) fail(`expireAt needs tif 'gtt' (got tif '${tifName}')`);
  const tp = o.takeProfit !== undefined ? price('takeProfit', o.takeProfit) : NaN;
  const sl = o.stopLoss !== undefined ? price('stopLoss', o.stopLoss) : NaN;
  if ((o.takeProfit !== undefined || o.stopLoss !== undefined) && o.reduceOnly === true) fail('a bracket (takeProfit/stopLoss) opens a position; it cannot be reduce-only');
  if (!Number.isNaN(tp) && !Number.isNaN(sl) && (side > 0 ? !(sl < tp) : !(sl > tp))) fail(`a ${o.side} bracket needs stopLoss ${side > 0 ? 'below' : 'above'} takeProfit (got stopLoss ${sl}, takeProfit ${tp})`);
  if (o.reduceOnly !== undefined && typeof o.reduceOnly !== 'boolean') fail(`reduceOnly must be true or false, got ${String(o.reduceOnly)}`);
  return {
    symbol: o.symbol,
    side: side as 1 | -1,
    type: type!,
    hasQty,
    amount,
    limit,
    stop,
    trail,
    trailPct,
    tif: tif!,
    expireAt: tif === GTT ? o.expireAt! : Infinity,
    takeProfit: tp,
    stopLoss: sl,
    reduceOnly: o.reduceOnly === true,
    tag: o.tag,
  };
}
