/**
 * The queue's faults, on a real redis-server and worker processes (queue-fixture.ts): a worker
 * killed mid-task, Ctrl-C on the command, Redis restarted and Redis stopped mid-run. The workers
 * hold their tasks under a short lock (SHORT_LOCK: a killed worker's task is handed on in seconds,
 * not 15; BullMQ does the same, on a shorter clock). A command runs in this process where the
 * process boundary is not what is tested, in a process where it is (a signal, its stderr read
 * while it runs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { BIN, content, sharedQueue, SHORT_LOCK, spawnWorker, watchQueue } from './queue-fixture.js';
import { describeRedis, freePort, REDIS, sleep, until } from './redis-server.js';

// The slow strategies below sleep 2 ms every few hundred ticks (Atomics.wait, as a strategy stuck
// for good does in tests/faults): their tasks take seconds, so that a kill, a Ctrl-C or Redis going
// away lands mid-task, without spending those seconds of CPU (they spun on Date.now() before)

// the queue's shared key, for the coordinators and workers these tests start (they inherit it)
process.env.TICKFOLD_QUEUE_KEY = '5b0e7c1d9a2f4e6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

describeRedis('the queue when a worker, the command or Redis goes away', () => {
  const q = sharedQueue(2, ['--lock', SHORT_LOCK]);

  it('a worker killed (kill -9) mid-run: its task is retried on the other, the report is the same bytes', async () => {
    const d = tempDir();
    // a slow strategy: its trial tasks take seconds, so the kill lands mid-task
    writeFileSync(
      join(d, 'slow.mjs'),
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create(p) { let n = 0; const nap = new Int32Array(new SharedArrayBuffer(4)); return { onTick(ctx) { if (++n % 400 === 0) Atomics.wait(nap, 0, 0, 2); if (n % 5000 === 0) ctx.targetPercent(ctx.symbols[0], (n / 5000) % 2 ? 0.5 : 0); } }; } };\n`,
    );
    const a = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow.mjs'), '--grid', 'k=1,2,3,4', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];
    expect((await runCliIn([...a, '--json', join(d, 'local.json')], d)).code).toBe(0);
    // one worker only, so that the one killed is surely running a task
    for (const w of q.workers.splice(0)) w.kill('SIGKILL');
    const victim = q.startWorker();
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port: q.port } });
    // the command in this process (the process killed here is the worker)
    const coordinator = runCliIn([...a, '--queue', q.url, '--json', join(d, 'queue.json')], d);
    let active: string | undefined;
    await until(async () => (active = (await queue.getActive())[0]?.id) !== undefined, 'the worker to take a task');
    victim.kill('SIGKILL'); // mid-task
    q.startWorker();
    q.startWorker();
    const r = await coordinator;
    expect(r.code, r.stderr).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    // the killed worker's task was taken again once its lock lapsed (BullMQ's stalled-job check)
    const job = await queue.getJob(active!);
    expect(job?.stalledCounter ?? 0).toBeGreaterThanOrEqual(1);
    // it was a child of the command's flow, whose parent is gone once the run is done
    expect(job?.parentKey).toMatch(/^bull:tickfold-runs:run-[0-9a-f]{64}$/);
    const runs = new Queue('tickfold-runs', { connection: { host: '127.0.0.1', port: q.port } });
    await until(async () => !Object.values(await runs.getJobCounts()).some((n) => n > 0), "the run's flow to be removed");
    expect(await runs.getJobCounts('waiting-children', 'wait', 'active', 'completed', 'failed')).toEqual({ 'waiting-children': 0, wait: 0, active: 0, completed: 0, failed: 0 });
    await runs.close();
    await queue.close();
  });

  it('Ctrl-C on the coordinator: exit 130, no report, its jobs not yet started removed from the queue', async () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'slow2.mjs'),
      `export default { name: 'slow2', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; const nap = new Int32Array(new SharedArrayBuffer(4)); return { onTick() { if (++n % 100 === 0) Atomics.wait(nap, 0, 0, 2); } }; } };\n`,
    );
    const watch = await watchQueue(q.port);
    const coordinator = spawn(
      process.execPath,
      [
        BIN,
        'walk-forward',
        '--data',
        join(ROOT, 'data/sample_pair_quotes.csv'),
        '--strategy',
        join(d, 'slow2.mjs'),
        '--grid',
        'k=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16',
        '--train',
        '1h',
        '--test',
        '30m',
        '--no-ledger',
        '--no-cache',
        '--queue',
        q.url,
        '--json',
        join(d, 'r.json'),
      ],
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
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port: q.port } });
    expect((await queue.getJobCounts('waiting')).waiting).toBe(0);
    await queue.close();
  });

  it('Redis restarted mid-run (with persistence): the run waits for it and goes on; the report is the same bytes', async () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'slow.mjs'),
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; const nap = new Int32Array(new SharedArrayBuffer(4)); return { onTick() { if (++n % 200 === 0) Atomics.wait(nap, 0, 0, 2); } }; } };\n`,
    );
    const a = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow.mjs'), '--grid', 'k=1,2,3,4,5,6', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];
    expect((await runCliIn([...a, '--json', join(d, 'local.json')], d)).code).toBe(0);
    // a Redis of its own that keeps its data on disk (appendonly), as a production one would
    const p2 = await freePort();
    const u2 = `redis://127.0.0.1:${p2}`;
    const aof = ['--port', String(p2), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', d];
    let r2 = spawn(REDIS!, aof, { stdio: 'ignore' });
    await until(() => spawnSync('redis-cli', ['-p', String(p2), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG', 'redis-server to start');
    // (the short lock: a task whose lock lapsed while Redis was away is handed on in seconds)
    const own = [0, 1].map(() => spawnWorker(u2, ['--lock', SHORT_LOCK]));
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
      `export default { name: 'slow', description: 'busy', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { let n = 0; const nap = new Int32Array(new SharedArrayBuffer(4)); return { onTick() { if (++n % 200 === 0) Atomics.wait(nap, 0, 0, 2); } }; } };\n`,
    );
    const watch = await watchQueue(q.port);
    // the command in this process (what is tested is what it says and writes, not its process)
    const coordinator = runCliIn(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'slow.mjs'), '--grid', 'k=1,2,3,4,5,6', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', q.url, '--json', join(d, 'r.json')], d);
    await watch.started();
    q.redis().kill('SIGKILL');
    const { code, stderr: err } = await coordinator;
    expect(code, err).toBe(3);
    // it waits a while for Redis to come back (the test above), then gives up
    expect(err).toMatch(/waiting up to 10 s for it to come back/);
    expect(err).toMatch(/lost the queue at redis:\/\/127\.0\.0\.1:\d+ (mid-run|while sending the tasks) \(Redis did not come back within 10 s\); no report was written/);
    expect(existsSync(join(d, 'r.json'))).toBe(false);
    await q.restartRedis(); // for any test after this one
  });
});
