import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '..');
export const SHARED = resolve(ROOT, '../shared/data');
export const HAS_SHARED = existsSync(join(SHARED, 'README.md'));
export const shared = (f: string): string => join(SHARED, f);
export const fixture = (f: string): string => join(ROOT, 'tests/fixtures', f);

/** `describe` for suites that need ../shared/data; skipped, with the reason in the name, without it. */
export const describeShared: typeof describe = HAS_SHARED ? describe : (((name: string, fn: () => void) => describe.skip(`${name} [skipped: ../shared/data is absent; these tests read the real data files in place]`, fn)) as typeof describe);

export interface CliResult {
  /** The exit code; for a process killed by a signal, 128 + the signal's number, as a shell reports it. */
  readonly code: number;
  /** The signal that killed the process, if one did (a crash: SIGSEGV, SIGABRT...). */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs bin/tickfold with the given arguments (cwd: a fresh temp folder unless given). */
/**
 * Runs the CLI in a process. Each call gets a trial ledger of its own (TICKFOLD_LEDGER in a fresh
 * folder) unless `env` names one, so that one test's trials never deflate another's Sharpe.
 */
export function runCli(args: readonly string[], cwd?: string, env: Readonly<Record<string, string>> = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/tickfold'), ...args], {
    cwd: cwd ?? mkdtempSync(join(tmpdir(), 'tickfold-cli-')),
    env: { ...process.env, TICKFOLD_LEDGER: join(mkdtempSync(join(tmpdir(), 'tickfold-ledger-')), 'ledger.sqlite'), ...env },
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error; // could not start it at all
  const code = r.status ?? 128 + (r.signal ? (osConstants.signals[r.signal] ?? 0) : 0);
  return { code, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'tickfold-test-'));

/**
 * The commands' tests' usual walk-forward: `pairs` every 10 s on the bundled AAA/BBB quotes over
 * the entry grid `grid`, 1 h train, 30 m test, 1-minute periods, no cache, one worker thread (the
 * threads are not the subject; tests/validation/walk-forward.test.ts checks 1 and 2 give the same
 * bytes), then `more`.
 */
export const pairsWalkForward = (grid: string, ...more: string[]): string[] => [
  'walk-forward',
  '--strategy',
  'pairs',
  '--data',
  join(ROOT, 'data/sample_pair_quotes.csv'),
  '--param',
  'every=10s',
  '--grid',
  `entry=${grid}`,
  '--train',
  '1h',
  '--test',
  '30m',
  '--period',
  '1m',
  '--no-cache',
  '--workers',
  '1',
  ...more,
];

/** Every row of a table as plain values, for exact comparisons. */
export const SHARED_FILES = [
  ['ibm_trades_tick_2013-10-07_2013-10-11.csv', 'trades', 125_777],
  ['binance_spot_btcusdt_ethusdt_trades_2024-08-08.csv', 'trades', 34_419],
  ['binance_spot_btcusdt_ethusdt_quotes_2024-08-08.csv', 'quotes', 131_932],
  ['oanda_eurusd_quotes_tick_20140506.csv', 'quotes', 44_864],
  ['us_equities_1min_2013-10-04_2013-10-11.csv', 'bars', 9_357],
  ['spy_1h_1998_2021.csv', 'bars', 40_832],
  ['usdchf_30min_1996_2001.csv', 'bars', 62_496],
  ['us_equities_etfs_daily_1998_2021.csv', 'bars', 51_554],
  ['eustockmarkets_daily_1991_1998.csv', 'bars', 7_440],
  ['goog_daily_2004_2013.csv', 'bars', 2_148],
] as const;
