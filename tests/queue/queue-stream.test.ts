/**
 * A validation streamed from the catalog on the queue's workers (issue 31): the coordinator
 * publishes the window's partitions and sequence chunks by their SHA-256 (Redis, or
 * `--data-store`), the task carries its plan with those hashes and no path of the coordinator's,
 * and each worker fetches, checks and keeps them in its own folder and streams from there. On a
 * real redis-server with worker processes (queue-fixture.ts), the commands in this process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { expect, it } from 'vitest';
import { decodeValue, type JobData } from '../../src/runtime/queue-codec.js';
import type { Task } from '../../src/runtime/tasks.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { BIN, content, sharedQueue, workersConnected } from './queue-fixture.js';
import { describeRedis, until } from './redis-server.js';

// the queue's shared key, for the coordinators and workers these tests start (they inherit it)
process.env.TICKFOLD_QUEUE_KEY = '5b0e7c1d9a2f4e6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

describeRedis('a walk-forward streamed from the catalog on the queue', () => {
  const q = sharedQueue(2);
  // the catalog is the coordinator's own (--cache-dir in the test's folder): nothing in the jobs
  // may name it, and the workers' sandbox may read only their own folders
  const wf = (d: string, grid = 'entry=1.5,2,2.5'): string[] => wfOf(d, ['pairs', '--param', 'every=10s', '--grid', grid, '--grid', 'lookback=60,120']);
  /** The walk-forward of `strategy` (its name or file, and its options), streamed (--memory). */
  const wfOf = (d: string, strategy: readonly string[]): string[] => [
    'walk-forward',
    '--data',
    join(ROOT, 'data/sample_pair_quotes.csv'),
    join(ROOT, 'data/sample_pair_trades.csv'),
    '--strategy',
    ...strategy,
    '--train',
    '1h',
    '--test',
    '30m',
    '--no-ledger',
    '--cache-dir',
    join(d, 'coordinator-cache'),
    '--memory',
    '256m',
  ];
  const keys = (pattern: string): string[] =>
    spawnSync('redis-cli', ['-p', String(q.port), 'keys', pattern], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')
      .filter(Boolean);
  const jobsNow = async (): Promise<{ id: string; data: JobData }[]> => {
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port: q.port } });
    try {
      return (await queue.getCompleted()).map((j) => ({ id: j.id!, data: j.data as JobData }));
    } finally {
      await queue.close();
    }
  };
  const restartWorkers = async (args: readonly string[] = [], n = 2): Promise<void> => {
    for (const w of q.workers.splice(0)) w.kill('SIGKILL');
    for (let i = 0; i < n; i++) q.startWorker(args);
    await workersConnected(q.port, n);
  };

  it('through Redis: two workers give the report of two local threads, byte for byte; each task streamed its plan by hash, no table sent', async () => {
    const d = tempDir();
    const local = await runCliIn([...wf(d), '--workers', '2', '--json', join(d, 'local.json')], d);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toMatch(/held whole/);
    const r = await runCliIn([...wf(d), '--queue', q.url, '--json', join(d, 'queue.json')], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/held whole/); // --memory given: a table path would say so
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    // no table went to Redis; the catalog files did, each under its SHA-256
    expect(keys('tickfold:data:*')).toEqual([]);
    const files = keys('tickfold:catalog:*');
    expect(files.length).toBeGreaterThanOrEqual(3); // a partition per symbol of the quotes and the trades, and their sequences
    for (const k of files) expect(k).toMatch(/^tickfold:catalog:[0-9a-f]{64}$/);
    const jobs = await jobsNow();
    expect(jobs.length).toBeGreaterThan(0);
    for (const { data } of jobs) {
      const task = decodeValue<Task>(data.task);
      expect(task.stream, data.label).toBeDefined();
      const sources = task.stream!.plan.sources;
      expect(sources).toHaveLength(2);
      for (const s of sources) {
        expect(s.dir).toBe('');
        expect(s.entry.badSamples).toEqual([]);
        for (const parts of s.entry.partitions) for (const p of parts) expect(p.name).toMatch(/^[0-9a-f]{64}\.tfp$/);
        for (const c of s.entry.sequence ?? []) expect(c.name).toMatch(/^[0-9a-f]{64}\.tfs$/);
      }
      // nothing of the coordinator's folders: not its catalog, not its data files
      const bytes = serialize(task).toString('latin1');
      expect(bytes).not.toContain(d);
      expect(bytes).not.toContain(join(ROOT, 'data'));
      // the data's hash is that of the files the plan names (a job's id depends on the data, not on where it is)
      expect(files.map((k) => k.slice('tickfold:catalog:'.length)).sort()).toEqual(expect.arrayContaining(sources.flatMap((s) => [...s.entry.partitions.flat(), ...(s.entry.sequence ?? [])].map((p) => p.name.slice(0, 64)))));
    }
  });

  it('through --data-store: the same report, the catalog files in the shared folder by hash, none in Redis', async () => {
    const d = tempDir();
    const store = join(d, 'store');
    mkdirSync(store);
    await restartWorkers(['--data-store', store]);
    const before = keys('tickfold:catalog:*');
    // another grid: tasks no worker has run (finished jobs are answered from the queue)
    const local = await runCliIn([...wf(d, 'entry=1.75,2.25'), '--workers', '2', '--json', join(d, 'local.json')], d);
    expect(local.code, local.stderr).toBe(0);
    const r = await runCliIn([...wf(d, 'entry=1.75,2.25'), '--queue', q.url, '--data-store', store, '--json', join(d, 'queue.json')], d);
    expect(r.code, r.stderr).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    const names = readdirSync(store).sort();
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const n of names) expect(n).toMatch(/^[0-9a-f]{64}\.tf[ps]$/);
    expect(keys('tickfold:catalog:*')).toEqual(before); // nothing more of it in Redis
    expect(keys('tickfold:data:*')).toEqual([]);
    // published again: already there, so nothing is written (the files keep their mtimes)
    const mtimes = names.map((n) => statSync(join(store, n)).mtimeMs);
    const again = await runCliIn([...wf(d, 'entry=1.75,2.25'), '--queue', q.url, '--data-store', store, '--json', join(d, 'again.json')], d);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(store).sort()).toEqual(names);
    expect(names.map((n) => statSync(join(store, n)).mtimeMs)).toEqual(mtimes);
    expect(content(join(d, 'again.json'))).toEqual(content(join(d, 'local.json')));
  });

  it("a tampered catalog file is refused by the worker, naming it: in Redis (removed, so the rerun sends it afresh) and in a worker's copy of the store; never a report", async () => {
    const d = tempDir();
    // a fresh worker: nothing fetched yet (a worker keeps the files it fetched); one, so that it
    // is the one that finds the damage (a second would then find the file gone from Redis)
    await restartWorkers([], 1);
    const local = await runCliIn([...wf(d, 'entry=1.6,2.6'), '--workers', '2', '--json', join(d, 'local.json')], d);
    expect(local.code, local.stderr).toBe(0);
    // one catalog file in Redis changed by one bit (every task reads every file of this window)
    const victim = keys('tickfold:catalog:*')[0]!;
    const { Redis } = await import('ioredis');
    const redis = new Redis(q.port, '127.0.0.1');
    const value = (await redis.getBuffer(victim))!;
    value[value.length >> 1]! ^= 4;
    await redis.set(victim, value, 'KEEPTTL');
    const bad = await runCliIn([...wf(d, 'entry=1.6,2.6'), '--queue', q.url, '--json', join(d, 'bad.json')], d);
    expect(bad.code, bad.stderr).toBe(3);
    expect(bad.stderr).toContain(`the worker could not run it: the catalog file ${victim} does not match its hash: refusing it (removed from Redis: the command run again sends it afresh)`);
    expect(existsSync(join(d, 'bad.json'))).toBe(false);
    // gone from Redis, so the command run again sends it afresh: the report
    expect(await redis.exists(victim)).toBe(0);
    await redis.quit();
    const ok = await runCliIn([...wf(d, 'entry=1.6,2.6'), '--queue', q.url, '--json', join(d, 'queue.json')], d);
    expect(ok.code, ok.stderr).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    // the store: a worker whose mount holds a damaged copy refuses it, naming the file
    const store = join(d, 'store');
    const other = join(d, 'other');
    mkdirSync(store);
    // (a worker keeps what it fetched, by hash: fresh workers, so that they fetch from the store)
    await restartWorkers(['--data-store', store], 1);
    const first = await runCliIn([...wf(d, 'entry=1.7,2.7'), '--queue', q.url, '--data-store', store], d);
    expect(first.code, first.stderr).toBe(0);
    cpSync(store, other, { recursive: true });
    const part = readdirSync(other).find((n) => n.endsWith('.tfp'))!;
    const blob = readFileSync(join(other, part));
    blob[blob.length - 1]! ^= 1;
    writeFileSync(join(other, part), blob);
    await restartWorkers(['--data-store', other], 1);
    // (other tasks: the same tasks' finished jobs would answer, wherever their data was)
    const tampered = await runCliIn([...wf(d, 'entry=1.8,2.8'), '--queue', q.url, '--data-store', store, '--json', join(d, 'tampered.json')], d);
    expect(tampered.code).toBe(3);
    expect(tampered.stderr).toContain(`the catalog file ${join(other, part)} does not match its hash: refusing it`);
    expect(existsSync(join(d, 'tampered.json'))).toBe(false);
  });

  it('CPCV paths stream on a worker whose --data-cache is smaller than a window: each task fetches again, the report is the same, and nothing is left in its folder', async () => {
    const d = tempDir();
    const tmp = join(d, 'tmp');
    mkdirSync(tmp);
    for (const w of q.workers.splice(0)) w.kill('SIGKILL');
    // one worker, its temporary folder in the test's folder (to look into), its log read
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', q.url, '--concurrency', '1', '--data-cache', '1k'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
    q.workers.push(w);
    let log = '';
    w.stderr!.on('data', (b) => (log += String(b)));
    await workersConnected(q.port, 1);
    const cpcv = [...wf(d, 'entry=1.5,2'), '--cpcv', '6:2', '--purge', '5m'];
    const local = await runCliIn([...cpcv, '--workers', '2', '--json', join(d, 'local.json')], d);
    expect(local.code, local.stderr).toBe(0);
    const r = await runCliIn([...cpcv, '--queue', q.url, '--json', join(d, 'queue.json')], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/held whole/);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    expect(log).toMatch(/catalog files kept in .*tickfold-worker-data-\w+, at most 1k/);
    // every task fetched its files (the last task's were let go): as many fetches as jobs it ran
    const jobs = (await jobsNow()).length;
    const fetches = log.match(/streamed from \d+ catalog files, \d+ fetched now/g) ?? [];
    expect(fetches.length).toBeGreaterThan(1);
    expect(fetches.length).toBeLessThanOrEqual(jobs);
    const folder = readdirSync(tmp).find((n) => n.startsWith('tickfold-worker-data-'))!;
    expect(readdirSync(join(tmp, folder))).toEqual([]);
    // a size that is not one: refused before connecting
    const bad = await runCliIn(['worker', '--queue', 'redis://127.0.0.1:1', '--data-cache', 'lots'], d);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--data-cache lots: not a size; give a number with k, m or g/);
  });

  it("a streamed task's strategy code cannot read the catalog files its worker fetched (they hold every future price): the job fails in the sandbox, the same job of a built-in streams and succeeds", async () => {
    // the sandbox's read access once included the worker's folder of fetched catalog files (now
    // the task's reader thread serves them, runtime/catalog-server.ts); the local run's test is in
    // tests/cli/sandbox.test.ts
    const d = tempDir();
    const tmp = join(d, 'tmp');
    mkdirSync(tmp);
    for (const w of q.workers.splice(0)) w.kill('SIGKILL');
    // one fresh worker (nothing fetched yet), its temporary folder (where it keeps the catalog
    // files it fetches) in the test's folder, its log read
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', q.url, '--concurrency', '1'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'ignore', 'pipe'] });
    q.workers.push(w);
    let log = '';
    w.stderr!.on('data', (b) => (log += String(b)));
    await workersConnected(q.port, 1);
    // (the count above may still see a worker just killed: wait for this one's folder, which it
    // makes before it connects)
    const dataFolder = (): string | undefined => readdirSync(tmp).find((n) => n.startsWith('tickfold-worker-data-'));
    await until(() => dataFolder() !== undefined, "the new worker's data folder");
    await workersConnected(q.port, 1);
    const folder = join(tmp, dataFolder()!);
    // the same job but for its strategy: no parameters (the module has none), streamed (--memory)
    const job = (strategy: string, out: string): string[] => [...wfOf(d, [strategy]), '--queue', q.url, '--json', join(d, out)];
    // a module that lists the worker's folder and reads a partition from onStart (the folder's
    // name written into it: the sandbox sees neither TMPDIR nor the listing of the temporary
    // folder); were the read allowed, it would fail with what it read
    const peek = join(d, 'catalog-peek.mjs');
    writeFileSync(
      peek,
      `import { readdirSync, readFileSync } from 'node:fs';\nimport { join } from 'node:path';\nexport default { name: 'catalog-peek', description: '', params: {}, create() { return { onStart() { const f = readdirSync(${JSON.stringify(folder)}).find((n) => n.endsWith('.tfp')); const b = readFileSync(join(${JSON.stringify(folder)}, f)); throw new Error('read ' + b.length + ' bytes of the catalog file ' + f); } }; } };\n`,
    );
    const r = await runCliIn(job(peek, 'peek.json'), d);
    expect(r.stderr).not.toMatch(/bytes of the catalog file/);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toContain(`onStart tried to read ${folder}: strategy code may not touch files`);
    expect(existsSync(join(d, 'peek.json'))).toBe(false);
    // the worker fetched the task's files into that folder and ran it (its thread refused the
    // read; the job was not refused before it ran)
    expect(log).toMatch(/streamed from \d+ catalog files, [1-9]\d* fetched now .*, kept in .*tickfold-worker-data-\w+/);
    expect(log).not.toMatch(/REFUSED/);
    // the built-in: streamed from those files, a report
    const builtIn = await runCliIn(job('flat', 'flat.json'), d);
    expect(builtIn.code, builtIn.stderr).toBe(0);
    expect(builtIn.stderr).not.toMatch(/held whole/);
    expect(existsSync(join(d, 'flat.json'))).toBe(true);
    expect(readdirSync(folder).filter((n) => n.endsWith('.tfp')).length).toBeGreaterThan(0);
    // both ran as streamed tasks on the worker: the module's jobs (a strategy's failure is its job's result) and the built-in's
    const jobs = await jobsNow();
    const streamed = (module: boolean): number => jobs.filter(({ data }) => (data.moduleName !== null) === module && decodeValue<Task>(data.task).stream !== undefined && (module || decodeValue<Task>(data.task).strategy === 'flat')).length;
    expect(streamed(true)).toBeGreaterThan(0);
    expect(streamed(false)).toBeGreaterThan(0);
  });
});
