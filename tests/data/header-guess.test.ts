/**
 * A headerless copy of a file in tickfold's own columns (ts, symbol, values): refused as headerless
 * even when its first row has empty fields (quotes without sizes, bars without volume), with a
 * --header that names the symbol column.
 */
import { describe, expect, it } from 'vitest';
import { guessHeader, looksLikeData } from '../../src/data/header-line.js';

const split = (line: string): string[] => line.split(',');

describe('headerless first lines in tickfold’s own columns', () => {
  it('a row with empty fields is data, not a header of unknown columns', () => {
    expect(looksLikeData(split('2014-05-06T00:00:00.158Z,EURUSD,1.38742,1.38755,,'))).toBe(true);
    expect(looksLikeData(split('1991-07-01T00:00:00Z,DAX,1628.75,1628.75,1628.75,1628.75,'))).toBe(true);
    expect(looksLikeData(split('ts,symbol,bid,ask,bid_size,ask_size'))).toBe(false);
    expect(looksLikeData(split('Date,Open,High,Low,Close,Adj Close,Volume'))).toBe(false);
    expect(looksLikeData(split(',,'))).toBe(false);
  });

  it('the guess names the symbol column: trades, quotes (with or without sizes) and bars', () => {
    expect(guessHeader(split('2013-10-07T13:30:00.072Z,IBM,182.33,100'))?.names.join(',')).toBe('ts,symbol,price,size');
    expect(guessHeader(split('2014-05-06T00:00:00.158Z,EURUSD,1.38742,1.38755,,'))?.names.join(',')).toBe('ts,symbol,bid,ask,bid_size,ask_size');
    expect(guessHeader(split('2024-08-08T23:54:14.024619Z,ETHUSDT,2683.8,2683.81,3.0292,31.4395'))?.names.join(',')).toBe('ts,symbol,bid,ask,bid_size,ask_size');
    expect(guessHeader(split('2004-08-19T00:00:00Z,GOOG,100,104.06,95.96,100.34,22351900'))?.names.join(',')).toBe('ts,symbol,open,high,low,close,volume');
    expect(guessHeader(split('1991-07-01T00:00:00Z,DAX,1628.75,1628.75,1628.75,1628.75,'))?.names.join(',')).toBe('ts,symbol,open,high,low,close,volume');
    // unchanged: no symbol column
    expect(guessHeader(split('2004-08-19,100,104.06,95.96,100.34,22351900'))?.names.join(',')).toBe('ts,open,high,low,close,volume');
  });
});
