/**
 * The csv-parse reader: for files with quoted fields (and `--reader csv`, which the differential
 * tests use as the reference). Every record goes through the same row rules ({@link RowSink}) as
 * the byte reader's, so both give the same values and the same errors.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { DataError } from '../errors.js';
import { RowSink, splitCsvLine, type BadRowSample, type RowOptions } from './rows.js';
import type { ResolvedHeader } from './schema.js';
import { FileTableBuilder, type FileTable } from './table.js';

export async function readCsv(
  file: string,
  header: ResolvedHeader,
  firstLine: number,
  opts: RowOptions & { readonly shared?: boolean; readonly keepLines?: boolean },
  onHash: ((h: Hash) => void) | undefined,
): Promise<{ table: FileTable; badRows: number; badSamples: readonly BadRowSample[]; ruleRows: number }> {
  // loaded on first use: most files are unquoted and never need it (10 modules at every start)
  const { CsvError, parse } = await import('csv-parse');
  const builder = new FileTableBuilder(header.kind, 1024, opts.shared === true, opts.keepLines === true);
  const sink = new RowSink(file, header, builder, opts);
  const stream = createReadStream(file);
  if (onHash) {
    const hash = createHash('sha1');
    onHash(hash);
    stream.on('data', (chunk) => hash.update(chunk));
  }
  const parser = stream.pipe(
    // line breaks are \n or \r\n, as for the fast reader: a lone \r is not one (csv-parse would otherwise
    // guess it from the file and count lines differently, so errors would name the wrong line)
    // no `info` (a third of csv-parse's time): lines are counted from each record's raw text,
    // blank lines included (they arrive as one empty field and are skipped here)
    parse({ bom: true, relax_column_count: true, skip_empty_lines: false, raw: true, from_line: firstLine, record_delimiter: ['\r\n', '\n'], delimiter: header.delimiter ?? ',' }),
  );
  const delimiter = header.delimiter ?? ',';
  let line = firstLine;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; raw: string }>) {
      const raw = rec.raw;
      const at = line;
      for (let i = raw.indexOf('\n'); i >= 0; i = raw.indexOf('\n', i + 1)) line++;
      if (rec.record.length === 1 && rec.record[0] === '' && /^\r?\n?$/.test(raw)) continue; // a blank line
      // the columns of the fields, for error messages only (computed when one is made)
      sink.accept(rec.record, () => splitCsvLine(raw.replace(/\r?\n$/, '').replace(/\r$/, ''), delimiter).offsets, at);
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    // every csv-parse error is a CsvError (its codes do not all start with CSV_: e.g.
    // INVALID_OPENING_QUOTE, which escaped as an internal error until the fuzz tests found it)
    const ce = e as { code?: string; lines?: number; message?: string; records?: number; empty_lines?: number };
    if (e instanceof CsvError) {
      // the line where the bad record starts: after the header, the complete records and the
      // skipped blank lines (csv-parse's own line count runs on to the end of an unclosed quote,
      // and counts CR and LF apart there: 'line 11' of a 6-line file, found by the fuzz tests)
      const start = ce.records !== undefined ? line : (ce.lines ?? 0);
      throw new DataError('bad-csv', {
        file,
        line: start,
        column: 0,
        rule: `malformed CSV: ${(ce.message ?? ce.code ?? '').replace(/ at line \d+/, '')}`,
        hint: 'check the quoting on this line: a field with a quote must be wrapped in quotes, and inner quotes doubled',
      });
    }
    throw e;
  }
  return { table: builder.finish(), badRows: sink.badRows, badSamples: sink.badSamples, ruleRows: builder.n + sink.badRows };
}
