/**
 * The JSON reports in the reports folder, as the UI lists and compares them: each file read once
 * (again when its size or time changes), summarised to what the pages show (command, data, its
 * hash as the ledger keys it, strategies, verdicts, trial counts, equity, folds) and the command
 * that reproduces it (`tickfold rerun FILE`). A file that is not readable JSON, or a report from a
 * tickfold whose layout this one does not read, is an entry with a message, never an exception.
 *
 * Files that are JSON but no tickfold report (no `tickfold` and no `manifest` field) are not
 * listed: the folder may hold other things.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseIso } from '../data/time.js';
import { dataHash } from '../ledger/keys.js';

/** Folders below the reports folder looked into (reports/, reports/2024/, reports/2024/x/...). */
const MAX_DEPTH = 4;
/** Points per equity curve sent to the page (thinned evenly, the last kept). */
const MAX_POINTS = 2000;

export interface ReportStrategy {
  readonly name: string;
  readonly baseline: boolean;
  readonly verdict: string;
  readonly verdictClass: string;
  /** The trials DSR deflated this strategy's Sharpe by (the ledger's count on this data), when the report has it. */
  readonly trials: number | null;
  readonly dsr: number | null;
  readonly pbo: number | null;
  readonly oosSharpe: number | null;
  readonly pnlNet: number | null;
}

export interface ReportFold {
  readonly strategy: string;
  readonly index: number;
  readonly testStart: string;
  readonly testEnd: string;
  readonly chosen: string;
  readonly isSharpe: number | null;
  readonly oosSharpe: number | null;
  readonly oosPnl: number | null;
}

export interface EquityCurve {
  readonly name: string;
  /** Seconds since the epoch. */
  readonly time: number[];
  readonly value: number[];
}

export interface ReportSummary {
  readonly ok: true;
  readonly id: string;
  readonly file: string;
  /** The HTML report beside it (same name), relative to the reports folder, when there is one. */
  readonly html: string | null;
  readonly modified: string;
  readonly version: string;
  readonly command: string;
  readonly argv: readonly string[];
  readonly rerun: string;
  readonly dataHash: string | null;
  readonly data: readonly { readonly file: string; readonly kind: string; readonly rows: number | null; readonly symbols: readonly string[]; readonly sha1: string | null }[];
  readonly window: { readonly from: string; readonly to: string; readonly events: number | null } | null;
  readonly settings: Readonly<Record<string, string>>;
  readonly strategies: readonly ReportStrategy[];
  readonly folds: readonly ReportFold[];
  readonly equity: readonly EquityCurve[];
}

export interface ReportProblem {
  readonly ok: false;
  readonly id: string;
  readonly file: string;
  readonly modified: string;
  readonly message: string;
}

export type ReportEntry = ReportSummary | ReportProblem;

type Json = Record<string, unknown>;
const isObj = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const str = (x: unknown): string => (typeof x === 'string' ? x : x === undefined || x === null ? '' : JSON.stringify(x));
/** A path as the user would type it from where `tickfold ui` runs: relative below the working folder, else absolute. */
const shortPath = (p: string): string => {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};
const idOf = (file: string): string => `r${createHash('sha1').update(file).digest('hex').slice(0, 15)}`;

/** An argv flag's value (`--from X`), or undefined. */
const flagValue = (argv: readonly string[], flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  if (i >= 0) return argv[i + 1];
  const eq = argv.find((a) => a.startsWith(`${flag}=`));
  return eq?.slice(flag.length + 1);
};

/** The data hash the ledger keys this report's trials by: its files' content hashes and the --from/--to window. */
function reportDataHash(data: readonly Json[], argv: readonly string[]): string | null {
  const bound = (flag: string, fallback: number): number | null => {
    const v = flagValue(argv, flag);
    if (v === undefined) return fallback;
    const us = parseIso(v);
    return Number.isNaN(us) ? null : us;
  };
  const from = bound('--from', -Infinity);
  const to = bound('--to', Infinity);
  if (from === null || to === null || data.length === 0) return null;
  return dataHash(
    data.map((f) => ({ sha1: typeof f.sha1 === 'string' ? f.sha1 : undefined, bytes: num(f.bytes) ?? 0, file: str(f.file) })),
    from,
    to,
  );
}

function curve(name: string, e: unknown): EquityCurve | undefined {
  if (!isObj(e) || !Array.isArray(e.ts) || !Array.isArray(e.equity) || e.ts.length !== e.equity.length || e.ts.length === 0) return undefined;
  const n = e.ts.length;
  const step = Math.max(1, Math.ceil(n / MAX_POINTS));
  const time: number[] = [];
  const value: number[] = [];
  let last = -Infinity;
  for (let i = 0; i < n; i += step) {
    const t = Math.floor(Date.parse(str(e.ts[i])) / 1000);
    const v = num(e.equity[i]);
    if (!Number.isFinite(t) || v === null || t <= last) continue;
    time.push(t);
    value.push(v);
    last = t;
  }
  const tl = Math.floor(Date.parse(str(e.ts[n - 1])) / 1000);
  const vl = num(e.equity[n - 1]);
  if (Number.isFinite(tl) && vl !== null && tl > last) {
    time.push(tl);
    value.push(vl);
  }
  return { name, time, value };
}

/** Reads one report's summary; a problem (with the fix) when the file is not a report this tickfold reads. */
export function summarise(root: string, path: string): ReportEntry | undefined {
  const file = relative(root, path).split(sep).join('/');
  const id = idOf(file);
  let modified = '';
  let doc: unknown;
  try {
    modified = statSync(path).mtime.toISOString();
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { ok: false, id, file, modified, message: `${file}: not readable as JSON (${(e as Error).message}). Fix: write it again with --json, or remove it from the reports folder.` };
  }
  if (!isObj(doc) || (!('tickfold' in doc) && !('manifest' in doc))) return undefined;
  const old = (what: string): ReportProblem => ({
    ok: false,
    id,
    file,
    modified,
    message: `${file}: a report this tickfold cannot read (${what}; written by tickfold ${isObj(doc) && isObj(doc.tickfold) ? str(doc.tickfold.version) || 'of an unknown version' : 'older than 0.1, before reports named their version'}). Fix: run its command again with this tickfold${isObj(doc) && isObj(doc.tickfold) ? ` (tickfold rerun ${file})` : ''}.`,
  });
  const t = doc.tickfold;
  if (!isObj(t) || !Array.isArray(t.argv) || typeof t.command !== 'string') return old("no 'tickfold' field naming its command line");
  const m = doc.manifest;
  if (!isObj(m) || !Array.isArray(m.data)) return old("no 'manifest.data' listing its data files");
  const argv = t.argv.map(str);
  const data = (m.data as unknown[]).filter(isObj);
  const win = isObj(m.window) ? { from: str(m.window.from), to: str(m.window.to), events: num(m.window.events) } : null;
  const settings: Record<string, string> = {};
  for (const k of ['validation', 'objective', 'foldEdge', 'seed', 'initialCapital', 'period', 'execution', 'ledger', 'totalTrials', 'bootstrap', 'pboPartitions']) if (k in m) settings[k] = typeof m[k] === 'string' ? (m[k] as string) : JSON.stringify(m[k]);
  const strategies: ReportStrategy[] = [];
  const folds: ReportFold[] = [];
  const equity: EquityCurve[] = [];
  if (Array.isArray(doc.strategies)) {
    for (const s of doc.strategies.filter(isObj)) {
      const name = str(s.name);
      const oos = isObj(s.outOfSample) ? s.outOfSample : {};
      const met = isObj(oos.metrics) ? oos.metrics : {};
      const ov = isObj(s.overfitting) ? s.overfitting : {};
      strategies.push({ name, baseline: s.baseline === true, verdict: str(s.verdict), verdictClass: str(s.verdictClass), trials: num(ov.trials), dsr: num(ov.dsr), pbo: isObj(ov.pbo) ? num(ov.pbo.pbo) : num(ov.pbo), oosSharpe: num(met.sharpeAnnualized), pnlNet: num(met.pnlNet) });
      const c = curve(s.baseline === true ? `${name} (baseline)` : name, oos.equity);
      if (c) equity.push(c);
      // the folds of the candidates (a baseline has nothing to choose: its folds say 'defaults')
      if (s.baseline !== true && Array.isArray(s.folds)) {
        for (const f of s.folds.filter(isObj)) {
          const is = isObj(f.inSample) ? f.inSample : {};
          const os = isObj(f.outOfSample) ? f.outOfSample : {};
          folds.push({
            strategy: name,
            index: num(f.index) ?? folds.length,
            testStart: str(f.testStart),
            testEnd: str(f.testEnd),
            chosen: isObj(f.chosen) ? str(f.chosen.label) : '',
            isSharpe: num(is.sharpeAnnualized),
            oosSharpe: num(os.sharpeAnnualized),
            oosPnl: num(os.pnlNet),
          });
        }
      }
    }
  } else if (isObj(doc.summary)) {
    // a single run: no verdict, no trials (a run is not a selection)
    const name = isObj(m.strategy) ? str(m.strategy.name) : (flagValue(argv, '--strategy') ?? 'run');
    strategies.push({ name, baseline: false, verdict: '', verdictClass: 'single run', trials: null, dsr: null, pbo: null, oosSharpe: num(doc.summary.sharpeAnnualized), pnlNet: num(doc.summary.pnlNet) });
    const c = curve(name, doc.equity);
    if (c) equity.push(c);
  } else return old("neither 'strategies' nor 'summary'");
  const htmlPath = path.replace(/\.json$/i, '.html');
  return {
    ok: true,
    id,
    file,
    html: htmlPath !== path && existsSync(htmlPath) ? file.replace(/\.json$/i, '.html') : null,
    modified,
    version: str(t.version),
    command: t.command,
    argv,
    rerun: `tickfold rerun ${shortPath(path)}`,
    dataHash: reportDataHash(data, argv),
    data: data.map((f) => ({ file: str(f.file), kind: str(f.kind), rows: num(f.rows), symbols: Array.isArray(f.symbols) ? f.symbols.map(str) : [], sha1: typeof f.sha1 === 'string' ? f.sha1 : null })),
    window: win,
    settings,
    strategies,
    folds,
    equity,
  };
}

/** The reports folder, read again file by file as files change. */
export class ReportsView {
  private readonly cache = new Map<string, { stamp: string; entry: ReportEntry | undefined }>();

  constructor(readonly dir: string) {}

  /** Every report (newest first), or why the folder cannot be read. */
  list(): { entries: ReportEntry[]; message: string | null } {
    const files: string[] = [];
    const walk = (d: string, depth: number): void => {
      let names;
      try {
        names = readdirSync(d, { withFileTypes: true });
      } catch (e) {
        if (depth === 0) throw e;
        return;
      }
      for (const n of names) {
        if (n.name.startsWith('.')) continue; // temporary files of atomic writes, hidden folders
        const p = join(d, n.name);
        if (n.isDirectory() && depth < MAX_DEPTH) walk(p, depth + 1);
        else if (n.isFile() && n.name.toLowerCase().endsWith('.json')) files.push(p);
      }
    };
    try {
      walk(this.dir, 0);
    } catch (e) {
      return { entries: [], message: `${this.dir}: cannot read the reports folder (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Fix: give the folder your --json reports are in with --reports DIR.` };
    }
    const seen = new Set(files);
    for (const k of [...this.cache.keys()]) if (!seen.has(k)) this.cache.delete(k);
    const entries: ReportEntry[] = [];
    for (const f of files) {
      let stamp: string;
      try {
        const s = statSync(f);
        stamp = `${s.size}:${s.mtimeMs}`;
      } catch {
        continue; // removed meanwhile
      }
      let c = this.cache.get(f);
      if (!c || c.stamp !== stamp) {
        c = { stamp, entry: summarise(this.dir, f) };
        this.cache.set(f, c);
      }
      if (c.entry) entries.push(c.entry);
    }
    entries.sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : a.file < b.file ? -1 : 1));
    return { entries, message: null };
  }
}
