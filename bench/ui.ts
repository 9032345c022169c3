/**
 * `npm run bench:ui`: how long the UI's runs page takes to open on a ledger of 100,000 generated
 * trials (1,000 runs), in headless Chromium (Debian's chromium through puppeteer-core): from the
 * request of the page to its first 50 rows drawn, the first page a new server shows and the same
 * page again; and the server's start (it reads the ledger before it listens). Also the server's own read of the ledger (wall
 * and CPU time). Fastest of TICKFOLD_BENCH_RUNS (default 5) runs: the least disturbed by other load.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { minOf } from '../src/arrays.js';
import { bundleBrowserCode } from '../src/ui/bundle.js';
import { LedgerView } from '../src/ui/ledger-view.js';
import { startUi } from '../src/ui/server.js';
import { generatedTrials, writeLedger } from './ui-ledger.js';

const TRIALS = 100_000;
const RUNS = Number(process.env.TICKFOLD_BENCH_RUNS ?? 5);
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));

const dir = mkdtempSync(join(tmpdir(), 'tickfold-bench-ui-'));
try {
  const ledger = join(dir, 'ledger.sqlite');
  writeLedger(ledger, generatedTrials(TRIALS, 1000));
  const read: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const s = new LedgerView(ledger).current();
    read.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (!s.ok || s.snapshot.trials !== TRIALS) throw new Error(`the generated ledger reads wrong: ${JSON.stringify(s).slice(0, 200)}`);
  }
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  console.log(`ledger of ${TRIALS.toLocaleString('en-US')} trials, 1,000 runs: server read ${minOf(read).toFixed(0)} ms fastest (CPU ${minOf(cpu).toFixed(0)} ms)`);
  if (!CHROMIUM) console.log('runs page: skipped (no chromium; apt-get install chromium)');
  else {
    const script = await bundleBrowserCode();
    const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    const start: number[] = [];
    const cold: number[] = [];
    const warm: number[] = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        const ui = await startUi({ ledger, reports: join(dir, 'reports'), port: 0, script });
        start.push(performance.now() - t0);
        for (const into of [cold, warm]) {
          const page = await browser.newPage();
          const t0 = performance.now();
          await page.goto(ui.url, { waitUntil: 'domcontentloaded' });
          await page.waitForSelector('body[data-rendered="1"] table.runs tbody tr:nth-child(50)', { timeout: 60_000 });
          into.push(performance.now() - t0);
          await page.close();
        }
        await new Promise<void>((r) => ui.server.close(() => r()));
      }
    } finally {
      await browser.close();
    }
    console.log(`server start (reads the ledger before listening): ${minOf(start).toFixed(0)} ms fastest`);
    console.log(`runs page opened (50 rows drawn): first page of a new server ${minOf(cold).toFixed(0)} ms, again ${minOf(warm).toFixed(0)} ms (fastest of ${RUNS}; every first: ${cold.map((x) => x.toFixed(0)).join(', ')} ms)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
