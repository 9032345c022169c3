/**
 * `tickfold data convert IN OUT.parquet`: a tick archive (CSV, or Parquet) rewritten as Parquet in
 * tickfold's own columns, so that a researcher can shrink CSV archives and load them back with
 * every value intact (a test reads each converted file back against its source, value for value).
 *
 * Columns: `ts` TIMESTAMP(MICROS, UTC) (a bar's stamp as in the file, usually its start), `symbol`
 * a dictionary-encoded string, then the kind's value columns (price,size | bid,ask,bid_size,
 * ask_size | open,high,low,close,volume) as DOUBLE, null where the value is unknown (a size or
 * volume the source left empty). zstd compression, row groups of 1,048,576 rows. Written with
 * parquet-wasm from an apache-arrow table (the same two packages that read Parquet).
 */
import { CANONICAL_HEADERS } from './schema.js';
import type { FileTable } from './table.js';

export async function toParquet(t: FileTable): Promise<Uint8Array> {
  const arrow = await import('apache-arrow');
  const pw = await import('parquet-wasm');
  const names = CANONICAL_HEADERS[t.kind];
  const n = t.length;
  const ts = new BigInt64Array(n);
  for (let i = 0; i < n; i++) ts[i] = BigInt(t.ts[i]!);
  const columns: Record<string, unknown> = {
    ts: arrow.makeVector({ type: new arrow.TimestampMicrosecond('UTC'), data: ts } as never),
    symbol: arrow.vectorFromArray(Array.from(t.sym, (k) => t.symbols[k]!), new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32())),
  };
  t.cols.forEach((c, j) => {
    // NaN is an unknown value: a null in the file (prices are never unknown)
    columns[names[j + 2]!] = arrow.vectorFromArray(Array.from(c, (v) => (Number.isNaN(v) ? null : v)), new arrow.Float64());
  });
  const table = new arrow.Table(columns as never);
  const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).setMaxRowGroupSize(1_048_576).build();
  return pw.writeParquet(wasmTable, props);
}
