/**
 * `tickfold worker --queue redis://HOST:PORT [--concurrency N]`: a long-running process that runs
 * backtest tasks (trial batches, out-of-sample runs) from the queue that `walk-forward --queue` and
 * `compare --queue` fill (src/validation/queue.ts). Each task runs on this machine's worker
 * threads through the same code as a local run, so its result is the same bytes.
 *
 * - The data: fetched once per content hash from Redis, or read from the shared folder of
 *   `--data-store` when the coordinator put it there, checked against the hash, kept in memory
 *   (the last two tables).
 * - Strategy modules: a built-in is this install's own (the job names the tickfold version: a job
 *   of another version is refused); a module file is fetched by the hash the job names, checked,
 *   and written to a private temporary folder to be imported. Nothing else is ever run.
 * - A strategy's error goes back to the coordinator as the task's result (the run fails there,
 *   naming the task); it is not retried. A failure of the worker itself (a hash that does not
 *   match, data gone) fails the job with the reason.
 * - A flow's parent (queue `tickfold-runs`) is completed here once its tasks are: it carries no work.
 * - SIGINT/SIGTERM: stops taking jobs, lets the running ones finish, exits.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { TickfoldError } from '../errors.js';
import type { TickTable } from '../data/table.js';
import { VERSION } from '../version.js';
import { TaskRunner } from '../validation/pool.js';
import { connectRedis } from '../validation/queue.js';
import { dataKey, decodeTable, decodeValue, encodeValue, moduleKey, QUEUE, RUNS, sha256, storeFile, type JobData } from '../validation/queue-codec.js';
import { maskUrl } from '../validation/queue-url.js';
import { packResult } from '../validation/task-run.js';
import type { Task, TaskFailure, TaskResult } from '../validation/tasks.js';
import { numberOption } from './options.js';
import { checkStoreFolder } from './outputs.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description('run backtest tasks from a distributed queue (BullMQ on Redis) filled by walk-forward/compare --queue')
    .requiredOption('--queue <url>', 'the queue: redis://HOST:PORT (a password as redis://:PASSWORD@HOST:PORT)')
    .option('--concurrency <n>', `tasks run at once (default: ${availableParallelism()}, the cores here)`)
    .option('--data-store <dir>', 'a folder shared with the coordinators (NFS, say): data they put there (their --data-store) is read from it, not from Redis')
    .action(async (f: { queue: string; concurrency?: string; dataStore?: string }) => {
      const concurrency = f.concurrency === undefined ? availableParallelism() : numberOption('--concurrency', f.concurrency, (x) => Number.isInteger(x) && x >= 1 && x <= 256, 'an integer from 1 to 256');
      if (f.dataStore !== undefined) checkStoreFolder(f.dataStore, false);
      const redis = await connectRedis(f.queue);
      const { Worker } = await import('bullmq');
      // the tables fetched (the last two), each fetched once even when jobs ask for it at once
      const tables = new Map<string, Promise<TickTable>>();
      // one pool of threads per guard (--timeout, --max-memory of the coordinator), whatever the
      // data; the one without limits starts now, so that a first task does not wait for threads
      const runners = new Map<string, TaskRunner>();
      const runnerFor = (guard: Pick<JobData, 'timeoutMs' | 'maxMemoryMb'>): TaskRunner => {
        const key = `${guard.timeoutMs ?? ''}:${guard.maxMemoryMb ?? ''}`;
        let r = runners.get(key);
        if (!r) runners.set(key, (r = new TaskRunner(concurrency, { ...(guard.timeoutMs !== undefined ? { timeoutMs: guard.timeoutMs } : {}), ...(guard.maxMemoryMb !== undefined ? { maxMemoryMb: guard.maxMemoryMb } : {}) })));
        return r;
      };
      runnerFor({});
      const modDir = mkdtempSync(join(tmpdir(), 'tickfold-worker-modules-'));
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
      const worker = new Worker(
        QUEUE,
        async (job) => {
          const d = job.data as JobData;
          if (d.version !== VERSION) throw new Error(`the job is for tickfold ${d.version}, this worker is ${VERSION}: install the same version on every machine`);
          const table = await tableOf(d.dataHash, d.dataIn);
          const task = decodeValue<Task>(d.task);
          const spec = await moduleOf(d, task.strategy);
          const runner = runnerFor(d);
          let r: TaskResult | TaskFailure;
          try {
            // the task takes the runner's table as it starts (synchronously, below): jobs of
            // other tables at the same time each run against their own
            runner.use(table);
            const done = (await runner.runAll([{ task: { ...task, strategy: spec } as Task, label: d.label }])) as TaskResult[];
            r = done[0]!;
          } catch (e) {
            // the strategy's own error (or its time or memory limit): the task's result, not retried
            if (!(e instanceof TickfoldError)) throw e;
            const message = e.message.startsWith(`${d.label}: `) ? e.message.slice(d.label.length + 2) : e.message;
            r = { kind: 'failure', code: e.code, message, exitCode: e.exitCode };
          }
          return encodeValue(packResult(r).value);
        },
        // the name carries the concurrency: a coordinator sums it to size its tasks (queue.ts)
        { connection: redis.duplicate({ maxRetriesPerRequest: null }), concurrency, name: `tickfold-${hostname()}-${process.pid}-c${concurrency}`, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 3 },
      );
      worker.on('error', () => {});
      // a flow's parent: done when its tasks are (BullMQ moves it here only then); no work of its own
      const parents = new Worker(RUNS, async (job) => ({ tasks: (job.data as { tasks?: number }).tasks ?? 0 }), { connection: redis.duplicate({ maxRetriesPerRequest: null }), concurrency: 1, name: `tickfold-${hostname()}-${process.pid}-runs` });
      parents.on('error', () => {});
      process.stderr.write(`tickfold worker ${VERSION}: taking tasks from ${maskUrl(f.queue)} (${concurrency} at once${store ? `; shared data from ${store}` : ''})\n`);
      const stop = async (): Promise<void> => {
        await worker.close();
        await parents.close();
        for (const r of runners.values()) await r.close();
        redis.disconnect();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop());
      process.once('SIGTERM', () => void stop());
      await new Promise(() => {});
    });
}
