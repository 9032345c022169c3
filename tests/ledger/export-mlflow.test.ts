/**
 * `tickfold ledger export --format mlflow DIR`: the ledger in MLflow's file-store layout, as
 * mlflow/store/tracking/file_store.py reads it: DIR/0/meta.yaml (the Default experiment), one
 * experiment per data set (DIR/<id>/meta.yaml, tags/), one run per trial (DIR/<id>/<run_id>/
 * meta.yaml, params/<name> holding the value, metrics/<name> holding "timestamp value step"
 * lines, tags/<name>); never over an existing folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { mlflowName } from '../../src/ledger/export-mlflow.js';
import { tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { generatedTrials, writeLedger } from '../../bench/ui-ledger.js';

/** The flat YAML MLflow's meta files are (key: value per line), as a map of unquoted values. */
const readYaml = (p: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(p, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const i = l.indexOf(': ');
        const v = l.slice(i + 2);
        return [l.slice(0, i), v.startsWith("'") ? v.slice(1, -1).replace(/''/g, "'") : v];
      }),
  );

describe('ledger export --format mlflow', () => {
  it("writes MLflow's file-store layout: experiments per data set, a run per trial with its params, metrics and tags", async () => {
    const d = tempDir();
    const ledger = join(d, 'l.sqlite');
    const trials = generatedTrials(30, 6, 5);
    writeLedger(ledger, trials);
    const r = await runCliIn(['ledger', 'export', '--ledger', ledger, '--format', 'mlflow', 'mlruns'], d);
    expect(r.code, r.stderr).toBe(0);
    const root = join(d, 'mlruns');
    const dataSets = [...new Set(trials.map((t) => t.dataHash))].sort();
    expect(r.stdout).toBe(`wrote 30 trials as MLflow runs in ${dataSets.length} experiments (one per data set) to mlruns; browse with: mlflow ui --backend-store-uri mlruns\n`);
    expect(readdirSync(root).sort()).toEqual(['0', ...dataSets.map((_, i) => String(i + 1))].sort());
    expect(readYaml(join(root, '0/meta.yaml'))).toMatchObject({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' });
    const l = Ledger.open(ledger);
    try {
      dataSets.forEach((h, i) => {
        const exp = join(root, String(i + 1));
        const meta = readYaml(join(exp, 'meta.yaml'));
        expect(Object.keys(meta).sort()).toEqual(['artifact_location', 'creation_time', 'experiment_id', 'last_update_time', 'lifecycle_stage', 'name']);
        expect(meta.experiment_id).toBe(String(i + 1));
        expect(meta.artifact_location).toBe(`file://${root}/${i + 1}`);
        expect(readFileSync(join(exp, 'tags/tickfold.data_hash'), 'utf8')).toBe(h);
        const rows = l.rows({ dataHash: h });
        expect(readFileSync(join(exp, 'tags/tickfold.trials'), 'utf8')).toBe(String(rows.length));
        expect(
          readdirSync(exp)
            .filter((n) => !['meta.yaml', 'tags'].includes(n))
            .sort(),
        ).toEqual(rows.map((x) => x.key).sort());
        for (const row of rows) {
          const run = join(exp, row.key);
          const m = readYaml(join(run, 'meta.yaml'));
          expect(Object.keys(m).sort()).toEqual(['artifact_uri', 'end_time', 'entry_point_name', 'experiment_id', 'lifecycle_stage', 'run_id', 'run_name', 'run_uuid', 'source_name', 'source_type', 'source_version', 'start_time', 'status', 'tags', 'user_id']);
          expect(m).toMatchObject({ run_id: row.key, run_uuid: row.key, experiment_id: String(i + 1), status: '3', source_type: '4', lifecycle_stage: 'active', tags: '[]', start_time: String(Date.parse(row.recordedAt)) });
          const params = JSON.parse(row.params) as Record<string, unknown>;
          expect(readdirSync(join(run, 'params')).sort()).toEqual(Object.keys(params).sort());
          for (const [k, v] of Object.entries(params)) expect(readFileSync(join(run, 'params', k), 'utf8')).toBe(String(v));
          // metric lines: "timestamp value step", as FileStore._get_metric_from_line parses them
          expect(readFileSync(join(run, 'metrics/in_sample_sharpe_per_period'), 'utf8')).toBe(`${m.start_time} ${row.isSharpe} 0\n`);
          const returns = l.show(row.key)!.returns;
          const lines = readFileSync(join(run, 'metrics/in_sample_return'), 'utf8')
            .trim()
            .split('\n')
            .map((x) => x.split(' '));
          expect(lines.map((x) => Number(x[2]))).toEqual(Array.from(returns, (_, k) => k));
          expect(lines.map((x) => Number(x[1]))).toEqual(Array.from(returns));
          expect(readFileSync(join(run, 'tags/tickfold.scheme'), 'utf8')).toBe(row.scheme);
          expect(readFileSync(join(run, 'tags/mlflow.runName'), 'utf8')).toBe(m.run_name);
          expect(existsSync(join(run, 'artifacts'))).toBe(true);
        }
      });
    } finally {
      l.close();
    }
    // never over an existing folder; no half folder left by a refusal
    const again = await runCliIn(['ledger', 'export', '--ledger', ledger, '--format', 'mlflow', 'mlruns'], d);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/mlruns exists: the MLflow export writes a new folder and never over one/);
    expect(readdirSync(d).filter((n) => n.includes('tickfold-tmp'))).toEqual([]);
    // the flags: a folder for mlflow only, --out for the others
    expect((await runCliIn(['ledger', 'export', '--ledger', ledger, '--format', 'mlflow'], d)).stderr).toMatch(/give the new folder as DIR/);
    expect((await runCliIn(['ledger', 'export', '--ledger', ledger, '--format', 'csv', 'x'], d)).stderr).toMatch(/'x' is a folder for --format mlflow only/);
  });

  it('names MLflow refuses become _', async () => {
    expect(mlflowName('entry')).toBe('entry');
    expect(mlflowName('a/b:c*d')).toBe('a_b_c_d');
    expect(mlflowName('')).toBe('_');
  });
});
