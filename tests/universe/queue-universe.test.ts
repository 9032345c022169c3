/**
 * `--universe` with `--queue`: the membership file reaches the queue's workers (it travels in
 * each task's settings, V8-serialised), so a walk-forward on two `tickfold worker` processes
 * (BullMQ on a real redis-server) gives the local report byte for byte but for the command line,
 * with the universe's baselines. The universe changes the local report (DAX leaves at -50%, SMI
 * joins late), so a worker that ran without it could not match.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { describeRedis, freePort, startRedis } from '../queue/redis-server.js';

process.env.TICKFOLD_QUEUE_KEY = '7c1e0b9d2a4f6e8b0c2d4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a3b';

/** The report without the command line it records. */
const content = (file: string): Record<string, unknown> => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  delete j.tickfold.argv;
  return j;
};

describeRedis('walk-forward --universe on the queue', () => {
  let redis: ChildProcess;
  let url: string;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    for (let k = 0; k < 2; k++) workers.push(spawn(process.execPath, [join(ROOT, 'bin/tickfold'), 'worker', '--queue', url, '--concurrency', '1'], { stdio: ['ignore', 'ignore', 'pipe'] }));
  });
  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });

  it('two workers give the local report, byte for byte but for the command line', async () => {
    const d = tempDir();
    const members = join(d, 'members.csv');
    writeFileSync(members, 'symbol,from,to,delisting_return\nCAC,1991-07-01,1998-08-14,\nDAX,1991-07-01,1995-06-30,-0.5\nSMI,1993-01-04,1998-08-14,\nFTSE,1991-07-01,1998-08-14,\n');
    const args = ['walk-forward', '--strategy', 'momentum', '--data', join(ROOT, 'data/eustockmarkets_daily_1991_1998.csv'), '--param', 'every=1d', '--grid', 'lookback=20,60', '--train', '365d', '--test', '365d', '--bootstrap', '200', '--no-ledger', '--no-cache'];
    // the commands in this process (tests/cli-harness.ts), the local ones on one thread (the
    // default is one per core; the report is the same): what is compared is their reports
    const local = await runCliIn([...args, '--universe', members, '--workers', '1', '--json', join(d, 'local.json')]);
    expect(local.code, local.stderr).toBe(0);
    const plain = await runCliIn([...args, '--workers', '1', '--json', join(d, 'plain.json')]);
    expect(plain.code, plain.stderr).toBe(0);
    const queued = await runCliIn([...args, '--universe', members, '--queue', url, '--json', join(d, 'queue.json')]);
    expect(queued.code, queued.stderr).toBe(0);
    const l = content(join(d, 'local.json'));
    expect(content(join(d, 'plain.json'))).not.toEqual(l); // the universe matters to the report
    expect(content(join(d, 'queue.json'))).toEqual(l);
    const names = (l.strategies as { name: string }[]).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['equal-weight-members', 'random-long-short']));
    expect(readFileSync(join(d, 'queue.json'), 'utf8').replace(/"argv": ?\[[^\]]*\],?/, '')).toBe(readFileSync(join(d, 'local.json'), 'utf8').replace(/"argv": ?\[[^\]]*\],?/, ''));
  }, 600_000);
});
