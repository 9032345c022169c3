/**
 * Running a validation's tasks on other machines: a BullMQ queue on Redis (`--queue
 * redis://HOST:PORT`), drained by `tickfold worker` processes anywhere. The same interface as the
 * local {@link TaskRunner} (use a table, run tasks, results in task order), so the pipeline and the
 * report are the same; each task runs through the same executeTask as a local thread, so the
 * results, and the report, are byte-identical to a local run.
 *
 * - The table is uploaded once, as one blob under its SHA-256 (kept a day); a worker fetches it,
 *   checks the hash, and keeps it for the next tasks.
 * - A strategy module file travels as its source under its SHA-256; a worker runs only a module
 *   whose source has the hash the job names. Built-in strategies are the worker's own, and a job
 *   names the tickfold version: a worker of another version refuses it.
 * - Job ids are content hashes (queue-codec.ts): a task sent twice is one job, and a task already
 *   finished (kept a day) is not run again.
 * - A strategy's error is a result, not a job failure: the worker returns it, nothing retries it,
 *   and the run fails at once naming the task, as locally. A worker killed mid-job leaves its job
 *   stalled: BullMQ gives it to another worker (after the lock lapses), and the run completes with
 *   the same bytes. A job that disappears (Redis restarted without persistence) fails the run with
 *   the reason, never a wrong report.
 * - Interrupted (SIGINT), the coordinator removes its jobs that have not started and writes nothing.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { TickfoldError } from '../errors.js';
import type { TickTable } from '../data/table.js';
import { VERSION } from '../version.js';
import { InterruptedError, type Guard, type Labeled } from './pool.js';
import { dataKey, decodeValue, encodeTable, encodeValue, maskUrl, moduleKey, QUEUE, sha256, type JobData } from './queue-codec.js';
import { unpackResult, type Task, type TaskFailure, type TaskResult } from './tasks.js';
import type { Runner } from './runner.js';

/** Kept this long in Redis: finished jobs (the cache of results) and uploaded data. */
const KEEP_S = 86_400;
const POLL_MS = 100;

/** A redis:// (or rediss://) URL, else a usage error; ioredis itself reads host, port, password and db from it. */
function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TickfoldError('bad-queue', `--queue '${maskUrl(url)}' is not a URL; write redis://HOST:PORT (e.g. redis://127.0.0.1:6379, or redis://:PASSWORD@host:6379)`, 2);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new TickfoldError('bad-queue', `--queue '${maskUrl(url)}': the queue is Redis; write redis://HOST:PORT`, 2);
}

/** Connects, or fails with the reason and the fix (Redis not running, wrong password). */
export async function connectRedis(url: string): Promise<import('ioredis').Redis> {
  const { Redis } = await import('ioredis');
  // a command fails after 2 retries rather than waiting for ever: a Redis that goes away mid-run
  // is an error, not a hang
  checkUrl(url);
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3_000, maxRetriesPerRequest: 2, retryStrategy: () => null });
  let cause: Error | undefined;
  client.on('error', (e: Error) => (cause ??= e)); // reported by connect() below
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    const err = (cause ?? e) as Error & { code?: string };
    const msg = err.code === 'ECONNREFUSED' ? 'nothing listens there (connection refused)' : err.code === 'ENOTFOUND' ? 'no such host' : (err.message ?? String(err)).replace(/\.$/, '');
    const auth = /NOAUTH|WRONGPASS|invalid password/i.test(msg);
    throw new TickfoldError(
      'queue-unreachable',
      `cannot use the queue at ${maskUrl(url)}: ${auth ? 'Redis refused the password' : msg}; ${auth ? 'give the password in the URL (redis://:PASSWORD@host:port)' : 'start redis-server there (Debian: apt-get install redis-server), or check the host and port'}`,
      2,
    );
  }
  // from here on, reconnect (a restart mid-run): the tasks' jobs are polled, a lost one is an error
  client.options.retryStrategy = (n: number) => Math.min(2_000, 100 * n);
  return client;
}

export class QueueRunner implements Runner {
  readonly workers: number;
  readonly pooled = false;
  onDone: () => void = () => {};
  private table: TickTable | undefined;
  private dataHash: string | undefined;
  private readonly modules = new Map<string, { hash: string; name: string } | null>();
  private queue: import('bullmq').Queue | undefined;

  private constructor(
    private readonly url: string,
    private readonly redis: import('ioredis').Redis,
    private readonly guard: Guard | undefined,
    slots: number,
    queue: import('bullmq').Queue,
  ) {
    this.queue = queue;
    // the task slots of the workers connected now: trials are batched to give each slot work
    // (a validation sizes its batches by this), and every task is sent at once
    this.workers = Math.max(1, slots);
  }

  static async open(url: string, guard?: Guard): Promise<QueueRunner> {
    const redis = await connectRedis(url);
    const { Queue } = await import('bullmq');
    const q = new Queue(QUEUE, { connection: redis });
    let slots = 0;
    try {
      for (const w of await q.getWorkers()) slots += Number(/-c(\d+)$/.exec(String(w.rawname ?? ''))?.[1] ?? 1);
    } catch {
      slots = 0; // a Redis without CLIENT LIST: one slot assumed
    }
    if (slots === 0) process.stderr.write(`tickfold: no tickfold worker is connected to ${maskUrl(url)} yet; the tasks wait until one is (start: tickfold worker --queue ${maskUrl(url)})\n`);
    return new QueueRunner(url, redis, guard, slots, q);
  }

  use(table: TickTable): void {
    this.table = table;
    this.dataHash = undefined;
  }

  private async upload(): Promise<string> {
    if (this.dataHash) return this.dataHash;
    const blob = encodeTable(this.table!);
    const hash = sha256(blob);
    await this.redis.set(dataKey(hash), blob, 'EX', KEEP_S, 'NX');
    await this.redis.expire(dataKey(hash), KEEP_S);
    this.dataHash = hash;
    return hash;
  }

  /** A module file's source into Redis under its hash; null for a built-in. */
  private async moduleOf(spec: string): Promise<{ hash: string; name: string } | null> {
    if (this.modules.has(spec)) return this.modules.get(spec)!;
    const { BUILTIN_STRATEGIES } = await import('../../strategies/index.js');
    let m: { hash: string; name: string } | null = null;
    if (!BUILTIN_STRATEGIES.has(spec)) {
      const source = readFileSync(resolve(spec));
      m = { hash: sha256(source), name: basename(spec) };
      await this.redis.set(moduleKey(m.hash), source, 'EX', KEEP_S);
    }
    this.modules.set(spec, m);
    return m;
  }

  async runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<never[]> {
    if (!this.table) throw new Error('QueueRunner.use(table) must come before runAll');
    const { Queue } = await import('bullmq');
    this.queue ??= new Queue(QUEUE, { connection: this.redis });
    const dataHash = await this.upload();
    const jobs = await Promise.all(
      tasks.map(async (t) => {
        const mod = await this.moduleOf(t.task.strategy);
        const task = encodeValue(t.task);
        const id = sha256(`${VERSION}\n${mod?.hash ?? `builtin:${t.task.strategy}`}\n${dataHash}\n${task}`);
        // --timeout and --max-memory hold on the worker that runs the task
        const data: JobData = { version: VERSION, dataHash, moduleHash: mod?.hash ?? null, moduleName: mod?.name ?? null, label: t.label, task, ...(this.guard?.timeoutMs !== undefined ? { timeoutMs: this.guard.timeoutMs } : {}), ...(this.guard?.maxMemoryMb !== undefined ? { maxMemoryMb: this.guard.maxMemoryMb } : {}) };
        return { name: t.task.kind, data, opts: { jobId: id, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S }, attempts: 1 } };
      }),
    );
    // a re-sent task with the id of a job that exists is that job (BullMQ ignores the duplicate)
    await this.queue.addBulk(jobs);
    const out: (TaskResult | undefined)[] = new Array(tasks.length);
    const pending = new Map<string, number>(jobs.map((j, k) => [j.opts.jobId, k]));
    try {
      await this.wait(tasks, pending, out);
    } catch (e) {
      if (e instanceof TickfoldError) throw e;
      throw new TickfoldError('queue-down', `lost the queue at ${maskUrl(this.url)} mid-run (${(e as Error).message}); no report was written. Start Redis again and rerun: tasks that finished are kept and not run twice (when Redis persists its data)`, 3);
    }
    return out as never[];
  }

  private async wait<T extends Task>(tasks: readonly Labeled<T>[], pending: Map<string, number>, out: (TaskResult | undefined)[]): Promise<void> {
    while (pending.size > 0) {
      if (this.guard?.signal?.aborted) {
        // cancel what has not started; nothing is written
        await Promise.all([...pending.keys()].map(async (id) => (await this.queue!.getJob(id))?.remove().catch(() => undefined)));
        throw new InterruptedError(String(this.guard.signal.reason ?? 'interrupted'));
      }
      for (const [id, k] of [...pending]) {
        // the state first, then the job: a job read before its state could have finished in
        // between, and its copy would lack the result (seen: a completed job with no return value)
        const state = await this.queue!.getJobState(id);
        const job = await this.queue!.getJob(id);
        if (!job || state === 'unknown') throw new TickfoldError('queue-lost', `${tasks[k]!.label}: its job left the queue before it finished (Redis restarted without persistence, or the job was removed); run the command again (finished tasks are kept and not run twice); queue ${maskUrl(this.url)}`, 3);
        if (state === 'completed') {
          if (typeof job.returnvalue !== 'string') continue; // not readable yet: the next poll
          const r = unpackResult(decodeValue(job.returnvalue)) as TaskResult | TaskFailure;
          if (r.kind === 'failure') throw new TickfoldError(r.code, tasks[k]!.task.kind === 'run' ? r.message : `${tasks[k]!.label}: ${r.message}`, r.exitCode);
          out[k] = r;
          pending.delete(id);
          this.onDone();
        } else if (state === 'failed') {
          throw new TickfoldError('queue-failed', `${tasks[k]!.label}: the worker could not run it: ${job.failedReason}`, 3);
        }
      }
      if (pending.size > 0) await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async close(): Promise<void> {
    await this.queue?.close();
    this.redis.disconnect();
  }
}
