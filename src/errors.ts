/**
 * Typed errors. Every error a user can cause is a {@link TickfoldError} with a stable `code`; the CLI
 * prints its message (no stack trace) and exits with {@link TickfoldError.exitCode}. Anything else
 * that escapes is a bug in tickfold and is printed with its stack.
 */
export class TickfoldError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode = 2) {
    super(message);
    this.name = 'TickfoldError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Where in which file a data error was found, and what was wrong. */
export interface DataErrorDetails {
  readonly file: string;
  /** 1-based line number; 0 when the error concerns the whole file. */
  readonly line: number;
  /** 1-based character column of the offending field; 0 when not applicable. */
  readonly column: number;
  /** Column (field) name from the header, when known. */
  readonly field?: string;
  /** The offending text, as found (shortened when long). */
  readonly value?: string;
  /** The rule that was broken, e.g. "price must be > 0". */
  readonly rule: string;
  /** How to fix it. */
  readonly hint: string;
}

/** Bad input data: names the file, line, column, value, the rule and a fix. */
export class DataError extends TickfoldError {
  readonly details: DataErrorDetails;
  constructor(code: string, details: DataErrorDetails) {
    super(code, formatDataError(details), 2);
    this.name = 'DataError';
    this.details = details;
  }
}

/** Bad command-line usage or parameters. */
export class UsageError extends TickfoldError {
  constructor(message: string) {
    super('usage', message, 2);
    this.name = 'UsageError';
  }
}

function formatDataError(d: DataErrorDetails): string {
  const where = d.line > 0 ? `${d.file}:${d.line}${d.column > 0 ? `:${d.column}` : ''}` : d.file;
  const parts = [`${where}: ${d.rule}`];
  if (d.field !== undefined || d.value !== undefined) {
    const f = d.field !== undefined ? `column '${d.field}'` : '';
    const v = d.value !== undefined ? `value ${JSON.stringify(shorten(d.value))}` : '';
    parts.push(`  found: ${[f, v].filter(Boolean).join(', ')}`);
  }
  parts.push(`  fix: ${d.hint}`);
  return parts.join('\n');
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate to `word` (case-insensitive), or undefined when none is close. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
