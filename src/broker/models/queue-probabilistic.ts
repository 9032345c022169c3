import { UsageError } from '../../errors.js';
import type { ExecModel, Queue } from '../model.js';
import { consume, levelOf, startQueue } from './queue-l1.js';

/**
 * **Probabilistic queue** (hftbacktest's `ProbQueueModel`, at L1). As risk-averse, except that a
 * decrease of the displayed size at the order's price that trades do not explain (the change net
 * of the units traded there since the last quote) is split between the orders ahead and behind:
 * with `front` ahead and `back` = previous size − front behind, a share p = f(back) / (f(back) +
 * f(front)) of it comes from behind, so ahead becomes front − (1 − p)·chg + min(back − p·chg, 0),
 * at most the new size. f(x) = x^n (`f=power`, exponent `n`) or ln(1 + x) (`f=log`). An increase
 * of the size joins behind it.
 */
export const queueProbabilistic: ExecModel<Queue> = {
  family: 'queue',
  name: 'probabilistic',
  rule: 'as risk-averse, but a size decrease not explained by trades is split between ahead and behind: p = f(back)/(f(back)+f(front)) from behind, f(x) = x^n or ln(1+x)',
  params: {
    f: { type: 'string', choices: ['power', 'log'], default: 'power', doc: 'the function f: power (x^n) or log (ln(1+x))' },
    n: { type: 'number', min: 0, default: 2, doc: 'exponent of f(x) = x^n (f=power)' },
  },
  check(p) {
    if (p.f === 'log' && p.n !== 2) throw new UsageError(`queue model 'probabilistic': n=${String(p.n)} applies to f=power only (f=log is ln(1+x))`);
  },
  bind(p) {
    const n = Number(p.n);
    const f = p.f === 'log' ? (x: number): number => Math.log1p(x) : (x: number): number => x ** n;
    return {
      touchFills: false,
      start: startQueue,
      quote(o, limit, buy, best, size) {
        const at = levelOf(limit, buy, best);
        if (at !== 0) {
          if (at === 1) o.ahead = 0;
          o.levelSize = NaN;
          o.tradedSince = 0;
          return;
        }
        const prev = o.levelSize;
        o.levelSize = size;
        const traded = o.tradedSince;
        o.tradedSince = 0;
        if (Number.isNaN(size)) return;
        if (Number.isNaN(prev) || !Number.isFinite(o.ahead)) {
          o.ahead = Math.min(o.ahead, size);
          return;
        }
        const chg = prev - size - traded;
        if (chg <= 0) {
          o.ahead = Math.min(o.ahead, size);
          return;
        }
        const front = o.ahead;
        const back = prev - front;
        let pBack = f(back) / (f(back) + f(front));
        if (!Number.isFinite(pBack)) pBack = 1;
        const est = front - (1 - pBack) * chg + Math.min(back - pBack * chg, 0);
        o.ahead = Math.max(0, Math.min(est, size));
      },
      tradeAt: consume,
    };
  },
};
