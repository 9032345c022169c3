/**
 * The distributed queue (BullMQ on Redis): a real redis-server started on a free loopback port
 * (Debian's `redis-server`; .ci/run installs it), worker processes started as users start them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { describeRedis, freePort, REDIS, sleep, startRedis as startRedisOn, until } from './redis-server.js';

const BIN = join(ROOT, 'bin/tickfold');
// the queue's shared key, for the coordinators and workers these tests start (they inherit it);
// the attacks it stops are in security.test.ts
process.env.TICKFOLD_QUEUE_KEY = '5b0e7c1d9a2f4e6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

/**
 * The queue on port `p` as it is now; its `started()` resolves once a task that was not in it
 * then is (the coordinator started after this call has sent its tasks): the moment to interrupt
 * it, not a fixed wait (on a busy machine the coordinator may not even have connected after
 * seconds), and not fooled by tasks earlier tests left there.
 */
const watchQueue = async (p: number): Promise<{ started: () => Promise<void> }> => {
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

/** The report without the command line it records (the one thing that differs between a local and a queued run). */
const content = (file: string): unknown => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  delete j.tickfold.argv;
  return j;
};

describeRedis('walk-forward on the queue', () => {
  let redis: ChildProcess;
  let url: string;
  let port: number;
  const workers: ChildProcess[] = [];
  const startWorker = (): ChildProcess => {
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    workers.push(w);
    return w;
  };
  const startRedis = async (): Promise<void> => {
    redis = await startRedisOn(port);
  };
  beforeAll(async () => {
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    await startRedis();
    startWorker();
    startWorker();
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });

  const args = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2,2.5', '--grid', 'lookback=60,120', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];

  it('two workers give the local report, byte for byte but for the command line; a rerun is answered from finished jobs', async () => {
    const d = tempDir();
    expect(runCli([...args, '--json', join(d, 'local.json')]).code).toBe(0);
    const q = runCli([...args, '--queue', url, '--json', join(d, 'queue.json')]);
    if (q.code !== 0) console.log(`queue run failed (${q.code}):\n${q.stderr}`);
    expect(q.code, q.stderr).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    // the same tasks again: the same job ids, already finished, so no worker runs them
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    const before = (await queue.getJobCounts('completed')).completed;
    const again = runCli([...args, '--queue', url, '--json', join(d, 'again.json')]);
    expect(again.code, again.stderr).toBe(0);
    expect((await queue.getJobCounts('completed')).completed).toBe(before);
    expect(content(join(d, 'again.json'))).toEqual(content(join(d, 'local.json')));
    await queue.close();
  });

  it('a search (tpe, halving) through two workers gives the local report, byte for byte but for the command line', () => {
    const d = tempDir();
    for (const [method, trials] of [
      ['tpe', '12'],
      ['halving', '9'],
    ]) {
      const a = [
        'walk-forward',
        '--data',
        join(ROOT, 'data/sample_pair_quotes.csv'),
        '--strategy',
        'pairs',
        '--param',
        'every=10s',
        '--search',
        method!,
        '--trials',
        trials!,
        '--space',
        'entry=float:1..3',
        '--space',
        'lookback=int:20..200:log',
        '--train',
        '1h',
        '--test',
        '30m',
        '--no-ledger',
        '--no-cache',
        '--baselines',
        'flat',
      ];
      const local = runCli([...a, '--workers', '1', '--json', join(d, `${method}-local.json`)]);
      expect(local.code, local.stderr).toBe(0);
      const q = runCli([...a, '--queue', url, '--json', join(d, `${method}-queue.json`)]);
      expect(q.code, q.stderr).toBe(0);
      expect(content(join(d, `${method}-queue.json`))).toEqual(content(join(d, `${method}-local.json`)));
    }
  });

  it('a password in the queue URL is recorded nowhere: not in the report, its HTML, the ledger, the output', () => {
    const d = tempDir();
    // (a Redis without a password accepts one: ioredis goes on)
    const r = runCli([...args.filter((a) => a !== '--no-ledger'), '--ledger', join(d, 'ledger.sqlite'), '--queue', `redis://:hunter2@127.0.0.1:${port}`, '--json', join(d, 'r.json'), '--report', join(d, 'r.html')], d);
    expect(r.code, r.stderr).toBe(0);
    const json = readFileSync(join(d, 'r.json'), 'utf8');
    expect(json).toContain('redis://:***@127.0.0.1');
    for (const f of ['r.json', 'r.html', 'ledger.sqlite']) expect(readFileSync(join(d, f)).includes('hunter2'), f).toBe(false);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('a throwing strategy fails the run at once, naming the trial and its parameters, and is not retried', () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'bad.mjs'),
      `export default { name: 'bad', description: 'throws at x=2', params: { x: { type: 'integer', default: 1, doc: '' } }, create(p) { let n = 0; return { onTick() { if (p.x === 2 && ++n === 50) throw new Error('boom at the 50th tick'); } }; } };\n`,
    );
    const r = runCli(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'bad.mjs'), '--grid', 'x=1,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url], d);
    if (!/boom at the 50th tick/.test(r.stderr)) console.log(`throwing run (${r.code}):\n${r.stderr}`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/trial 2 \(x=2\).*boom at the 50th tick/);
    // not retried: the failure is said once (attempts: 1); no timing (the test's timeout catches a hang)
    expect(r.stderr.match(/boom at the 50th tick/g)).toHaveLength(1);
  });

  it('a worker killed (kill -9) mid-run: its task is retried on the other, the report is the same bytes', async () => {
    const d = tempDir();
    // a slow strategy: its trial tasks take seconds, so the kill lands mid-task
    writeFileSync(
      join(d, 'slow.mjs'),
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create(p) { let n = 0; return { onTick(ctx) { if (++n % 400 === 0) { const t = Date.now(); while (Date.now() - t < 2) {} } if (n % 5000 === 0) ctx.targetPercent(ctx.symbols[0], (n / 5000) % 2 ? 0.5 : 0); } }; } };\n`,
    );
    const a = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow.mjs'), '--grid', 'k=1,2,3,4', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];
    expect(runCli([...a, '--json', join(d, 'local.json')], d).code).toBe(0);
    // one worker only, so that the one killed is surely running a task
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    const victim = startWorker();
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    const coordinator = spawn(process.execPath, [BIN, ...a, '--queue', url, '--json', join(d, 'queue.json')], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
    let active: string | undefined;
    await until(async () => (active = (await queue.getActive())[0]?.id) !== undefined, 'the worker to take a task');
    victim.kill('SIGKILL'); // mid-task
    startWorker();
    startWorker();
    const code = await new Promise<number>((res) => coordinator.on('exit', (c) => res(c ?? 1)));
    expect(code).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    // the killed worker's task was taken again once its lock lapsed (BullMQ's stalled-job check)
    const job = await queue.getJob(active!);
    expect(job?.stalledCounter ?? 0).toBeGreaterThanOrEqual(1);
    // it was a child of the command's flow, whose parent is gone once the run is done
    expect(job?.parentKey).toMatch(/^bull:tickfold-runs:run-[0-9a-f]{64}$/);
    const runs = new Queue('tickfold-runs', { connection: { host: '127.0.0.1', port } });
    await until(async () => !Object.values(await runs.getJobCounts()).some((n) => n > 0), "the run's flow to be removed");
    expect(await runs.getJobCounts('waiting-children', 'wait', 'active', 'completed', 'failed')).toEqual({ 'waiting-children': 0, wait: 0, active: 0, completed: 0, failed: 0 });
    await runs.close();
    await queue.close();
  });

  it('--data-store: the data goes through a shared folder, not Redis; a worker without it says so, and the rerun after the fix runs', async () => {
    const d = tempDir();
    const store = join(d, 'store');
    // data no worker has seen (a worker keeps the tables it fetched)
    writeFileSync(join(d, 'q.csv'), readFileSync(join(ROOT, 'data/sample_pair_quotes.csv'), 'utf8').split('\n').slice(0, 30_001).join('\n') + '\n');
    const a = ['walk-forward', '--data', join(d, 'q.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '20m', '--test', '10m', '--no-ledger', '--no-cache'];
    expect(runCli([...a, '--json', join(d, 'local.json')], d).code).toBe(0);
    const dataKeys = (): string[] =>
      spawnSync('redis-cli', ['-p', String(port), 'keys', 'tickfold:data:*'], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
    const before = dataKeys();
    // the workers here have no --data-store
    const bad = runCli([...a, '--queue', url, '--data-store', store, '--json', join(d, 'bad.json')], d);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/the coordinator left the data in a shared folder \(its --data-store\); start this worker with --data-store/);
    expect(existsSync(join(d, 'bad.json'))).toBe(false);
    for (const w of workers.splice(0)) w.kill('SIGKILL');
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', '--data-store', store], { stdio: ['ignore', 'ignore', 'pipe'] });
    workers.push(w);
    const ok = runCli([...a, '--queue', url, '--data-store', store, '--json', join(d, 'queue.json')], d);
    expect(ok.code, ok.stderr).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    expect(dataKeys()).toEqual(before); // nothing of it in Redis
    const files = readdirSync(store);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.tftable$/);
    // a blob that does not match its name is refused by the worker (here: its folder holds a
    // damaged copy), and the coordinator puts an intact one back over a damaged one of its own
    for (const x of workers.splice(0)) x.kill('SIGKILL');
    const other = join(d, 'other');
    mkdirSync(other);
    const blob = readFileSync(join(store, files[0]!));
    blob.writeUInt8(blob.readUInt8(blob.length - 1) ^ 1, blob.length - 1);
    writeFileSync(join(other, files[0]!), blob);
    writeFileSync(join(store, files[0]!), blob);
    workers.push(spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', '--data-store', other], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const tampered = runCli([...a.map((x) => (x === 'entry=1.5,2' ? 'entry=2.5,3' : x)), '--queue', url, '--data-store', store], d);
    expect(tampered.code).toBe(3);
    expect(tampered.stderr).toMatch(/does not match its hash: refusing it/);
    expect(readFileSync(join(store, files[0]!)).equals(blob)).toBe(false); // the coordinator's own copy mended
    for (const x of workers.splice(0)) x.kill('SIGKILL');
    startWorker();
    startWorker();
  });

  it('Ctrl-C on the coordinator: exit 130, no report, its jobs not yet started removed from the queue', async () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'slow2.mjs'),
      `export default { name: 'slow2', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; return { onTick() { if (++n % 100 === 0) { const t = Date.now(); while (Date.now() - t < 2) {} } } }; } };\n`,
    );
    const watch = await watchQueue(port);
    const coordinator = spawn(
      process.execPath,
      [BIN, 'walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow2.mjs'), '--grid', 'k=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url, '--json', join(d, 'r.json')],
      { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    coordinator.stderr!.on('data', (b) => (err += String(b)));
    await watch.started(); // its tasks are in the queue (not a fixed wait: the machine may be busy)
    coordinator.kill('SIGINT');
    const code = await new Promise<number>((res) => coordinator.on('exit', (c) => res(c ?? 1)));
    expect(code).toBe(130);
    expect(err).toMatch(/interrupted \(SIGINT\); no output files were written/);
    expect(existsSync(join(d, 'r.json'))).toBe(false);
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(0);
    await queue.close();
  });

  it('--timeout holds on the workers: a strategy stuck in a loop is stopped there, and the run names it', () => {
    const d = tempDir();
    writeFileSync(join(d, 'stuck.mjs'), `export default { name: 'stuck', description: 'loops at x=2', params: { x: { type: 'integer', default: 1, doc: '' } }, create(p) { let n = 0; return { onTick() { if (p.x === 2 && ++n === 10) for (;;) {} } }; } };\n`);
    const r = runCli(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'stuck.mjs'), '--grid', 'x=1,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url, '--timeout', '2s'], d);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/did not finish within 2s \(--timeout, per run\)/);
  });

  it('Redis unreachable at the start: the reason and the fix; the password is never printed', () => {
    const r = runCli([...args, '--queue', `redis://:hunter2@127.0.0.1:${port + 1}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot use the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: nothing listens there \(connection refused\); start redis-server there/);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
    const both = runCli([...args, '--queue', url, '--workers', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/with --queue the tasks run on the workers of the queue/);
  });

  it('Redis restarted mid-run (with persistence): the run waits for it and goes on; the report is the same bytes', async () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'slow.mjs'),
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; return { onTick() { if (++n % 200 === 0) { const t = Date.now(); while (Date.now() - t < 2) {} } } }; } };\n`,
    );
    const a = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow.mjs'), '--grid', 'k=1,2,3,4,5,6', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];
    expect(runCli([...a, '--json', join(d, 'local.json')], d).code).toBe(0);
    // a Redis of its own that keeps its data on disk (appendonly), as a production one would
    const p2 = await freePort();
    const u2 = `redis://127.0.0.1:${p2}`;
    const aof = ['--port', String(p2), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', d];
    let r2 = spawn(REDIS!, aof, { stdio: 'ignore' });
    await until(() => spawnSync('redis-cli', ['-p', String(p2), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG', 'redis-server to start');
    const own = [0, 1].map(() => spawn(process.execPath, [BIN, 'worker', '--queue', u2, '--concurrency', '1'], { stdio: 'ignore' }));
    try {
      await sleep(1000);
      const watch = await watchQueue(p2);
      const coordinator = spawn(process.execPath, [BIN, ...a, '--queue', u2, '--json', join(d, 'queue.json')], { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      coordinator.stderr!.on('data', (b) => (err += String(b)));
      await watch.started();
      spawnSync('redis-cli', ['-p', String(p2), 'shutdown']); // saves its data, then stops
      await new Promise((res) => r2.on('exit', res));
      // down until the coordinator has seen it gone (a state, not a fixed wait), then back
      await until(() => /lost the queue at /.test(err), 'the coordinator to see Redis gone');
      r2 = spawn(REDIS!, aof, { stdio: 'ignore' });
      const code = await new Promise<number>((res) => coordinator.on('exit', (c) => res(c ?? 1)));
      expect(code, err).toBe(0);
      expect(err).toMatch(/lost the queue at redis:\/\/127\.0\.0\.1:\d+ \(Redis does not answer\)( while [a-z ]+)?; waiting up to 10 s/);
      expect(err).toMatch(/is back after [\d.]+ s; going on/);
      expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    } finally {
      for (const w of own) w.kill('SIGKILL');
      r2.kill('SIGKILL');
    }
  });

  it('Redis stopped mid-run: a clear error, no report', async () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'slow.mjs'),
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; return { onTick() { if (++n % 200 === 0) { const t = Date.now(); while (Date.now() - t < 2) {} } } }; } };\n`,
    );
    const watch = await watchQueue(port);
    const coordinator = spawn(
      process.execPath,
      [BIN, 'walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow.mjs'), '--grid', 'k=1,2,3,4,5,6', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url, '--json', join(d, 'r.json')],
      { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    coordinator.stderr!.on('data', (b) => (err += String(b)));
    await watch.started();
    redis.kill('SIGKILL');
    const code = await new Promise<number>((res) => coordinator.on('exit', (c) => res(c ?? 1)));
    expect(code, err).toBe(3);
    // it waits a while for Redis to come back (the test above), then gives up
    expect(err).toMatch(/waiting up to 10 s for it to come back/);
    expect(err).toMatch(/lost the queue at redis:\/\/127\.0\.0\.1:\d+ (mid-run|while sending the tasks) \(Redis did not come back within 10 s\); no report was written/);
    expect(existsSync(join(d, 'r.json'))).toBe(false);
    await startRedis(); // for any test after this one
  });
});

describe('--data-store, checked before any work (no Redis needed)', () => {
  const wf = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--train', '1h', '--test', '30m', '--queue', 'redis://127.0.0.1:1'];
  it('refuses a file, the bundled data/ folder, and on a worker a folder that is not there', () => {
    const d = tempDir();
    writeFileSync(join(d, 'f.txt'), 'x');
    const cases: [string[], RegExp][] = [
      [[...wf, '--data-store', join(d, 'f.txt')], /--data-store .*f\.txt is a file; give the folder the coordinators and workers share/],
      [[...wf, '--data-store', join(ROOT, 'data/store')], /--data-store .* bundled data\/ folder .*refusing to write there/],
      [['worker', '--queue', 'redis://127.0.0.1:1', '--data-store', join(d, 'nope')], /--data-store .*nope: no such folder here; give the shared folder as this machine mounts it/],
      [['worker', '--queue', 'redis://127.0.0.1:1', '--data-store', join(d, 'f.txt')], /is a file/],
    ];
    for (const [argv, re] of cases) {
      const r = runCli(argv, d);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(join(ROOT, 'data/store'))).toBe(false);
  });
});
