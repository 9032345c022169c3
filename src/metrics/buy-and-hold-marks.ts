/**
 * The buy-and-hold curves of a run's tearsheet (run-tearsheet.ts) measured while the rows go by
 * once, before the record says which symbols and samples the curves need: each symbol's last
 * positive mark is kept at the end of every period with events (the engine's samples: periods of
 * `periodUs`, (start, end], one sample per period that has events), with each symbol's first
 * positive mark and the marks at the end of the first time's rows.
 *
 * From these, {@link curveFromMarks} gives, for any symbols, the curve {@link BuyAndHoldScan}
 * gives when bought at the first row's time (the curve of a record that was not cut: its
 * `firstTs` is the first row's): B_k = mean over the symbols of p(t_k) / p(start), p(start) the
 * last mark at the first time or, for a symbol without one, its first mark once it has one
 * (counting 1 before). The same divisions and sums in the same order: the same bytes. When the
 * record was cut (a later start) or its samples are not the periods kept (never, but checked),
 * it gives undefined and the caller scans the rows again.
 *
 * Memory: one value per symbol and period with events, at most `maxValues` (past that, nothing
 * is kept and the caller scans again).
 */
import { markAt, type TickTable } from '../data/table.js';

/** What {@link BuyAndHoldMarks} kept: plain data (it crosses from the replay's thread). */
export interface MarksKept {
  readonly nSym: number;
  /** Time of the first row. */
  readonly firstTs: number;
  /** Each symbol's last positive mark at the end of the first time's rows (NaN: none). */
  readonly atFirst: Float64Array;
  /** Each symbol's first positive mark and its time (NaN: none). */
  readonly firstMark: Float64Array;
  readonly firstMarkTs: Float64Array;
  /** The periods' ends, and per period nSym last positive marks (NaN: none yet). */
  readonly ends: Float64Array;
  readonly marks: Float64Array;
}

/** Keeps the marks (see the file's comment) of rows given in blocks, in order. */
export class BuyAndHoldMarks {
  private readonly last: Float64Array;
  private readonly firstMark: Float64Array;
  private readonly firstMarkTs: Float64Array;
  private atFirst: Float64Array | undefined;
  private firstTs = NaN;
  private end = -Infinity;
  private ends = new Float64Array(64);
  private marks: Float64Array;
  private n = 0;
  private over = false;

  constructor(
    private readonly nSym: number,
    private readonly periodUs: number,
    private readonly maxValues = 1 << 22,
  ) {
    this.last = new Float64Array(nSym).fill(NaN);
    this.firstMark = new Float64Array(nSym).fill(NaN);
    this.firstMarkTs = new Float64Array(nSym).fill(NaN);
    this.marks = new Float64Array(64 * nSym);
  }

  /** The period ending at `this.end` closed: its marks kept. */
  private close(): void {
    if (this.over) return;
    const nSym = this.nSym;
    if ((this.n + 1) * nSym > this.maxValues) {
      this.over = true;
      this.marks = new Float64Array(0);
      return;
    }
    if (this.n === this.ends.length) {
      const e = new Float64Array(2 * this.n);
      e.set(this.ends);
      this.ends = e;
      const m = new Float64Array(2 * this.n * nSym);
      m.set(this.marks);
      this.marks = m;
    }
    this.ends[this.n] = this.end;
    this.marks.set(this.last, this.n * nSym);
    this.n++;
  }

  scan(t: TickTable, from: number, to: number): void {
    const { ts, sym } = t;
    const { last, firstMark, firstMarkTs, periodUs } = this;
    for (let i = from; i < to; i++) {
      const x = ts[i]!;
      if (this.atFirst === undefined) {
        if (Number.isNaN(this.firstTs)) this.firstTs = x;
        else if (x > this.firstTs) this.atFirst = last.slice();
      }
      // the engine's periods (engine.ts runChunk): (start, end], closed by the first row past the end
      if (x > this.end) {
        if (this.end > -Infinity) this.close();
        this.end = (Math.ceil(x / periodUs) - 1 + 1) * periodUs;
      }
      const m = markAt(t, i);
      if (m > 0) {
        const s = sym[i]!;
        last[s] = m;
        if (Number.isNaN(firstMark[s]!)) {
          firstMark[s] = m;
          firstMarkTs[s] = x;
        }
      }
    }
  }

  /** What was kept, once every row has been scanned; undefined past `maxValues`. */
  result(): MarksKept | undefined {
    if (this.end > -Infinity) this.close();
    if (this.over) return undefined;
    const nSym = this.nSym;
    return {
      nSym,
      firstTs: this.firstTs,
      atFirst: this.atFirst ?? this.last.slice(),
      firstMark: this.firstMark,
      firstMarkTs: this.firstMarkTs,
      ends: this.ends.slice(0, this.n),
      marks: this.marks.slice(0, this.n * nSym),
    };
  }
}

/** The curve of `ids` at `sampleTs` bought at `fromTs` (see the file's comment), or undefined when the marks kept cannot give it. */
export function curveFromMarks(k: MarksKept, ids: readonly number[], sampleTs: Float64Array, fromTs: number): Float64Array | undefined {
  if (fromTs !== k.firstTs || sampleTs.length !== k.ends.length) return undefined;
  for (let j = 0; j < sampleTs.length; j++) if (sampleTs[j] !== k.ends[j]) return undefined;
  const out = new Float64Array(sampleTs.length + 1);
  out[0] = 1;
  const { nSym, atFirst, firstMark, firstMarkTs, marks } = k;
  for (let j = 0; j < sampleTs.length; j++) {
    let sum = 0;
    for (const s of ids) {
      // bought at its last mark at the start, else at its first mark once it has one
      const first = !Number.isNaN(atFirst[s]!) ? atFirst[s]! : firstMarkTs[s]! <= sampleTs[j]! ? firstMark[s]! : NaN;
      sum += Number.isNaN(first) ? 1 : marks[j * nSym + s]! / first;
    }
    out[j + 1] = sum / ids.length;
  }
  return out;
}
