/**
 * A matrix of trial returns from CSV: rows = periods in time order, columns = trials; an optional
 * header of trial names. Every cell must be a finite number.
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { splitCsvLine } from './rows.js';

export interface ReturnMatrix {
  readonly names: readonly string[];
  readonly columns: readonly Float64Array[];
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function readReturnMatrix(file: string): ReturnMatrix {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new DataError('no-such-file', { file, line: 0, column: 0, rule: 'cannot read the file', hint: 'check the path' });
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new DataError('empty-file', { file, line: 0, column: 0, rule: 'file is empty', hint: 'write one row per period and one column per trial' });
  const first = splitCsvLine(lines[0]!).fields;
  const header = first.some((f) => !NUMBER_RE.test(f.trim()));
  const names = header ? first.map((f) => f.trim()) : first.map((_, j) => `trial_${j + 1}`);
  const cols = names.map(() => [] as number[]);
  for (let li = header ? 1 : 0; li < lines.length; li++) {
    const { fields, offsets } = splitCsvLine(lines[li]!);
    if (fields.length !== names.length) {
      throw new DataError('wrong-column-count', { file, line: li + 1, column: 0, value: lines[li]!, rule: `expected ${names.length} fields, found ${fields.length}`, hint: 'every row needs one return per trial' });
    }
    fields.forEach((f, j) => {
      const v = Number(f.trim());
      if (!NUMBER_RE.test(f.trim()) || !Number.isFinite(v)) {
        throw new DataError('not-a-number', { file, line: li + 1, column: offsets[j]!, field: names[j]!, value: f, rule: 'a return must be a finite number', hint: 'write returns as plain decimals such as 0.0012; fill missing periods with 0 if the trial was flat' });
      }
      cols[j]!.push(v);
    });
  }
  if (cols[0]!.length < 4) throw new DataError('no-rows', { file, line: 0, column: 0, rule: `only ${cols[0]!.length} periods`, hint: 'give at least a few periods per trial' });
  return { names, columns: cols.map((c) => Float64Array.from(c)) };
}
