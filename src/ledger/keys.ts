/**
 * What makes two trials the same trial, as hashes: the data (content hashes of its files and the
 * window used), the strategy module (a built-in by name and tickfold version; a file by its
 * content), and the trial's key over those, its parameters, the fold plan, the execution settings
 * and the return period.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { sha1OfFile } from '../data/cache.js';

const sha1 = (s: string | Buffer): string => createHash('sha1').update(s).digest('hex');

/** JSON with object keys sorted (the same settings give the same text whatever their order). */
export function canonicalJson(x: unknown): string {
  return JSON.stringify(x, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

/** Content hashes taken for files read without one, by path, size and mtime (a file is hashed once a process). */
const contentHashes = new Map<string, string>();

/**
 * A file's SHA-1 when its load took none (--no-cache, or a report of such a run): the file as it is
 * now, if it still has the size the load saw; else undefined. Keyed by path and size alone, a
 * --no-cache run and a cached run of one file would count apart, and a file edited in place to the
 * same size would pool its trials (and a search's stored results) with the old rows'.
 */
function contentHash(file: string, bytes: number): string | undefined {
  try {
    const path = resolve(file);
    const st = statSync(path);
    if (!st.isFile() || st.size !== bytes) return undefined;
    const k = `${path}\0${st.size}\0${st.mtimeMs}`;
    let h = contentHashes.get(k);
    if (h === undefined) {
      h = sha1OfFile(path);
      contentHashes.set(k, h);
    }
    return h;
  } catch {
    return undefined;
  }
}

export function dataHash(files: readonly { readonly sha1: string | undefined; readonly bytes: number; readonly file: string }[], from: number, to: number): string {
  return sha1(canonicalJson({ files: files.map((f) => f.sha1 ?? contentHash(f.file, f.bytes) ?? `${f.file}:${f.bytes}`), from: Number.isFinite(from) ? from : null, to: Number.isFinite(to) ? to : null }));
}

export function moduleHash(spec: string, builtin: boolean, version: string): string {
  if (builtin) return `builtin:${spec}@${version}`;
  try {
    return sha1(readFileSync(resolve(spec)));
  } catch {
    return `unreadable:${spec}`;
  }
}

export function trialKey(parts: { dataHash: string; strategy: string; moduleHash: string; params: unknown; scheme: unknown; execution: unknown; periodUs: number }): string {
  return sha1(canonicalJson(parts));
}
