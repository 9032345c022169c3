import { UsageError } from '../../errors.js';
import { readLatencyFile } from '../../data/latency-file.js';
import type { TsUnit } from '../../data/time.js';
import type { ExecModel, Latency } from '../model.js';

/**
 * **Latency from a file of measured orders** (the idea of hftbacktest's `IntpOrderLatency`). For
 * an order sent at `t`, the entry latency (exchange − request) and the response latency
 * (response − exchange) are interpolated linearly between the two rows whose request times
 * bracket `t` (before the first row: the first; after the last: the last). Where either row is a
 * rejection (no exchange time), the venue rejects the order, and the rejection reaches the
 * strategy after that row's round trip (response − request).
 */
export const latencyFile: ExecModel<Latency> = {
  family: 'latency',
  name: 'file',
  rule: 'entry and response latencies interpolated between the measured orders of a CSV (request,exchange,response) that bracket the submission; a rejection row rejects the orders around it',
  params: {
    file: { type: 'string', default: '', doc: 'the CSV of measured orders (columns request, exchange, response)' },
    unit: { type: 'string', choices: ['s', 'ms', 'us', 'ns'], default: 'ns', doc: 'unit of epoch numbers in the file (ISO times need none)' },
  },
  check(p) {
    if (String(p.file).trim() === '') throw new UsageError("latency model 'file' needs the file: --exec latency.file=PATH (a CSV with columns request, exchange, response)");
    readLatencyFile(String(p.file), p.unit as TsUnit);
  },
  bind(p) {
    const { request, entry, response } = readLatencyFile(String(p.file), p.unit as TsUnit);
    const n = request.length;
    // the row at or before t (-1: before the first), found by bisection
    const at = (t: number): number => {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (request[mid]! <= t) lo = mid + 1;
        else hi = mid;
      }
      return lo - 1;
    };
    const interp = (col: Float64Array, t: number, rejectAware: boolean): number => {
      const k = at(t);
      if (k < 0) return col[0]!;
      if (k >= n - 1) return col[n - 1]!;
      const a = col[k]!;
      const b = col[k + 1]!;
      if (rejectAware && (Number.isNaN(entry[k]!) || Number.isNaN(entry[k + 1]!))) return NaN;
      const w = (t - request[k]!) / (request[k + 1]! - request[k]! || 1);
      return a + (b - a) * w;
    };
    return {
      delaysResponses: response.some((x) => x > 0),
      entryUs: (t) => interp(entry, t, true),
      responseUs: (t) => {
        const k = at(t);
        const row = k < 0 ? 0 : k >= n - 1 ? n - 1 : Number.isNaN(entry[k]!) ? k : Number.isNaN(entry[k + 1]!) ? k + 1 : -1;
        // a rejection: that row's round trip; otherwise interpolated
        return row >= 0 && Number.isNaN(entry[row]!) ? response[row]! : interp(response, t, false);
      },
    };
  },
};
