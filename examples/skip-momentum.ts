// examples/skip-momentum.ts: a factor module for `tickfold factor --factor examples/skip-momentum.ts`.
// Momentum that skips the latest sessions (Jegadeesh & Titman's "12-1" momentum skips a month, where
// short-term reversal lives): the return from C(t - lookback) to C(t - skip). With skip=0 it is the
// built-in `momentum`. It reads only rows t - lookback and t - skip of the closes: never the future.
import { defineFactor } from 'tickfold';

export default defineFactor({
  name: 'skip-momentum',
  description: 'return from C(t-lookback) to C(t-skip): momentum without its latest sessions',
  params: {
    lookback: { type: 'integer', default: 60, min: 1, max: 10_000, doc: 'sessions back where the return starts' },
    skip: { type: 'integer', default: 5, min: 0, max: 10_000, doc: 'latest sessions left out (0: plain momentum)' },
  },
  label: (p) => `skip-momentum_${p.lookback}_${p.skip}`,
  compute(close, t, p, out) {
    if (p.skip >= p.lookback) throw new Error(`skip=${p.skip} must be less than lookback=${p.lookback}`);
    const n = close.cols;
    if (t - p.lookback < 0) {
      out.fill(NaN);
      return;
    }
    const v = close.values;
    const end = (t - p.skip) * n;
    const start = (t - p.lookback) * n;
    for (let s = 0; s < n; s++) out[s] = v[end + s]! / v[start + s]! - 1.0; // NaN when either close is missing
  },
});
