/**
 * The UI's router: #/runs (the default), #/run/ID, #/compare?ids=A,B, #/data. Every 2 s it asks
 * the server whether the ledger or the reports changed (a walk-forward writing meanwhile) and, if
 * so, the page shown reads its data again.
 */
import { comparePage } from './compare-page.js';
import { dataPage } from './data-page.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';

const POLL_MS = 2000;
let current: { refresh: () => Promise<void> } | undefined;
let version: string | undefined;

function route(): void {
  const main = document.getElementById('main')!;
  const path = location.hash.replace(/^#/, '').split('?')[0] || '/runs';
  delete document.body.dataset.rendered;
  const name = path.startsWith('/run/') ? 'runs' : path.slice(1);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (path.startsWith('/run/')) current = runPage(main, path.slice('/run/'.length));
  else if (path === '/compare') current = comparePage(main);
  else if (path === '/data') current = dataPage(main);
  else current = runsPage(main);
}

async function poll(): Promise<void> {
  try {
    const r = await fetch('/api/version');
    const v = ((await r.json()) as { version: string }).version;
    if (version !== undefined && v !== version) {
      await current?.refresh();
      document.getElementById('status')!.textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
    }
    version = v;
  } catch {
    document.getElementById('status')!.textContent = 'the server does not answer (stopped?)';
  }
}

let lastHashPath = '';
window.addEventListener('hashchange', () => {
  // a page that only rewrote its own query (filter, page) keeps itself
  const p = location.hash.split('?')[0] ?? '';
  if (p !== lastHashPath || !p.startsWith('#/runs')) route();
  lastHashPath = p;
});
lastHashPath = location.hash.split('?')[0] ?? '';
route();
void poll();
setInterval(() => void poll(), POLL_MS);
