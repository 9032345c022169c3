import { describe, expect, it } from 'vitest';
import { renderTradesCsv } from '../../src/report/run-report.js';
import type { RoundTrip } from '../../src/portfolio/portfolio.js';

const trip = (o: Partial<RoundTrip>): RoundTrip => ({
  symbol: 'AAPL',
  side: 'long',
  entryTs: 1_700_000_000_000_000,
  exitTs: 1_700_000_060_000_000,
  maxQty: 100,
  entryPrice: 100.1,
  exitPrice: 95.48,
  grossPnl: -462,
  fees: 0.02,
  netPnl: -462.02,
  returnFraction: -0.0461538,
  holdingUs: 60_000_000,
  volume: 200,
  ...o,
});

describe('trades CSV', () => {
  it('writes money without the float noise of summed fills, a cent of a large PnL kept', () => {
    const csv = renderTradesCsv([trip({ grossPnl: -461.9999999999995, netPnl: -462.0199999999987, exitPrice: 95.48000000000002 }), trip({ netPnl: 12_345_678_901.23, grossPnl: 12_345_678_901.25 })], []);
    const rows = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(rows[0]!.slice(5, 10)).toEqual(['100.1', '95.48', '-462', '0.02', '-462.02']);
    expect(rows[1]![9]).toBe('12345678901.23');
    expect(rows[1]![7]).toBe('12345678901.25');
  });
});
