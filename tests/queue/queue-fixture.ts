/**
 * What the queue's test files share: one redis-server and its `tickfold worker` processes for the
 * tests of a file (started once, in beforeAll; a test that needs a Redis or workers of its own
 * starts them), the report without its command line, and the moment a coordinator has sent its
 * tasks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ROOT } from '../helpers.js';
import { freePort, startRedis, until } from './redis-server.js';

export const BIN = join(ROOT, 'bin/tickfold');

/**
 * The lock of the workers of the tests that kill a worker (`tickfold worker --lock`): its task goes
 * to another worker within about 1.5 times this instead of 15 s. The lock is renewed every half of
 * it by a timer of the worker's main thread, which runs no task (tasks run on its threads), so a
 * busy machine does not make it lapse; if it did, the task would only run twice, to the same bytes.
 */
export const SHORT_LOCK = '3s';

/** The report without the command line it records (the one thing that differs between a local and a queued run). */
export const content = (file: string): unknown => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  delete j.tickfold.argv;
  return j;
};

/** A `tickfold worker` process on `url`, taking one task at a time; `args` appended. */
export const spawnWorker = (url: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): ChildProcess => spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', ...args], { env, stdio: 'ignore' });

export interface SharedQueue {
  readonly port: number;
  readonly url: string;
  /** The workers running now (a test may kill them: it takes them out of this list). */
  readonly workers: ChildProcess[];
  /** One more worker (with the file's worker arguments), killed after the file's tests. */
  startWorker(args?: readonly string[]): ChildProcess;
  /** A fresh redis-server on the same port (after a test killed it). */
  restartRedis(): Promise<void>;
  /** The redis-server running now. */
  redis(): ChildProcess;
}

/**
 * A redis-server on a free loopback port and `workers` worker processes, started before the
 * file's tests and killed after them. `workerArgs`: appended to every worker's command line.
 */
export function sharedQueue(workers: number, workerArgs: readonly string[] = []): SharedQueue {
  let port = 0;
  let redis: ChildProcess | undefined;
  const list: ChildProcess[] = [];
  const q: SharedQueue = {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    workers: list,
    startWorker(args = []) {
      const w = spawnWorker(q.url, [...workerArgs, ...args]);
      list.push(w);
      return w;
    },
    async restartRedis() {
      redis = await startRedis(port);
    },
    redis: () => redis!,
  };
  beforeAll(async () => {
    port = await freePort();
    await q.restartRedis();
    for (let i = 0; i < workers; i++) q.startWorker();
    await workersConnected(port, workers);
  });
  afterAll(() => {
    for (const w of list) w.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });
  return q;
}

/**
 * Until `n` tickfold workers are connected to the queue on port `p` (a state, not a fixed wait): a
 * command sizes its batches of trials by the task slots connected when it starts, so a test that
 * compares the jobs of two runs starts them with the same workers there.
 */
export async function workersConnected(p: number, n: number): Promise<void> {
  const { Queue } = await import('bullmq');
  const q = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port: p } });
  try {
    await until(async () => (await q.getWorkers()).filter((w) => /-c\d+$/.test(String(w.rawname ?? ''))).length >= n, `${n} worker(s) to connect`);
  } finally {
    await q.close();
  }
}

/**
 * The queue on port `p` as it is now; its `started()` resolves once a task that was not in it
 * then is (the coordinator started after this call has sent its tasks): the moment to interrupt
 * it, not a fixed wait (on a busy machine the coordinator may not even have connected after
 * seconds), and not fooled by tasks earlier tests left there.
 */
export const watchQueue = async (p: number): Promise<{ started: () => Promise<void> }> => {
  const { Queue } = await import('bullmq');
  const q = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port: p } });
  const ids = async (): Promise<string[]> => (await q.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed', 'waiting-children'])).map((j) => j.id!);
  const before = new Set(await ids());
  return {
    started: async () => {
      try {
        await until(async () => (await ids()).some((id) => !before.has(id)), 'the coordinator to send its tasks');
      } finally {
        await q.close();
      }
    },
  };
};
