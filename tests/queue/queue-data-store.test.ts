/**
 * `--data-store`: the data through a folder the coordinator and the workers share, not Redis; on
 * a real redis-server with worker processes (queue-fixture.ts), the command in this process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { content, sharedQueue } from './queue-fixture.js';
import { describeRedis, freePort, startRedis } from './redis-server.js';

// the queue's shared key, for the coordinators and workers these tests start (they inherit it)
process.env.TICKFOLD_QUEUE_KEY = '5b0e7c1d9a2f4e6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b';

describeRedis('--data-store on the queue', () => {
  const q = sharedQueue(1);

  it('--data-store: the data goes through a shared folder, not Redis; a worker without it says so, and the rerun after the fix runs', async () => {
    const d = tempDir();
    const store = join(d, 'store');
    // data no worker has seen (a worker keeps the tables it fetched)
    writeFileSync(join(d, 'q.csv'), readFileSync(join(ROOT, 'data/sample_pair_quotes.csv'), 'utf8').split('\n').slice(0, 30_001).join('\n') + '\n');
    const a = ['walk-forward', '--data', join(d, 'q.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '20m', '--test', '10m', '--no-ledger', '--no-cache'];
    expect((await runCliIn([...a, '--json', join(d, 'local.json')], d)).code).toBe(0);
    const dataKeys = (): string[] =>
      spawnSync('redis-cli', ['-p', String(q.port), 'keys', 'tickfold:data:*'], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')
        .filter(Boolean);
    const before = dataKeys();
    // the worker here has no --data-store
    const bad = await runCliIn([...a, '--queue', q.url, '--data-store', store, '--json', join(d, 'bad.json')], d);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/the coordinator left the data in a shared folder \(its --data-store\); start this worker with --data-store/);
    expect(existsSync(join(d, 'bad.json'))).toBe(false);
    for (const w of q.workers.splice(0)) w.kill('SIGKILL');
    q.startWorker(['--data-store', store]);
    const ok = await runCliIn([...a, '--queue', q.url, '--data-store', store, '--json', join(d, 'queue.json')], d);
    expect(ok.code, ok.stderr).toBe(0);
    expect(content(join(d, 'queue.json'))).toEqual(content(join(d, 'local.json')));
    expect(dataKeys()).toEqual(before); // nothing of it in Redis
    const files = readdirSync(store);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.tftable$/);
    // a blob that does not match its name is refused by the worker (here: its folder holds a
    // damaged copy), and the coordinator puts an intact one back over a damaged one of its own
    for (const x of q.workers.splice(0)) x.kill('SIGKILL');
    const other = join(d, 'other');
    mkdirSync(other);
    const blob = readFileSync(join(store, files[0]!));
    blob.writeUInt8(blob.readUInt8(blob.length - 1) ^ 1, blob.length - 1);
    writeFileSync(join(other, files[0]!), blob);
    writeFileSync(join(store, files[0]!), blob);
    q.startWorker(['--data-store', other]);
    const tampered = await runCliIn([...a.map((x) => (x === 'entry=1.5,2' ? 'entry=2.5,3' : x)), '--queue', q.url, '--data-store', store], d);
    expect(tampered.code).toBe(3);
    expect(tampered.stderr).toMatch(/does not match its hash: refusing it/);
    expect(readFileSync(join(store, files[0]!)).equals(blob)).toBe(false); // the coordinator's own copy mended
  });
});

describeRedis('data over the largest value Redis takes', () => {
  it('the table held whole over proto-max-bulk-len: exit 2 naming its size, the limit and --data-store (it said "lost the queue")', async () => {
    const port = await freePort();
    const redis = await startRedis(port, ['--proto-max-bulk-len', '1mb']);
    try {
      const d = tempDir();
      const url = `redis://127.0.0.1:${port}`;
      // the bundled sample held whole (--no-cache): a table of about 2.7 MB
      const a = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), join(ROOT, 'data/sample_pair_trades.csv'), '--strategy', 'pairs', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url];
      const big = await runCliIn(a, d);
      expect(big.code, big.stderr).toBe(2);
      expect(big.stderr).toMatch(/the data, as the workers are sent it \(the table held whole\) is [\d.]+ MB, over the 1\.0 MB this Redis takes in one value \(its proto-max-bulk-len\); give --data-store DIR/);
      expect(big.stderr).not.toMatch(/lost the queue|\n\s+at /);
      const keys = spawnSync('redis-cli', ['-p', String(port), 'keys', 'tickfold:*'], { encoding: 'utf8' }).stdout.trim();
      expect(keys).toBe('');
    } finally {
      redis.kill('SIGKILL');
    }
  });
});
