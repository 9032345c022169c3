/**
 * The distributed queue (BullMQ on Redis): a real redis-server started on a free loopback port
 * (Debian's `redis-server`; .ci/run installs it), worker processes started as users start them,
 * and the commands that fill the queue run in this process (tests/cli-harness.ts: the process
 * boundary is the worker's here, not theirs). What a queued run gives and says; the faults (a
 * worker killed, Ctrl-C, Redis restarted or stopped) are in queue-faults.test.ts, the shared data
 * folder in queue-data-store.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { content, sharedQueue } from './queue-fixture.js';
import { describeRedis } from './redis-server.js';

// the queue's shared key, for the coordinators and workers these tests start (they inherit it);
// the attacks it stops are in security.test.ts
process.env.TICKFOLD_QUEUE_KEY = '5b0e7c1d9a2f4e6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

describeRedis('walk-forward on the queue', () => {
  const q = sharedQueue(2);

  // streamed from the catalog (a cache of the test's own), locally and on the queue's workers
  // (queue-stream.test.ts: what travels); the tests with --no-cache send the table whole, as before
  // issue 31 (queue-data-store.test.ts, security.test.ts, queue-faults.test.ts compare it too)
  const cache = tempDir();
  const args = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2,2.5', '--grid', 'lookback=60,120', '--train', '1h', '--test', '30m', '--no-ledger', '--cache-dir', cache];

  it('two workers give the report of one and of two local threads, byte for byte but for the command line; a rerun is answered from finished jobs', async () => {
    const d = tempDir();
    for (const threads of ['1', '2']) expect((await runCliIn([...args, '--workers', threads, '--json', join(d, `local-${threads}.json`)])).code).toBe(0);
    expect(content(join(d, 'local-2.json'))).toEqual(content(join(d, 'local-1.json')));
    // --memory given: a validation whose data is held whole says so
    const r = await runCliIn([...args, '--memory', '256m', '--queue', q.url, '--json', join(d, 'queue.json')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/held whole/);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local-1.json')));
    // the same tasks again: the same job ids, already finished, so no worker runs them
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port: q.port } });
    // the first run's jobs all settled first: on a busy machine a job whose lock lapsed can be run a
    // second time and complete after the run had its result (the fixture's note), which is not the rerun's doing
    for (;;) {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(c).every((n) => n === 0)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // each finished job and when it finished
    const finished = async (): Promise<Map<string, number>> => new Map((await queue.getCompleted(0, -1)).map((j) => [j.id!, j.finishedOn!]));
    const before = await finished();
    expect(before.size).toBeGreaterThan(0);
    // (the same --memory: a streamed task carries its block's rows, which --memory sizes)
    const again = await runCliIn([...args, '--memory', '256m', '--queue', q.url, '--json', join(d, 'again.json')]);
    expect(again.code, again.stderr).toBe(0);
    const after = await finished();
    // no finished job ran again (it would have finished later). Twice on a busy CI machine 3 jobs
    // more completed in the rerun than before it (14 against 11; never reproduced alone, quiet or
    // beside CPU hogs; the cause not found). A job not among the completed ones when they are
    // read is run by the rerun, as it should be; what this checks is that no completed one is
    for (const [id, at] of before) expect(after.get(id), `job ${id} ran again`).toBe(at);
    expect(after.size - before.size, `jobs run by the rerun: ${[...after.keys()].filter((id) => !before.has(id)).join(', ')}`).toBeLessThan(before.size);
    expect(content(join(d, 'again.json'))).toEqual(content(join(d, 'local-1.json')));
    await queue.close();
  });

  it('a search (tpe, halving) through two workers gives the local report, byte for byte but for the command line', async () => {
    const d = tempDir();
    // the first half of the sample (4 folds instead of 10): what is compared is the search's
    // choices through the queue and locally, not the data's size
    const data = join(d, 'half.csv');
    writeFileSync(data, readFileSync(join(ROOT, 'data/sample_pair_quotes.csv'), 'utf8').split('\n').slice(0, 20_001).join('\n') + '\n');
    for (const [method, trials] of [
      ['tpe', '12'],
      ['halving', '9'],
    ]) {
      const a = [
        'walk-forward',
        '--data',
        data,
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
        '--cache-dir',
        cache,
        '--baselines',
        'flat',
      ];
      const local = await runCliIn([...a, '--workers', '1', '--json', join(d, `${method}-local.json`)]);
      expect(local.code, local.stderr).toBe(0);
      const r = await runCliIn([...a, '--queue', q.url, '--json', join(d, `${method}-queue.json`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(content(join(d, `${method}-queue.json`))).toEqual(content(join(d, `${method}-local.json`)));
    }
  });

  it('a password in the queue URL is recorded nowhere: not in the report, its HTML, the ledger, the output', async () => {
    const d = tempDir();
    // (a Redis without a password accepts one: ioredis goes on)
    const r = await runCliIn([...args.filter((a) => a !== '--no-ledger'), '--ledger', join(d, 'ledger.sqlite'), '--queue', `redis://:hunter2@127.0.0.1:${q.port}`, '--json', join(d, 'r.json'), '--report', join(d, 'r.html')], d);
    expect(r.code, r.stderr).toBe(0);
    const json = readFileSync(join(d, 'r.json'), 'utf8');
    expect(json).toContain('redis://:***@127.0.0.1');
    for (const f of ['r.json', 'r.html', 'ledger.sqlite']) expect(readFileSync(join(d, f)).includes('hunter2'), f).toBe(false);
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });

  it('a throwing strategy fails the run at once, naming the trial and its parameters, and is not retried', async () => {
    const d = tempDir();
    writeFileSync(
      join(d, 'bad.mjs'),
      `export default { name: 'bad', description: 'throws at x=2', params: { x: { type: 'integer', default: 1, doc: '' } }, create(p) { let n = 0; return { onTick() { if (p.x === 2 && ++n === 50) throw new Error('boom at the 50th tick'); } }; } };\n`,
    );
    const r = await runCliIn(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'bad.mjs'), '--grid', 'x=1,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', q.url], d);
    if (!/boom at the 50th tick/.test(r.stderr)) console.log(`throwing run (${r.code}):\n${r.stderr}`);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/trial 2 \(x=2\).*boom at the 50th tick/);
    // not retried: the failure is said once (attempts: 1); no timing (the test's timeout catches a hang)
    expect(r.stderr.match(/boom at the 50th tick/g)).toHaveLength(1);
  });

  it('--timeout holds on the workers: a strategy stuck in a loop is stopped there, and the run names it', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'stuck.mjs'), `export default { name: 'stuck', description: 'loops at x=2', params: { x: { type: 'integer', default: 1, doc: '' } }, create(p) { let n = 0; return { onTick() { if (p.x === 2 && ++n === 10) for (;;) {} } }; } };\n`);
    const r = await runCliIn(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'stuck.mjs'), '--grid', 'x=1,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', q.url, '--timeout', '2s'], d);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/did not finish within 2s \(--timeout, per run\)/);
  });

  it('Redis unreachable at the start: the reason and the fix; the password is never printed', async () => {
    const r = await runCliIn([...args, '--queue', `redis://:hunter2@127.0.0.1:${q.port + 1}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot use the queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: nothing listens there \(connection refused\); start redis-server there/);
    expect(r.stderr + r.stdout).not.toContain('hunter2');
    const both = await runCliIn([...args, '--queue', q.url, '--workers', '2']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/with --queue the tasks run on the workers of the queue/);
  });
});

describe('--data-store, checked before any work (no Redis needed)', () => {
  const wf = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--train', '1h', '--test', '30m', '--queue', 'redis://127.0.0.1:1'];
  it('refuses a file, the bundled data/ folder, and on a worker a folder that is not there', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'f.txt'), 'x');
    const cases: [string[], RegExp][] = [
      [[...wf, '--data-store', join(d, 'f.txt')], /--data-store .*f\.txt is a file; give the folder the coordinators and workers share/],
      [[...wf, '--data-store', join(ROOT, 'data/store')], /--data-store .* bundled data\/ folder .*refusing to write there/],
      [['worker', '--queue', 'redis://127.0.0.1:1', '--data-store', join(d, 'nope')], /--data-store .*nope: no such folder here; give the shared folder as this machine mounts it/],
      [['worker', '--queue', 'redis://127.0.0.1:1', '--data-store', join(d, 'f.txt')], /is a file/],
    ];
    for (const [argv, re] of cases) {
      const r = await runCliIn(argv, d);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(existsSync(join(ROOT, 'data/store'))).toBe(false);
  });
});

describe('worker --lock, checked before connecting (no Redis needed)', () => {
  it('refuses what is not a duration, and a lock under 1 s or over 1 h', async () => {
    const cases: [string, RegExp][] = [
      ['10', /--lock '10' is not a duration; give a unit \(10s, 10m, 10d\.\.\.\)/],
      ['500ms', /--lock '500ms' is out of range: give from 1s to 1h \(default 10s\)/],
      ['2h', /--lock '2h' is out of range/],
    ];
    for (const [lock, re] of cases) {
      const r = await runCliIn(['worker', '--queue', 'redis://127.0.0.1:1', '--lock', lock]);
      expect(r.code, lock).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toMatch(/cannot use the queue/); // refused before connecting
    }
  });
});
