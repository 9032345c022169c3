/**
 * Small DOM helpers for the UI's pages: an element builder (text is always set as text, never as
 * HTML: what the ledger or a report holds cannot inject markup), the JSON fetch, the boxes that
 * show a command line or a problem.
 */
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** The API's answer; a failure (network, server) becomes a thrown Error with the server's message. */
export async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = (await r.json().catch(() => ({ error: `${r.status} ${r.statusText}` }))) as T & { error?: string };
  if (!r.ok) throw new Error(body.error ?? `${r.status} ${r.statusText}`);
  return body;
}

/** A command line that reproduces what is beside it. */
export const cmd = (line: string, what = 'reproduce'): HTMLElement => h('code', { class: 'cmd', 'aria-label': `${what}: command line`, 'data-cmd': line }, `$ ${line}`);

/** A problem shown in the page (a damaged ledger, an old report, a server error). */
export const message = (text: string): HTMLElement => h('div', { class: 'message', role: 'alert' }, text);

export const fmt = (x: number | null | undefined, digits = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : Math.abs(x) >= 1000 ? x.toLocaleString('en-US', { maximumFractionDigits: 0 }) : x.toFixed(digits));

export const when = (iso: string): string => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '');

/** A table from a header and rows of cells (strings or nodes); numbers right-aligned. */
export function table(header: readonly (string | Node)[], rows: readonly (readonly Child[])[], attrs: Attrs = {}, rowAttrs?: (i: number) => Attrs): HTMLTableElement {
  return h(
    'table',
    attrs,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        header.map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r, i) =>
        h(
          'tr',
          rowAttrs ? rowAttrs(i) : {},
          r.map((c) => h('td', typeof c === 'number' ? { class: 'num' } : {}, c)),
        ),
      ),
    ),
  );
}

/** Replaces an element's children with these (a loop: no spread of a list into a call's arguments). */
export function setChildren(el: Element, nodes: readonly (Node | null)[]): void {
  el.replaceChildren();
  for (const n of nodes) if (n !== null) el.append(n);
}

/** The hash route's query (#/runs?q=x&page=2). */
export function routeParams(): URLSearchParams {
  const hash = location.hash;
  const q = hash.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
}
