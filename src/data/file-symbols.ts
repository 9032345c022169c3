/**
 * The symbol of files without a symbol column: `--symbol NAME` for one such file,
 * `--symbol FILE=NAME` per file (repeatable), or the file's name.
 *
 * Rule: one instrument per name. A single `--symbol NAME` over several files without a symbol
 * column would make one instrument of a BTC and an ETH file (a buy-and-hold of +2,195% on their
 * prices spliced together), so it is refused with the fix; `FILE=NAME` names each file, and a
 * FILE with `*` (`'BTCUSDT-*.csv=BTCUSDT'`) names the daily files of one instrument at once.
 * Every `--symbol` must be used: a FILE that matches no file, or a file that has a symbol column,
 * is an error.
 */
import { basename, resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** `--symbol FILE=NAME`: the files FILE matches (a path, a file name, or a pattern with `*`) get the symbol NAME. */
export interface FileSymbol {
  readonly file: string;
  readonly symbol: string;
}

/** A `--symbol` value's FILE part names files when it has a path separator, a dot or a `*` (a plain `EURUSD=X` is a symbol). */
const looksLikeFile = (x: string): boolean => /[./\\*]/.test(x);

/** The `--symbol` values of a command line: one plain NAME, or FILE=NAME entries (not both). */
export function parseSymbolFlags(values: readonly string[]): { symbol?: string; fileSymbols?: FileSymbol[] } {
  if (values.length === 0) return {};
  const plain: string[] = [];
  const files: FileSymbol[] = [];
  for (const v of values) {
    const eq = v.lastIndexOf('=');
    const left = eq > 0 ? v.slice(0, eq).trim() : '';
    if (eq > 0 && looksLikeFile(left)) {
      const symbol = v.slice(eq + 1).trim();
      if (symbol === '') throw new UsageError(`--symbol '${v}' names no symbol after '=': write --symbol FILE=NAME, e.g. --symbol ${left}=BTCUSDT`);
      files.push({ file: left, symbol });
    } else {
      if (v.trim() === '') throw new UsageError(`--symbol is empty: write --symbol NAME, or --symbol FILE=NAME per file`);
      plain.push(v.trim());
    }
  }
  if (plain.length > 0 && (plain.length > 1 || files.length > 0)) {
    throw new UsageError(
      `--symbol ${plain.join(', --symbol ')}: a plain --symbol NAME names the one file without a symbol column, and is given once; for several files give --symbol FILE=NAME for each (e.g. --symbol BTCUSDT-aggTrades.csv=BTCUSDT --symbol ETHUSDT-aggTrades.csv=ETHUSDT)`,
    );
  }
  return plain.length === 1 ? { symbol: plain[0]! } : { fileSymbols: files };
}

function globRegex(pattern: string): RegExp {
  return new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/\\\\]*') + '$');
}

/** Whether a FILE of `--symbol FILE=NAME` names `file`: the same path, the same file name, or a `*` pattern over either. */
export function matchesFile(pattern: string, file: string): boolean {
  if (pattern.includes('*')) {
    const re = globRegex(pattern);
    return re.test(basename(file)) || re.test(file) || re.test(resolve(file));
  }
  return pattern === basename(file) || resolve(pattern) === resolve(file);
}

/**
 * The symbol option of each file (undefined: the file's name, unless it has a symbol column); a
 * FILE that matches none of the files, or a file two entries name differently, is refused.
 */
export function symbolsForFiles(files: readonly string[], fileSymbols: readonly FileSymbol[]): (string | undefined)[] {
  for (const e of fileSymbols) {
    if (!files.some((f) => matchesFile(e.file, f))) {
      throw new UsageError(`--symbol ${e.file}=${e.symbol}: '${e.file}' is none of the data files (${files.map((f) => basename(f)).join(', ')}); write the file's name, its path or a pattern with *`);
    }
  }
  return files.map((f) => {
    const names = fileSymbols.filter((e) => matchesFile(e.file, f));
    const distinct = [...new Set(names.map((e) => e.symbol))];
    if (distinct.length > 1) throw new UsageError(`--symbol gives ${f} two names (${names.map((e) => `${e.file}=${e.symbol}`).join(', ')}): give it one`);
    return distinct[0];
  });
}

/** After the files are read: a plain `--symbol` names one file without a symbol column, and every `--symbol` was used on such a file. */
export function checkSymbolsUsed(files: readonly { file: string; symbolColumn: boolean }[], symbol: string | undefined, fileSymbols: readonly FileSymbol[] | undefined): void {
  if (symbol !== undefined) {
    const symbolLess = files.filter((f) => !f.symbolColumn).map((f) => f.file);
    if (symbolLess.length > 1) throw severalSymbolLess(symbol, symbolLess);
  }
  const withColumn = files.filter((f) => f.symbolColumn).map((f) => f.file);
  if (symbol !== undefined && withColumn.length === files.length) {
    throw new UsageError(`--symbol ${symbol} names the instrument of a file without a symbol column, and every data file has one (${withColumn.join(', ')}): leave --symbol out`);
  }
  for (const e of fileSymbols ?? []) {
    const hit = files.filter((f) => f.symbolColumn && matchesFile(e.file, f.file));
    if (hit.length > 0) throw new UsageError(`--symbol ${e.file}=${e.symbol}: ${hit.map((h) => h.file).join(', ')} has a symbol column, which names its instruments: leave it out of --symbol`);
  }
}

/** A plain `--symbol NAME` over a second file without a symbol column: refused, with the fix. */
export function severalSymbolLess(symbol: string, files: readonly string[]): UsageError {
  const per = files.map((f) => `--symbol ${basename(f)}=<NAME>`).join(' ');
  return new UsageError(
    `--symbol ${symbol} would make one instrument of ${files.length} files without a symbol column (${files.join(', ')}): their rows would be merged as if one instrument traded them all. ` +
      `Name each file: ${per} (a pattern names several files of one instrument, e.g. --symbol '*.csv=${symbol}' when they all are ${symbol}), ` +
      `or leave --symbol out to name each by its file name (${files.map((f) => basename(f).replace(/\.[^.]*$/, '')).join(', ')})`,
  );
}
