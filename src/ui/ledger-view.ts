/**
 * The trial ledger as the UI reads it: opened read-only (SQLite's read-only mode: the UI can never
 * write, and a walk-forward writing the ledger meanwhile is fine: WAL readers never block the
 * writer and each query sees the last committed state), its trials grouped into runs, its data
 * sets with every strategy and trial count tried on them.
 *
 * A run is the trials one kind of command recorded on one data set with one fold plan and one set
 * of execution settings (command, data hash, scheme, execution): re-running or widening the grid
 * of the same command adds to its run, another command (a search, a compare) makes its own.
 *
 * What is read is cached until the ledger's files change (their size, time and inode), so a page
 * asked for again reads nothing, and a page asked for after a writer committed shows the new
 * trials. A ledger that cannot be read is a value ({@link LedgerState}), never an exception.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

/** The ledger schema this UI reads (src/ledger/ledger.ts writes it). */
const SCHEMA_VERSION = '1';

export interface RunGroup {
  readonly id: string;
  readonly command: string;
  readonly dataHash: string;
  readonly scheme: string;
  readonly execution: string;
  readonly trials: number;
  readonly first: string;
  readonly last: string;
  readonly strategies: readonly string[];
  /** The best in-sample Sharpe (per period) among its trials; NaN when none is finite. */
  readonly bestIsSharpe: number;
}

export interface DataGroup {
  readonly dataHash: string;
  readonly first: string;
  readonly last: string;
  /** Per strategy, its trials on this data: the N that DSR deflates its Sharpe by. */
  readonly strategies: readonly { readonly strategy: string; readonly trials: number }[];
  readonly trials: number;
}

export interface TrialRow {
  readonly key: string;
  readonly recordedAt: string;
  readonly strategy: string;
  readonly params: string;
  readonly isSharpe: number | null;
  readonly periods: number;
  /** A search's partial budget (e.g. `1/9 of fold 2`); null for a trial over the whole window. */
  readonly budget: string | null;
}

export interface LedgerSnapshot {
  readonly path: string;
  readonly trials: number;
  readonly runs: readonly RunGroup[];
  readonly data: readonly DataGroup[];
}

/** The ledger, or why it cannot be shown (with the fix). */
export type LedgerState = { readonly ok: true; readonly snapshot: LedgerSnapshot } | { readonly ok: false; readonly path: string; readonly message: string };

type Db = BetterSqlite3.Database;

/**
 * A run's scheme: the trial's scheme without a search's partial budget (jobs/ledger.ts marks a
 * halving trial at 1/9 or 1/3 of a fold's window with `budget`), so one search is one run, its
 * partial trials among its trials, marked, not a run per budget and fold.
 */
const RUN_SCHEME = `json_remove(scheme, '$.budget')`;

const runId = (command: string, dataHash: string, scheme: string, execution: string): string =>
  createHash('sha1')
    .update(JSON.stringify([command, dataHash, scheme, execution]))
    .digest('hex')
    .slice(0, 16);

/** A token that changes when the ledger's files do (a commit writes the WAL; a checkpoint the database). */
function filesToken(path: string): string | undefined {
  const part = (p: string): string => {
    try {
      const s = statSync(p);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  const db = part(path);
  return db === '-' ? undefined : `${db}|${part(`${path}-wal`)}`;
}

export class LedgerView {
  private token: string | undefined;
  private state: LedgerState | undefined;

  constructor(readonly path: string) {}

  /** The ledger now (read again only when its files changed). */
  current(): LedgerState {
    const token = filesToken(this.path);
    if (token === undefined) {
      this.token = undefined;
      return { ok: false, path: this.path, message: `${this.path}: no trial ledger here (no file). Record trials with walk-forward or compare (--ledger ${this.path}), or give another with --ledger PATH.` };
    }
    if (token !== this.token || !this.state) {
      this.state = this.read();
      this.token = token;
    }
    return this.state;
  }

  /** Runs a query on the ledger opened read-only; a failure is a message naming the file and the fix. */
  private withDb<T>(fn: (db: Db) => T): { ok: true; value: T } | { ok: false; message: string } {
    const require = createRequire(import.meta.url);
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    let db: Db | undefined;
    try {
      db = new Database(this.path, { readonly: true, fileMustExist: true, timeout: 5000 });
      const v = (db.prepare("SELECT v FROM meta WHERE k = 'schema'").get() as { v: string } | undefined)?.v;
      if (v !== SCHEMA_VERSION) return { ok: false, message: `${this.path}: a trial ledger of schema version ${String(v)}; this tickfold reads version ${SCHEMA_VERSION}. Fix: open it with the tickfold that wrote it, or give another with --ledger PATH.` };
      return { ok: true, value: fn(db) };
    } catch (e) {
      const msg = (e as Error).message;
      const damaged = /not a database|malformed|corrupt|no such table|no such column|file is encrypted/i.test(msg);
      return {
        ok: false,
        message: `${this.path}: ${damaged ? 'the trial ledger is damaged or not a ledger' : 'cannot read the trial ledger'} (${msg}). Fix: move it aside (mv ${this.path} ${this.path}.damaged) and let the next walk-forward start a new one, or give another with --ledger PATH.`,
      };
    } finally {
      db?.close();
    }
  }

  private read(): LedgerState {
    const r = this.withDb((db) => {
      // one pass over the table (no index covers these columns, and a read-only reader may not
      // add one): groups by run and strategy, from which both the runs and the data sets are made
      const groups = db
        .prepare(
          `SELECT command, data_hash AS dataHash, ${RUN_SCHEME} AS scheme, execution, strategy, count(*) AS trials, min(recorded_at) AS first, max(recorded_at) AS last, max(CASE WHEN json_extract(scheme, '$.budget') IS NULL THEN is_sharpe END) AS best
           FROM trials GROUP BY command, data_hash, ${RUN_SCHEME}, execution, strategy`,
        )
        .all() as { command: string; dataHash: string; scheme: string; execution: string; strategy: string; trials: number; first: string; last: string; best: number | null }[];
      const byRun = new Map<string, { command: string; dataHash: string; scheme: string; execution: string; trials: number; first: string; last: string; strategies: string[]; best: number }>();
      const byData = new Map<string, { first: string; last: string; strategies: Map<string, number>; trials: number }>();
      for (const g of groups) {
        const id = runId(g.command, g.dataHash, g.scheme, g.execution);
        const run = byRun.get(id) ?? { command: g.command, dataHash: g.dataHash, scheme: g.scheme, execution: g.execution, trials: 0, first: g.first, last: g.last, strategies: [], best: NaN };
        run.trials += g.trials;
        run.strategies.push(g.strategy);
        if (g.first < run.first) run.first = g.first;
        if (g.last > run.last) run.last = g.last;
        if (g.best !== null && !(g.best <= run.best)) run.best = g.best;
        byRun.set(id, run);
        const d = byData.get(g.dataHash) ?? { first: g.first, last: g.last, strategies: new Map<string, number>(), trials: 0 };
        d.strategies.set(g.strategy, (d.strategies.get(g.strategy) ?? 0) + g.trials);
        d.trials += g.trials;
        if (g.first < d.first) d.first = g.first;
        if (g.last > d.last) d.last = g.last;
        byData.set(g.dataHash, d);
      }
      const newestFirst = <T extends { last: string }>(a: T, b: T): number => (a.last < b.last ? 1 : a.last > b.last ? -1 : 0);
      const runs: RunGroup[] = [...byRun.entries()]
        .map(([id, g]) => ({ id, command: g.command, dataHash: g.dataHash, scheme: g.scheme, execution: g.execution, trials: g.trials, first: g.first, last: g.last, strategies: g.strategies.sort(), bestIsSharpe: g.best }))
        .sort(newestFirst);
      const data: DataGroup[] = [...byData.entries()]
        .map(([dataHash, d]) => ({ dataHash, first: d.first, last: d.last, trials: d.trials, strategies: [...d.strategies.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([strategy, trials]) => ({ strategy, trials })) }))
        .sort(newestFirst);
      return { path: this.path, trials: runs.reduce((n, g) => n + g.trials, 0), runs, data };
    });
    return r.ok ? { ok: true, snapshot: r.value } : { ok: false, path: this.path, message: r.message };
  }

  /** A run's trials, best in-sample Sharpe first, a page at a time; undefined when no run has that id. */
  trials(id: string, offset: number, limit: number): { run: RunGroup; rows: TrialRow[]; total: number } | { error: string } | undefined {
    const st = this.current();
    if (!st.ok) return { error: st.message };
    const run = st.snapshot.runs.find((g) => g.id === id);
    if (!run) return undefined;
    const r = this.withDb(
      (db) =>
        db
          .prepare(
            `SELECT key, recorded_at AS recordedAt, strategy, params, is_sharpe AS isSharpe, periods, json_extract(scheme, '$.budget') AS budget FROM trials
             WHERE command = ? AND data_hash = ? AND ${RUN_SCHEME} = ? AND execution = ? ORDER BY is_sharpe IS NULL, is_sharpe DESC, key LIMIT ? OFFSET ?`,
          )
          .all(run.command, run.dataHash, run.scheme, run.execution, limit, offset) as TrialRow[],
    );
    return r.ok ? { run, rows: r.value, total: run.trials } : { error: r.message };
  }

  /** The trial with the best in-sample Sharpe of a run, with its per-period returns (what its equity curve is drawn from). */
  bestReturns(run: RunGroup): { key: string; strategy: string; params: string; returns: number[] } | { error: string } | undefined {
    const r = this.withDb(
      (db) =>
        db
          .prepare(`SELECT key, strategy, params, returns FROM trials WHERE command = ? AND data_hash = ? AND ${RUN_SCHEME} = ? AND execution = ? ORDER BY json_extract(scheme, '$.budget') IS NOT NULL, is_sharpe IS NULL, is_sharpe DESC, key LIMIT 1`)
          .get(run.command, run.dataHash, run.scheme, run.execution) as { key: string; strategy: string; params: string; returns: Buffer } | undefined,
    );
    if (!r.ok) return { error: r.message };
    if (!r.value) return undefined;
    const b = r.value.returns;
    if (b.byteLength % 4 !== 0) return { error: `${this.path}: trial ${r.value.key}'s returns are ${b.byteLength} bytes, not float32 values: the ledger is damaged. Fix: move it aside (mv ${this.path} ${this.path}.damaged).` };
    const f = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    return { key: r.value.key, strategy: r.value.strategy, params: r.value.params, returns: Array.from(f) };
  }
}
