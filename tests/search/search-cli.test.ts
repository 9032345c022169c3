/**
 * `--search random|tpe|halving` from the command line, on planted-signal data: the search runs
 * inside the folds, every trial (halving's partial ones marked) lands in the ledger and in N, the
 * verdict says what the search spent, the same seed gives the same bytes on 1 or 2 threads, and a
 * search killed with SIGKILL resumes from the ledger to the same bytes as an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { twoSymbolBars } from '../validation/truth.js';

const dir = tempDir();
const data = join(dir, 'planted.csv');
// 2,000 minutes of two symbols: 5 folds of 600 rows after 1,200 rows of training
const FOLDS = ['--train', '1200rows', '--test', '600rows', '--period', '15m', '--no-cache', '--baselines', 'flat'];
const SPACE = ['--space', 'entry=float:0.8..3', '--space', 'lookback=int:10..200:log', '--space', 'exit=float:0..0.6', '--space', 'hedge=choice:rolling,kalman'];
const search = (method: string, trials: number, ...extra: string[]): string[] => ['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', method, '--trials', String(trials), ...SPACE, ...extra];
const body = (p: string): string => readFileSync(p, 'utf8').replace(/"argv": \[[^\]]*\]/, '');

interface Report {
  strategies: {
    name: string;
    verdict: string;
    overfitting: { configurations: number; commandConfigurations: number; search?: { method: string; evaluations: number; partial: number; fullBudget: number }; pbo: { pbo: number } | null };
    trials: { label: string }[];
    folds: { chosen: { label: string; trial: number } }[];
    study?: {
      method: string;
      folds: { evaluations: number; fullBudget: number; bestSoFar: (number | null)[] }[];
      importance: { key: string; eta2: number | null }[];
      evaluations: { fold: number; budget: string; trial: number; label: string; isObjective: number | null; oosObjective: number | null }[];
    };
  }[];
}
const read = (p: string): Report => JSON.parse(readFileSync(p, 'utf8')) as Report;

beforeAll(() => {
  writeFileSync(data, twoSymbolBars('planted', 2000, 'search-planted'));
});

describe('searches inside the folds', () => {
  it('tpe: each fold chooses among its own trials; the study and the verdict count them; 1 and 2 threads give the same bytes', async () => {
    const one = await runCliIn([...search('tpe', 16), '--workers', '1', '--json', join(dir, 'tpe1.json')]);
    expect(one.code, one.stderr).toBe(0);
    const two = await runCliIn([...search('tpe', 16), '--workers', '2', '--json', join(dir, 'tpe2.json')]);
    expect(two.code, two.stderr).toBe(0);
    expect(body(join(dir, 'tpe2.json'))).toBe(body(join(dir, 'tpe1.json')));
    const s = read(join(dir, 'tpe1.json')).strategies[0]!;
    const st = s.study!;
    expect(st.method).toBe('tpe');
    expect(st.folds).toHaveLength(5);
    for (const f of st.folds) expect(f.evaluations).toBe(16);
    // every chosen trial was proposed by its own fold, and is its fold's best in sample
    s.folds.forEach((f, k) => {
      const own = st.evaluations.filter((e) => e.fold === k + 1);
      expect(own.some((e) => e.trial === f.chosen.trial)).toBe(true);
      const best = Math.max(...own.map((e) => e.isObjective ?? -Infinity));
      expect(own.find((e) => e.trial === f.chosen.trial)!.isObjective).toBe(best);
      // the best so far never falls
      const bsf = st.folds[k]!.bestSoFar.filter((x): x is number => x !== null);
      for (let i = 1; i < bsf.length; i++) expect(bsf[i]!).toBeGreaterThanOrEqual(bsf[i - 1]!);
    });
    // N: the distinct configurations run (a configuration two folds proposed runs once)
    expect(s.overfitting.search).toMatchObject({ method: 'tpe', evaluations: s.trials.length, partial: 0, fullBudget: s.trials.length, spaNote: null });
    // the Reality Check over the same trials (tests/search/search-spa.test.ts)
    expect(s.overfitting.search).toHaveProperty('spa.trials', s.trials.length);
    expect(s.overfitting.commandConfigurations).toBe(s.trials.length);
    expect(new Set(s.trials.map((t) => t.label)).size).toBe(s.trials.length);
    expect(s.verdict).toContain(`the tpe search spent ${s.trials.length} trials, PBO over its ${s.trials.length} full-budget ones`);
    expect(st.importance.map((p) => p.key).sort()).toEqual(['entry', 'exit', 'hedge', 'lookback']);
    // a different seed: other trials
    const other = await runCliIn([...search('tpe', 16), '--workers', '1', '--seed', 'another', '--json', join(dir, 'tpe3.json')]);
    expect(other.code, other.stderr).toBe(0);
    expect(read(join(dir, 'tpe3.json')).strategies[0]!.trials.map((t) => t.label)).not.toEqual(s.trials.map((t) => t.label));
  });

  it('halving: partial trials at 1/9 and 1/3 of the window are counted in N and marked in the ledger; PBO over the full-budget ones', async () => {
    const ledgerDir = tempDir();
    const ledger = join(ledgerDir, 'ledger.sqlite');
    // one worker thread: what is tested is the budgets (1 vs 2 threads is the tpe test's)
    const r = await runCliIn([...search('halving', 18), '--workers', '1', '--ledger', ledger, '--json', join(dir, 'halving.json'), '--report', join(dir, 'halving.html')]);
    expect(r.code, r.stderr).toBe(0);
    const s = read(join(dir, 'halving.json')).strategies[0]!;
    // 18 at 1/9, 6 at 1/3, 2 at full budget, per fold
    for (const f of s.study!.folds) {
      expect(f.evaluations).toBe(26);
      expect(f.fullBudget).toBe(2);
    }
    const budgets = s.study!.evaluations.map((e) => e.budget);
    expect(budgets.filter((b) => b === '1/9')).toHaveLength(5 * 18);
    expect(budgets.filter((b) => b === '1/3')).toHaveLength(5 * 6);
    const of = s.overfitting;
    expect(of.search!.partial).toBe(5 * 24);
    expect(of.search!.fullBudget).toBe(s.trials.length);
    expect(of.commandConfigurations).toBe(5 * 24 + s.trials.length);
    expect(of.configurations).toBe(of.commandConfigurations);
    expect(s.verdict).toContain(`the halving search spent ${of.commandConfigurations} trials (120 at partial budgets), PBO over its ${s.trials.length} full-budget ones`);
    // the ledger holds every one, the partial ones marked with their budget and fold
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (p: string, o: object) => { prepare(q: string): { all(): { scheme: string }[] }; close(): void };
    const db = new Database(ledger, { readonly: true });
    const rows = db.prepare('SELECT scheme FROM trials').all();
    db.close();
    expect(rows).toHaveLength(of.commandConfigurations);
    const marks = rows.map((x) => (JSON.parse(x.scheme) as { budget?: string }).budget);
    expect(marks.filter((m) => m?.startsWith('1/9 of fold '))).toHaveLength(90);
    expect(marks.filter((m) => m?.startsWith('1/3 of fold '))).toHaveLength(30);
    expect(marks.filter((m) => m === undefined)).toHaveLength(s.trials.length);
    const html = readFileSync(join(dir, 'halving.html'), 'utf8');
    expect(html).toContain('Search of pairs: trials over time');
    expect(html).toContain('Search of pairs: in-sample vs out-of-sample');
  });

  it('random: seeded draws, the same on a second run', async () => {
    const a = await runCliIn([...search('random', 12), '--workers', '1', '--json', join(dir, 'r1.json')]);
    const b = await runCliIn([...search('random', 12), '--workers', '1', '--json', join(dir, 'r2.json')]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(body(join(dir, 'r2.json'))).toBe(body(join(dir, 'r1.json')));
    expect(a.stdout).toMatch(/search {7}random over entry=float:0\.8\.\.3 exit=float:0\.\.0\.6 hedge=choice:rolling,kalman lookback=int:10\.\.200:log: 60 evaluations in 5 folds \(60 at full budget\), \d+ distinct runs/);
  });

  it('bad search flags: exit 2, naming the flag, the value and the fix', async () => {
    const cases: [string[], RegExp][] = [
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', 'tpe', '--trials', '10'], /--search tpe needs a --space/],
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--space', 'entry=float:1..2'], /--space is the space of a --search/],
      [search('tpe', 0), /--trials '0' is not an integer from 1/],
      [search('halving', 5), /halving keeps a third at each of its 3 budgets; give --trials 9 or more/],
      [[...search('tpe', 10), '--space', 'entry=float:1..2'], /gives 'entry' twice/],
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', 'tpe', '--trials', '10', '--space', 'entry=float:3..1'], /--space entry=float:3\.\.1: the range needs high > low/],
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', 'tpe', '--trials', '10', '--space', 'lookbak=int:10..20'], /has no parameter 'lookbak' \(did you mean 'lookback'\?\)/],
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', 'tpe', '--trials', '10', '--space', 'lookback=float:10..20'], /'lookback' of strategy 'pairs' is an integer: use int:low\.\.high/],
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', 'tpe', '--trials', '10', '--space', 'entry=float:0..2:log'], /a :log range needs low > 0/],
      [['walk-forward', '--strategy', 'pairs', '--data', data, ...FOLDS, '--search', 'tpe', '--trials', '10', '--space', 'entry=1..2'], /'1\.\.2' is not int:low\.\.high\[:log\]/],
      [[...search('tpe', 10), '--grid', 'stop=3,4'], /has both a --grid \(stop\) and a --space/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCliIn(args);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('resuming a search from the ledger', () => {
  it('killed with SIGKILL mid-search, the same command again runs only the missing trials and writes the same bytes', async () => {
    const args = [...search('tpe', 30), '--workers', '2', '--json', 'out.json', '--ledger', 'ledger.sqlite'];
    const whole = join(tempDir(), 'whole');
    const cut = join(tempDir(), 'cut');
    mkdirSync(whole);
    mkdirSync(cut);
    const w = await runCliIn(args, whole);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stderr).toMatch(/search pairs: \d+ trials run\n/);
    // the same command, killed once the ledger holds some of its results but before the end
    const child = spawn(process.execPath, [join(ROOT, 'bin/tickfold'), ...args], { cwd: cut, stdio: 'ignore' });
    const exited = new Promise<void>((res) => child.on('exit', () => res()));
    const Database = createRequire(import.meta.url)('better-sqlite3') as new (p: string, o: object) => { prepare(q: string): { get(): { n: number } }; close(): void };
    const stored = (): number => {
      try {
        const db = new Database(join(cut, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
        try {
          return db.prepare('SELECT count(*) AS n FROM trial_results').get().n;
        } finally {
          db.close();
        }
      } catch {
        return 0;
      }
    };
    let seen = 0;
    while (child.exitCode === null && (seen = stored()) === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
    expect(seen).toBeGreaterThan(0);
    const again = await runCliIn(args, cut);
    expect(again.code, again.stderr).toBe(0);
    const m = /search pairs: (\d+) trials run, (\d+) resumed from the ledger/.exec(again.stderr);
    expect(m, again.stderr).not.toBeNull();
    expect(Number(m![2])).toBeGreaterThanOrEqual(seen);
    expect(readFileSync(join(cut, 'out.json'), 'utf8')).toBe(readFileSync(join(whole, 'out.json'), 'utf8'));
  });
});
