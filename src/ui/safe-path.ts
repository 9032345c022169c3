/**
 * A URL path mapped to a file inside one folder, or refused. The rule: the path is decoded once
 * (a malformed %-escape is refused), must not contain a NUL, a backslash, or a `.`/`..` segment
 * (in any encoding: `%2e%2e`, `%2f`, once decoded, are the same characters and refused the same
 * way), and the file it names, with every symbolic link resolved, must lie inside the folder (with
 * its links resolved): a link in the reports folder pointing out of it is refused too.
 */
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

export type SafePath = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly status: 400 | 403 | 404; readonly why: string };

export function resolveInside(root: string, urlPath: string): SafePath {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return { ok: false, status: 400, why: 'a malformed %-escape' };
  }
  if (rel.includes('\0') || rel.includes('\\')) return { ok: false, status: 400, why: 'a NUL or backslash in the path' };
  const segments = rel.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return { ok: false, status: 403, why: "a '.' or '..' segment" };
  if (segments.length === 0) return { ok: false, status: 404, why: 'no file named' };
  let base: string;
  let real: string;
  try {
    base = realpathSync(root);
    real = realpathSync(join(base, segments.join('/')));
  } catch {
    return { ok: false, status: 404, why: 'no such file' };
  }
  if (!real.startsWith(base + sep)) return { ok: false, status: 403, why: 'outside the folder' };
  try {
    if (!statSync(real).isFile()) return { ok: false, status: 404, why: 'not a file' };
  } catch {
    return { ok: false, status: 404, why: 'no such file' };
  }
  return { ok: true, file: real };
}
