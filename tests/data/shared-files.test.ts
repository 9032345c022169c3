import { expect, it } from 'vitest';
import { loadData, loadFile } from '../../src/data/load.js';
import { BAR, QUOTE, TRADE } from '../../src/data/schema.js';
import { parseIso } from '../../src/data/time.js';
import { describeShared, shared, SHARED_FILES } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

describeShared('the real files in ../shared/data', () => {
  it('data inspect reports all ten files with the row counts of their README', async () => {
    const r = await runCliIn(['data', 'inspect', '--json', '-', '--no-cache', ...SHARED_FILES.map(([f]) => shared(f))]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as { files: { summary: { file: string; kind: string; rows: number; badRows: number } }[]; totalRows: number };
    expect(json.files).toHaveLength(10);
    SHARED_FILES.forEach(([file, kind, rows], i) => {
      const s = json.files[i]!.summary;
      expect(s.file).toBe(shared(file));
      expect([s.kind, s.rows, s.badRows]).toEqual([kind, rows, 0]);
    });
    expect(json.totalRows).toBe(SHARED_FILES.reduce((a, [, , n]) => a + n, 0));
  });

  it('differential: the fast reader and csv-parse agree on every value of every file', async () => {
    for (const [file] of SHARED_FILES) {
      const fast = await loadFile(shared(file), { cache: false, reader: 'fast', contentHash: true });
      const csv = await loadFile(shared(file), { cache: false, reader: 'csv', contentHash: true });
      expect(fast.summary.source, file).toBe('fast');
      expect(csv.summary.source, file).toBe('csv');
      expect(fast.table.length, file).toBe(csv.table.length);
      expect(fast.table.symbols, file).toEqual(csv.table.symbols);
      // exact equality of every timestamp, symbol id and value (NaN equals NaN for unknown fields)
      expect(Buffer.from(fast.table.ts.buffer, fast.table.ts.byteOffset, fast.table.ts.byteLength).equals(Buffer.from(csv.table.ts.buffer, csv.table.ts.byteOffset, csv.table.ts.byteLength)), `${file} ts`).toBe(true);
      expect(Array.from(fast.table.sym), `${file} sym`).toEqual(Array.from(csv.table.sym));
      fast.table.cols.forEach((c, k) => {
        const other = csv.table.cols[k]!;
        let mismatches = 0;
        for (let i = 0; i < c.length; i++) if (!Object.is(c[i], other[i])) mismatches++;
        expect(mismatches, `${file} column ${k}`).toBe(0);
      });
      expect(fast.summary.sha1).toMatch(/^[0-9a-f]{40}$/);
      expect(fast.summary.sha1).toBe(csv.summary.sha1);
    }
  });

  it('spot checks against the text: first rows, empty fields unknown, µs kept', async () => {
    const q = await loadFile(shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv'), { cache: false });
    expect(q.table.ts[0]).toBe(parseIso('2024-08-08T23:54:14.024619Z'));
    expect(q.table.symbols[q.table.sym[0]!]).toBe('ETHUSDT');
    expect([q.table.cols[0]![0], q.table.cols[1]![0], q.table.cols[2]![0], q.table.cols[3]![0]]).toEqual([2683.8, 2683.81, 3.0292, 31.4395]);
    const fx = await loadFile(shared('oanda_eurusd_quotes_tick_20140506.csv'), { cache: false });
    expect(fx.table.cols[2]![0]).toBeNaN(); // bid_size empty: unknown, not zero
    expect(fx.table.cols[0]![0]).toBe(1.38742);
    const eu = await loadFile(shared('eustockmarkets_daily_1991_1998.csv'), { cache: false });
    expect(eu.table.cols[4]![0]).toBeNaN(); // volume unknown
  });

  it('Binance trades and quotes load together as one time-ordered stream', async () => {
    const { table, files } = await loadData(
      [shared('binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv'), shared('binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv')],
      { cache: false },
    );
    expect(table.length).toBe(131_932 + 34_419);
    // merged trades first (then quotes), whatever the order given: symbols numbered in that order
    expect(files.map((f) => f.kind)).toEqual(['trades', 'quotes']);
    expect(table.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
    let quotes = 0;
    let trades = 0;
    for (let i = 0; i < table.length; i++) {
      if (i > 0) expect(table.ts[i]! >= table.ts[i - 1]!).toBe(true);
      if (table.kind[i] === QUOTE) quotes++;
      else if (table.kind[i] === TRADE) trades++;
    }
    expect([quotes, trades]).toEqual([131_932, 34_419]);
    // the first trade (23:54:14.087896) lands right after the BTC quote at 23:54:14.087891
    const firstTrade = table.kind.indexOf(TRADE);
    expect(table.ts[firstTrade]).toBe(parseIso('2024-08-08T23:54:14.087896Z'));
    expect(table.kind[firstTrade - 1]).toBe(QUOTE);
    expect(table.ts[firstTrade - 1]).toBe(parseIso('2024-08-08T23:54:14.087891Z'));
    expect(table.f0[firstTrade]).toBe(61837.63);
  });

  it('bars become visible at their close: SPY hourly, first bar of the day closes at 10:00 ET', async () => {
    const { table, files } = await loadData([shared('spy_1h_1998_2021.csv')], { cache: false });
    expect(files[0]!.barLengthUs).toEqual({ SPY: 3_600_000_000 });
    expect(table.kind[0]).toBe(BAR);
    expect(table.barStart[0]).toBe(parseIso('1998-01-02T14:30:00Z'));
    expect(table.ts[0]).toBe(parseIso('1998-01-02T15:00:00Z')); // next bar starts 15:00: 30-minute bar
    expect(table.ts[1]).toBe(parseIso('1998-01-02T16:00:00Z'));
    for (let i = 0; i < table.length; i++) expect(table.ts[i]! > table.barStart[i]!).toBe(true);
    const daily = await loadData([shared('goog_daily_2004_2013.csv')], { cache: false });
    expect(daily.table.ts[0]).toBe(parseIso('2004-08-20')); // the IPO day is seen once it is over
  });
});
