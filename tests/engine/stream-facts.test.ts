/**
 * What a streamed run measures during its one pass (engine/stream-facts.ts) is what the table
 * functions measure over the whole table: the calendar in one pass (metrics/calendar.ts
 * CalendarOnePass) and the buy-and-hold curves from the marks kept per period
 * (metrics/buy-and-hold-marks.ts), over the bundled files cut into random blocks.
 */
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { loadData } from '../../src/data/load.js';
import { sliceRows, type TickTable } from '../../src/data/table.js';
import { CalendarOnePass, measureCalendar } from '../../src/metrics/calendar.js';
import { BuyAndHoldMarks, curveFromMarks } from '../../src/metrics/buy-and-hold-marks.js';
import { buyAndHoldCurve } from '../../src/metrics/run-tearsheet.js';
import { ROOT } from '../helpers.js';

const FILES: readonly (readonly string[])[] = [['data/sample_pair_quotes.csv', 'data/sample_pair_trades.csv'], ['data/sample_pair_break_quotes.csv'], ['data/eustockmarkets_daily_1991_1998.csv']];

/** The table in random blocks of 1 to `most` rows, each to `visit`. */
function inBlocks(t: TickTable, rng: () => number, most: number, visit: (t: TickTable, from: number, to: number) => void): void {
  for (let i = 0; i < t.length;) {
    const n = Math.min(t.length - i, 1 + Math.floor(rng() * most));
    visit(t, i, i + n);
    i += n;
  }
}

/** The engine's samples: the end of each period with events ((start, end], engine.ts runChunk). */
function sampleEnds(ts: Float64Array, periodUs: number): Float64Array {
  const out: number[] = [];
  let end = -Infinity;
  for (const x of ts) {
    if (x > end) {
      end = (Math.ceil(x / periodUs) - 1 + 1) * periodUs;
      out.push(end);
    }
  }
  return Float64Array.from(out);
}

describe('facts measured in one pass = over the whole table', () => {
  for (const files of FILES) {
    it(`${files.join(' + ')}: the calendar, and the buy-and-hold curves of any symbols`, async () => {
      const t = (
        await loadData(
          files.map((f) => join(ROOT, f)),
          { cache: false },
        )
      ).table;
      const rng = seedrandom(files.join());
      const want = measureCalendar(t);
      for (const sub of [t, sliceRows(t, Math.floor(t.length / 3), t.length)]) {
        const whole = sub === t ? want : measureCalendar(sub);
        for (const most of [1, 7, 500, sub.length]) {
          const c = new CalendarOnePass(sub.barStart.length > 0);
          inBlocks(sub, rng, most, (b, from, to) => c.scan(b, from, to));
          expect(c.result(), `blocks of up to ${most}`).toEqual(whole);
        }
      }
      const daily = t.barStart.length > 0;
      for (const periodUs of daily ? [86_400e6, 7 * 86_400e6] : [60e6, 3600e6]) {
        const m = new BuyAndHoldMarks(t.symbols.length, periodUs);
        inBlocks(t, rng, 300, (b, from, to) => m.scan(b, from, to));
        const kept = m.result()!;
        const samples = sampleEnds(t.ts, periodUs);
        const idsAll = t.symbols.map((_, i) => i);
        for (const ids of [idsAll, [idsAll.length - 1], idsAll.slice().reverse()]) {
          const got = curveFromMarks(kept, ids, samples, t.ts[0]!)!;
          expect(got, `period ${periodUs}, ids ${ids.join()}`).toBeDefined();
          expect(Buffer.from(got.buffer).equals(Buffer.from(buyAndHoldCurve(t, ids, samples, t.ts[0]!).buffer))).toBe(true);
        }
        // a later start, or other samples: not from the marks (the caller scans the rows)
        expect(curveFromMarks(kept, idsAll, samples, t.ts[0]! + 1)).toBeUndefined();
        expect(curveFromMarks(kept, idsAll, samples.subarray(1), t.ts[0]!)).toBeUndefined();
      }
      // more periods than the marks may hold: nothing kept
      const small = new BuyAndHoldMarks(t.symbols.length, 1, 10);
      small.scan(t, 0, t.length);
      expect(small.result()).toBeUndefined();
    });
  }
});

describe('the calendar of ticks in one pass (its own loop: CalendarOnePass on tick data)', () => {
  it('= measureCalendar on random tick times: sessions, gaps around the 30-minute join, weekends, equal times, any blocks', () => {
    const rng = seedrandom('ticks-calendar');
    for (let c = 0; c < 40; c++) {
      // a few days to a few months of ticks: bursts (sessions) split by gaps of seconds to days
      const n = 1 + Math.floor(rng() * 5000);
      const ts = new Float64Array(n);
      let x = Date.UTC(2024, 0, 1 + Math.floor(rng() * 30)) * 1000 + Math.floor(rng() * 86_400e6);
      for (let i = 0; i < n; i++) {
        const r = rng();
        // equal times, seconds, just under and over the 30-minute join, hours, days
        x += r < 0.1 ? 0 : r < 0.8 ? Math.floor(rng() * 60e6) : r < 0.87 ? 30 * 60e6 - 1 + Math.floor(rng() * 3) : r < 0.95 ? Math.floor(rng() * 8 * 3600e6) : Math.floor(rng() * 3 * 86_400e6);
        ts[i] = x;
      }
      const t: TickTable = {
        length: n,
        symbols: ['A'],
        symbolKinds: new Uint8Array([1]),
        ts,
        kind: new Uint8Array(n),
        sym: new Uint16Array(n),
        f0: new Float64Array(n).fill(100),
        f1: new Float64Array(0),
        f2: new Float64Array(0),
        f3: new Float64Array(0),
        f4: new Float64Array(0),
        barStart: new Float64Array(0),
      };
      const want = measureCalendar(t);
      for (const most of [1, 13, n]) {
        const one = new CalendarOnePass(false);
        inBlocks(t, rng, most, (b, from, to) => one.scan(b, from, to));
        expect(one.result(), `case ${c}, ${n} ticks, blocks of up to ${most}`).toEqual(want);
      }
    }
  });
});
