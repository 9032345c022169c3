/**
 * A streamed validation's catalog through the queue (issue 31): the partitions and symbol-sequence
 * chunks a task's plan reads travel content-addressed, each on its own (never the window in one
 * value), and the task carries its plan with their hashes in place of the coordinator's paths.
 *
 * - The coordinator ({@link publishPlan}) reads each partition of the plan's window (the
 *   partitions the merge selects, `selectParts`) and the sequence chunks that cover their rows
 *   (none for a file the merge takes by key, `sparseSelection`),
 *   checks each against its index entry (its CRC, as a replay does), hashes its bytes (SHA-256)
 *   and puts it where the workers fetch it (Redis or `--data-store`: queue.ts), once per content.
 *   The plan it sends names each file `<sha256>.tfp` (partition) or `<sha256>.tfs` (sequence
 *   chunk), in a folder left empty (`dir: ''`), with the index's other facts as they are but the
 *   source's path cut to its base name and no bad-row samples (they quote the submitter's paths):
 *   nothing of the submitter's machine a worker cannot see. The index travels inside the task, so
 *   the job's authentication code covers it.
 * - A worker ({@link catalogFilesOf}) takes a plan only when every folder is empty and every name
 *   is exactly 64 hex digits and one of those two extensions: it fetches each file by that hash,
 *   checks the bytes against it, keeps it under that name in a folder of its own, and replays from
 *   there ({@link localPlan}), as a local thread replays from the catalog. A name is never joined
 *   to a path unless it matched.
 * - The data's hash of such a job is {@link manifestHash} of the names, in plan order: a job id
 *   that depends on the data's content, not on where the coordinator's catalog is.
 */
import { basename } from 'node:path';
import { BAR } from '../data/schema.js';
import { partitionPath, type CatalogEntry } from '../data/catalog/entry.js';
import { selectParts, sparseSelection, type StreamSource } from '../data/catalog/merge-stream.js';
import { readPartition, type PartitionInfo } from '../data/catalog/partition.js';
import { chunkOf, readSequenceChunk, type SequenceInfo } from '../data/catalog/sequence.js';
import type { StreamPlan } from '../data/catalog/window-stream.js';
import { sha256 } from './queue-codec.js';

/** A catalog file's name as it travels: its content's SHA-256 and its kind (partition, sequence chunk). */
const HASH_NAME = /^([0-9a-f]{64})\.(tfp|tfs)$/;

/** One catalog file of a published plan: its SHA-256 and its name (`<sha256>.tfp` or `.tfs`). */
export interface CatalogFile {
  readonly hash: string;
  readonly name: string;
}

/** A plan as it travels, and its data's hash ({@link manifestHash}). */
export interface PublishedPlan {
  readonly plan: StreamPlan;
  readonly hash: string;
}

/** Puts a file where the workers fetch it, unless it is there already. */
export type PutFile = (file: CatalogFile, bytes: Uint8Array) => Promise<unknown>;

/** The data's hash of a streamed job: the SHA-256 of its files' names, in plan order. */
export const manifestHash = (files: readonly CatalogFile[]): string => sha256(files.map((f) => f.name).join('\n'));

/**
 * The plan's window published (see the file's comment): every partition the merge of `plan.merge`
 * selects and the sequence chunks from the one holding its first row to the one holding its last.
 * Bar files are not streamed by a validation (jobs/stream-validate.ts), and are refused here.
 */
export async function publishPlan(plan: StreamPlan, put: PutFile): Promise<PublishedPlan> {
  const files: CatalogFile[] = [];
  let reuse: ArrayBuffer | undefined;
  const send = async (bytes: Uint8Array, ext: 'tfp' | 'tfs'): Promise<string> => {
    const hash = sha256(bytes);
    const file = { hash, name: `${hash}.${ext}` };
    files.push(file);
    await put(file, bytes);
    return file.name;
  };
  const sources: StreamSource[] = [];
  for (const src of plan.sources) {
    const e = src.entry;
    if (e.kind === BAR) throw new Error('bar files are not streamed through the queue (jobs/stream-validate.ts holds them whole)');
    let firstRow = Infinity;
    let lastRow = -Infinity;
    const partitions: PartitionInfo[][] = [];
    for (const parts of e.partitions) {
      const out: PartitionInfo[] = [];
      for (const p of selectParts(parts, plan.merge, 0, undefined).sel) {
        // read and checked as a replay reads it (size, CRC, kind, symbol, rows): a damaged
        // partition is the catalog's damage here, never a file sent under a hash of bad bytes
        const rows = readPartition(partitionPath(src.dir, p), p, e.kind, e.nCols, false, reuse);
        reuse = rows.ts.buffer as ArrayBuffer;
        if (rows.rows > 0) {
          firstRow = Math.min(firstRow, rows.row[0]!);
          lastRow = Math.max(lastRow, rows.row[rows.rows - 1]!);
        }
        out.push({ ...p, name: await send(new Uint8Array(reuse, 0, p.bytes), 'tfp') });
      }
      partitions.push(out);
    }
    let sequence: SequenceInfo[] | undefined;
    if (e.sequence) {
      sequence = [];
      // (a file of which --symbols keeps little is merged by key: its sequence is not read, nor sent)
      if (firstRow <= lastRow && !sparseSelection(src)) {
        const a = chunkOf(e.sequence, firstRow);
        const b = chunkOf(e.sequence, lastRow);
        // (a chunk missing from the index: the replay says so; the local run would too)
        for (let k = Math.max(0, a); a >= 0 && k <= b; k++) {
          const info = e.sequence[k]!;
          const seq = readSequenceChunk(partitionPath(src.dir, info), info);
          sequence.push({ ...info, name: await send(new Uint8Array(seq.buffer as ArrayBuffer, 0, info.bytes), 'tfs') });
        }
      }
    }
    const entry: CatalogEntry = { ...e, key: { ...e.key, path: basename(e.key.path) }, badSamples: [], partitions, ...(sequence ? { sequence } : {}) };
    sources.push({ ...src, dir: '', entry });
  }
  return { plan: { ...plan, sources }, hash: manifestHash(files) };
}

/**
 * The files a plan from the queue names, in plan order, or the reason it is refused: every
 * source's folder empty and every partition's and sequence chunk's name a SHA-256 in hex with the
 * extension of its kind (so that no name can lead outside the worker's folder).
 */
export function catalogFilesOf(plan: unknown): CatalogFile[] | string {
  const p = plan as StreamPlan | undefined;
  if (!p || !Array.isArray(p.sources)) return 'its streamed plan has no list of sources';
  const files: CatalogFile[] = [];
  const take = (name: unknown, ext: 'tfp' | 'tfs'): string | undefined => {
    const m = typeof name === 'string' ? HASH_NAME.exec(name) : null;
    if (!m || m[2] !== ext) return `its streamed plan names a catalog file ${JSON.stringify(name)}, not a SHA-256 in hex with .${ext}`;
    files.push({ hash: m[1]!, name: m[0] });
    return undefined;
  };
  for (const src of p.sources) {
    if (!src || src.dir !== '') return `its streamed plan names a folder ${JSON.stringify(src?.dir)} (a plan from the queue names its files by hash only)`;
    const e = src.entry;
    if (!e || !Array.isArray(e.partitions)) return 'its streamed plan has a source without partitions';
    for (const parts of e.partitions) {
      if (!Array.isArray(parts)) return 'its streamed plan has a symbol without a list of partitions';
      for (const info of parts) {
        const bad = take(info?.name, 'tfp');
        if (bad) return bad;
      }
    }
    if (e.sequence !== undefined) {
      if (!Array.isArray(e.sequence)) return 'its streamed plan has a symbol sequence that is not a list';
      for (const info of e.sequence) {
        const bad = take(info?.name, 'tfs');
        if (bad) return bad;
      }
    }
  }
  return files;
}

/** A plan from the queue with its files in `dir` (the worker's folder, where they were fetched to). */
export const localPlan = (plan: StreamPlan, dir: string): StreamPlan => ({ ...plan, sources: plan.sources.map((s) => ({ ...s, dir })) });
