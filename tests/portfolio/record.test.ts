/**
 * The columnar run record: rows read back as written, windows by time (views when the column is
 * ascending, copies otherwise, the same rows either way), and a record that crosses threads with
 * its buffers moved comes back with every row equal.
 */
import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { F_TS, FillLog, packRecord, T_EXIT_TS, TripLog, unpackRecord, type PackedRecord } from '../../src/portfolio/record.js';
import { heavyTrading } from '../engine/harness.js';

it('a log keeps every row it was given, past many doublings', () => {
  const log = new FillLog(['A', 'B']);
  for (let i = 0; i < 5000; i++) log.push(i * 10, i, i + 1, i % 2, i % 3 === 0 ? -1 : 1, i + 0.5, 100 + i / 7, 0.01 * i, NaN, NaN);
  expect(log.length).toBe(5000);
  expect(log.at(4321)).toEqual({ ts: 43210, index: 4321, orderId: 4322, symbol: 'B', side: 'buy', qty: 4321.5, price: 100 + 4321 / 7, fee: 0.01 * 4321, bid: NaN, ask: NaN });
  expect(log.rows()).toHaveLength(5000);
  expect([...log].length).toBe(5000);
  expect(JSON.parse(JSON.stringify(log))[0]).toMatchObject({ ts: 0, symbol: 'A', side: 'sell' });
});

it('windows: the rows with time in [from, to), as views on an ascending column and as copies otherwise, equal by definition', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 80 }), fc.boolean(), fc.integer({ min: -5, max: 60 }), fc.integer({ min: -5, max: 60 }), (times, sorted, a, b) => {
      const ts = sorted ? [...times].sort((x, y) => x - y) : times;
      const log = new TripLog(['X']);
      ts.forEach((t, i) => log.push(0, 1, t - 1, t, 1, 10, 11, i, 0.5, 2));
      const from = Math.min(a, b);
      const to = Math.max(a, b);
      const want = ts
        .map((t, i) => [t, i] as const)
        .filter(([t]) => t >= from && t < to)
        .map(([, i]) => log.at(i));
      expect(log.within(T_EXIT_TS, from, to).rows()).toEqual(want);
      expect(log.countWithin(T_EXIT_TS, from, to)).toBe(want.length);
    }),
    { numRuns: 300 },
  );
});

it('a record moved to another thread (transfer list) and back is row for row the same', async () => {
  const rec = (await heavyTrading(20_000)).run();
  const want = JSON.stringify({ ...rec, strategySummary: null });
  const fillsBefore = rec.fills.rows();
  const { packed, transfer } = packRecord(rec);
  expect(transfer.length).toBeGreaterThan(10);
  // an echo thread: what it receives it sends back, moving the buffers both ways
  const w = new Worker(
    `const { parentPort } = require('node:worker_threads'); parentPort.on('message', (m) => { const t = new Set(); for (const k of ['trades', 'openTrades', 'fills', 'orders']) for (const c of m[k].cols) t.add(c.buffer); parentPort.postMessage(m, [...t]); });`,
    { eval: true },
  );
  const back = await new Promise<PackedRecord>((res) => {
    w.once('message', res);
    w.postMessage(packed, transfer);
  });
  await w.terminate();
  expect(transfer.every((b) => b.byteLength === 0)).toBe(true); // moved, not copied
  const again = unpackRecord(back);
  expect(again.fills.rows()).toEqual(fillsBefore);
  expect(JSON.stringify({ ...again, strategySummary: null })).toBe(want);
  expect(again.fills.within(F_TS, -Infinity, Infinity).length).toBe(rec.fills.length);
});
