/**
 * The views of the current row handed to handlers (one object each, moved from row to row), and
 * the column reader of ctx.history.
 */
import { BAR, QUOTE } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import type { EpochUs } from '../data/time.js';
import type { Bar, BarView, HistoryField, Tick, TickView } from '../strategy/types.js';

/** Reads one field of a row of the given kind, or undefined when that kind has no such field. */
export function historyColumn(t: TickTable, kind: number, field: HistoryField): ((i: number) => number) | undefined {
  if (field === 'ts') return (i) => t.ts[i]!;
  if (kind === BAR) {
    const c = ({ price: t.f3, close: t.f3, open: t.f0, high: t.f1, low: t.f2, volume: t.f4 } as Partial<Record<HistoryField, Float64Array>>)[field];
    return c ? (i) => c[i]! : undefined;
  }
  if (kind === QUOTE) {
    if (field === 'price') return (i) => (t.f0[i]! + t.f1[i]!) / 2;
    const c = ({ bid: t.f0, ask: t.f1, bidSize: t.f2, askSize: t.f3 } as Partial<Record<HistoryField, Float64Array>>)[field];
    return c ? (i) => c[i]! : undefined;
  }
  const c = ({ price: t.f0, size: t.f1 } as Partial<Record<HistoryField, Float64Array>>)[field];
  return c ? (i) => c[i]! : undefined;
}

/**
 * A view of the current row of the table, handed to handlers: the engine moves `row`; every field
 * is read from the typed arrays on access, so delivering an event costs one store.
 *
 * The table is held in a private field (`#t`, in each class): the object goes to strategy code,
 * and the table holds the rows after the current one (the whole data in memory, a block of up to
 * 256Ki rows streamed). As a TypeScript `protected` field it was a plain property at run time:
 * `tick.t.ts[tick.t.length - 1]` gave a strategy the day's last price from its first tick.
 */
class RowView {
  readonly #t: TickTable;
  /** The row in the table (a streamed replay's block). */
  row = 0;
  /** Event index of the table's row 0 (a streamed replay's block: the rows released before it). */
  base = 0;
  /** The event's index in the whole replay. */
  get index(): number {
    return this.row + this.base;
  }
  constructor(t: TickTable) {
    this.#t = t;
  }
  get ts(): EpochUs {
    return this.#t.ts[this.row]!;
  }
  get symbolId(): number {
    return this.#t.sym[this.row]!;
  }
  get symbol(): string {
    return this.#t.symbols[this.#t.sym[this.row]!]!;
  }
}

/** The tick handed to `onTick`. */
export class RowTickView extends RowView implements TickView {
  readonly #t: TickTable;
  constructor(t: TickTable) {
    super(t);
    this.#t = t;
  }
  get kind(): 'trade' | 'quote' {
    return this.#t.kind[this.row] === QUOTE ? 'quote' : 'trade';
  }
  get price(): number {
    const i = this.row;
    return this.#t.kind[i] === QUOTE ? (this.#t.f0[i]! + this.#t.f1[i]!) / 2 : this.#t.f0[i]!;
  }
  get size(): number {
    return this.#t.kind[this.row] === QUOTE ? NaN : this.#t.f1[this.row]!;
  }
  get bid(): number {
    return this.#t.kind[this.row] === QUOTE ? this.#t.f0[this.row]! : NaN;
  }
  get ask(): number {
    return this.#t.kind[this.row] === QUOTE ? this.#t.f1[this.row]! : NaN;
  }
  get bidSize(): number {
    return this.#t.kind[this.row] === QUOTE ? this.#t.f2[this.row]! : NaN;
  }
  get askSize(): number {
    return this.#t.kind[this.row] === QUOTE ? this.#t.f3[this.row]! : NaN;
  }
  snapshot(): Tick {
    return Object.freeze({ ts: this.ts, symbol: this.symbol, kind: this.kind, price: this.price, size: this.size, bid: this.bid, ask: this.ask, bidSize: this.bidSize, askSize: this.askSize });
  }
}

/** The bar handed to `onBar`, at its close. */
export class RowBarView extends RowView implements BarView {
  readonly #t: TickTable;
  constructor(t: TickTable) {
    super(t);
    this.#t = t;
  }
  get start(): EpochUs {
    return this.#t.barStart[this.row]!;
  }
  get open(): number {
    return this.#t.f0[this.row]!;
  }
  get high(): number {
    return this.#t.f1[this.row]!;
  }
  get low(): number {
    return this.#t.f2[this.row]!;
  }
  get close(): number {
    return this.#t.f3[this.row]!;
  }
  get volume(): number {
    return this.#t.f4[this.row]!;
  }
  snapshot(): Bar {
    return Object.freeze({ ts: this.ts, start: this.start, symbol: this.symbol, open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume });
  }
}
