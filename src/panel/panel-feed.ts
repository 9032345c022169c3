/**
 * `ctx.panel(field, n)` in a backtest: one {@link RollingPanel} per field asked for, fed from the
 * table's bars up to the event being handled. Each table row is read once (the feed keeps its
 * place); a panel asked for more rows than it keeps is rebuilt once, larger, from the start.
 * Rows are the decision clock: the distinct bar starts (sessions) in time order. A symbol outside
 * the universe (membership.ts) at a session is NaN there.
 */
import { BAR } from '../data/schema.js';
import type { TickTable } from '../data/table.js';
import type { Membership } from '../universe/membership.js';
import { RollingPanel, type PanelMatrix } from './rolling-panel.js';

export type PanelField = 'open' | 'high' | 'low' | 'close' | 'volume';
export const PANEL_FIELDS: readonly PanelField[] = ['open', 'high', 'low', 'close', 'volume'];
const COLUMN: Readonly<Record<PanelField, 'f0' | 'f1' | 'f2' | 'f3' | 'f4'>> = { open: 'f0', high: 'f1', low: 'f2', close: 'f3', volume: 'f4' };

interface Fed {
  panel: RollingPanel;
  /** Next table row to read. */
  next: number;
}

export class PanelFeed {
  private readonly fed_ = new Map<PanelField, Fed>();
  constructor(
    private readonly table: TickTable,
    private readonly membership: Membership | undefined,
  ) {}

  /** Whether `field` has been read with at least `n` sessions (its panel holds them: a streamed replay cannot read its rows again). */
  fed(field: PanelField, n = 0): boolean {
    const f = this.fed_.get(field);
    return f !== undefined && f.panel.capacity >= n;
  }

  /** Every field read so far fed up to row `upto` (a streamed replay moves its rows next, see {@link rebase}). */
  catchUp(upto: number): void {
    for (const [field, f] of this.fed_) if (f.next <= upto) this.read(field, 1, upto);
  }

  /** The rows moved `shift` places back (engine's rebase). */
  rebase(shift: number): void {
    for (const f of this.fed_.values()) f.next -= shift;
  }

  /** The last n sessions of `field` up to table row `upto` (included). */
  read(field: PanelField, n: number, upto: number): PanelMatrix {
    let f = this.fed_.get(field);
    if (f === undefined || f.panel.capacity < n) {
      f = { panel: new RollingPanel(this.table.symbols.length, Math.max(n, 2 * (f?.panel.capacity ?? 0))), next: 0 };
      this.fed_.set(field, f);
    }
    const t = this.table;
    const col = t[COLUMN[field]];
    const p = f.panel;
    const m = this.membership;
    for (let i = f.next; i <= upto; i++) {
      if (t.kind[i] !== BAR) continue;
      const session = t.barStart[i]!;
      if (!(session <= p.lastSession)) p.append(session);
      const s = t.sym[i]!;
      if (m === undefined || m.isMember(s, session)) p.set(s, col.length > 0 ? col[i]! : NaN);
    }
    if (upto + 1 > f.next) f.next = upto + 1;
    return p.last(n);
  }
}
