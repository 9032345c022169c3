/**
 * The UI's web server: Node's own `http` (a handful of GET routes, no templates, no sessions: a
 * framework would add a dependency and nothing these routes need). It listens on 127.0.0.1 only,
 * one port, and serves:
 *   /                 the page (its script and style below; the pages are drawn in the browser)
 *   /app.js, /app.css the bundled browser code and its style (from memory, never from a path)
 *   /api/...          JSON (runs, run/ID, compare?ids=, data, version)
 *   /reports/PATH     a file of the reports folder (resolveInside: nothing outside it)
 * Nothing else: every other path is a 404, every method but GET and HEAD a 405, a request naming
 * another host a 421 (a page of another site reaching this server through DNS rebinding).
 * A request that fails answers 500 with the message; the server goes on.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { Api, SORT_KEYS, type SortKey } from './api.js';
import { LedgerView } from './ledger-view.js';
import { INDEX_HTML, STYLE } from './page.js';
import { ReportsView } from './reports.js';
import { resolveInside } from './safe-path.js';

/** The only address the server listens on. */
export const LOOPBACK = '127.0.0.1';

export interface UiOptions {
  readonly ledger: string;
  readonly reports: string;
  /** 0: any free port. */
  readonly port: number;
  /** The bundled page script (bundleBrowserCode). */
  readonly script: string;
}

const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json; charset=utf-8', '.csv': 'text/csv; charset=utf-8', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8' };
/** The page's policy: its own script only; inline style is allowed (the charts position their canvases by style attributes; a style runs no code). */
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'";
/** A report's HTML carries its script and style inline; it runs sandboxed (an opaque origin: no access to the UI or its API). */
const REPORT_CSP = "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
const json = (res: ServerResponse, status: number, x: unknown): void =>
  send(
    res,
    status,
    'application/json; charset=utf-8',
    JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)),
  );

const int = (s: string | null, fallback: number, max: number): number => {
  const n = s === null ? NaN : Number(s);
  return Number.isInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
};

export function handler(api: Api, reportsDir: string, script: string, port: () => number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'read-only: GET only\n', { Allow: 'GET, HEAD' });
      const host = (req.headers.host ?? '').toLowerCase();
      if (![`127.0.0.1:${port()}`, `localhost:${port()}`].includes(host)) return send(res, 421, 'text/plain; charset=utf-8', `this server answers to 127.0.0.1:${port()} only\n`);
      const raw = req.url ?? '/';
      const q = raw.indexOf('?');
      const path = q < 0 ? raw : raw.slice(0, q);
      const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
      if (path === '/' || path === '/index.html') return send(res, 200, 'text/html; charset=utf-8', INDEX_HTML, { 'Content-Security-Policy': PAGE_CSP });
      if (path === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', script);
      if (path === '/app.css') return send(res, 200, 'text/css; charset=utf-8', STYLE);
      if (path === '/api/version') return json(res, 200, { version: api.version() });
      if (path === '/api/runs') {
        const sort = params.get('sort') ?? 'when';
        return json(
          res,
          200,
          api.runs({
            q: params.get('q') ?? '',
            command: params.get('command') ?? '',
            source: params.get('source') ?? '',
            sort: (SORT_KEYS as readonly string[]).includes(sort) ? (sort as SortKey) : 'when',
            desc: params.get('dir') !== 'asc',
            offset: int(params.get('offset'), 0, Number.MAX_SAFE_INTEGER),
            limit: Math.max(1, int(params.get('limit'), 50, 500)),
          }),
        );
      }
      if (path.startsWith('/api/run/')) {
        const id = path.slice('/api/run/'.length);
        const r = /^[0-9a-z]{16}$/.test(id) ? api.run(id, int(params.get('offset'), 0, Number.MAX_SAFE_INTEGER), Math.max(1, int(params.get('limit'), 50, 500))) : undefined;
        return r === undefined ? json(res, 404, { error: `no run ${id} in the ledger or the reports folder (it may have been forgotten or removed)` }) : json(res, 200, r);
      }
      if (path === '/api/compare') {
        const ids = (params.get('ids') ?? '')
          .split(',')
          .filter((s) => /^[0-9a-z]{16}$/.test(s))
          .slice(0, 8);
        return json(res, 200, api.compare(ids));
      }
      if (path === '/api/data') return json(res, 200, api.data());
      if (path.startsWith('/reports/')) {
        const f = resolveInside(reportsDir, path.slice('/reports/'.length));
        if (!f.ok) return send(res, f.status, 'text/plain; charset=utf-8', `refused: ${f.why}\n`);
        const type = TYPES[extname(f.file).toLowerCase()] ?? 'application/octet-stream';
        return send(res, 200, type, readFileSync(f.file), type.startsWith('text/html') ? { 'Content-Security-Policy': REPORT_CSP } : {});
      }
      return send(res, 404, 'text/plain; charset=utf-8', 'not found\n');
    } catch (e) {
      if (!res.headersSent) json(res, 500, { error: `the UI could not answer ${req.url ?? ''}: ${(e as Error).message}` });
      else res.destroy();
    }
  };
}

/** Starts the server on 127.0.0.1; resolves once it listens, with its URL. */
export async function startUi(o: UiOptions): Promise<{ server: Server; url: string; port: number }> {
  const api = new Api(new LedgerView(o.ledger), new ReportsView(o.reports));
  // read the ledger and the reports once before the first page asks (a ledger of 100,000 trials:
  // about 190 ms of CPU); a page then costs a page of rows, until a writer changes the ledger
  api.version();
  let bound = o.port;
  const server = createServer(handler(api, o.reports, o.script, () => bound));
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  bound = (server.address() as AddressInfo).port;
  return { server, url: `http://${LOOPBACK}:${bound}/`, port: bound };
}
