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
 * A view of the current row of the table, handed to handlers: the engine moves `index`; every field
 * is read from the typed arrays on access, so delivering an event costs one store.
 */
class RowView {
  index = 0;
  constructor(protected readonly t: TickTable) {}
  get ts(): EpochUs {
    return this.t.ts[this.index]!;
  }
  get symbolId(): number {
    return this.t.sym[this.index]!;
  }
  get symbol(): string {
    return this.t.symbols[this.t.sym[this.index]!]!;
  }
}

/** The tick handed to `onTick`. */
export class RowTickView extends RowView implements TickView {
  get kind(): 'trade' | 'quote' {
    return this.t.kind[this.index] === QUOTE ? 'quote' : 'trade';
  }
  get price(): number {
    const i = this.index;
    return this.t.kind[i] === QUOTE ? (this.t.f0[i]! + this.t.f1[i]!) / 2 : this.t.f0[i]!;
  }
  get size(): number {
    return this.t.kind[this.index] === QUOTE ? NaN : this.t.f1[this.index]!;
  }
  get bid(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f0[this.index]! : NaN;
  }
  get ask(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f1[this.index]! : NaN;
  }
  get bidSize(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f2[this.index]! : NaN;
  }
  get askSize(): number {
    return this.t.kind[this.index] === QUOTE ? this.t.f3[this.index]! : NaN;
  }
  snapshot(): Tick {
    return Object.freeze({ ts: this.ts, symbol: this.symbol, kind: this.kind, price: this.price, size: this.size, bid: this.bid, ask: this.ask, bidSize: this.bidSize, askSize: this.askSize });
  }
}

/** The bar handed to `onBar`, at its close. */
export class RowBarView extends RowView implements BarView {
  get start(): EpochUs {
    return this.t.barStart[this.index]!;
  }
  get open(): number {
    return this.t.f0[this.index]!;
  }
  get high(): number {
    return this.t.f1[this.index]!;
  }
  get low(): number {
    return this.t.f2[this.index]!;
  }
  get close(): number {
    return this.t.f3[this.index]!;
  }
  get volume(): number {
    return this.t.f4[this.index]!;
  }
  snapshot(): Bar {
    return Object.freeze({ ts: this.ts, start: this.start, symbol: this.symbol, open: this.open, high: this.high, low: this.low, close: this.close, volume: this.volume });
  }
}
