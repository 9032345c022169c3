/**
 * `tickfold worker --queue redis://HOST:PORT [--concurrency N]`: a long-running process that runs
 * backtest tasks (trial batches, out-of-sample runs) from the queue that `walk-forward --queue` and
 * `compare --queue` fill (src/runtime/queue.ts). Each task runs on this machine's worker
 * threads through the same code as a local run, so its result is the same bytes.
 *
 * - The data: fetched once per content hash from Redis, or read from the shared folder of
 *   `--data-store` when the coordinator put it there, checked against the hash, kept in memory
 *   (the last two tables). A task streamed from the catalog (issue 31; runtime/queue-catalog.ts)
 *   carries its plan with each partition and sequence chunk named by its SHA-256: each is fetched
 *   the same way, checked, and kept in this worker's own folder (`tickfold-worker-data-*` in the
 *   system's temporary folder, removed at exit; `--data-cache` bounds it, least recently used
 *   files that no running task reads going first), from which the task's thread streams them as a
 *   local thread streams the catalog: the worker holds no table then.
 * - Only authenticated jobs run: each carries an HMAC-SHA-256 under the queue's shared key
 *   (`TICKFOLD_QUEUE_KEY` or `--queue-key-file`; runtime/queue-key.ts) over its id and content, which name
 *   the SHA-256 of its data and of its module's source. A job that fails the check, names a module
 *   by anything but a plain file name, or a built-in this install lacks, is refused, logged and
 *   not run. Each result goes back with the worker's code over its job id and bytes.
 * - Strategy modules: a built-in is this install's own (the job names the tickfold version: a job
 *   of another version is refused); a module file is fetched by the hash the job names, checked,
 *   and written to a private temporary folder to be imported. Nothing else is ever run.
 * - A strategy's error goes back to the coordinator as the task's result (the run fails there,
 *   naming the task); it is not retried. A failure of the worker itself (a hash that does not
 *   match, data gone) fails the job with the reason.
 * - A flow's parent (queue `tickfold-runs`) is completed here once its tasks are: it carries no work.
 * - SIGINT/SIGTERM: stops taking jobs, lets the running ones finish, exits.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { TickfoldError, UsageError } from '../errors.js';
import { emptyTable, type TickTable } from '../data/table.js';
import { writeFileAtomic } from '../atomic.js';
import { memoryBytes } from '../jobs/settings.js';
import { catalogFilesOf, localPlan, manifestHash, type CatalogFile } from '../runtime/queue-catalog.js';
import { VERSION } from '../version.js';
import { TaskRunner } from '../runtime/pool.js';
import type { Runner } from '../runtime/runner.js';
import { connectRedis, LOCK_DEFAULTS, lockSettings, workerLockOptions } from '../runtime/queue.js';
import { durationError, parseDuration } from '../data/time.js';
import { catalogKey, dataKey, decodeTable, decodeValue, encodeValue, jobContent, moduleKey, moduleNameProblem, QUEUE, RUNS, sha256, storeFile, type JobData, type JobReturn } from '../runtime/queue-codec.js';
import { checkQueueAccess, KEY_ENV, loadQueueKey } from '../runtime/queue-key.js';
import { checkUrl, maskUrl } from '../runtime/queue-url.js';
import { packResult } from '../runtime/task-run.js';
import type { Task, TaskFailure, TaskResult } from '../runtime/tasks.js';
import { numberOption } from './options.js';
import { addSandboxOptions, toSandbox, type RawSandboxFlags } from './sandbox-options.js';
import { checkStoreFolder } from './outputs.js';

const SHA256 = /^[0-9a-f]{64}$/;
/** `--data-cache` by default: the catalog files kept for streamed tasks. */
const DATA_CACHE_DEFAULT = '8g';

export function workerCommand(): Command {
  const cmd = new Command('worker')
    .description('run backtest tasks from a distributed queue (BullMQ on Redis) filled by walk-forward/compare --queue')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT (a password as redis://:PASSWORD@HOST:PORT)')
    .option('--concurrency <n>', `tasks run at once (default: ${availableParallelism()}, the cores here)`)
    .option('--data-store <dir>', 'a folder shared with the coordinators (NFS, say): data they put there (their --data-store) is read from it, not from Redis')
    .option('--data-cache <size>', `the catalog files of streamed tasks kept in this worker's folder, at most (least recently used first out; the files of running tasks stay) (default: ${DATA_CACHE_DEFAULT})`)
    .option('--queue-key-file <file>', `the queue's shared key, in a file (default: $${KEY_ENV}); the same on the coordinators: only jobs authenticated by it run`)
    .option('--insecure-loopback', 'no key: run any job of a queue on this machine (127.0.0.1, ::1, localhost) only')
    .option(
      '--lock <duration>',
      `how long this worker's hold on a task outlives it: a task of a worker killed mid-run goes to another worker within about 1.5 times this; shorter hands it on sooner, and must stay well above any pause of this machine (default: ${LOCK_DEFAULTS.lockMs / 1000}s; from 1s to 1h)`,
    );
  // what the jobs' strategy code may touch: the same flags as a local run's
  return addSandboxOptions(cmd).action(async (f: { queue: string; concurrency?: string; dataStore?: string; dataCache?: string; queueKeyFile?: string; insecureLoopback?: boolean; lock?: string } & RawSandboxFlags) => {
    const lock = f.lock === undefined ? LOCK_DEFAULTS : lockSettings(lockOption(f.lock));
    const cacheBytes = sizeOption('--data-cache', f.dataCache ?? DATA_CACHE_DEFAULT);
    const concurrency = f.concurrency === undefined ? availableParallelism() : numberOption('--concurrency', f.concurrency, (x) => Number.isInteger(x) && x >= 1 && x <= 256, 'an integer from 1 to 256');
    if (f.dataStore !== undefined) checkStoreFolder(f.dataStore, false);
    checkUrl(f.queue);
    const key = loadQueueKey(f.queueKeyFile);
    checkQueueAccess(f.queue, key, f.insecureLoopback === true);
    const redis = await connectRedis(f.queue);
    // a worker is a daemon: a fetch (data, a module) that meets Redis restarting waits for it to
    // come back rather than failing the job (the coordinator waits up to 10 s; BullMQ's lock
    // hands a job whose worker stays stuck to another)
    redis.options.maxRetriesPerRequest = null;
    const { UnrecoverableError, Worker } = await import('bullmq');
    // the tables fetched (the last two), each fetched once even when jobs ask for it at once
    const tables = new Map<string, Promise<TickTable>>();
    // one pool of threads per guard (--timeout, --max-memory of the coordinator), whatever the
    // data; the one without limits starts now, so that a first task does not wait for threads
    const modDir = mkdtempSync(join(tmpdir(), 'tickfold-worker-modules-'));
    // the catalog files of streamed tasks, named by their SHA-256 (this worker's own folder)
    const dataDir = mkdtempSync(join(tmpdir(), 'tickfold-worker-data-'));
    // strategy code of the queue's jobs runs in the same sandbox as on the researcher's machine
    // (strategy/sandbox.ts): no files but tickfold's install and the fetched module files (read
    // only; the catalog files of streamed tasks come from the reader thread,
    // runtime/catalog-server.ts), no network, no child processes, unless this worker's --allow-*
    // flags say otherwise
    const sandbox = { policy: { ...(await toSandbox(f, [])).policy, readFs: [modDir] }, modules: {} };
    const runners = new Map<string, Runner>();
    const runnerFor = (guard: Pick<JobData, 'timeoutMs' | 'maxMemoryMb'>): Runner => {
      const key = `${guard.timeoutMs ?? ''}:${guard.maxMemoryMb ?? ''}`;
      let r = runners.get(key);
      if (!r) runners.set(key, (r = new TaskRunner(concurrency, { ...(guard.timeoutMs !== undefined ? { timeoutMs: guard.timeoutMs } : {}), ...(guard.maxMemoryMb !== undefined ? { maxMemoryMb: guard.maxMemoryMb } : {}), sandbox })));
      return r;
    };
    runnerFor({});
    const store = f.dataStore === undefined ? undefined : resolve(f.dataStore);
    const fetchTable = async (hash: string, where: JobData['dataIn']): Promise<TickTable> => {
      const t0 = performance.now();
      let blob: Buffer | null;
      if (where === 'store') {
        if (store === undefined) throw new Error(`the coordinator left the data in a shared folder (its --data-store); start this worker with --data-store <that folder as mounted here>`);
        try {
          blob = readFileSync(join(store, storeFile(hash)));
        } catch (e) {
          throw new Error(`cannot read the data ${storeFile(hash)} in --data-store ${store}: ${(e as Error).message}; is it the coordinator's folder?`);
        }
      } else {
        blob = await redis.getBuffer(dataKey(hash));
        if (!blob) throw new Error(`the data ${hash.slice(0, 12)}… is not in the queue's store (expired or removed); run the command again`);
      }
      if (sha256(blob) !== hash) throw new Error(`the data fetched for ${hash.slice(0, 12)}… does not match its hash: refusing it`);
      // straight into shared memory: the threads read it without a copy
      const t = decodeTable(blob, true);
      process.stderr.write(`tickfold worker: data ${hash.slice(0, 12)}… (${(blob.length / 1e6).toFixed(1)} MB, ${t.length.toLocaleString('en-US')} rows) from ${where === 'store' ? store : 'Redis'} in ${Math.round(performance.now() - t0)} ms, its SHA-256 checked\n`);
      return t;
    };
    const tableOf = (hash: string, where: JobData['dataIn']): Promise<TickTable> => {
      let t = tables.get(hash);
      if (!t) {
        tables.set(hash, (t = fetchTable(hash, where)));
        t.catch(() => tables.delete(hash)); // tried again by the next job
        while (tables.size > 2) tables.delete(tables.keys().next().value!);
      }
      return t;
    };
    // the catalog files kept (in order of last use), each with the running tasks that read it
    const kept = new Map<string, { name: string; bytes: number; refs: number }>();
    let keptBytes = 0;
    const fetching = new Map<string, Promise<number>>();
    /** A catalog file fetched by its hash (a name that matched queue-catalog.ts's rule), checked, written to this worker's folder; its size. */
    const fetchCatalogFile = async (f: CatalogFile, where: JobData['dataIn']): Promise<number> => {
      let blob: Buffer | null;
      let named: string;
      if (where === 'store') {
        if (store === undefined) throw new Error(`the coordinator left the data in a shared folder (its --data-store); start this worker with --data-store <that folder as mounted here>`);
        named = join(store, f.name);
        try {
          blob = readFileSync(named);
        } catch (e) {
          throw new Error(`cannot read the catalog file ${named} in --data-store: ${(e as Error).message}; is it the coordinator's folder?`);
        }
      } else {
        named = catalogKey(f.hash);
        blob = await redis.getBuffer(named);
        if (!blob) throw new Error(`the catalog file ${named} is not in the queue's store (expired, or removed by a worker that found it did not match its hash); run the command again: it is sent afresh`);
      }
      if (sha256(blob) !== f.hash) {
        // named by its content: what is there is wrong, and goes (the command run again sends it afresh)
        if (where === 'redis') await redis.del(named).catch(() => undefined);
        throw new Error(
          `the catalog file ${named} does not match its hash: refusing it${where === 'redis' ? ' (removed from Redis: the command run again sends it afresh)' : " (the coordinator mends a damaged copy in its --data-store when it runs again; a copy of this worker's own mount: check it)"}`,
        );
      }
      writeFileAtomic(join(dataDir, f.name), blob);
      return blob.length;
    };
    /** A task's files let go; then the least recently used files no running task holds go while the folder is over --data-cache. */
    const release = (files: readonly CatalogFile[]): void => {
      for (const f of files) kept.get(f.hash)!.refs--;
      for (const [hash, k] of kept) {
        if (keptBytes <= cacheBytes) break;
        if (k.refs > 0) continue;
        rmSync(join(dataDir, k.name), { force: true });
        kept.delete(hash);
        keptBytes -= k.bytes;
      }
    };
    /** A task's catalog files in this worker's folder, each held (not evicted) until {@link release}; what was fetched now. */
    const hold = async (files: readonly CatalogFile[], where: JobData['dataIn']): Promise<{ fetched: number; bytes: number }> => {
      let fetched = 0;
      let bytes = 0;
      const held: CatalogFile[] = [];
      try {
        // one at a time: one file in memory per task while it is fetched
        for (const f of files) {
          let k = kept.get(f.hash);
          if (!k) {
            let p = fetching.get(f.hash);
            const mine = p === undefined;
            if (!p) {
              fetching.set(f.hash, (p = fetchCatalogFile(f, where)));
              void p.then(
                () => fetching.delete(f.hash),
                () => fetching.delete(f.hash),
              );
            }
            const size = await p;
            if (mine) {
              fetched++;
              bytes += size;
            }
            // (a task that fetched it at the same time may have kept it first)
            k = kept.get(f.hash);
            if (!k) {
              kept.set(f.hash, (k = { name: f.name, bytes: size, refs: 0 }));
              keptBytes += size;
            }
          }
          k.refs++;
          held.push(f);
          // the last used last: the first out when the folder outgrows --data-cache
          kept.delete(f.hash);
          kept.set(f.hash, k);
        }
      } catch (e) {
        release(held);
        throw e;
      }
      return { fetched, bytes };
    };
    // a module file fetched, checked and written once (not again for every job)
    const modules = new Map<string, Promise<string>>();
    const fetchModule = async (hash: string, name: string | null): Promise<string> => {
      const file = join(modDir, hash, name ?? 'strategy.mjs');
      const src = await redis.getBuffer(moduleKey(hash));
      if (!src || sha256(src) !== hash) throw new Error(`the strategy module ${name} is missing from the queue or does not match its hash: refusing to run it`);
      mkdirSync(join(modDir, hash), { recursive: true });
      writeFileSync(file, src);
      return file;
    };
    const moduleOf = (d: JobData, spec: string): Promise<string> => {
      if (d.moduleHash === null) return Promise.resolve(spec); // a built-in: this install's own
      // (by hash and name: the same source under another name is loaded by its own extension)
      const key = `${d.moduleHash}/${d.moduleName}`;
      let m = modules.get(key);
      if (!m) {
        modules.set(key, (m = fetchModule(d.moduleHash, d.moduleName)));
        m.catch(() => modules.delete(key)); // tried again by the next job
      }
      return m;
    };
    const { BUILTIN_STRATEGIES } = await import('../../strategies/index.js');
    /** Why a job is not run (undefined: it is authentic and well formed); checked before any of it is decoded or fetched. */
    const refusal = (id: string, d: JobData): string | undefined => {
      if (d === null || typeof d !== 'object') return 'it carries no job data';
      if (key) {
        if (typeof d.mac !== 'string') return `it carries no authentication code (sent without a key, or not by a tickfold coordinator): this worker runs only jobs authenticated by the queue's key`;
        if (!key.verify('job', id, jobContent(d), d.mac)) return `its authentication code does not match (not sent by a coordinator with this queue's key, or changed in Redis since)`;
      } else if (d.mac !== null) {
        return `it carries an authentication code, and this worker has no key to check it: give it the coordinators' key (${KEY_ENV} or --queue-key-file)`;
      }
      if (typeof d.dataHash !== 'string' || !SHA256.test(d.dataHash)) return 'its data hash is not a SHA-256';
      if (d.moduleHash === null) return undefined; // a built-in: checked once the task is decoded
      if (typeof d.moduleHash !== 'string' || !SHA256.test(d.moduleHash)) return 'its module hash is not a SHA-256';
      const bad = moduleNameProblem(d.moduleName);
      if (bad !== undefined) return `its module name ${JSON.stringify(d.moduleName)} is not a plain file name (${bad})`;
      return undefined;
    };
    const refuse = (job: { id?: string | undefined; name: string }, why: string): never => {
      process.stderr.write(`tickfold worker: REFUSED job ${JSON.stringify(job.id)} (${JSON.stringify(job.name)}): ${why}; not run\n`);
      // not retried: no attempt would change the answer
      throw new UnrecoverableError(`refused by the worker: ${why}`);
    };
    const worker = new Worker(
      QUEUE,
      async (job): Promise<JobReturn> => {
        const d = job.data as JobData;
        let why: string | undefined;
        try {
          why = refusal(job.id ?? '', d);
        } catch (e) {
          // job data that its checks cannot even read (nested too deep to serialise: a job put in
          // Redis by hand with attempts of its own) is refused like any other, not retried
          why = `its data cannot be read (${e instanceof Error ? e.message : String(e)})`;
        }
        if (why !== undefined) refuse(job, why);
        if (d.version !== VERSION) throw new UnrecoverableError(`the job is for tickfold ${d.version}, this worker is ${VERSION}: install the same version on every machine`);
        const task = decodeValue<Task>(d.task);
        if (d.moduleHash === null && !BUILTIN_STRATEGIES.has(task.strategy)) refuse(job, `it names the strategy ${JSON.stringify(task.strategy)} as built in, and this install has no such built-in`);
        // streamed from the catalog: its files by their hashes, never by a name or folder of its own
        const st = task.stream;
        const files = st ? catalogFilesOf(st.plan) : undefined;
        if (typeof files === 'string') return refuse(job, files);
        if (files && manifestHash(files) !== d.dataHash) refuse(job, "its data hash is not the hash of its plan's catalog files");
        const t0 = performance.now();
        const got = files ? await hold(files, d.dataIn) : undefined;
        let r: TaskResult | TaskFailure;
        try {
          if (got && got.fetched > 0)
            process.stderr.write(
              `tickfold worker: ${d.label}: streamed from ${files!.length} catalog files, ${got.fetched} fetched now (${(got.bytes / 1e6).toFixed(1)} MB from ${d.dataIn === 'store' ? store : 'Redis'} in ${Math.round(performance.now() - t0)} ms, each SHA-256 checked), kept in ${dataDir}\n`,
            );
          const table = st ? emptyTable(st.symbols) : await tableOf(d.dataHash, d.dataIn);
          const spec = await moduleOf(d, task.strategy);
          const runner = runnerFor(d);
          const run = { ...task, strategy: spec, ...(st ? { stream: { ...st, plan: localPlan(st.plan, dataDir) } } : {}) } as Task;
          try {
            // the task takes the runner's table as it starts (synchronously, below): jobs of
            // other tables at the same time each run against their own
            runner.use(table);
            const done = (await runner.runAll([{ task: run, label: d.label }])) as TaskResult[];
            r = done[0]!;
          } catch (e) {
            // the strategy's own error (or its time or memory limit): the task's result, not retried
            if (!(e instanceof TickfoldError)) throw e;
            const message = e.message.startsWith(`${d.label}: `) ? e.message.slice(d.label.length + 2) : e.message;
            r = { kind: 'failure', code: e.code, message, exitCode: e.exitCode };
          }
        } finally {
          if (files) release(files);
        }
        const result = encodeValue(packResult(r).value);
        return { result, mac: key ? key.mac('result', job.id!, result) : null };
      },
      // the name carries the concurrency: a coordinator sums it to size its tasks (runtime/queue.ts)
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), concurrency, name: `tickfold-${hostname()}-${process.pid}-c${concurrency}`, ...workerLockOptions(lock) },
    );
    worker.on('error', () => {});
    // a flow's parent: done when its tasks are (BullMQ moves it here only then); no work of its own
    const parents = new Worker(RUNS, async (job) => ({ tasks: (job.data as { tasks?: number }).tasks ?? 0 }), { connection: redis.duplicate({ maxRetriesPerRequest: null }), concurrency: 1, name: `tickfold-${hostname()}-${process.pid}-runs` });
    parents.on('error', () => {});
    process.stderr.write(
      `tickfold worker ${VERSION}: taking tasks from ${maskUrl(f.queue)} (${concurrency} at once${store ? `; shared data from ${store}` : ''}; catalog files kept in ${dataDir}, at most ${f.dataCache ?? DATA_CACHE_DEFAULT}; ${key ? `only jobs authenticated by the queue's key ${key.id.slice(0, 8)}…` : 'NO KEY (--insecure-loopback): any job in this Redis runs'})\n`,
    );
    const stop = async (): Promise<void> => {
      await worker.close();
      await parents.close();
      for (const r of runners.values()) await r.close();
      // the fetched module files go with the worker (a worker killed hard leaves its folder in
      // the system's temporary folder, named tickfold-worker-modules-*)
      rmSync(modDir, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
      redis.disconnect();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    await new Promise(() => {});
  });
}

/** A size option (512m, 8g), in bytes; else a usage error naming the option. */
function sizeOption(name: string, text: string): number {
  try {
    return memoryBytes(text);
  } catch {
    throw new UsageError(`${name} ${text}: not a size; give a number with k, m or g (binary units), e.g. 512m or 8g (default ${DATA_CACHE_DEFAULT})`);
  }
}

/** `--lock`: a duration from 1 s to 1 h, in ms; else a usage error with examples. */
function lockOption(s: string): number {
  const us = parseDuration(s);
  if (Number.isNaN(us)) throw new UsageError(durationError('--lock', s, '10s, 30s, 2m'));
  if (!(us >= 1e6 && us <= 3_600e6)) throw new UsageError(`--lock '${s}' is out of range: give from 1s to 1h (default ${LOCK_DEFAULTS.lockMs / 1000}s)`);
  return us / 1000;
}
