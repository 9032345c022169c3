/**
 * Output paths are checked before any work: nothing a command writes may land on something it
 * reads, or in the project's bundled `data/`.
 *
 * One shape for machine-readable output in every command: `--json FILE` writes the JSON there
 * (atomically), `--json -` prints it on standard output. The option always takes a value, and a
 * value that is one of the command's inputs (a data file, a strategy module) is refused, so a
 * forgotten file name can never make `--json` swallow, and overwrite, the first data file.
 */
import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { looksLikePath } from '../strategy/load.js';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { EnvironmentError, environmentError } from '../environment.js';

/** The project's bundled `data/` folder (next to package.json, from src/ or dist/src/). */
export const BUNDLED_DATA: string | undefined = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  for (let k = 0; k < 5; k++) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'data'))) return real(join(d, 'data'));
    d = dirname(d);
  }
  return undefined;
})();

/** The real path of a file that exists, or the resolved path of one that does not (yet). */
function real(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    // a new file in an existing folder: resolve the folder
    try {
      return join(realpathSync(dirname(abs)), abs.slice(dirname(abs).length + 1));
    } catch {
      return abs;
    }
  }
}

const inside = (file: string, dir: string): boolean => {
  const r = relative(dir, file);
  return r !== '' && !r.startsWith('..') && !isAbsolute(r);
};

/** Files named by input arguments: files as given, folders as the files in them. */
function inputFiles(inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of inputs) {
    out.push(real(p));
    try {
      if (statSync(p).isDirectory()) for (const f of readdirSync(p)) out.push(real(join(p, f)));
    } catch {
      /* missing inputs are the loader's to report */
    }
  }
  return out;
}

export interface OutputSpec {
  /** The option, e.g. `--json`. */
  readonly flag: string;
  readonly path: string | undefined;
  /** Whether `-` (standard output) is allowed. */
  readonly stdout?: boolean;
}

/**
 * Refuses (usage error, exit 2) an output that is missing its file name, that is an input of the
 * command, that is inside the bundled `data/`, that is a folder, or that two options share.
 */
export function guardOutputs(outputs: readonly OutputSpec[], inputs: readonly string[]): void {
  const ins = inputFiles(inputs);
  const inputFolders = inputs
    .filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    })
    .map(real);
  const seen = new Map<string, string>();
  for (const o of outputs) {
    if (o.path === undefined) continue;
    if (o.path === '-') {
      if (o.stdout) continue;
      throw new UsageError(`${o.flag} needs a file name (standard output, '-', is only for --json)`);
    }
    if (o.path === '' || o.path.startsWith('-')) {
      throw new UsageError(`${o.flag} needs a file name${o.stdout ? ', or - for standard output' : ''}; got '${o.path}' (write e.g. ${o.flag} out/report.json)`);
    }
    checkOutputKind(o.flag, o.path);
    const p = real(o.path);
    if (ins.includes(p)) {
      throw new UsageError(
        `${o.flag} ${o.path} is an input of this command: refusing to write over it; name another file (e.g. ${o.flag.startsWith('--') ? `${o.flag} out/${o.flag.slice(2)}${o.flag === '--trades' ? '.csv' : o.flag === '--report' ? '.html' : o.flag === '--ledger' ? '.sqlite' : '.json'}` : `out/${basename(o.path)}`})`,
      );
    }
    if (inputFolders.some((d) => inside(p, d)) && /\.csv$/i.test(p)) {
      throw new UsageError(`${o.flag} ${o.path} is a .csv file in a data folder this command reads: refusing to add it to the input; name a file elsewhere`);
    }
    if (BUNDLED_DATA !== undefined && (p === BUNDLED_DATA || inside(p, BUNDLED_DATA))) {
      throw new UsageError(`${o.flag} ${o.path} is in tickfold's bundled data/ folder (npm start's inputs): refusing to write there; name a file elsewhere, e.g. out/`);
    }
    try {
      if (statSync(p).isDirectory()) throw new UsageError(`${o.flag} ${o.path} is a folder; name a file in it`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
    }
    const other = seen.get(p);
    if (other !== undefined) throw new UsageError(`${other} and ${o.flag} both write ${o.path}; give each its own file`);
    seen.set(p, o.flag);
    checkWritableFolder(o.flag, o.path);
  }
}

/**
 * The folder an output goes to can be written, checked before any work (a walk-forward that did
 * all its work and recorded its trials used to fail only at the end): its nearest existing folder
 * is a folder, and writable (access(2): EROFS on a read-only mount, EACCES without permission).
 * A full disk can only be met when writing (src/atomic.ts says it then).
 */
export function checkWritableFolder(flag: string, path: string): void {
  let dir = dirname(resolve(path));
  for (;;) {
    try {
      if (!statSync(dir).isDirectory()) throw new EnvironmentError(`${flag} ${path}: ${dir} is a file, not a folder (ENOTDIR); nothing was run; give a path in a folder`);
      break;
    } catch (e) {
      if (e instanceof EnvironmentError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(dir) !== dir) {
        dir = dirname(dir); // made when the outputs are written (or a file above it, said next)
        continue;
      }
      throw environmentError(e, `${flag} ${path}: cannot use the folder ${dir}`, 'nothing was run') ?? e;
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw environmentError(e, `${flag} ${path}: the folder ${dir} cannot be written`, 'nothing was run') ?? e;
  }
}

/** Refuses an output folder that is the bundled `data/` or inside it. */
export function guardOutputFolder(flag: string, dir: string): void {
  const p = real(dir);
  if (BUNDLED_DATA !== undefined && (p === BUNDLED_DATA || inside(p, BUNDLED_DATA))) {
    throw new UsageError(`${flag} ${dir} is tickfold's bundled data/ folder (npm start's inputs): refusing to write there; give another folder, e.g. ${flag} out/generated`);
  }
}

/**
 * The folder of `--data-store`: a folder, never a file nor the bundled `data/`. The coordinator
 * writes it (`writes`: it may not exist yet); a worker reads it, so it must exist.
 */
export function checkStoreFolder(dir: string, writes: boolean): void {
  if (writes) guardOutputFolder('--data-store', dir);
  let isDir: boolean | undefined;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = undefined;
  }
  if (isDir === false) throw new UsageError(`--data-store ${dir} is a file; give the folder the coordinators and workers share (e.g. --data-store /mnt/tickfold)`);
  if (isDir === undefined && !writes) throw new UsageError(`--data-store ${dir}: no such folder here; give the shared folder as this machine mounts it (the coordinators' --data-store), e.g. --data-store /mnt/tickfold`);
}

/** The strategy arguments that are files (module paths, also as `NAME=PATH`), for {@link guardOutputs}. */
export function strategyFiles(specs: readonly string[]): string[] {
  return specs.map((s) => (s.includes('=') ? s.slice(s.indexOf('=') + 1) : s)).filter(looksLikePath);
}

/** Options whose value is a path tickfold writes. */
export const OUTPUT_OPTIONS = ['--json', '--trades', '--report', '--out'] as const;

/**
 * Before the command line is parsed: an output option followed by another option, or by nothing,
 * is missing its file name. (Parsed as is, `--json --strategy pairs` would take `--strategy` as
 * the file and then complain that --strategy is missing.)
 */
export function checkOutputValues(argv: readonly string[]): void {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (!(OUTPUT_OPTIONS as readonly string[]).includes(a)) continue;
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('-') && v !== '-')) {
      const example = a === '--json' ? '--json out/report.json, or --json - for standard output' : a === '--trades' ? '--trades out/trades.csv' : a === '--report' ? '--report out/report.html' : '--out out/generated';
      throw new UsageError(`${a} needs a file name${v === undefined ? ' (it is the last argument)' : `, but is followed by ${v}`}; write e.g. ${example}`);
    }
  }
}

/** What each output is never written as: a report is not a data file or a module. */
const NOT_FOR: Readonly<Record<string, RegExp>> = {
  '--json': /\.(csv|tsv|txt|parquet|m?[jt]s|html?)$/i,
  '--report': /\.(csv|tsv|txt|parquet|m?[jt]s|json)$/i,
  '--trades': /\.(parquet|m?[jt]s|json|html?)$/i,
};

/** An output whose file name says it is something else (`--json goog.csv`): a forgotten file name. */
export function checkOutputKind(flag: string, path: string): void {
  const re = NOT_FOR[flag];
  if (re && re.test(path)) {
    throw new UsageError(
      `${flag} ${path}: ${flag === '--trades' ? 'the trades are CSV' : flag === '--json' ? 'the report is JSON' : 'the report is HTML'}, not a ${path.slice(path.lastIndexOf('.'))} file; did you forget the file name before the data? write e.g. ${flag === '--json' ? '--json out/report.json (or --json -)' : flag === '--trades' ? '--trades out/trades.csv' : '--report out/report.html'}`,
    );
  }
}
