/**
 * `tickfold ledger list|show|export|forget`: the trials recorded in the trial ledger.
 */
import { Command } from 'commander';
import { UsageError } from '../errors.js';
import { exportMlflow } from '../ledger/export-mlflow.js';
import { Ledger, type LedgerRow } from '../ledger/ledger.js';
import { writeFileAtomic } from '../atomic.js';
import { defaultLedgerPath } from './ledger-options.js';
import { guardOutputs } from './outputs.js';

const open = (f: { ledger?: string }): Ledger => Ledger.open(f.ledger ?? defaultLedgerPath());
const common = (c: Command): Command =>
  c.option('--ledger <path>', 'the trial ledger (default $TICKFOLD_LEDGER or .tickfold/ledger.sqlite)').option('--data-hash <prefix>', 'only trials on this data (a prefix of its hash)').option('--strategy <name>', "only this strategy's trials");
/** A hash prefix as given: hexadecimal, else a usage error (a data hash or key is hex; '_' or '%' is no prefix of one). */
const hexPrefix = (flag: string, v: string): string => {
  if (!/^[0-9a-f]+$/i.test(v)) throw new UsageError(`${flag} '${v}': a hash prefix is hexadecimal (0-9, a-f), e.g. the 12 characters 'tickfold ledger list' shows`);
  return v.toLowerCase();
};
const filterOf = (f: { dataHash?: string; strategy?: string }): { dataHash?: string; strategy?: string } => ({ ...(f.dataHash !== undefined ? { dataHash: hexPrefix('--data-hash', f.dataHash) } : {}), ...(f.strategy ? { strategy: f.strategy } : {}) });

const CSV_COLUMNS: readonly (keyof LedgerRow)[] = ['key', 'recordedAt', 'dataHash', 'strategy', 'moduleHash', 'command', 'params', 'scheme', 'execution', 'isSharpe', 'periods'];
const csvCell = (v: unknown): string => {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function ledgerCommand(): Command {
  const cmd = new Command('ledger').description('the trials recorded by walk-forward and compare (the ledger that DSR counts)');
  cmd.addCommand(
    common(new Command('list').description('the trials recorded, grouped by data and strategy')).action((f: { ledger?: string; dataHash?: string; strategy?: string }) => {
      const l = open(f);
      try {
        const rows = l.rows(filterOf(f));
        const groups = new Map<string, { n: number; first: string; last: string }>();
        for (const r of rows) {
          const k = `${r.dataHash.slice(0, 12)}  ${r.strategy}`;
          const g = groups.get(k) ?? { n: 0, first: r.recordedAt, last: r.recordedAt };
          g.n++;
          g.last = r.recordedAt;
          groups.set(k, g);
        }
        process.stdout.write(`${l.path}: ${rows.length} trial${rows.length === 1 ? '' : 's'}\n`);
        if (groups.size) process.stdout.write(`  data hash     strategy          trials  first recorded → last\n`);
        for (const [k, g] of groups) {
          const [h, s] = k.split('  ');
          process.stdout.write(`  ${h!.padEnd(12)}  ${s!.padEnd(16)}  ${String(g.n).padStart(6)}  ${g.first} → ${g.last}\n`);
        }
      } finally {
        l.close();
      }
    }),
  );
  cmd.addCommand(
    new Command('show')
      .description('one trial: its parameters, scheme, execution, in-sample Sharpe and returns')
      .argument('<key>', "the trial's key, or a unique prefix of it (see export)")
      .option('--ledger <path>', 'the trial ledger')
      .action((key: string, f: { ledger?: string }) => {
        const l = open(f);
        try {
          const r = l.show(hexPrefix('key', key));
          if (!r) throw new UsageError(`no single trial has a key starting '${key}' in ${l.path}; 'tickfold ledger export --format csv --out -' lists the keys`);
          const { returns, ...rest } = r;
          process.stdout.write(`${JSON.stringify({ ...rest, returns: { periods: returns.length, first: Array.from(returns.subarray(0, 5)) } }, null, 2)}\n`);
        } finally {
          l.close();
        }
      }),
  );
  cmd.addCommand(
    common(new Command('export').description('the trials as CSV or JSON, for your own analysis; or as an MLflow file store (--format mlflow DIR)'))
      .argument('[dir]', 'with --format mlflow: the new folder to write the MLflow file store in (mlflow ui --backend-store-uri DIR)')
      .option('--format <f>', "csv or json (the trials), returns (their per-period returns as a matrix for 'tickfold overfit --returns', one data set), or mlflow (MLflow's file-store layout, into DIR)", 'csv')
      .option('--out <file>', 'where to write csv, json or returns (atomically); - for standard output')
      .action((dir: string | undefined, f: { ledger?: string; dataHash?: string; strategy?: string; format: string; out?: string }) => {
        if (f.format !== 'csv' && f.format !== 'json' && f.format !== 'returns' && f.format !== 'mlflow') throw new UsageError(`--format '${f.format}': csv, json, returns or mlflow`);
        if (f.format === 'mlflow') {
          if (dir === undefined || f.out !== undefined) throw new UsageError('ledger export --format mlflow DIR: give the new folder as DIR (and no --out), e.g. tickfold ledger export --format mlflow mlruns');
          // (DIR must not exist: exportMlflow refuses one that does, so no input can be written over)
          const l = open(f);
          try {
            const n = exportMlflow(l, dir, filterOf(f));
            process.stdout.write(`wrote ${n.runs} trial${n.runs === 1 ? '' : 's'} as MLflow runs in ${n.experiments} experiment${n.experiments === 1 ? '' : 's'} (one per data set) to ${dir}; browse with: mlflow ui --backend-store-uri ${dir}\n`);
          } finally {
            l.close();
          }
          return;
        }
        if (dir !== undefined) throw new UsageError(`ledger export: '${dir}' is a folder for --format mlflow only; --format ${f.format} writes to --out FILE`);
        if (f.out === undefined) throw new UsageError(`ledger export --format ${f.format}: give --out FILE (- for standard output)`);
        const out = f.out;
        if (out !== '-') guardOutputs([{ flag: '--out', path: out }], [f.ledger ?? defaultLedgerPath()]);
        const l = open(f);
        let text: string;
        try {
          const rows = l.rows(filterOf(f));
          if (f.format === 'returns') text = returnMatrix(l, filterOf(f));
          else
            text =
              f.format === 'json'
                ? `${JSON.stringify(
                    rows.map((r) => ({ ...r, isSharpe: Number.isFinite(r.isSharpe) ? r.isSharpe : null })),
                    null,
                    1,
                  )}\n`
                : `${CSV_COLUMNS.join(',')}\n${rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')).join('\n')}${rows.length ? '\n' : ''}`;
        } finally {
          l.close();
        }
        if (out === '-') process.stdout.write(text);
        else writeFileAtomic(out, text);
      }),
  );
  cmd.addCommand(
    common(new Command('forget').description('delete trials (those of --data-hash and/or --strategy; --all for every one)'))
      .option('--all', 'every trial')
      .action((f: { ledger?: string; dataHash?: string; strategy?: string; all?: boolean }) => {
        const filter = filterOf(f);
        if (!f.all && Object.keys(filter).length === 0) throw new UsageError('ledger forget needs --data-hash, --strategy or --all (to delete every trial)');
        if (f.all && Object.keys(filter).length > 0) throw new UsageError('ledger forget: --all deletes every trial; it takes no --data-hash or --strategy');
        const l = open(f);
        try {
          const n = l.forget(filter);
          process.stdout.write(`forgot ${n} trial${n === 1 ? '' : 's'} in ${l.path}\n`);
        } finally {
          l.close();
        }
      }),
  );
  return cmd;
}

/** The trials' returns as a matrix (rows = periods, columns = trials), for `tickfold overfit --returns`. */
function returnMatrix(l: Ledger, filter: { dataHash?: string; strategy?: string }): string {
  const all = l.returnsOf(filter);
  if (all.length === 0) throw new UsageError(`no trials in ${l.path}${filter.dataHash || filter.strategy ? ' match' : ''}`);
  const data = new Set(all.map((x) => x.row.dataHash));
  if (data.size > 1) throw new UsageError(`the trials are on ${data.size} data sets: a return matrix needs one; give --data-hash (see 'tickfold ledger list')`);
  const lengths = new Set(all.map((x) => x.returns.length));
  if (lengths.size > 1) throw new UsageError(`the trials on this data have different numbers of periods (${[...lengths].join(', ')}: other --period settings); give --strategy, or forget the others`);
  const names = all.map((x) =>
    `${x.row.strategy} ${Object.entries(JSON.parse(x.row.params) as Record<string, unknown>)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(' ')}`
      .trim()
      .replace(/[",]/g, ' '),
  );
  const n = all[0]!.returns.length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(all.map((x) => String(x.returns[i]!)).join(','));
  return `${lines.join('\n')}\n`;
}
