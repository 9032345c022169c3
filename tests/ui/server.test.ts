/**
 * The UI's server: it listens on 127.0.0.1 only; serves no file outside its folders whatever the
 * path (../, encoded once or twice, backslashes, NUL, absolute, a link pointing out); answers a
 * damaged ledger, a ledger of another schema, an old or broken report with a message and goes on
 * answering; reads the ledger without writing it, and sees what a writer commits meanwhile.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { startUi } from '../../src/ui/server.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { generatedTrials, writeLedger, writeReports } from './generate.js';
import { runCliIn } from '../cli-harness.js';

interface Answer {
  status: number;
  body: string;
}
/** A GET with the path sent as written (no normalisation by a URL parser). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const api = async <T>(port: number, path: string): Promise<T> => {
  const a = await get(port, path);
  expect(a.status, a.body).toBe(200);
  return JSON.parse(a.body) as T;
};

const dir = tempDir();
const reports = join(dir, 'reports');
const ledgerPath = join(dir, 'ledger.sqlite');
const SECRET = 'the secret outside the reports folder';

describe('tickfold ui: the server', () => {
  let ui: Awaited<ReturnType<typeof startUi>>;
  beforeAll(async () => {
    // in this process (tests/cli-harness.ts), on one worker thread: what is used is its report
    const wf = await runCliIn(
      ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--no-cache', '--workers', '1', '--json', join(dir, 'wf.json'), '--report', join(dir, 'wf.html')],
      dir,
      { TICKFOLD_LEDGER: ledgerPath },
    );
    expect(wf.code, wf.stderr).toBe(0);
    writeReports(reports, [join(dir, 'wf.json')]);
    writeLedger(ledgerPath, generatedTrials(300, 12));
    writeFileSync(join(dir, 'secret.txt'), SECRET);
    mkdirSync(join(reports, 'sub'));
    symlinkSync(join(dir, 'secret.txt'), join(reports, 'link-out.txt'));
    ui = await startUi({ ledger: ledgerPath, reports, port: 0, script: '/* page script */' });
  });
  afterAll(() => new Promise<void>((r) => (ui ? ui.server.close(() => r()) : r())));

  it("listens on 127.0.0.1 only, and is not reached on the machine's other addresses", async () => {
    expect((ui.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/`);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const host of others) {
      const err = await new Promise<string>((resolve) => {
        const req = request({ host, port: ui.port, path: '/', timeout: 2000 }, () => resolve('answered'));
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        req.on('timeout', () => {
          req.destroy();
          resolve('timeout');
        });
        req.end();
      });
      expect(err, host).not.toBe('answered');
    }
  });

  it('the command: prints its 127.0.0.1 URL, answers there, stops on SIGINT', async () => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/tickfold'), 'ui', '--ledger', ledgerPath, '--reports', reports, '--port', '0'], { cwd: dir });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const t = setInterval(() => {
        const m = /on (http:\/\/[^ ]+\/)/.exec(out);
        if (m) {
          clearInterval(t);
          resolve(m[1]!);
        }
      });
      p.on('exit', (c) => {
        clearInterval(t);
        reject(new Error(`exited ${c}: ${out}`));
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const port = Number(new URL(url).port);
    expect((await get(port, '/')).body).toContain('<script src="/app.js">');
    expect((await get(port, '/app.js')).body.length).toBeGreaterThan(10_000); // the bundle, with lightweight-charts
    const code = await new Promise<number | null>((resolve) => {
      p.on('exit', (c) => resolve(c));
      p.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(runCli(['ui', '--port', '70000']).stderr).toMatch(/--port '70000': a port is a whole number/);
  });

  it('serves no file outside the reports folder: every traversal refused, encoded or not', async () => {
    expect((await get(ui.port, '/reports/wf.json')).status).toBe(200);
    const attempts = [
      '/reports/../secret.txt',
      '/reports/%2e%2e/secret.txt',
      '/reports/%2E%2E%2Fsecret.txt',
      '/reports/..%2fsecret.txt',
      '/reports/..%5csecret.txt',
      '/reports/..\\secret.txt',
      '/reports/sub/../../secret.txt',
      '/reports/sub/%2e%2e/%2e%2e/secret.txt',
      '/reports/%252e%252e/secret.txt',
      '/reports/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/reports//etc/passwd',
      '/reports/%2fetc%2fpasswd',
      '/reports/wf.json%00.html',
      '/reports/%',
      '/reports/link-out.txt',
      '/../secret.txt',
      '/app.js/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/etc/passwd',
      '/reports/',
    ];
    for (const a of attempts) {
      const r = await get(ui.port, a);
      expect(r.status, a).toBeGreaterThanOrEqual(400);
      expect(r.body, a).not.toContain(SECRET);
      expect(r.body, a).not.toMatch(/root:.*:0:0:/);
    }
  });

  it('read-only: GET and HEAD only; a request for another host is refused (DNS rebinding)', async () => {
    expect((await get(ui.port, '/api/runs', {}, 'POST')).status).toBe(405);
    expect((await get(ui.port, '/api/runs', {}, 'DELETE')).status).toBe(405);
    expect((await get(ui.port, '/api/runs', { Host: 'evil.example:80' })).status).toBe(421);
    expect((await get(ui.port, '/', {}, 'HEAD')).status).toBe(200);
  });

  it("lists the ledger's runs and the reports; an old report and a broken one as messages; filters, sorts and pages", async () => {
    interface Runs {
      total: number;
      commands: string[];
      rows: { id: string; source: string; command: string; trials: number | null; problem: string | null; file: string | null; reproduce: string }[];
      ledger: { trials: number };
    }
    const all = await api<Runs>(ui.port, '/api/runs?limit=500');
    // 300 generated trials in 12 runs + the walk-forward's own, and 3 report files (not-a-report.json is not listed)
    expect(all.ledger.trials).toBe(302);
    expect(all.rows.filter((r) => r.source === 'ledger')).toHaveLength(13);
    expect(all.rows.filter((r) => r.source === 'ledger').reduce((n, r) => n + r.trials!, 0)).toBe(302);
    expect(all.commands).toEqual(['compare', 'search', 'walk-forward']);
    const old = all.rows.find((r) => r.file === 'old-report.json')!;
    expect(old.problem).toMatch(/a report this tickfold cannot read .*Fix: run its command again/);
    expect(all.rows.find((r) => r.file === 'broken.json')!.problem).toMatch(/not readable as JSON/);
    expect(all.rows.some((r) => r.file === 'not-a-report.json')).toBe(false);
    const wf = all.rows.find((r) => r.file === 'wf.json')!;
    expect(wf.reproduce).toMatch(/^tickfold rerun .*wf\.json$/);
    const search = await api<Runs>(ui.port, '/api/runs?command=search&limit=500');
    expect(search.rows.length).toBe(4);
    expect(search.rows.every((r) => r.command === 'search')).toBe(true);
    const q = await api<Runs>(ui.port, '/api/runs?q=MOMENTUM');
    expect(q.rows.length).toBeGreaterThan(0);
    expect(q.rows.every((r) => JSON.stringify(r).toLowerCase().includes('momentum'))).toBe(true);
    const byTrials = await api<Runs>(ui.port, '/api/runs?sort=trials&dir=asc&limit=500&source=ledger');
    const counts = byTrials.rows.map((r) => r.trials!);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    const page2 = await api<Runs>(ui.port, '/api/runs?limit=5&offset=5');
    expect(page2.rows.map((r) => r.id)).toEqual(all.rows.slice(5, 10).map((r) => r.id));
  });

  it("a report's run: its folds with the parameters chosen, and the ledger's trials on its data", async () => {
    const all = await api<{ rows: { id: string; file: string | null }[] }>(ui.port, '/api/runs?limit=500');
    const id = all.rows.find((r) => r.file === 'wf.json')!.id;
    const r = await api<{ report: { folds: { strategy: string; chosen: string }[]; html: string | null; strategies: { name: string; trials: number | null }[] }; trials: { total: number; rows: { params: string }[] } | null }>(ui.port, `/api/run/${id}`);
    const json = JSON.parse(readFileSync(join(dir, 'wf.json'), 'utf8'));
    expect(json.strategies[0].name).toBe('pairs');
    expect(r.report.folds.filter((f) => f.strategy === 'pairs').map((f) => f.chosen)).toEqual(json.strategies[0].folds.map((f: { chosen: { label: string } }) => f.chosen.label));
    expect(r.report.html).toBe('wf.html');
    expect(r.report.strategies[0]!.trials).toBe(json.strategies[0].overfitting.trials);
    // the report's data hash is the one the ledger recorded its trials under
    expect(r.trials!.total).toBe(2);
  });

  it('reads the ledger without writing it, and shows what a writer commits meanwhile', async () => {
    const sha = (): string => createHash('sha1').update(readFileSync(ledgerPath)).digest('hex');
    const before = sha();
    const v1 = (await api<{ version: string }>(ui.port, '/api/version')).version;
    await api(ui.port, '/api/runs');
    await api(ui.port, '/api/data');
    expect(sha()).toBe(before);
    const w = Ledger.open(ledgerPath); // a concurrent writer (a walk-forward)
    try {
      const more = generatedTrials(10, 1, 40, 'more').map((t, i) => ({ ...t, key: `ff${i.toString().padStart(38, '0')}`, command: 'search' }));
      expect(w.record(more)).toBe(10);
      const v2 = (await api<{ version: string }>(ui.port, '/api/version')).version;
      expect(v2).not.toBe(v1);
      expect((await api<{ ledger: { trials: number } }>(ui.port, '/api/runs')).ledger.trials).toBe(312);
    } finally {
      w.close();
    }
  });

  it('a damaged ledger, or one of another schema, is a message in the page; the server goes on answering', async () => {
    const d = tempDir();
    const bad = join(d, 'bad.sqlite');
    writeFileSync(bad, 'this is not a database, just some text written over it '.repeat(100));
    const s = await startUi({ ledger: bad, reports: join(d, 'no-such-folder'), port: 0, script: '' });
    try {
      const runs = await api<{ ledger: { ok: boolean; message: string }; reports: { message: string }; rows: unknown[] }>(s.port, '/api/runs');
      expect(runs.ledger.ok).toBe(false);
      expect(runs.ledger.message).toMatch(/bad\.sqlite: the trial ledger is damaged or not a ledger .*Fix: move it aside/);
      expect(runs.reports.message).toMatch(/cannot read the reports folder .*Fix:/);
      expect(runs.rows).toEqual([]);
      expect((await api<{ ledger: { message: string } }>(s.port, '/api/data')).ledger.message).toMatch(/damaged/);
      expect((await get(s.port, '/api/run/0123456789abcdef')).status).toBe(200);
      expect((await get(s.port, '/api/compare?ids=0123456789abcdef,0123456789abcde0')).status).toBe(200);
      // a ledger whose schema is newer than this tickfold's
      const newer = join(d, 'newer.sqlite');
      Ledger.open(newer).close();
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(newer);
      db.prepare("UPDATE meta SET v = '2' WHERE k = 'schema'").run();
      db.close();
      const s2 = await startUi({ ledger: newer, reports: d, port: 0, script: '' });
      try {
        expect((await api<{ ledger: { message: string } }>(s2.port, '/api/runs')).ledger.message).toMatch(/schema version 2; this tickfold reads version 1/);
      } finally {
        s2.server.close();
      }
      // the damaged file is left as it was
      expect(readFileSync(bad, 'utf8')).toMatch(/^this is not a database/);
      expect((await get(s.port, '/')).status).toBe(200);
    } finally {
      s.server.close();
    }
  });

  it("the browser code type-checks under its own tsconfig (the DOM's types, strict as the rest)", () => {
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'src/ui/browser/tsconfig.json')], { encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  });
});
