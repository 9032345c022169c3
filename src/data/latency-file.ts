/**
 * A file of measured order latencies, for the `file` latency model: CSV with a header naming the
 * columns `request`, `exchange` and `response` (in any order; other columns ignored), one row per
 * measured order: when it was sent, when the venue took it, when its answer came back. Times are
 * ISO-8601 or epoch numbers in `unit`. An empty or non-positive `exchange` marks an order the
 * venue rejected (as hftbacktest marks one with a negative exchange time).
 */
import { statSync } from 'node:fs';
import { DataError } from '../errors.js';
import { readSmallCsv } from './small-csv.js';
import { parseEpoch, parseIso, type TsUnit } from './time.js';

export interface LatencyRows {
  /** Request times (µs), ascending. */
  readonly request: Float64Array;
  /** Entry latency (exchange − request, µs); NaN on a rejection row. */
  readonly entry: Float64Array;
  /** Response latency (response − exchange; on a rejection row response − request), µs. */
  readonly response: Float64Array;
}

const cache = new Map<string, LatencyRows>();

/** Reads (once per process, path and version of the file) and checks a latency file; errors name file, line, column, value and fix. */
export function readLatencyFile(path: string, unit: TsUnit): LatencyRows {
  let key: string;
  try {
    const st = statSync(path);
    key = `${unit}\0${path}\0${st.size}\0${st.mtimeMs}`;
  } catch {
    key = `${unit}\0${path}`;
  }
  const hit = cache.get(key);
  if (hit) return hit;
  const { header, rows } = readSmallCsv(path, 'latency file', 'give an existing CSV with columns request,exchange,response (--exec latency.file=PATH)');
  const col = (name: string): number => {
    const c = header.indexOf(name);
    if (c < 0) throw new DataError('latency-file', { file: path, line: 1, column: 0, field: name, value: header.join(','), rule: `the latency file has no column '${name}'`, hint: 'its header must name request, exchange and response (times of sending, of the venue taking the order, of the answer)' });
    return c;
  };
  const cReq = col('request');
  const cExch = col('exchange');
  const cResp = col('response');
  const req: number[] = [];
  const entry: number[] = [];
  const response: number[] = [];
  const time = (raw: string, line: number, c: number, name: string, allowEmpty: boolean): number => {
    const s = raw.trim();
    if (s === '' && allowEmpty) return NaN;
    const v = /^[+-]?\d+(\.\d+)?$/.test(s) ? parseEpoch(s, unit) : parseIso(s);
    if (Number.isNaN(v)) throw new DataError('latency-file', { file: path, line, column: c + 1, field: name, value: raw, rule: 'not a time', hint: `write ISO-8601 (2024-01-02T10:00:00.123Z) or an epoch in ${unit} (latency.unit)` });
    return v;
  };
  for (const { line, cells: f } of rows) {
    const text = f.join(',');
    const r = time(f[cReq] ?? '', line, cReq, 'request', false);
    const x = time(f[cExch] ?? '', line, cExch, 'exchange', true);
    const p = time(f[cResp] ?? '', line, cResp, 'response', false);
    const rejected = !(x > 0);
    if (req.length > 0 && r < req[req.length - 1]!) throw new DataError('latency-file', { file: path, line, column: cReq + 1, field: 'request', value: f[cReq] ?? '', rule: 'request times must not go back', hint: 'sort the file by request time' });
    if (!rejected && !(x >= r && p >= x)) throw new DataError('latency-file', { file: path, line, column: cExch + 1, field: 'exchange', value: text, rule: 'needs request <= exchange <= response', hint: 'check the columns are request, exchange, response in that meaning' });
    if (rejected && !(p >= r)) throw new DataError('latency-file', { file: path, line, column: cResp + 1, field: 'response', value: text, rule: 'a rejection needs request <= response', hint: 'check the row' });
    req.push(r);
    entry.push(rejected ? NaN : x - r);
    response.push(rejected ? p - r : p - x);
  }
  if (req.length === 0) throw new DataError('latency-file', { file: path, line: 0, column: 0, rule: 'the latency file has no rows', hint: 'add one row per measured order: request,exchange,response' });
  const out = { request: Float64Array.from(req), entry: Float64Array.from(entry), response: Float64Array.from(response) };
  cache.set(key, out);
  return out;
}
