/**
 * The trial ledger in MLflow's file-store layout (`mlflow ui --backend-store-uri DIR` browses it):
 *
 *   DIR/0/meta.yaml                          the Default experiment MLflow expects
 *   DIR/<n>/meta.yaml                        one experiment per data set (n = 1, 2, ... in data-hash order)
 *   DIR/<n>/tags/<key>                       tickfold.data_hash, tickfold.trials (DSR's N on this data)
 *   DIR/<n>/<run_id>/meta.yaml               one run per trial; run_id = the trial's key
 *   DIR/<n>/<run_id>/params/<name>           the strategy's parameters, one file each, the value as text
 *   DIR/<n>/<run_id>/metrics/<name>          lines "timestamp value step": the in-sample Sharpe,
 *                                            the periods, and the in-sample return of each period (step = period)
 *   DIR/<n>/<run_id>/tags/<key>              mlflow.runName, mlflow.source.name, tickfold.* (command,
 *                                            strategy, fold plan, execution, module hash, the line that shows it)
 *
 * As MLflow's FileStore writes them (mlflow/store/tracking/file_store.py): meta.yaml fields of
 * Experiment and RunInfo, status 3 = FINISHED, source_type 4 = LOCAL, times in ms since the epoch.
 * Names MLflow refuses (anything but letters, digits, _ - . and space) have those characters
 * replaced by '_'.
 *
 * Written into a temporary folder beside DIR and renamed to DIR when complete: an export cut short
 * leaves no half folder, and an existing DIR is never written over.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import type { Ledger, LedgerRow } from './ledger.js';

/** A YAML scalar: numbers as they are, text single-quoted ('' for a quote). */
const yamlValue = (v: string | number): string => (typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`);
const yaml = (o: Record<string, string | number | readonly never[]>): string =>
  `${Object.entries(o)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? '[]' : yamlValue(v as string | number)}`)
    .join('\n')}\n`;

/** A name MLflow accepts for a param, metric or tag (its _validate_*_name rule, without '/': no sub-folders). */
export const mlflowName = (s: string): string => s.replace(/[^\w\-. ]/g, '_') || '_';

const RUN_FINISHED = 3;
const SOURCE_LOCAL = 4;

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function writeRun(expDir: string, experimentId: string, row: LedgerRow, returns: Float32Array, uriRoot: string): void {
  const run = join(expDir, row.key);
  const ms = Date.parse(row.recordedAt);
  let params: Record<string, unknown> = {};
  try {
    const p = JSON.parse(row.params) as unknown;
    if (p !== null && typeof p === 'object' && !Array.isArray(p)) params = p as Record<string, unknown>;
  } catch {
    params = { params: row.params };
  }
  const runName = `${row.strategy} ${Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')}`.trim();
  write(
    join(run, 'meta.yaml'),
    yaml({
      artifact_uri: `${uriRoot}/${experimentId}/${row.key}/artifacts`,
      end_time: ms,
      entry_point_name: '',
      experiment_id: experimentId,
      lifecycle_stage: 'active',
      run_id: row.key,
      run_name: runName,
      run_uuid: row.key,
      source_name: '',
      source_type: SOURCE_LOCAL,
      source_version: '',
      start_time: ms,
      status: RUN_FINISHED,
      tags: [],
      user_id: 'tickfold',
    }),
  );
  mkdirSync(join(run, 'artifacts'), { recursive: true });
  for (const [k, v] of Object.entries(params)) write(join(run, 'params', mlflowName(k)), typeof v === 'string' ? v : JSON.stringify(v));
  const metric = (name: string, lines: string): void => write(join(run, 'metrics', name), lines);
  if (Number.isFinite(row.isSharpe)) metric('in_sample_sharpe_per_period', `${ms} ${row.isSharpe} 0\n`);
  metric('periods', `${ms} ${row.periods} 0\n`);
  if (returns.length) {
    const lines: string[] = [];
    for (let i = 0; i < returns.length; i++) lines.push(`${ms} ${returns[i]!} ${i}`);
    metric('in_sample_return', `${lines.join('\n')}\n`);
  }
  const tags: Record<string, string> = {
    'mlflow.runName': runName,
    'mlflow.source.name': `tickfold ${row.command}`,
    'mlflow.source.type': 'LOCAL',
    'mlflow.user': 'tickfold',
    'tickfold.command': row.command,
    'tickfold.strategy': row.strategy,
    'tickfold.data_hash': row.dataHash,
    'tickfold.module_hash': row.moduleHash,
    'tickfold.scheme': row.scheme,
    'tickfold.execution': row.execution,
    'tickfold.trial_key': row.key,
    'tickfold.reproduce': `tickfold ledger show ${row.key}`,
  };
  for (const [k, v] of Object.entries(tags)) write(join(run, 'tags', k), v);
}

/** Writes the trials that match into DIR (which must not exist); returns the counts. */
export function exportMlflow(ledger: Ledger, dir: string, filter: { dataHash?: string; strategy?: string } = {}): { experiments: number; runs: number } {
  const target = resolve(dir);
  if (existsSync(target)) throw new UsageError(`${dir} exists: the MLflow export writes a new folder and never over one; give a new DIR (or remove ${dir})`);
  const tmp = join(dirname(target), `.${target.split(/[\\/]/).pop()!}.tickfold-tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const uriRoot = pathToFileURL(target).href;
  const now = Date.now();
  try {
    write(join(tmp, '0', 'meta.yaml'), yaml({ artifact_location: `${uriRoot}/0`, creation_time: now, experiment_id: '0', last_update_time: now, lifecycle_stage: 'active', name: 'Default' }));
    const all = ledger.returnsOf(filter);
    const byData = new Map<string, typeof all>();
    for (const t of all) {
      const l = byData.get(t.row.dataHash) ?? [];
      l.push(t);
      byData.set(t.row.dataHash, l);
    }
    const hashes = [...byData.keys()].sort();
    hashes.forEach((h, i) => {
      const id = String(i + 1);
      const exp = join(tmp, id);
      const trials = byData.get(h)!;
      const created = Date.parse(trials[0]!.row.recordedAt); // the rows come in the order recorded
      write(join(exp, 'meta.yaml'), yaml({ artifact_location: `${uriRoot}/${id}`, creation_time: created, experiment_id: id, last_update_time: now, lifecycle_stage: 'active', name: `tickfold data ${h.slice(0, 12)}` }));
      write(join(exp, 'tags', 'tickfold.data_hash'), h);
      write(join(exp, 'tags', 'tickfold.trials'), String(trials.length));
      write(join(exp, 'tags', 'mlflow.note.content'), `Every trial tickfold's ledger holds on data ${h}: ${trials.length} (the N a deflated Sharpe on this data is deflated by). Reproduce: tickfold ledger list --data-hash ${h.slice(0, 12)}`);
      for (const t of trials) writeRun(exp, id, t.row, t.returns, uriRoot);
    });
    renameSync(tmp, target);
    return { experiments: hashes.length, runs: all.length };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
