/// <reference lib="dom" />
/**
 * `tickfold ui` in a real browser: headless Chromium (Debian's `chromium`) through puppeteer-core,
 * as tests/report/browser.test.ts does. Each page loads with no console error, page error or
 * failed request; filtering, sorting and compare work by clicking; the keyboard reaches every
 * control (with a visible focus) and opens a run; every visible text has a contrast of at least
 * 4.5:1 (3:1 for large text); a damaged ledger is a message in the page; a ledger of 100,000
 * trials opens its runs page (its time printed, never asserted: no test depends on timing).
 * Screenshots go to out/screenshots/ (a test run leaves the tracked files alone: README's images in
 * docs/screenshots/ are refreshed by copying them there by hand).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchChromium } from '../chromium.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { bundleBrowserCode } from '../../src/ui/bundle.js';
import { startUi } from '../../src/ui/server.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { generatedTrials, writeLedger, writeReports } from './generate.js';

const SHOTS = join(ROOT, 'out/screenshots');
const dir = tempDir();
const reports = join(dir, 'reports');
const ledgerPath = join(dir, 'ledger.sqlite');

interface Opened {
  page: Page;
  errors: string[];
  ms: number;
}

async function open(browser: Browser, url: string): Promise<Opened> {
  const page = await browser.newPage();
  page.setDefaultTimeout(0); // no wall-clock bound of its own: the test's bound catches a hang
  await page.setViewport({ width: 1366, height: 900 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${String(e)}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:') && !r.url().startsWith('data:') && r.url() !== 'about:blank') errors.push(`request outside the server: ${r.url()}`);
  });
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-rendered="1"]');
  const ms = performance.now() - t0;
  return { page, errors, ms };
}

/** Waits for the next render of the page (after a click that reloads its data). */
const rerendered = async (page: Page, act: () => Promise<unknown>): Promise<void> => {
  await page.evaluate(() => delete document.body.dataset.rendered);
  await act();
  await page.waitForSelector('body[data-rendered="1"]');
};

/** Every visible text's contrast against its background (WCAG 2 relative luminance). */
async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (s: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(s);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!.split(',').map((x) => parseFloat(x));
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]): number => {
      const c = [r!, g!, b!].map((v) => {
        const x = v / 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    };
    const bgOf = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c[3] > 0.5) return c;
      }
      return [255, 255, 255, 1];
    };
    const bad: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !n.textContent?.trim()) continue;
      if (el.closest('.chart, script, style, .skip')) continue; // chart labels are canvas; the skip link shows on focus
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden') continue;
      const fg = rgb(cs.color);
      const l1 = lum(fg);
      const l2 = lum(bgOf(el));
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) bad.push(`${el.tagName.toLowerCase()}.${el.className} "${n.textContent.trim().slice(0, 30)}": ${ratio.toFixed(2)}:1`);
    }
    return bad;
  });
}

/** Pixels of the page's charts that are not the background. */
const inked = (page: Page): Promise<number> =>
  page.evaluate(() => {
    let n = 0;
    for (const c of Array.from(document.querySelectorAll<HTMLCanvasElement>('.chart canvas'))) {
      const ctx = c.getContext('2d');
      if (!ctx || c.width === 0) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3]! > 0 && !(d[i]! > 245 && d[i + 1]! > 245 && d[i + 2]! > 245)) n++;
    }
    return n;
  });

const shot = async (page: Page, name: string): Promise<void> => {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, name), fullPage: true });
};

describeBrowser('tickfold ui in headless Chromium', () => {
  let browser: Browser;
  let ui: Awaited<ReturnType<typeof startUi>>;
  let script: string;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    const wf = (name: string, ...more: string[]): void => {
      const r = runCli(
        [
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
          '1h',
          '--test',
          '30m',
          '--no-cache',
          '--json',
          join(dir, `${name}.json`),
          '--report',
          join(dir, `${name}.html`),
          ...more,
        ],
        dir,
        { TICKFOLD_LEDGER: ledgerPath },
      );
      expect(r.code, r.stderr).toBe(0);
    };
    wf('wf-nofee');
    wf('wf-fee', '--fee', '1');
    writeReports(reports, [join(dir, 'wf-nofee.json'), join(dir, 'wf-fee.json')]);
    writeLedger(ledgerPath, generatedTrials(300, 12));
    script = await bundleBrowserCode();
    ui = await startUi({ ledger: ledgerPath, reports, port: 0, script });
    browser = await launchChromium();
    const runs = (await (await fetch(`${ui.url}api/runs?limit=500`)).json()) as { rows: { id: string; file: string | null; source: string; command: string }[] };
    ids.nofee = runs.rows.find((r) => r.file === 'wf-nofee.json')!.id;
    ids.fee = runs.rows.find((r) => r.file === 'wf-fee.json')!.id;
    ids.ledger = runs.rows.find((r) => r.source === 'ledger' && r.command === 'search')!.id;
  });
  afterAll(async () => {
    await browser?.close();
    ui?.server.close();
  });

  it('the runs page: no errors, readable contrast; filtering, the command list and sorting by clicking', async () => {
    const { page, errors } = await open(browser, ui.url);
    expect(await page.$$eval('table.runs tbody tr', (t) => t.length)).toBe(18); // 14 ledger runs (12 generated; the two walk-forwards, their execution differs) and 4 report files
    // an old report and a broken one are rows with their message
    expect(await page.$$eval('tr.problem', (t) => t.map((x) => x.textContent ?? ''))).toEqual(expect.arrayContaining([expect.stringMatching(/old-report\.json.*cannot read/), expect.stringMatching(/broken\.json.*not readable as JSON/)]));
    await shot(page, 'ui-runs.png');
    expect(await lowContrast(page)).toEqual([]);
    // filter by typing
    await rerendered(page, () => page.type('#filter', 'linreg'));
    const strategies = await page.$$eval('table.runs tbody tr', (t) => t.map((r) => r.textContent ?? ''));
    expect(strategies.length).toBeGreaterThan(0);
    for (const s of strategies) expect(s.toLowerCase()).toContain('linreg');
    expect(await page.evaluate(() => location.hash)).toBe('#/runs?q=linreg');
    await rerendered(page, async () => {
      await page.click('#filter', { clickCount: 3 });
      await page.keyboard.press('Backspace');
    });
    // a command from the list (the search's trials show as their own command)
    await rerendered(page, () => page.select('#command', 'search'));
    const commands = await page.$$eval('table.runs tbody tr td:nth-child(4) a', (a) => a.map((x) => x.textContent));
    expect(commands.length).toBe(4);
    expect(new Set(commands)).toEqual(new Set(['search']));
    await rerendered(page, () => page.select('#command', ''));
    // sort by trials: a click sorts descending, a second ascending
    await rerendered(page, () => page.click('button.sort[data-sort="trials"]'));
    const desc = await page.$$eval('table.runs tbody tr[data-source="ledger"] td:nth-child(7)', (t) => t.map((x) => Number(x.textContent!.replace(/,/g, ''))));
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await rerendered(page, () => page.click('button.sort[data-sort="trials"]'));
    const asc = await page.$$eval('table.runs tbody tr[data-source="ledger"] td:nth-child(7)', (t) => t.map((x) => Number(x.textContent!.replace(/,/g, ''))));
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('compare by clicking: two reports ticked, settings side by side with the differences marked, equity overlaid', async () => {
    const { page, errors } = await open(browser, ui.url);
    expect(await page.$eval('#compare', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await page.click(`input[data-id="${ids.nofee}"]`);
    await page.click(`input[data-id="${ids.fee}"]`);
    expect(await page.$eval('#compare', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    await rerendered(page, () => page.click('#compare'));
    expect(await page.evaluate(() => location.hash)).toBe(`#/compare?ids=${ids.nofee},${ids.fee}`);
    const differs = await page.$$eval('table.settings-compare tr[data-differs] td:first-child', (t) => t.map((x) => x.textContent));
    expect(differs).toEqual(expect.arrayContaining(['execution', 'command line']));
    expect(differs).not.toContain('data hash'); // the same data
    await page.waitForSelector('.chart[data-drawn="1"]');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await inked(page)).toBeGreaterThan(500);
    expect(await page.$$eval('code.cmd', (c) => c.map((x) => x.textContent))).toEqual(expect.arrayContaining([expect.stringMatching(/^\$ tickfold rerun .*wf-nofee\.json$/), expect.stringMatching(/^\$ tickfold rerun .*wf-fee\.json$/)]));
    await shot(page, 'ui-compare.png');
    expect(await lowContrast(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a report's page: verdicts, equity, folds with the chosen parameters, its trials, the HTML report; every figure with its command", async () => {
    const { page, errors } = await open(browser, `${ui.url}#/run/${ids.fee}`);
    await page.waitForSelector('.chart[data-drawn="1"]');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await inked(page)).toBeGreaterThan(500);
    expect(await page.$$eval('table.folds tbody tr', (t) => t.length)).toBeGreaterThan(3);
    expect(await page.$$eval('table.trials tbody tr', (t) => t.length)).toBe(4);
    // each figure (verdicts, equity, folds, report) is followed by the line that reproduces it
    for (const h2 of ['Verdicts', 'Equity (growth of 1)', 'Folds: the parameters chosen in each', 'The report']) {
      expect(await page.evaluate((t) => Array.from(document.querySelectorAll('h2')).find((h) => h.textContent === t)?.nextElementSibling?.textContent ?? '', h2), h2).toMatch(/^\$ tickfold rerun /);
    }
    const frame = await page.$('iframe.report');
    expect(await frame?.evaluate((f) => (f as HTMLIFrameElement).getAttribute('src'))).toBe('/reports/wf-fee.html');
    // the report, as tickfold wrote it, drawn in its (sandboxed) frame
    await frame!.scrollIntoView(); // (an offscreen frame's animation frames wait until it is seen)
    const inner = page.frames().find((f) => f.url().endsWith('/reports/wf-fee.html'))!;
    await inner.waitForSelector('body[data-rendered="1"]');
    expect(await inner.$$eval('section.summary > .kpi[data-key]', (k) => k.length)).toBeGreaterThan(5);
    await shot(page, 'ui-run.png');
    expect(await lowContrast(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("a ledger run's page and the data page: no errors; the trial counts per strategy and data set", async () => {
    const run = await open(browser, `${ui.url}#/run/${ids.ledger}`);
    expect(await run.page.$$eval('table.trials tbody tr', (t) => t.length)).toBe(25); // 300 trials / 12 runs
    expect(await run.page.$eval('code.cmd', (c) => c.textContent)).toMatch(/^\$ tickfold ledger list --ledger .* --data-hash [0-9a-f]{12}$/);
    expect(await lowContrast(run.page)).toEqual([]);
    expect(run.errors).toEqual([]);
    await run.page.close();
    const data = await open(browser, `${ui.url}#/data`);
    const cards = await data.page.$$eval('section.card', (c) => c.map((x) => ({ hash: x.getAttribute('data-hash'), all: x.querySelector('table.strategies tbody tr:last-child td:last-child')?.textContent })));
    const fromApi = (await (await fetch(`${ui.url}api/data`)).json()) as { sets: { dataHash: string; trials: number }[] };
    expect(cards.map((c) => [c.hash, Number(c.all)])).toEqual(fromApi.sets.map((s) => [s.dataHash, s.trials]));
    expect(fromApi.sets.reduce((n, s) => n + s.trials, 0)).toBe(308); // 300 generated + 2 walk-forwards of 4
    expect(await data.page.$$eval('section.card table.files', (t) => t.length)).toBe(1); // the sample's files, known from its reports
    await shot(data.page, 'ui-data.png');
    expect(await lowContrast(data.page)).toEqual([]);
    expect(data.errors).toEqual([]);
    await data.page.close();
  });

  it('the keyboard: a skip link, the pages, the filter and the runs reached by Tab with a visible focus; Enter opens a run', async () => {
    const { page, errors } = await open(browser, ui.url);
    const seen: { tag: string; id: string; cls: string; text: string; outline: string }[] = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      seen.push(
        await page.evaluate(() => {
          const a = document.activeElement as HTMLElement;
          const cs = getComputedStyle(a);
          return { tag: a.tagName.toLowerCase(), id: a.id, cls: a.className, text: (a.textContent ?? '').trim().slice(0, 20), outline: `${cs.outlineStyle} ${cs.outlineWidth}` };
        }),
      );
    }
    expect(seen[0]).toMatchObject({ tag: 'a', text: 'Skip to content' });
    expect(seen.slice(1, 4).map((s) => s.text)).toEqual(['Runs', 'Compare', 'Data']);
    expect(seen.some((s) => s.id === 'filter')).toBe(true);
    expect(seen.some((s) => s.id === 'command')).toBe(true);
    expect(seen.some((s) => s.cls === 'sort')).toBe(true);
    const link = seen.findIndex((s) => s.cls === 'run-link');
    expect(link).toBeGreaterThan(0);
    for (const s of seen) expect(s.outline, `${s.tag}#${s.id}.${s.cls}`).toMatch(/^solid 3px$/);
    // back to the first run link and open it with Enter
    await page.evaluate(() => (document.querySelector('a.run-link') as HTMLElement).focus());
    await rerendered(page, () => page.keyboard.press('Enter'));
    expect(await page.evaluate(() => location.hash)).toMatch(/^#\/run\/[0-9a-z]{16}$/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a writer commits meanwhile (a walk-forward, a search): the open page shows the new trials by itself', async () => {
    const { page, errors } = await open(browser, ui.url);
    expect(await page.$eval('#summary', (e) => e.textContent)).toMatch(/of the ledger's 308 trials/);
    const w = Ledger.open(ledgerPath);
    try {
      expect(w.record(generatedTrials(5, 1, 10, 'writer').map((t, i) => ({ ...t, key: `ee${i.toString().padStart(38, '0')}`, command: 'grid-search' })))).toBe(5);
    } finally {
      w.close();
    }
    // the page polls the server (every 2 s); waited for, not timed
    await page.waitForFunction(() => /of the ledger's 313 trials/.test(document.getElementById('summary')?.textContent ?? ''));
    expect(await page.$$eval('#command option', (o) => o.map((x) => x.textContent))).toContain('grid-search');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a damaged ledger is a message in the page, and the reports still show', async () => {
    const bad = join(tempDir(), 'ledger.sqlite');
    writeFileSync(bad, 'not a database '.repeat(200));
    const s = await startUi({ ledger: bad, reports, port: 0, script });
    try {
      const { page, errors } = await open(browser, s.url);
      expect(await page.$eval('.message', (m) => m.textContent)).toMatch(/the trial ledger is damaged or not a ledger.*Fix: move it aside/);
      expect(await page.$$eval('table.runs tbody tr', (t) => t.length)).toBe(4); // the reports
      await shot(page, 'ui-damaged-ledger.png');
      expect(await lowContrast(page)).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      s.server.close();
    }
  });

  it('a ledger of 100,000 generated trials: the runs page opens (its time printed) and pages', async () => {
    const big = join(tempDir(), 'big.sqlite');
    writeLedger(big, generatedTrials(100_000, 1000));
    const s = await startUi({ ledger: big, reports: join(dir, 'none'), port: 0, script });
    try {
      const { page, errors, ms } = await open(browser, s.url);
      expect(await page.$eval('#summary', (e) => e.textContent)).toMatch(/^1,000 runs shown of the ledger's 100,000 trials/);
      expect(await page.$$eval('table.runs tbody tr', (t) => t.length)).toBe(50);
      await rerendered(page, () => page.click('#next'));
      expect(await page.evaluate(() => location.hash)).toBe('#/runs?page=1');
      expect(errors).toEqual([]);
      console.log(`runs page of a 100,000-trial ledger: opened in ${ms.toFixed(0)} ms (the first page of a new server)`);
      await page.close();
    } finally {
      s.server.close();
    }
  });
});
