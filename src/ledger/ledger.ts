/**
 * The trial ledger: every trial any validation runs, appended to an embedded SQLite database
 * (better-sqlite3), so that the count of configurations tried on a data set, which deflates a
 * Sharpe (DSR's N and V), includes yesterday's trials and not only this command's.
 *
 * A trial is keyed by the hash of what makes it the same trial (the data's content hash and
 * window, the strategy's name and module content, its parameters, the fold plan, the execution
 * settings and the period): recording one again is a no-op, so re-running a command (or `rerun`)
 * does not inflate the count, and its report is the same.
 *
 * Safe under concurrency and faults: WAL journal (readers never block the writer; two writers
 * wait for each other up to `busy_timeout`), each command's trials in one transaction (a process
 * killed mid-write leaves the database as it was before that command), and a file that is not a
 * ledger or is damaged is reported with the fix, never reset.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { TickfoldError } from '../errors.js';

const SCHEMA_VERSION = 1;

/** What identifies and describes a recorded trial. */
interface TrialFields {
  readonly key: string;
  readonly dataHash: string;
  readonly strategy: string;
  readonly moduleHash: string;
  /** Parameters, fold plan and execution settings, as canonical JSON. */
  readonly params: string;
  readonly scheme: string;
  readonly execution: string;
  readonly command: string;
  /** In-sample Sharpe per period (over the command's in-sample windows); NaN is stored as null. */
  readonly isSharpe: number;
  readonly periods: number;
  /**
   * The return period of `isSharpe` and `periods`, in microseconds (a Sharpe per 15m period is not
   * one per hour); absent in rows recorded before it was stored (null).
   */
  readonly periodUs?: number | null;
}

/** A trial to record, with its per-period returns (stored as a float32 copy). */
export interface LedgerTrial extends TrialFields {
  readonly returns: Float64Array;
}

/** A recorded trial. */
export interface LedgerRow extends TrialFields {
  readonly recordedAt: string;
}

/** A ledger that cannot be used: names the file and the fix. */
export class LedgerError extends TickfoldError {
  constructor(path: string, what: string, fix: string) {
    super('ledger', `${path}: ${what}\n  fix: ${fix}`, 2);
    this.name = 'LedgerError';
  }
}

type Db = BetterSqlite3.Database;

export class Ledger {
  private constructor(
    readonly path: string,
    private readonly db: Db,
  ) {}

  /** Opens (creating it and its folder if absent) a ledger. */
  static open(path: string): Ledger {
    const require = createRequire(import.meta.url);
    // loaded when a ledger is used: the native module costs nothing to a run without one
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    const moveAside = `move it aside (mv ${path} ${path}.damaged) to start a new ledger, or give another with --ledger PATH (or --no-ledger)`;
    let db: Db;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: 10_000 });
    } catch (e) {
      throw new LedgerError(path, `cannot open the trial ledger (${(e as Error).message})`, moveAside);
    }
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const ok = db.pragma('quick_check', { simple: true });
      if (ok !== 'ok') throw new Error(`integrity check: ${String(ok)}`);
      db.exec(`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS trials (
          key TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, data_hash TEXT NOT NULL, strategy TEXT NOT NULL,
          module_hash TEXT NOT NULL, params TEXT NOT NULL, scheme TEXT NOT NULL, execution TEXT NOT NULL,
          command TEXT NOT NULL, is_sharpe REAL, periods INTEGER NOT NULL, returns BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS trials_data ON trials (data_hash, strategy);
        CREATE TABLE IF NOT EXISTS trial_results (key TEXT PRIMARY KEY, result BLOB NOT NULL);
        INSERT OR IGNORE INTO meta (k, v) VALUES ('schema', '${SCHEMA_VERSION}');`);
      // the period of each trial's Sharpe, added to schema 1 (a ledger written before has null there)
      const columns = db.prepare('PRAGMA table_info(trials)').all() as { name: string }[];
      if (!columns.some((c) => c.name === 'period_us')) db.exec('ALTER TABLE trials ADD COLUMN period_us INTEGER');
      const v = (db.prepare('SELECT v FROM meta WHERE k = ?').get('schema') as { v: string } | undefined)?.v;
      if (v !== String(SCHEMA_VERSION)) throw new Error(`schema version ${String(v)}, this tickfold reads ${SCHEMA_VERSION}`);
    } catch (e) {
      db.close();
      const msg = (e as Error).message;
      throw new LedgerError(path, /not a database|malformed|corrupt|integrity/i.test(msg) ? `the trial ledger is damaged or not a ledger (${msg})` : `cannot use the trial ledger (${msg})`, moveAside);
    }
    return new Ledger(path, db);
  }

  /** Records trials in one transaction (all or none); a trial already recorded is left as it is. Returns how many were new. */
  record(trials: readonly LedgerTrial[], now: Date = new Date()): number {
    const ins = this.db.prepare(
      `INSERT OR IGNORE INTO trials (key, recorded_at, data_hash, strategy, module_hash, params, scheme, execution, command, is_sharpe, periods, period_us, returns)
       VALUES (@key, @recordedAt, @dataHash, @strategy, @moduleHash, @params, @scheme, @execution, @command, @isSharpe, @periods, @periodUs, @returns)`,
    );
    const at = now.toISOString();
    const tx = this.db.transaction((rows: readonly LedgerTrial[]) => {
      let n = 0;
      for (const t of rows) {
        const r = ins.run({
          key: t.key,
          recordedAt: at,
          dataHash: t.dataHash,
          strategy: t.strategy,
          moduleHash: t.moduleHash,
          params: t.params,
          scheme: t.scheme,
          execution: t.execution,
          command: t.command,
          isSharpe: Number.isFinite(t.isSharpe) ? t.isSharpe : null,
          periods: t.periods,
          periodUs: t.periodUs ?? null,
          returns: Buffer.from(Float32Array.from(t.returns).buffer),
        });
        n += r.changes;
      }
      return n;
    });
    return tx.immediate(trials) as number;
  }

  /**
   * Stores a search's trial results (serialised by the caller), each in full, in one transaction,
   * so that a search run again resumes from them (search/in-folds.ts). Not trials of the count:
   * those are recorded by {@link record} when the command ends.
   */
  storeResults(rows: readonly { readonly key: string; readonly result: Uint8Array }[]): void {
    const ins = this.db.prepare('INSERT OR IGNORE INTO trial_results (key, result) VALUES (?, ?)');
    this.db
      .transaction((rs: typeof rows) => {
        for (const r of rs) ins.run(r.key, Buffer.from(r.result.buffer, r.result.byteOffset, r.result.byteLength));
      })
      .immediate(rows);
  }

  /** A stored result by its key. */
  storedResult(key: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT result FROM trial_results WHERE key = ?').get(key) as { result: Buffer } | undefined;
    return row?.result;
  }

  /**
   * The trials recorded on this data for these strategies: their count (DSR's N) and in-sample
   * Sharpes (per period, finite ones: DSR's V). With `periodUs`, the Sharpes are per that period:
   * a trial recorded at another period p has its Sharpe converted as for i.i.d. returns,
   * SR × √(periodUs / p) (STATS.md converts annualised inputs the same way); one recorded without
   * its period is taken as it is.
   */
  population(dataHash: string, strategies: readonly string[], periodUs?: number): { readonly trials: number; readonly sharpes: number[] } {
    const q = this.db.prepare(`SELECT is_sharpe AS s, period_us AS p FROM trials WHERE data_hash = ? AND strategy IN (${strategies.map(() => '?').join(',')}) ORDER BY key`);
    const rows = q.all([dataHash, ...strategies]) as { s: number | null; p: number | null }[];
    const per = (r: { s: number; p: number | null }): number => (periodUs === undefined || r.p === null || r.p === periodUs ? r.s : r.s * Math.sqrt(periodUs / r.p));
    return { trials: rows.length, sharpes: rows.filter((r): r is { s: number; p: number | null } => r.s !== null && Number.isFinite(r.s)).map(per) };
  }

  /** The trials that match: `dataHash` a prefix of the data's hash (plain text, never a pattern), `strategy` exact. */
  rows(filter: { dataHash?: string; strategy?: string } = {}): LedgerRow[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.dataHash) {
      // a prefix compared as text, not a LIKE pattern: '_' and '%' in it are themselves
      // (`ledger forget --data-hash _` once matched, and deleted, every trial)
      where.push('substr(data_hash, 1, length(?)) = ?');
      args.push(filter.dataHash, filter.dataHash);
    }
    if (filter.strategy) {
      where.push('strategy = ?');
      args.push(filter.strategy);
    }
    const sql = `SELECT key, recorded_at AS recordedAt, data_hash AS dataHash, strategy, module_hash AS moduleHash, params, scheme, execution, command, is_sharpe AS isSharpe, periods FROM trials${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY recorded_at, key`;
    return (this.db.prepare(sql).all(args) as LedgerRow[]).map((r) => ({ ...r, isSharpe: r.isSharpe ?? NaN }));
  }

  /** One trial by its key (or a unique prefix of it, compared as text: no pattern), with its returns. */
  show(keyPrefix: string): (LedgerRow & { readonly returns: Float32Array }) | undefined {
    const rows = this.db
      .prepare(`SELECT key, recorded_at AS recordedAt, data_hash AS dataHash, strategy, module_hash AS moduleHash, params, scheme, execution, command, is_sharpe AS isSharpe, periods, returns FROM trials WHERE substr(key, 1, length(?)) = ? LIMIT 2`)
      .all(keyPrefix, keyPrefix) as (LedgerRow & { returns: Buffer })[];
    if (rows.length !== 1) return undefined;
    const r = rows[0]!;
    const b = r.returns;
    return { ...r, isSharpe: r.isSharpe ?? NaN, returns: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
  }

  /** The per-period returns (float32 copies) of the trials that match, with their rows. */
  returnsOf(filter: { dataHash?: string; strategy?: string } = {}): { readonly row: LedgerRow; readonly returns: Float32Array }[] {
    return this.rows(filter).map((row) => ({ row, returns: this.show(row.key)!.returns }));
  }

  /** Deletes the trials that match (all of them with no filter); returns how many. */
  forget(filter: { dataHash?: string; strategy?: string }): number {
    const keys = this.rows(filter).map((r) => r.key);
    const del = this.db.prepare('DELETE FROM trials WHERE key = ?');
    return this.db.transaction((ks: string[]) => ks.reduce((n, k) => n + del.run(k).changes, 0)).immediate(keys) as number;
  }

  close(): void {
    this.db.close();
  }
}
