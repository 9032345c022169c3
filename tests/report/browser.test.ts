/// <reference lib="dom" />
/**
 * The HTML report in a real browser: headless Chromium (Debian's `chromium`; .ci/run installs it)
 * through puppeteer-core. Fails on any console error, page error or failed request; checks every
 * chart drew pixels and that the summary's numbers are the JSON report's; saves screenshots in
 * out/screenshots/.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchChromium } from '../chromium.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';

const SHOTS = join(ROOT, 'out/screenshots');
const dir = tempDir();

interface PageCheck {
  errors: string[];
  kpis: Record<string, string>;
  /** Per chart container / canvas: how many pixels differ from the background. */
  drawn: Record<string, number>;
  ms: number;
  /** The defects seen in screenshots, measured: fold labels that run into each other, tables wider than their card, axis labels off their canvas, the drawdown axis above 0, panes not aligned. */
  layout: {
    foldLabels: number;
    foldOverlaps: number;
    overflowing: { table: string; width: number; card: number }[];
    clippedLabels: string[];
    drawdownTop: number | null;
    panes: [number, number][];
    tabs: number;
  };
}

async function open(browser: Browser, file: string, shot: string): Promise<PageCheck> {
  const page = await browser.newPage();
  page.setDefaultTimeout(0); // no wall-clock bound of its own: the test's bound catches a hang
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
  // a bound that only catches a page that never renders (a busy machine slows it many times)
  await page.waitForSelector('body[data-rendered="1"]');
  // let the charts paint (lightweight-charts draws on the next animation frame)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const ms = performance.now() - t0;
  const result = await page.evaluate(() => {
    const kpis: Record<string, string> = {};
    document.querySelectorAll<HTMLElement>('section.summary > .kpi[data-key]').forEach((k) => (kpis[k.dataset.key!] = k.dataset.value!));
    // each strategy's tab: strategy/key → value
    document.querySelectorAll<HTMLElement>('.tabpanel .kpi[data-key]').forEach((k) => (kpis[`${k.dataset.strategy}/${k.dataset.key}`] = k.dataset.value!));
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
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const L = (window as any).__layout as { foldLabels: { x: number; w: number }[]; canvasLabels: Record<string, { minX: number }>; drawdownTop?: number };
    const labels = L.foldLabels;
    const overflowing: { table: string; width: number; card: number }[] = [];
    document.querySelectorAll<HTMLTableElement>('section table').forEach((t) => {
      if (t.offsetParent === null) return; // in a hidden tab
      const card = t.closest('section')!;
      const cs = getComputedStyle(card);
      const inner = card.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
      if (t.scrollWidth > inner + 1) overflowing.push({ table: `${card.querySelector('h2')?.textContent ?? ''} ${t.className}`.trim(), width: t.scrollWidth, card: Math.round(inner) });
    });
    const panes = Array.from(document.querySelectorAll('#chart-equity table tr'))
      .map((tr) => tr.querySelectorAll('td')[1]?.querySelector('canvas')?.getBoundingClientRect())
      .filter((r): r is DOMRect => r !== undefined)
      .map((r) => [Math.round(r.left), Math.round(r.width)] as [number, number]);
    return {
      kpis,
      drawn,
      layout: {
        foldLabels: labels.length,
        foldOverlaps: labels.filter((l, i) => i > 0 && l.x - l.w / 2 < labels[i - 1]!.x + labels[i - 1]!.w / 2 + 2).length,
        overflowing,
        clippedLabels: Object.entries(L.canvasLabels)
          .filter(([, v]) => v.minX < 0)
          .map(([k]) => k),
        drawdownTop: L.drawdownTop ?? null,
        panes,
        tabs: document.querySelectorAll('.tabs .tab').length,
      },
    };
  });
  // the log-scale switch sets the equity pane's price scale to logarithmic (mode 1)
  const logMode = await page.evaluate(() => {
    const box = document.getElementById('log-equity') as HTMLInputElement | null;
    if (!box) return null;
    box.click();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const mode = (window as any).__layout.equityChart.priceScale('right', 0).options().mode as number;
    box.click();
    return mode;
  });
  if (logMode !== null) expect(logMode).toBe(1);
  // a tab shows its strategy and hides the others
  const tabs = await page.evaluate(() => {
    const b = document.querySelectorAll<HTMLButtonElement>('.tabs .tab');
    if (b.length < 2) return null;
    b[1]!.click();
    const shown = Array.from(document.querySelectorAll<HTMLElement>('.tabpanel'))
      .filter((p) => !p.hidden)
      .map((p) => p.dataset.panel);
    b[0]!.click();
    return shown;
  });
  if (tabs !== null) expect(tabs).toEqual(['1']);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  await page.close();
  return { errors, ms, ...result };
}

describeBrowser('HTML reports in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** None of the defects seen in screenshots: checked on every report. */
  const wellLaidOut = (c: PageCheck): void => {
    expect(c.errors).toEqual([]);
    expect(c.layout.foldOverlaps, 'fold labels running into each other').toBe(0);
    expect(c.layout.overflowing, 'tables wider than their card').toEqual([]);
    expect(c.layout.clippedLabels, 'axis labels off their canvas').toEqual([]);
    expect(c.layout.drawdownTop, 'the drawdown axis goes above 0').not.toBeNull();
    expect(c.layout.drawdownTop!).toBeLessThanOrEqual(0.01);
    // equity and drawdown: panes of one chart, one time axis, the same left edge and width
    expect(c.layout.panes.length).toBeGreaterThanOrEqual(2);
    for (const p of c.layout.panes) expect(p).toEqual(c.layout.panes[0]);
  };

  it('a walk-forward of 44 folds: fold labels do not overlap, the folds table fits its card', async () => {
    // (with --cpcv: its table of paths, configurations by group, must fit too)
    const r = await runCliIn([
      'walk-forward',
      '--data',
      join(ROOT, 'data/sample_pair_quotes.csv'),
      '--strategy',
      'pairs',
      '--param',
      'every=10s',
      '--grid',
      'entry=1.5,2',
      '--grid',
      'lookback=60,120',
      '--train',
      '30m',
      '--test',
      '7m',
      '--cpcv',
      '6:2',
      '--purge',
      '5m',
      '--no-ledger',
      '--no-cache',
      // one worker thread: the default (one per core) gives the same report, with a thread more to start
      '--workers',
      '1',
      '--report',
      join(dir, 'wf44.html'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    const c = await open(browser, join(dir, 'wf44.html'), 'walk-forward-44-folds.png');
    wellLaidOut(c);
    expect(c.layout.foldLabels).toBeGreaterThan(3); // some folds are labelled...
    expect(c.layout.foldLabels).toBeLessThan(44); // ...not all: they would overlap
    for (const id of ['chart-equity', 'chart-folds', 'chart-rolling', 'chart-price-0', 'chart-price-1']) expect(c.drawn[id], id).toBeGreaterThan(500);
  });

  it("npm start's validation report: no errors, every chart drawn, summary = JSON report", async () => {
    const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start as string;
    const args = start
      .replace(/^node bin\/tickfold /, '')
      .split(' ')
      .map((a) => (a.startsWith('out/') ? join(dir, a.slice(4)) : a.startsWith('data/') ? join(ROOT, a) : a));
    // one worker thread: the default (one per core) gives the same report, with a thread more to start
    const r = await runCliIn([...args, '--workers', '1']);
    expect(r.stderr).toMatch(/^plan: [^\n]*\n$/); // the plan, and nothing else
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'report.json')}, ${join(dir, 'report.html')}`);
    const json = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const c = await open(browser, join(dir, 'report.html'), 'validation-report.png');
    wellLaidOut(c);
    for (const id of ['chart-equity', 'chart-folds', 'canvas-logits', 'canvas-scatter', 'chart-spread', 'chart-rolling', 'chart-price-0']) expect(c.drawn[id], id).toBeGreaterThan(500);
    // compare: every strategy has its tab, with its own figures
    expect(c.layout.tabs).toBe(json.strategies.length);
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
    for (const st of json.strategies) {
      const name = st.baseline ? `${st.name} (baseline)` : st.name;
      expect(c.kpis[`${name}/pnlNet`], name).toBe(String(st.outOfSample.metrics.pnlNet));
      expect(c.kpis[`${name}/cagrCalendar`], name).toBe(String(st.tearsheet.cagrCalendar));
    }
  });

  it('a 2,000,000-tick run: report under 5 MB, renders without errors, charts drawn', async () => {
    expect((await runCliIn(['data', 'generate', '--out', dir, '--name', 'big', '--events', '2000000', '--no-trades'])).code).toBe(0);
    const r = await runCliIn(['run', '--strategy', 'pairs', '--param', 'every=1m', '--data', join(dir, 'big_quotes.csv'), '--no-cache', '--json', join(dir, 'big.json'), '--report', join(dir, 'big.html')]);
    expect(r.code, r.stderr).toBe(0);
    const size = statSync(join(dir, 'big.html')).size;
    expect(size).toBeLessThan(5e6);
    const json = JSON.parse(readFileSync(join(dir, 'big.json'), 'utf8'));
    expect(json.manifest.window.events).toBe(2_000_000);
    const c = await open(browser, join(dir, 'big.html'), 'run-report-2m.png');
    expect(c.errors).toEqual([]);
    // the render time is printed, not asserted (no test depends on wall-clock timing: on a busy
    // machine it was 4.6 s); what keeps it fast is checked instead: the file's size above, bounded
    // whatever the number of events, and the charts drawn below
    wellLaidOut(c);
    for (const id of ['chart-equity', 'chart-spread', 'chart-rolling', 'chart-price-0']) expect(c.drawn[id], id).toBeGreaterThan(500);
    expect(c.kpis.pnlNet).toBe(String(json.summary.pnlNet));
    expect(c.kpis.hitRate).toBe(String(json.summary.hitRate ?? ''));
    expect(c.kpis.trades).toBe(String(json.summary.trades));
    console.log(`2M-tick report: ${(size / 1e6).toFixed(2)} MB, rendered in ${c.ms.toFixed(0)} ms`);
  });
});
