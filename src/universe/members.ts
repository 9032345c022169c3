/**
 * The membership file of a universe (`--universe members.csv`): who is in the universe when.
 *
 *   symbol,from,to[,delisting_return]
 *   AAA,2013-02-08,2018-02-07
 *   BBB,2013-02-08,2015-06-30,-1
 *
 * `from` and `to` are sessions (dates or ISO times: a bar's start), both inclusive; several rows
 * may give one symbol several spans (it left and came back), which must not overlap. The
 * delisting return (a fraction: -1 is a total loss, -0.3 a 30% loss) applies when the symbol
 * leaves at `to`: a position still held is closed at its last price × (1 + return). Empty means
 * no delisting return. The S&P 500 members file of ../shared/data (symbol,first_ts,last_ts,...)
 * reads as is: `first_ts`/`last_ts` stand for `from`/`to`, other columns are ignored.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { parseIso } from '../data/time.js';
import { splitCsvLine } from '../data/rows.js';

export interface MemberSpan {
  readonly from: number;
  readonly to: number;
  /** NaN when none is given. */
  readonly delistingReturn: number;
  /** Where it was written (for messages). */
  readonly line: number;
}

export interface MembersFile {
  readonly file: string;
  readonly spans: ReadonlyMap<string, readonly MemberSpan[]>;
}

const ALIASES: Readonly<Record<string, readonly string[]>> = {
  symbol: ['symbol', 'ticker'],
  from: ['from', 'first_ts', 'start'],
  to: ['to', 'last_ts', 'end'],
  delisting_return: ['delisting_return', 'delist_return'],
};

export function readMembersFile(file: string): MembersFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DataError('no-such-file', { file, line: 0, column: 0, rule: 'cannot read the membership file', hint: 'check the path given to --universe' });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new DataError('empty-file', { file, line: 0, column: 0, rule: 'the membership file is empty', hint: 'write a header symbol,from,to[,delisting_return] and one row per membership span' });
  const head = splitCsvLine(lines[0]!).fields.map((h) => h.trim().toLowerCase());
  const col = (role: string): number => head.findIndex((h) => ALIASES[role]!.includes(h));
  const cs = col('symbol');
  const cf = col('from');
  const ct = col('to');
  const cr = col('delisting_return');
  if (cs < 0 || cf < 0 || ct < 0) {
    throw new DataError('bad-header', { file, line: 1, column: 1, value: lines[0]!, rule: 'a membership file needs the columns symbol, from and to', hint: 'write the header symbol,from,to[,delisting_return] (first_ts/last_ts are read as from/to)' });
  }
  const spans = new Map<string, MemberSpan[]>();
  for (let li = 1; li < lines.length; li++) {
    if (lines[li]!.trim() === '') continue;
    const { fields, offsets } = splitCsvLine(lines[li]!);
    const at = (c: number): { v: string; column: number } => ({ v: (fields[c] ?? '').trim(), column: offsets[c] ?? 0 });
    const sym = at(cs);
    if (sym.v === '') throw new DataError('no-symbol', { file, line: li + 1, column: sym.column, field: head[cs]!, value: '', rule: 'every row needs a symbol', hint: 'write the symbol as in the data file' });
    const time = (c: number, name: string): number => {
      const { v, column } = at(c);
      const us = parseIso(v);
      if (Number.isNaN(us)) throw new DataError('bad-time', { file, line: li + 1, column, field: head[c]!, value: v, rule: `'${name}' must be a date or ISO-8601 time`, hint: "write e.g. 2015-06-30 or 2015-06-30T00:00:00Z (the session: a daily bar's start)" });
      return us;
    };
    const from = time(cf, 'from');
    const to = time(ct, 'to');
    if (to < from) throw new DataError('bad-span', { file, line: li + 1, column: at(ct).column, field: head[ct]!, value: at(ct).v, rule: `'to' is before 'from' (${at(cf).v})`, hint: 'give the first and the last session of the membership, in that order' });
    let r = NaN;
    if (cr >= 0 && at(cr).v !== '') {
      const { v, column } = at(cr);
      r = Number(v);
      if (!Number.isFinite(r) || r < -1)
        throw new DataError('bad-return', { file, line: li + 1, column, field: head[cr]!, value: v, rule: 'a delisting return must be a number >= -1 (a fraction: -1 is a total loss)', hint: 'write e.g. -0.3 for a 30% loss, -1 for a total loss, or leave it empty' });
    }
    const list = spans.get(sym.v) ?? [];
    for (const s of list) {
      if (from <= s.to && s.from <= to)
        throw new DataError('overlap', { file, line: li + 1, column: at(cf).column, field: head[cf]!, value: at(cf).v, rule: `${sym.v}'s span overlaps the one on line ${s.line}`, hint: 'give each symbol spans that do not overlap (one row per time it is in the universe)' });
    }
    list.push({ from, to, delistingReturn: r, line: li + 1 });
    spans.set(sym.v, list);
  }
  for (const list of spans.values()) list.sort((a, b) => a.from - b.from);
  return { file, spans };
}
