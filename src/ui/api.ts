/**
 * What the UI's pages ask for, as JSON values built from the ledger and the reports folder: the
 * runs (filtered, sorted and paged here, so that a page of 50 rows is what crosses the wire
 * whatever the ledger holds), one run, a comparison, the data sets. Each value carries the command
 * lines that reproduce its figures. Problems (a damaged ledger, an old report) are fields of the
 * value, shown by the page.
 */
import { basename } from 'node:path';
import type { LedgerView, RunGroup } from './ledger-view.js';
import type { ReportEntry, ReportSummary, ReportsView } from './reports.js';

export interface RunRow {
  readonly id: string;
  readonly source: 'ledger' | 'report';
  readonly when: string;
  readonly command: string;
  readonly dataHash: string | null;
  readonly dataLabel: string;
  readonly strategies: readonly string[];
  readonly trials: number | null;
  readonly verdict: string;
  readonly verdictClass: string;
  readonly problem: string | null;
  readonly file: string | null;
  /** The command line that reproduces it. */
  readonly reproduce: string;
}

export const SORT_KEYS = ['when', 'command', 'data', 'trials', 'verdict', 'source'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface RunsQuery {
  readonly q: string;
  readonly command: string;
  readonly source: string;
  readonly sort: SortKey;
  readonly desc: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** What the ledger records as a trial's command is its name; the line that reproduces the ledger's figures. */
const ledgerLine = (ledgerPath: string, g: RunGroup): string => `tickfold ledger list --ledger ${ledgerPath} --data-hash ${g.dataHash.slice(0, 12)}`;

export class Api {
  constructor(
    private readonly ledger: LedgerView,
    private readonly reports: ReportsView,
  ) {}

  /** A token that changes whenever what the pages show may have: polled by the page to refresh. */
  version(): string {
    const l = this.ledger.current();
    const r = this.reports.list();
    return `${l.ok ? `${l.snapshot.trials}:${l.snapshot.runs.length}:${l.snapshot.runs[0]?.last ?? ''}` : l.message}|${r.entries.map((e) => `${e.id}@${e.modified}`).join(',')}`;
  }

  private dataLabels(reports: readonly ReportEntry[]): Map<string, string> {
    const m = new Map<string, string>();
    for (const r of reports) if (r.ok && r.dataHash && !m.has(r.dataHash)) m.set(r.dataHash, r.data.map((d) => basename(d.file)).join(', '));
    return m;
  }

  private allRows(): { rows: RunRow[]; ledger: { path: string; ok: boolean; message: string | null; trials: number }; reports: { dir: string; count: number; message: string | null } } {
    const l = this.ledger.current();
    const r = this.reports.list();
    const labels = this.dataLabels(r.entries);
    const rows: RunRow[] = [];
    if (l.ok) {
      for (const g of l.snapshot.runs) {
        rows.push({
          id: g.id,
          source: 'ledger',
          when: g.last,
          command: g.command,
          dataHash: g.dataHash,
          dataLabel: labels.get(g.dataHash) ?? g.dataHash.slice(0, 12),
          strategies: g.strategies,
          trials: g.trials,
          verdict: '',
          verdictClass: '',
          problem: null,
          file: null,
          reproduce: ledgerLine(this.ledger.path, g),
        });
      }
    }
    for (const e of r.entries) {
      if (!e.ok) {
        rows.push({ id: e.id, source: 'report', when: e.modified, command: '', dataHash: null, dataLabel: '', strategies: [], trials: null, verdict: '', verdictClass: '', problem: e.message, file: e.file, reproduce: '' });
        continue;
      }
      const main = e.strategies.filter((s) => !s.baseline);
      const shown = main.length ? main : e.strategies;
      rows.push({
        id: e.id,
        source: 'report',
        when: e.modified,
        command: e.command,
        dataHash: e.dataHash,
        dataLabel: e.data.map((d) => basename(d.file)).join(', '),
        strategies: e.strategies.map((s) => (s.baseline ? `${s.name} (baseline)` : s.name)),
        trials: shown.reduce<number | null>((n, s) => (s.trials === null ? n : Math.max(n ?? 0, s.trials)), null),
        verdict: shown.map((s) => (s.verdictClass ? `${s.name}: ${s.verdictClass}` : s.name)).join('; '),
        verdictClass: shown[0]?.verdictClass ?? '',
        problem: null,
        file: e.file,
        reproduce: e.rerun,
      });
    }
    return { rows, ledger: { path: this.ledger.path, ok: l.ok, message: l.ok ? null : l.message, trials: l.ok ? l.snapshot.trials : 0 }, reports: { dir: this.reports.dir, count: r.entries.length, message: r.message } };
  }

  runs(q: RunsQuery): unknown {
    const all = this.allRows();
    const needle = q.q.trim().toLowerCase();
    const rows = all.rows.filter(
      (r) => (!q.command || r.command === q.command) && (!q.source || r.source === q.source) && (!needle || [r.command, r.dataHash ?? '', r.dataLabel, r.verdict, r.file ?? '', r.problem ?? '', ...r.strategies].some((s) => s.toLowerCase().includes(needle))),
    );
    const keyOf = (r: RunRow): string | number => {
      switch (q.sort) {
        case 'when':
          return r.when;
        case 'command':
          return r.command;
        case 'data':
          return r.dataLabel;
        case 'trials':
          return r.trials ?? -1;
        case 'verdict':
          return r.verdict;
        case 'source':
          return r.source;
      }
    };
    const sign = q.desc ? -1 : 1;
    rows.sort((a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * sign;
    });
    const commands = [...new Set(all.rows.map((r) => r.command).filter((c) => c !== ''))].sort();
    return { ledger: all.ledger, reports: all.reports, commands, total: rows.length, offset: q.offset, limit: q.limit, rows: rows.slice(q.offset, q.offset + q.limit) };
  }

  private reportById(id: string): ReportEntry | undefined {
    return this.reports.list().entries.find((e) => e.id === id);
  }

  /** One run: a ledger run (its trials, a page at a time, and the reports on its data) or a report (its figures, folds, and the ledger's runs behind it). */
  run(id: string, offset: number, limit: number): unknown {
    const l = this.ledger.current();
    if (!id.startsWith('r')) {
      const t = this.ledger.trials(id, offset, limit);
      if (t === undefined) return undefined;
      if ('error' in t) return { kind: 'ledger', error: t.error };
      const reports = this.reports.list().entries.filter((e): e is ReportSummary => e.ok && e.dataHash === t.run.dataHash && e.command === t.run.command);
      return { kind: 'ledger', ledger: this.ledger.path, run: t.run, trials: t.rows, total: t.total, offset, limit, reports: reports.map((r) => ({ id: r.id, file: r.file, rerun: r.rerun })), reproduce: ledgerLine(this.ledger.path, t.run) };
    }
    const r = this.reportById(id);
    if (!r) return undefined;
    if (!r.ok) return { kind: 'report', problem: r };
    const behind = l.ok ? l.snapshot.runs.filter((g) => g.dataHash === r.dataHash && g.command === r.command) : [];
    const first = behind[0];
    const page = first ? this.ledger.trials(first.id, offset, limit) : undefined;
    return {
      kind: 'report',
      report: r,
      ledger: { path: this.ledger.path, message: l.ok ? null : l.message },
      ledgerRuns: behind.map((g) => ({ id: g.id, trials: g.trials, strategies: g.strategies, last: g.last })),
      trials: page && !('error' in page) ? { run: first!.id, rows: page.rows, total: page.total, offset, limit } : null,
    };
  }

  /** Two or more runs side by side: their settings (the differing ones marked by the page), verdicts with trial counts, equity curves. */
  compare(ids: readonly string[]): unknown {
    const l = this.ledger.current();
    const items = ids.map((id) => {
      if (id.startsWith('r')) {
        const r = this.reportById(id);
        if (!r) return { id, missing: true };
        if (!r.ok) return { id, problem: r.message, file: r.file };
        const settings: Record<string, string> = {
          command: r.command,
          data: r.data.map((d) => basename(d.file)).join(', '),
          'data hash': r.dataHash ?? 'n/a',
          window: r.window ? `${r.window.from} → ${r.window.to}` : 'n/a',
          ...r.settings,
          'command line': `tickfold ${r.argv.join(' ')}`,
        };
        return { id, label: r.file, source: 'report', settings, verdicts: r.strategies, equity: r.equity, reproduce: r.rerun, equityNote: 'out-of-sample equity (currency), from the report' };
      }
      if (!l.ok) return { id, problem: l.message };
      const g = l.snapshot.runs.find((x) => x.id === id);
      if (!g) return { id, missing: true };
      const best = this.ledger.bestReturns(g);
      const settings: Record<string, string> = { command: g.command, 'data hash': g.dataHash, strategies: g.strategies.join(', '), scheme: g.scheme, execution: g.execution, trials: String(g.trials), recorded: `${g.first} → ${g.last}` };
      const equity = [];
      if (best && !('error' in best)) {
        // growth of 1 over the best trial's in-sample periods (the ledger keeps returns, not times: the axis is the period's index)
        let v = 1;
        const time: number[] = [];
        const value: number[] = [];
        best.returns.forEach((x, i) => {
          v *= 1 + x;
          time.push(i + 1);
          value.push(v);
        });
        equity.push({ name: `${best.strategy} ${best.params}`, time, value });
      }
      return {
        id,
        label: `${g.command} · ${g.dataHash.slice(0, 12)}`,
        source: 'ledger',
        settings,
        verdicts: g.strategies.map((s) => ({ name: s, baseline: false, verdict: '', verdictClass: '', trials: g.trials, dsr: null, pbo: null, oosSharpe: null, pnlNet: null })),
        equity,
        reproduce: best && !('error' in best) ? `tickfold ledger show ${best.key.slice(0, 12)} --ledger ${this.ledger.path}` : ledgerLine(this.ledger.path, g),
        equityNote: 'growth of 1 over the in-sample periods of the best trial (the ledger keeps returns per period, not their times)',
        ...(best && 'error' in best ? { problem: best.error } : {}),
      };
    });
    return { items };
  }

  /** Each data set: its files, spans and symbols (from the reports on it) and every strategy with its trial count (from the ledger). */
  data(): unknown {
    const l = this.ledger.current();
    const r = this.reports.list().entries.filter((e): e is ReportSummary => e.ok && e.dataHash !== null);
    const sets = new Map<string, { dataHash: string; trials: number; first: string | null; last: string | null; strategies: { strategy: string; trials: number }[]; files: ReportSummary['data']; window: ReportSummary['window']; reports: { id: string; file: string }[] }>();
    if (l.ok) for (const d of l.snapshot.data) sets.set(d.dataHash, { dataHash: d.dataHash, trials: d.trials, first: d.first, last: d.last, strategies: [...d.strategies], files: [], window: null, reports: [] });
    for (const e of r) {
      const h = e.dataHash!;
      const s = sets.get(h) ?? { dataHash: h, trials: 0, first: null, last: null, strategies: [], files: [], window: null, reports: [] };
      if (s.files.length === 0) {
        s.files = e.data;
        s.window = e.window;
      }
      s.reports.push({ id: e.id, file: e.file });
      sets.set(h, s);
    }
    return {
      ledger: { path: this.ledger.path, ok: l.ok, message: l.ok ? null : l.message },
      sets: [...sets.values()].map((s) => ({ ...s, reproduce: `tickfold ledger list --ledger ${this.ledger.path} --data-hash ${s.dataHash.slice(0, 12)}` })),
    };
  }
}
