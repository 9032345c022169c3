import type { ExecModel, Latency } from '../model.js';

/**
 * **Constant latency.** An order submitted at `t` is live at the venue from `t + entry` and never
 * fills on the event during which it was submitted (with `entry` 0 it fills on the next eligible
 * event). The venue's answers (fills, rejections) reach the strategy `response` after they
 * happen: `onFill` and `onReject` are called on the first event at or after that time. The books
 * (position, cash, equity) are the venue's and change at the fill itself.
 */
export const latencyConstant: ExecModel<Latency> = {
  family: 'latency',
  name: 'constant',
  rule: 'an order is live `entry` after it is submitted (0: the next event); fills and rejections reach the strategy `response` after they happen',
  params: {
    entry: { type: 'string', format: 'duration', min: 0, default: '0', doc: 'time from decision to a live order, e.g. 50ms (--latency)' },
    response: { type: 'string', format: 'duration', min: 0, default: '0', doc: 'time from a fill or rejection to the strategy hearing of it' },
  },
  bind(_p, _env, us) {
    const entry = us.entry!;
    const response = us.response!;
    return { entryUs: () => entry, responseUs: () => response, delaysResponses: response > 0 };
  },
};
