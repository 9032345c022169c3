/**
 * Equity samples: periods are (start, end], so an event at exactly a period's end (a bar released
 * at its close) belongs to the period it closes; and average prices carry no float noise.
 */
import { describe, expect, it } from 'vitest';
import { Portfolio } from '../../src/portfolio/portfolio.js';
import { B, run, scripted, tableOf } from './harness.js';

const at = (hhmm: string): number => Date.parse(`2024-01-02T${hhmm}:00Z`) * 1000;

describe('equity periods', () => {
  it('a bar released at its close is in the sample of the period it closes: returns do not lag a period', async () => {
    const t = await tableOf(`${B}\n2024-01-02T10:00:00Z,A,10,10,10,10,1\n2024-01-02T10:01:00Z,A,11,12,11,12,1\n2024-01-02T10:02:00Z,A,12,15,12,15,1\n2024-01-02T10:03:00Z,A,15,15,14,14,1`);
    // bought at the close of the 10:00 bar (released 10:01), filled at the 10:01 bar's open (11)
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 100 }] }), {}, 10_000);
    expect(r.fills.at(0)).toMatchObject({ price: 11, ts: at('10:01') });
    expect(Array.from(r.sampleTs)).toEqual([at('10:01'), at('10:02'), at('10:03'), at('10:04')]);
    // the sample ending 10:02 holds the 10:01 bar's close (12), released at 10:02; the one ending
    // 10:03 the 10:02 bar's close (15); not one period later
    expect(Array.from(r.equity)).toEqual([10_000, 10_000 + 100 * (12 - 11), 10_000 + 100 * (15 - 11), 10_000 + 100 * (14 - 11)]);
  });
  it('a tick at exactly a period boundary is in the period it ends; the next tick starts the next', async () => {
    const q = 'ts,symbol,bid,ask,bid_size,ask_size';
    const t = await tableOf(`${q}\n2024-01-02T10:00:30Z,A,10,10,1,1\n2024-01-02T10:00:45Z,A,10,10,1,1\n2024-01-02T10:01:00Z,A,11,11,1,1\n2024-01-02T10:01:30Z,A,12,12,1,1`);
    const r = run(t, scripted({ 0: [{ symbol: 'A', side: 'buy', qty: 1 }] }), {}, 1_000);
    expect(r.fills.at(0)).toMatchObject({ price: 10, index: 1 });
    expect(Array.from(r.sampleTs)).toEqual([at('10:01'), at('10:02')]);
    // the quote at 10:01:00 exactly marks the period ending 10:01 (not the next one)
    expect(Array.from(r.equity)).toEqual([1_001, 1_002]);
  });
});

describe('average prices', () => {
  it('an average of fills at one price is that price (no 61836.00999999999)', () => {
    const p = new Portfolio(1e6, ['BTCUSDT']);
    for (const q of [0.3, 0.1, 0.2]) p.applyFill(0, q, 61836.01, 0, 1);
    expect(p.avgCost[0]).toBe(61836.01);
    for (const q of [0.3, 0.1, 0.2]) p.applyFill(0, -q, 61900.07, 0, 2);
    const [trip] = p.closed;
    expect([trip!.entryPrice, trip!.exitPrice]).toEqual([61836.01, 61900.07]);
    // fills at different prices: the volume-weighted average, inside their range
    const m = new Portfolio(1e6, ['X']);
    m.applyFill(0, 1, 100, 0, 1);
    m.applyFill(0, 3, 104, 0, 2);
    m.applyFill(0, -4, 110, 0, 3);
    expect(m.closed.at(0).entryPrice).toBe(103);
  });
});
