/// <reference lib="dom" />
/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`; .ci/run installs it)
 * through puppeteer-core. Fails on any console error, page error or failed request; checks every
 * chart drew pixels and that the summary's numbers are the JSON report's; saves screenshots in
 * out/screenshots/.
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
const describeBrowser: typeof describe = CHROMIUM
  ? describe
  : (((name: string, fn: () => void) => describe.skip(`${name} [skipped: no chromium here; apt-get install chromium (.ci/run does)]`, fn)) as typeof describe);

const SHOTS = join(ROOT, 'out/screenshots');
const dir = tempDir();

interface PageCheck {
  errors: string[];
  kpis: Record<string, string>;
  /** Per chart container / canvas: how many pixels differ from the background. */
  drawn: Record<string, number>;
  ms: number;
}

async function open(browser: Browser, file: string, shot: string): Promise<PageCheck> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${String(e)}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) errors.push(`network request: ${r.url()}`);
  });
  const t0 = performance.now();
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForSelector('body[data-rendered="1"]', { timeout: 10_000 });
  // let the charts paint (lightweight-charts draws on the next animation frame)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const ms = performance.now() - t0;
  const result = await page.evaluate(() => {
    const kpis: Record<string, string> = {};
    document.querySelectorAll<HTMLElement>('.kpi[data-key]').forEach((k) => (kpis[k.dataset.key!] = k.dataset.value!));
    const inked = (c: HTMLCanvasElement): number => {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0 || c.height === 0) return 0;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && !(d[i]! > 245 && d[i + 1]! > 245 && d[i + 2]! > 245)) n++;
      return n;
    };
    const drawn: Record<string, number> = {};
    document.querySelectorAll<HTMLElement>('.chart').forEach((el) => {
      drawn[el.id] = Array.from(el.querySelectorAll('canvas')).reduce((s, c) => s + inked(c), 0);
    });
    document.querySelectorAll<HTMLCanvasElement>('canvas.plot').forEach((c) => (drawn[c.id] = inked(c)));
    return { kpis, drawn };
  });
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  await page.close();
  return { errors, ms, ...result };
}

describeBrowser('HTML reports in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await puppeteer.launch({ executablePath: CHROMIUM!, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('npm start\'s validation report: no errors, every chart drawn, summary = JSON report', async () => {
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    const args = start.replace(/^node bin\/tickfold /, '').split(' ').map((a) => (a.startsWith('out/') ? join(dir, a.slice(4)) : a.startsWith('data/') ? join(ROOT, a) : a));
    const r = runCli(args);
    expect(r.stderr).toMatch(/^plan: [^\n]*\n$/); // the plan, and nothing else
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'report.json')}, ${join(dir, 'report.html')}`);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const c = await open(browser, join(dir, 'report.html'), 'validation-report.png');
    expect(c.errors).toEqual([]);
    for (const id of ['chart-equity', 'chart-drawdown', 'chart-folds', 'canvas-logits', 'canvas-scatter', 'chart-spread']) expect(c.drawn[id], id).toBeGreaterThan(500);
    const main = json.strategies.find((s: { baseline: boolean }) => !s.baseline);
    const m = main.outOfSample.metrics;
    const expected: Record<string, unknown> = {
      pnlNet: m.pnlNet,
      returnFraction: m.returnFraction,
      hitRate: m.hitRate.rate,
      sharpeAnnualized: m.sharpeAnnualized,
      maxDrawdownFraction: m.maxDrawdownFraction,
      trades: m.trades,
      feesPaid: m.feesPaid,
      dsr: main.overfitting.dsr,
      pbo: main.overfitting.pbo.pbo,
      trials: main.overfitting.trials,
      verdictClass: main.verdictClass,
    };
    for (const [k, v] of Object.entries(expected)) expect(c.kpis[k], k).toBe(String(v));
  });

  it('a 2,000,000-tick run: report under 5 MB, renders in under 3 s, charts drawn', async () => {
    expect(runCli(['data', 'generate', '--out', dir, '--name', 'big', '--events', '2000000', '--no-trades']).code).toBe(0);
    const r = runCli(['run', '--strategy', 'pairs', '--param', 'every=1m', '--data', join(dir, 'big_quotes.csv'), '--no-cache', '--json', join(dir, 'big.json'), '--report', join(dir, 'big.html')]);
    expect(r.code, r.stderr).toBe(0);
    const size = statSync(join(dir, 'big.html')).size;
    expect(size).toBeLessThan(5e6);
    const json = JSON.parse(readFileSync(join(dir, 'big.json'), 'utf8'));
    expect(json.manifest.window.events).toBe(2_000_000);
    const c = await open(browser, join(dir, 'big.html'), 'run-report-2m.png');
    expect(c.errors).toEqual([]);
    expect(c.ms).toBeLessThan(3000);
    for (const id of ['chart-equity', 'chart-drawdown', 'chart-spread']) expect(c.drawn[id], id).toBeGreaterThan(500);
    expect(c.kpis.pnlNet).toBe(String(json.summary.pnlNet));
    expect(c.kpis.hitRate).toBe(String(json.summary.hitRate ?? ''));
    expect(c.kpis.trades).toBe(String(json.summary.trades));
    console.log(`2M-tick report: ${(size / 1e6).toFixed(2)} MB, rendered in ${c.ms.toFixed(0)} ms`);
  }, 120_000);
});
