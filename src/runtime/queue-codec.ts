/**
 * What crosses the distributed queue (queue.ts, the `tickfold worker` command), and how it is
 * named: a table travels as one binary blob named by the SHA-256 of its bytes (a streamed task's
 * catalog files each by theirs: queue-catalog.ts), a strategy module
 * file by the SHA-256 of its source, tasks and results as V8 serialisations (Infinity, typed arrays
 * and nested objects survive, which JSON would not). A task's job id is the SHA-256 of the
 * tickfold version, the strategy module's content, the task and the data's hash: the same task
 * sent twice is one job, and a finished one is found again.
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { TickTable } from '../data/table.js';

export const sha256 = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

const COLUMNS = ['ts', 'kind', 'sym', 'f0', 'f1', 'f2', 'f3', 'f4', 'barStart', 'symbolKinds'] as const;

const MAGIC = 'TFTABLE1';

/** A table as one buffer: "TFTABLE1", a JSON header line, then each column's bytes in order. */
export function encodeTable(t: TickTable): Buffer {
  const cols = COLUMNS.map((k) => t[k]);
  const head = Buffer.from(MAGIC + JSON.stringify({ length: t.length, symbols: t.symbols, bytes: cols.map((c) => c.byteLength) }) + '\n');
  return Buffer.concat([head, ...cols.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))]);
}

/** The table of a blob {@link encodeTable} wrote (its hash checked by the caller); `shared`: in shared memory, for worker threads. */
export function decodeTable(b: Buffer, shared = false): TickTable {
  if (b.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new Error('not a tickfold table blob');
  const nl = b.indexOf(10);
  const head = JSON.parse(b.subarray(MAGIC.length, nl).toString('utf8')) as { length: number; symbols: string[]; bytes: number[] };
  let at = nl + 1;
  const take = <A>(n: number, make: (buf: ArrayBuffer | SharedArrayBuffer) => A): A => {
    const copy = shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n);
    new Uint8Array(copy).set(b.subarray(at, at + n));
    at += n;
    return make(copy);
  };
  const [ts, kind, sym, f0, f1, f2, f3, f4, barStart, symbolKinds] = head.bytes;
  return {
    length: head.length,
    symbols: head.symbols,
    ts: take(ts!, (x) => new Float64Array(x)),
    kind: take(kind!, (x) => new Uint8Array(x)),
    sym: take(sym!, (x) => new Uint16Array(x)),
    f0: take(f0!, (x) => new Float64Array(x)),
    f1: take(f1!, (x) => new Float64Array(x)),
    f2: take(f2!, (x) => new Float64Array(x)),
    f3: take(f3!, (x) => new Float64Array(x)),
    f4: take(f4!, (x) => new Float64Array(x)),
    barStart: take(barStart!, (x) => new Float64Array(x)),
    symbolKinds: take(symbolKinds!, (x) => new Uint8Array(x)),
  };
}

export const encodeValue = (v: unknown): string => serialize(v).toString('base64');
export const decodeValue = <T>(s: string): T => deserialize(Buffer.from(s, 'base64')) as T;

/** Redis keys and queue names: the tasks, and the runs (a flow's parent: one per batch of tasks a command sends). */
export const QUEUE = 'tickfold-tasks';
export const RUNS = 'tickfold-runs';
/** A table's file in a shared data store (--data-store). */
export const storeFile = (hash: string): string => `${hash}.tftable`;
export const dataKey = (hash: string): string => `tickfold:data:${hash}`;
export const moduleKey = (hash: string): string => `tickfold:module:${hash}`;
/** A catalog file (a partition or a sequence chunk of a streamed task's plan, queue-catalog.ts) in Redis; in the shared store it is its name, `<hash>.tfp` or `.tfs`. */
export const catalogKey = (hash: string): string => `tickfold:catalog:${hash}`;

/**
 * A strategy module's file name as a job carries it, or the reason it is refused: a plain file
 * name (no folder separator, no `..`, no control character, not hidden), ending in an extension
 * the loader reads. A worker writes the module under this name in a folder of its own, so a name
 * like `../../x.mjs` would write outside it.
 */
export function moduleNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'it is empty';
  if (name.length > 255) return 'it is longer than 255 characters';
  if (/[/\\]/.test(name)) return 'it holds a folder separator (/ or \\)';
  if (name.includes('..')) return "it holds '..'";
  if (name.startsWith('.')) return "it starts with '.'";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it holds a control character';
  if (!/\.(mjs|js|cjs|ts|mts)$/.test(name)) return 'it does not end in .ts, .mts, .mjs, .js or .cjs';
  return undefined;
}

/** What a job carries. */
export interface JobData {
  readonly version: string;
  /** The table blob's SHA-256; for a task streamed from the catalog, the hash of its files' names (queue-catalog.ts manifestHash). */
  readonly dataHash: string;
  /** Where the data is: in Redis under {@link dataKey}, or in the shared folder of --data-store. */
  readonly dataIn: 'redis' | 'store';
  /** The strategy module's source hash (module files), or null for a built-in. */
  readonly moduleHash: string | null;
  /** The module file's base name (to give it back its extension). */
  readonly moduleName: string | null;
  readonly label: string;
  /** The task, V8-serialised and base64. */
  readonly task: string;
  /** The coordinator's --timeout (per run) and --max-memory, enforced by the worker. */
  readonly timeoutMs?: number;
  readonly maxMemoryMb?: number;
  /**
   * The coordinator's HMAC-SHA-256 (queue-key.ts) over the job id and {@link jobContent}; null
   * from a coordinator without a key (`--insecure-loopback`), which only such a worker runs.
   */
  readonly mac: string | null;
}

/** What a job's code covers: every field but the code, in a fixed order (the data and the module by their SHA-256). */
export const jobContent = (d: Omit<JobData, 'mac'>): string => JSON.stringify([d.version, d.dataHash, d.dataIn, d.moduleHash, d.moduleName, d.label, d.task, d.timeoutMs ?? null, d.maxMemoryMb ?? null]);

/** What a worker returns for a job: the result (V8-serialised, base64) and its code over the job id and that text (null without a key). */
export interface JobReturn {
  readonly result: string;
  readonly mac: string | null;
}
