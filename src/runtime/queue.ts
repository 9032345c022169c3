/**
 * Running a validation's tasks on other machines: a BullMQ queue on Redis (`--queue
 * redis://HOST:PORT`), drained by `tickfold worker` processes anywhere. The same interface as the
 * local {@link TaskRunner} (use a table, run tasks, results in task order), so the pipeline and the
 * report are the same; each task runs through the same executeTask as a local thread, so the
 * results, and the report, are byte-identical to a local run.
 *
 * - Each batch of tasks goes as one BullMQ flow: a parent job (queue `tickfold-runs`) that waits
 *   for its children, the tasks (queue `tickfold-tasks`). The coordinator follows its children by
 *   their queue's events (a completion is read at once, and counted in the progress), with a
 *   sweep every second for what events cannot say (a job gone from the queue).
 * - The table is uploaded once, as one blob under its SHA-256 (kept a day), or written to a
 *   shared folder (`--data-store`); a worker fetches it, checks the hash, and keeps it for the
 *   next tasks.
 * - Every job carries an HMAC-SHA-256 under the queue's shared key (queue-key.ts) over its id and
 *   its content, which names the SHA-256 of its data and of its strategy module's source; a worker
 *   runs nothing else. Every result carries the worker's code over its job id and its bytes, and
 *   one that does not match fails the run (exit 3, no report): a result edited in Redis is never
 *   used. The key's fingerprint is part of each job id, so results made under another key are
 *   other jobs. Without a key: loopback only, with `--insecure-loopback`.
 * - A strategy module file travels as its source under its SHA-256, by its plain file name; a
 *   worker runs only a module whose source has the hash the job names. Built-in strategies are
 *   the worker's own, and a job names the tickfold version: a worker of another version refuses it.
 * - Job ids are content hashes (queue-codec.ts): a task sent twice is one job, and a task already
 *   finished (kept a day) is not run again.
 * - A strategy's error is a result, not a job failure: the worker returns it, nothing retries it,
 *   and the run fails at once naming the task, as locally. A worker killed mid-job leaves its job
 *   stalled: BullMQ gives it to another worker (after the lock lapses: {@link LockSettings}), and the run completes with
 *   the same bytes. A job that disappears (Redis restarted without persistence) fails the run with
 *   the reason, never a wrong report.
 * - Interrupted (SIGINT), the coordinator removes its flow's tasks that have not started, and the
 *   flow, and writes nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { TickfoldError } from '../errors.js';
import type { TickTable } from '../data/table.js';
import { VERSION } from '../version.js';
import { catalogKey, dataKey, decodeValue, encodeTable, encodeValue, jobContent, moduleKey, moduleNameProblem, QUEUE, RUNS, sha256, storeFile, type JobData, type JobReturn } from './queue-codec.js';
import { publishPlan, type CatalogFile, type PublishedPlan } from './queue-catalog.js';
import type { StreamPlan } from '../data/catalog/window-stream.js';
import { checkQueueAccess, KEY_ENV, type QueueKey } from './queue-key.js';
import { checkUrl, maskUrl } from './queue-url.js';
import { writeFileAtomic } from '../atomic.js';
import { runsIn, unpackResult, type Task, type TaskFailure, type TaskResult } from './tasks.js';
import { InterruptedError, type Guard, type Labeled, type Runner } from './runner.js';

/** Kept this long in Redis: finished jobs (the cache of results) and uploaded data. */
const KEEP_S = 86_400;
/** Redis's proto-max-bulk-len unless configured otherwise: the largest value it takes. */
const REDIS_VALUE_DEFAULT = 512 * 2 ** 20;
/** Every pending task's state is read this often (events say when one finishes; not when one is lost). */
const SWEEP_MS = 1_000;
/** With tasks waiting and nothing finishing for this long, the coordinator says whether any worker is there. */
const QUIET_MS = 15_000;
/**
 * Redis gone (restarted, the network down) for this long fails the run; shorter, the run goes on
 * where it was (a Redis that persists its data has the jobs still; one that lost them fails the
 * run on the job found gone).
 */
const GRACE_MS = 10_000;

/**
 * How a task whose worker died goes to another worker (BullMQ's lock and stalled-job check). A
 * worker holds each job it runs under a lock of `lockMs`, renewed every `lockMs / 2` by a timer of
 * its main thread (the tasks themselves run on its worker threads, so a task busy on the CPU does
 * not hold that timer up); a job whose lock has lapsed (its worker killed, or cut off from Redis)
 * is found by a live worker's stalled-job check, run every `stalledIntervalMs`, and handed to a
 * worker again, at most `maxStalledCount` times (then it fails). A killed worker's task is taken
 * again within about `lockMs + stalledIntervalMs`; a shorter lock hands it on sooner, and needs a
 * worker whose main thread answers its timer within `lockMs / 2` (a lock lapsed that way makes a
 * task run twice, to the same bytes, not a wrong result).
 */
export interface LockSettings {
  readonly lockMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
}

/** The production lock: 10 s, checked every 5 s, a task handed on at most 3 times. */
export const LOCK_DEFAULTS: LockSettings = { lockMs: 10_000, stalledIntervalMs: 5_000, maxStalledCount: 3 };

/** The lock of `tickfold worker --lock DURATION`: the stalled-job check at half of it, as by default. */
export const lockSettings = (lockMs: number): LockSettings => ({ ...LOCK_DEFAULTS, lockMs, stalledIntervalMs: lockMs / 2 });

/** The settings as BullMQ's Worker takes them. */
export const workerLockOptions = (s: LockSettings): { lockDuration: number; stalledInterval: number; maxStalledCount: number } => ({ lockDuration: s.lockMs, stalledInterval: s.stalledIntervalMs, maxStalledCount: s.maxStalledCount });

/** A Redis command that failed because Redis is away (stopped, restarting, loading its data, the network down), not for what it asked. */
const REDIS_AWAY = /max retries per request|ECONNREFUSED|Connection is closed|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|Stream isn't writeable|LOADING|^no answer to /i;
const isAway = (e: unknown): boolean => !(e instanceof TickfoldError) && REDIS_AWAY.test((e as Error)?.message ?? String(e));

/** Why a Redis command failed, in the user's words (ioredis says 'Reached the max retries per request limit'). */
const why = (e: unknown): string => {
  const m = (e as Error)?.message ?? String(e);
  return isAway(e) ? 'Redis does not answer' : m.replace(/\.$/, '');
};

/** Text from Redis as it may be printed: control characters (a terminal's escapes) shown as \\uXXXX. */
// eslint-disable-next-line no-control-regex
const printable = (t: string): string => String(t).replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The promise, or an error once `ms` have passed without an answer. */
function answerWithin<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no answer to ${what} in ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
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
    const cert = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|certificate/i.test(`${err.code ?? ''} ${msg}`);
    const fix = auth
      ? 'give the password in the URL (redis://:PASSWORD@host:port)'
      : cert
        ? "Redis's TLS certificate is not trusted here: give Node the CA that signed it (NODE_EXTRA_CA_CERTS=/path/to/ca.pem), and a certificate whose name or IP is the URL's host"
        : `start redis-server there (Debian: apt-get install redis-server), or check the host and port${url.startsWith('rediss:') ? ' (rediss:// speaks TLS: the port must be its tls-port)' : ' (a Redis that speaks TLS only: write rediss://)'}`;
    throw new TickfoldError('queue-unreachable', `cannot use the queue at ${maskUrl(url)}: ${auth ? 'Redis refused the password' : cert ? `TLS: ${msg}` : msg}; ${fix}`, 2);
  }
  // from here on, reconnect (a restart mid-run): the tasks' jobs are polled, a lost one is an error
  client.options.retryStrategy = (n: number) => Math.min(2_000, 100 * n);
  return client;
}

export class QueueRunner implements Runner {
  readonly workers: number;
  readonly pooled = false;
  onDone: (runs: number) => void = () => {};
  private table: TickTable | undefined;
  private dataHash: string | undefined;
  private readonly modules = new Map<string, { hash: string; name: string } | null>();
  /** Streamed tasks' plans, published once each (queue-catalog.ts): the tasks of a validation share one. */
  private readonly published = new WeakMap<StreamPlan, Promise<PublishedPlan>>();

  private constructor(
    private readonly url: string,
    private readonly redis: import('ioredis').Redis,
    /** The events' own connection (a blocking read); BullMQ leaves a connection it was given to its owner to close. */
    private readonly eventsRedis: import('ioredis').Redis,
    private readonly guard: Guard | undefined,
    slots: number,
    private readonly queue: import('bullmq').Queue,
    /** The flows' parents. */
    private readonly runs: import('bullmq').Queue,
    private readonly flows: import('bullmq').FlowProducer,
    private readonly events: import('bullmq').QueueEvents,
    private readonly dataStore: string | undefined,
    /** The shared key (undefined: --insecure-loopback). */
    private readonly key: QueueKey | undefined,
  ) {
    // the task slots of the workers connected now: trials are batched to give each slot work
    // (a validation sizes its batches by this), and every task is sent at once
    this.workers = Math.max(1, slots);
  }

  /**
   * Connects (or fails with the fix), counts the workers' task slots, and starts following the
   * tasks' events. `dataStore`: a folder the workers also see (`--data-store`), for the data
   * instead of Redis. `access`: the shared key, or none on loopback with `insecureLoopback`
   * (checked before connecting: {@link checkQueueAccess}).
   */
  static async open(url: string, access: { key: QueueKey | undefined; insecureLoopback: boolean }, guard?: Guard, dataStore?: string): Promise<QueueRunner> {
    checkUrl(url);
    checkQueueAccess(url, access.key, access.insecureLoopback);
    const redis = await connectRedis(url);
    const { FlowProducer, Queue, QueueEvents } = await import('bullmq');
    const q = new Queue(QUEUE, { connection: redis });
    // a lost connection is found by the next read, with its reason (unheard, BullMQ prints it)
    q.on('error', () => {});
    const slots = await taskSlots(q);
    if (slots === 0) process.stderr.write(`tickfold: no tickfold worker is connected to ${maskUrl(url)} yet; the tasks wait until one is (start: tickfold worker --queue ${maskUrl(url)})\n`);
    // events are read on a connection of their own (a blocking read)
    const eventsRedis = redis.duplicate({ maxRetriesPerRequest: null });
    const events = new QueueEvents(QUEUE, { connection: eventsRedis });
    events.on('error', () => {});
    await events.waitUntilReady();
    const flows = new FlowProducer({ connection: redis });
    flows.on('error', () => {});
    const runs = new Queue(RUNS, { connection: redis });
    runs.on('error', () => {});
    return new QueueRunner(url, redis, eventsRedis, guard, slots, q, runs, flows, events, dataStore === undefined ? undefined : resolve(dataStore), access.key);
  }

  /**
   * One Redis step of sending the tasks (the data, a module, the flow), tried again while Redis is
   * away, as a restart is waited for mid-run: up to {@link GRACE_MS} from the first failure, said
   * when it starts and when Redis is back; then the run fails with the reason. Each step is one
   * that may be repeated (a SET of content under its hash, a flow under the same ids).
   */
  private async patiently<T>(what: string, step: () => Promise<T>): Promise<T> {
    let downSince: number | undefined;
    for (;;) {
      if (this.guard?.signal?.aborted) throw new InterruptedError(String(this.guard.signal.reason ?? 'interrupted'));
      try {
        const left = downSince === undefined ? GRACE_MS : Math.max(500, GRACE_MS - (performance.now() - downSince));
        const r = await answerWithin(step(), left, what);
        if (downSince !== undefined) process.stderr.write(`tickfold: the queue at ${maskUrl(this.url)} is back after ${((performance.now() - downSince) / 1000).toFixed(1)} s; going on\n`);
        return r;
      } catch (e) {
        if (!isAway(e)) throw e;
        if (downSince === undefined) {
          downSince = performance.now();
          process.stderr.write(`tickfold: lost the queue at ${maskUrl(this.url)} (${why(e)}) while ${what}; waiting up to ${GRACE_MS / 1000} s for it to come back\n`);
        }
        if (performance.now() - downSince > GRACE_MS - 100)
          throw new TickfoldError(
            'queue-down',
            `lost the queue at ${maskUrl(this.url)} while ${what} (Redis did not come back within ${GRACE_MS / 1000} s); no report was written. Start Redis again and rerun: tasks that finished are kept and not run twice (when Redis persists its data)`,
            3,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  use(table: TickTable): void {
    this.table = table;
    this.dataHash = undefined;
  }

  /** The largest value this Redis takes (its proto-max-bulk-len; 512 MiB, Redis's default, when it will not say). */
  private valueLimit: Promise<number> | undefined;

  /**
   * `bytes` of `what` fit in one Redis value, or a usage error that says so and what to do: a
   * value over the server's proto-max-bulk-len is refused by Redis closing the connection, which
   * the coordinator would take for a lost queue (a 989 MB table said "lost the queue").
   */
  private async fitsRedis(bytes: number, what: string): Promise<void> {
    this.valueLimit ??= this.redis
      .config('GET', 'proto-max-bulk-len')
      .then((r) => {
        const n = Number((r as string[])[1]);
        return Number.isFinite(n) && n > 0 ? n : REDIS_VALUE_DEFAULT;
      })
      .catch(() => REDIS_VALUE_DEFAULT);
    const limit = await this.valueLimit;
    if (bytes <= limit) return;
    const mb = (x: number): string => (x / 2 ** 20).toFixed(1);
    throw new TickfoldError(
      'queue-value-too-large',
      `${what} is ${mb(bytes)} MB, over the ${mb(limit)} MB this Redis takes in one value (its proto-max-bulk-len); give --data-store DIR, a folder the workers see too (\`tickfold worker --data-store\`), or raise proto-max-bulk-len in Redis's configuration`,
      2,
    );
  }

  /** The table to Redis or to the shared store, once per content. */
  private async upload(): Promise<string> {
    if (this.dataHash) return this.dataHash;
    const blob = encodeTable(this.table!);
    const hash = sha256(blob);
    if (this.dataStore !== undefined) this.toStore(storeFile(hash), hash, blob);
    else {
      await this.fitsRedis(blob.byteLength, 'the data, as the workers are sent it (the table held whole)');
      await this.patiently('sending the data', async () => {
        await this.redis.set(dataKey(hash), blob, 'EX', KEEP_S, 'NX');
        await this.redis.expire(dataKey(hash), KEEP_S);
      });
    }
    this.dataHash = hash;
    return hash;
  }

  /**
   * Content named by its hash into the shared store, unless a file there is that content already
   * (its hash checked: a damaged copy would otherwise be refused by every worker, run after run);
   */
  private toStore(name: string, hash: string, bytes: Uint8Array): void {
    const file = join(this.dataStore!, name);
    if (existsSync(file) && statSync(file).size === bytes.byteLength && sha256(readFileSync(file)) === hash) return;
    try {
      writeFileAtomic(file, bytes);
    } catch (e) {
      throw new TickfoldError('data-store', `cannot write the data to --data-store ${this.dataStore}: ${(e as Error).message}; give a folder this machine can write and the workers can read`, 2);
    }
  }

  /**
   * A streamed task's plan published (queue-catalog.ts): each catalog file of its window into the
   * shared store or Redis under its hash, once (one already there is kept, and in Redis its
   * expiry renewed), one file at a time; the plan as it travels, naming them by hash.
   */
  private publish(plan: StreamPlan): Promise<PublishedPlan> {
    let p = this.published.get(plan);
    if (!p) {
      const put = async (f: CatalogFile, bytes: Uint8Array): Promise<void> => {
        if (this.dataStore !== undefined) return void this.toStore(f.name, f.hash, bytes);
        await this.fitsRedis(bytes.byteLength, `the catalog file ${f.name}`);
        const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        // EXPIRE answers whether the key is there (and renews it): what is there is not sent again
        await this.patiently('sending the data', async () => {
          if ((await this.redis.expire(catalogKey(f.hash), KEEP_S)) === 0) await this.redis.set(catalogKey(f.hash), buf, 'EX', KEEP_S);
        });
      };
      this.published.set(plan, (p = publishPlan(plan, put)));
      p.catch(() => this.published.delete(plan));
    }
    return p;
  }

  /** A module file's source into Redis under its hash; null for a built-in. */
  private async moduleOf(spec: string): Promise<{ hash: string; name: string } | null> {
    if (this.modules.has(spec)) return this.modules.get(spec)!;
    const { BUILTIN_STRATEGIES } = await import('../../strategies/index.js');
    let m: { hash: string; name: string } | null = null;
    if (!BUILTIN_STRATEGIES.has(spec)) {
      queueModuleName(spec);
      const source = readFileSync(resolve(spec));
      m = { hash: sha256(source), name: basename(spec) };
      await this.fitsRedis(source.byteLength, `the strategy module ${spec}`);
      await this.patiently('sending the strategy module', () => this.redis.set(moduleKey(m!.hash), source, 'EX', KEEP_S));
    }
    this.modules.set(spec, m);
    return m;
  }

  async runAll<T extends Task>(tasks: readonly Labeled<T>[]): Promise<never[]> {
    if (!this.table && tasks.some((t) => !t.task.stream)) throw new Error('QueueRunner.use(table) must come before runAll');
    if (tasks.length === 0) return [];
    // a streamed task's data is its plan's catalog files (their hashes in the plan), else the table
    const tableHash = tasks.some((t) => !t.task.stream) ? await this.upload() : undefined;
    const jobs = await Promise.all(
      tasks.map(async (t) => {
        const mod = await this.moduleOf(t.task.strategy);
        const st = t.task.stream;
        const pub = st ? await this.publish(st.plan) : undefined;
        const dataHash = pub?.hash ?? tableHash!;
        const task = encodeValue(st ? { ...t.task, stream: { ...st, plan: pub!.plan } } : t.task);
        // (the key's fingerprint in the id: results made under another key are not these jobs)
        const id = sha256(`${VERSION}\n${this.key?.id ?? 'no-key'}\n${mod?.hash ?? `builtin:${t.task.strategy}`}\n${dataHash}\n${task}`);
        // --timeout and --max-memory hold on the worker that runs the task
        const unsigned: Omit<JobData, 'mac'> = {
          version: VERSION,
          dataHash,
          dataIn: this.dataStore === undefined ? 'redis' : 'store',
          moduleHash: mod?.hash ?? null,
          moduleName: mod?.name ?? null,
          label: t.label,
          task,
          ...(this.guard?.timeoutMs !== undefined ? { timeoutMs: this.guard.timeoutMs } : {}),
          ...(this.guard?.maxMemoryMb !== undefined ? { maxMemoryMb: this.guard.maxMemoryMb } : {}),
        };
        const data: JobData = { ...unsigned, mac: this.key ? this.key.mac('job', id, jobContent(unsigned)) : null };
        return { id, name: t.task.kind, data };
      }),
    );
    // the same task twice in one batch is one job, whose result serves both
    const waiters = new Map<string, number[]>();
    jobs.forEach((j, k) => waiters.set(j.id, [...(waiters.get(j.id) ?? []), k]));
    const unique = [...waiters.keys()].map((id) => jobs[waiters.get(id)![0]!]!);
    // the flow: a parent that waits for its children. Its id is their ids' hash, so that the same
    // batch sent again (a rerun, or after the coordinator was killed) is the same flow; a task
    // that exists already is that job (BullMQ attaches it), a finished one is a cache hit.
    const parentId = `run-${sha256(unique.map((j) => j.id).join('\n'))}`;
    const out: (TaskResult | undefined)[] = new Array(tasks.length);
    try {
      // a task that failed before (a worker's own failure: data it could not read, another
      // version) is tried again, not answered with its old failure: its job goes first
      await this.patiently('reading the tasks', () => Promise.all(unique.map(async (j) => ((await this.queue.getJobState(j.id)) === 'failed' ? (await this.queue.getJob(j.id))?.remove() : undefined))));
      const add = () =>
        this.flows.add({
          name: 'validation',
          queueName: RUNS,
          data: { version: VERSION, tasks: unique.length, label: tasks[0]!.label },
          opts: { jobId: parentId, removeOnComplete: true, removeOnFail: true },
          // a worker's own failure (data gone, a hash that does not match) fails the flow
          children: unique.map((j) => ({ name: j.name, queueName: QUEUE, data: j.data, opts: { jobId: j.id, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S }, attempts: 1, failParentOnFailure: true } })),
        });
      await this.patiently('sending the tasks', add);
      await this.wait(tasks, waiters, out, parentId);
    } catch (e) {
      // a task's failure ends the run at once: its flow's other tasks that have not started go too
      if (e instanceof TickfoldError && !(e instanceof InterruptedError) && e.code !== 'queue-lost') await this.removeFlow(parentId, true);
      if (e instanceof TickfoldError) throw e;
      const m = why(e);
      if (/cannot be replaced/.test(m)) throw new TickfoldError('queue-busy', `some of these tasks belong to another command's flow that is still running on ${maskUrl(this.url)}; wait for it to finish and run this again (its finished tasks are then answered from the queue)`, 3);
      throw new TickfoldError('queue-down', `lost the queue at ${maskUrl(this.url)} mid-run (${m}); no report was written. Start Redis again and rerun: tasks that finished are kept and not run twice (when Redis persists its data)`, 3);
    }
    // done with the flow (a worker completes a parent once its children are done; this only tidies)
    await this.removeFlow(parentId, false);
    return out as never[];
  }

  /** The flow's parent removed; with `unstarted`, its children that have not started too. */
  private async removeFlow(parentId: string, unstarted: boolean): Promise<void> {
    const parent = await this.runs.getJob(parentId).catch(() => undefined);
    if (!parent) return;
    if (unstarted) await parent.removeUnprocessedChildren().catch(() => undefined);
    await parent.remove({ removeChildren: false }).catch(() => undefined);
  }

  /**
   * Until every task's result is in: a task's completion event wakes the loop, which reads that
   * job; every {@link SWEEP_MS} every pending job is read (a job gone means Redis lost it).
   */
  private async wait<T extends Task>(tasks: readonly Labeled<T>[], waiters: Map<string, number[]>, out: (TaskResult | undefined)[], parentId: string): Promise<void> {
    const pending = new Set(waiters.keys());
    const woken = new Set<string>();
    let wake: (() => void) | undefined;
    const onEvent = ({ jobId }: { jobId: string }): void => {
      if (!pending.has(jobId)) return;
      woken.add(jobId);
      wake?.();
    };
    this.events.on('completed', onEvent);
    this.events.on('failed', onEvent);
    let lastSweep = -Infinity;
    let downSince: number | undefined;
    let lastDone = performance.now();
    let lastNotice = performance.now();
    const abort = this.guard?.signal;
    const onAbort = (): void => wake?.();
    abort?.addEventListener('abort', onAbort);
    try {
      while (pending.size > 0) {
        if (abort?.aborted) {
          // cancel what has not started; nothing is written
          await this.removeFlow(parentId, true);
          throw new InterruptedError(String(abort.reason ?? 'interrupted'));
        }
        const now = performance.now();
        const sweep = now - lastSweep >= SWEEP_MS;
        const ids = sweep ? [...pending] : [...woken].filter((id) => pending.has(id));
        if (sweep) lastSweep = now;
        woken.clear();
        let seen: Awaited<ReturnType<QueueRunner['readJob']>>[];
        try {
          // (while Redis is away, a read waits no longer than the grace left)
          const left = downSince === undefined ? GRACE_MS : Math.max(500, GRACE_MS - (performance.now() - downSince));
          seen = await answerWithin(Promise.all(ids.map((id) => this.readJob(id))), left, 'reading the tasks');
          if (downSince !== undefined) process.stderr.write(`tickfold: the queue at ${maskUrl(this.url)} is back after ${((performance.now() - downSince) / 1000).toFixed(1)} s; going on\n`);
          downSince = undefined;
        } catch (e) {
          // Redis away: the run goes on if it is back within the grace, with the jobs it had
          if (downSince === undefined) {
            downSince = performance.now();
            process.stderr.write(`tickfold: lost the queue at ${maskUrl(this.url)} (${why(e)}); waiting up to ${GRACE_MS / 1000} s for it to come back\n`);
          }
          if (performance.now() - downSince > GRACE_MS - 100) throw new Error(`Redis did not come back within ${GRACE_MS / 1000} s`);
          lastSweep = performance.now() - SWEEP_MS; // the next look reads every pending task again
          await new Promise((r) => setTimeout(r, SWEEP_MS));
          continue;
        }
        seen.forEach((r, n) => {
          const id = ids[n]!;
          const first = tasks[waiters.get(id)![0]!]!;
          if (r === 'lost')
            throw new TickfoldError('queue-lost', `${first.label}: its job left the queue before it finished (Redis restarted without persistence, or the job was removed); run the command again (finished tasks are kept and not run twice); queue ${maskUrl(this.url)}`, 3);
          if (r === undefined) return;
          if ('failedReason' in r) throw new TickfoldError('queue-failed', `${first.label}: the worker could not run it: ${printable(r.failedReason)}`, 3);
          if ('forged' in r)
            throw new TickfoldError(
              'queue-forged',
              `${first.label}: refusing its result in the queue (job ${id}): ${r.forged}; no report was written, and the job was removed. Something other than a tickfold worker with this key wrote it: check who can write to ${maskUrl(this.url)}, and that every worker has the same ${KEY_ENV}; then run the command again`,
              3,
            );
          for (const k of waiters.get(id)!) {
            if (r.result.kind === 'failure') throw new TickfoldError(r.result.code, tasks[k]!.task.kind === 'run' ? r.result.message : `${tasks[k]!.label}: ${r.result.message}`, r.result.exitCode);
            out[k] = r.result;
            this.onDone(runsIn(tasks[k]!.task));
          }
          pending.delete(id);
          lastDone = performance.now();
        });
        if (pending.size === 0) break;
        if (performance.now() - lastDone > QUIET_MS && performance.now() - lastNotice > QUIET_MS) {
          lastNotice = performance.now();
          if ((await taskSlots(this.queue)) === 0) process.stderr.write(`tickfold: ${pending.size} task(s) waiting, and no tickfold worker is connected to ${maskUrl(this.url)}; start one: tickfold worker --queue ${maskUrl(this.url)}\n`);
        }
        if (woken.size === 0 && !abort?.aborted) {
          await new Promise<void>((res) => {
            const timer = setTimeout(res, Math.max(0, SWEEP_MS - (performance.now() - lastSweep)));
            wake = () => {
              clearTimeout(timer);
              res();
            };
          });
          wake = undefined;
        }
      }
    } finally {
      this.events.off('completed', onEvent);
      this.events.off('failed', onEvent);
      abort?.removeEventListener('abort', onAbort);
    }
  }

  /** A job's outcome: its result, its failure, undefined while it runs, or 'lost' when it is gone. */
  private async readJob(id: string): Promise<{ result: TaskResult | TaskFailure } | { failedReason: string } | { forged: string } | 'lost' | undefined> {
    // the state first, then the job: a job read before its state could have finished in between,
    // and its copy would lack the result (seen: a completed job with no return value)
    const state = await this.queue.getJobState(id);
    const job = await this.queue.getJob(id);
    if (!job || state === 'unknown') return 'lost';
    if (state === 'failed') return { failedReason: job.failedReason };
    if (state !== 'completed' || job.returnvalue === null || job.returnvalue === undefined) return undefined; // not readable yet: the next look
    // the worker's code checked before a byte of the result is decoded
    const rv = job.returnvalue as Partial<JobReturn> | string;
    const forged = async (why: string): Promise<{ forged: string }> => {
      // gone from the queue, so that the command run again runs that task afresh
      await job.remove().catch(() => undefined);
      return { forged: why };
    };
    if (typeof rv !== 'object' || typeof rv.result !== 'string') return forged('it is not a tickfold result');
    if (this.key) {
      if (rv.mac === null || rv.mac === undefined) return forged('it carries no authentication code (a worker without a key, or not a worker)');
      if (!this.key.verify('result', id, rv.result, rv.mac)) return forged('its authentication code does not match (the result was changed in Redis, or made under another key)');
    } else if (rv.mac !== null) {
      return forged('it carries an authentication code, and this command has no key to check it');
    }
    let decoded: unknown;
    try {
      decoded = decodeValue(rv.result);
    } catch {
      return forged('it cannot be decoded');
    }
    return { result: unpackResult(decoded) };
  }

  async close(): Promise<void> {
    // the events' reader: told to stop (it would reconnect), and its blocking read cut rather than
    // waited for (a graceful close waits up to BullMQ's block timeout: 2 s of every run, measured)
    void this.events.close().catch(() => undefined);
    this.eventsRedis.disconnect();
    // the rest gracefully when Redis answers, bounded (a Redis that is gone would keep it waiting),
    // then any connection BullMQ made of its own, then the one given, which BullMQ leaves open
    const rest = [this.flows, this.runs, this.queue];
    await answerWithin(Promise.all(rest.map((x) => x.close().catch(() => undefined))), this.redis.status === 'ready' ? 2_000 : 100, 'closing').catch(() => undefined);
    for (const x of rest) void x.disconnect().catch(() => undefined);
    this.redis.disconnect();
  }
}

/**
 * A strategy module file's name as it travels to the workers (queue-codec.ts moduleNameProblem),
 * else a usage error with the fix: checked before any work.
 */
export function queueModuleName(spec: string): string {
  const name = basename(spec);
  const problem = moduleNameProblem(name);
  if (problem !== undefined) throw new TickfoldError('usage', `strategy file ${spec}: its name cannot travel to the queue's workers (${problem}); a worker takes a plain file name ending in .ts, .mts, .mjs, .js or .cjs: rename the file`, 2);
  return name;
}

/** The task slots of the tickfold workers connected to the queue (each worker's name ends in -c<concurrency>). */
async function taskSlots(q: import('bullmq').Queue): Promise<number> {
  let slots = 0;
  try {
    for (const w of await q.getWorkers()) slots += Number(/-c(\d+)$/.exec(String(w.rawname ?? ''))?.[1] ?? 1);
  } catch {
    return 0; // a Redis without CLIENT LIST
  }
  return slots;
}
