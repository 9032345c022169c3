/**
 * The volume an event offers a fill, for the models that scale with it: a bar's volume, a trade's
 * size, the displayed size on the side a fill takes (the ask's for a buy); NaN when unknown.
 */
import { BAR, QUOTE } from '../../data/schema.js';
import type { TickTable } from '../../data/table.js';

export function eventVolume(t: TickTable, i: number, side: number): number {
  const k = t.kind[i]!;
  if (k === BAR) return t.f4[i]!;
  if (k === QUOTE) return side > 0 ? t.f3[i]! : t.f2[i]!;
  return t.f1[i]!;
}
