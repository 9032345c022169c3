/**
 * A search through the distributed queue (issue 33): the rounds of each fold's sampler go to the
 * queue's workers as trial tasks, and the report is the local one, byte for byte but for the
 * command line. A real redis-server on a free loopback port, two worker processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';

const REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
const describeRedis: typeof describe = REDIS ? describe : (((name: string, fn: () => void) => describe.skip(`${name} [skipped: no redis-server here; apt-get install redis-server (.ci/run does)]`, fn)) as typeof describe);
const BIN = join(ROOT, 'bin/tickfold');
process.env.TICKFOLD_QUEUE_KEY = '7c1d9a2f4e6b8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b5b0e';

const freePort = (): Promise<number> =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
const content = (file: string): unknown => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  delete j.tickfold.argv;
  return j;
};

describeRedis('a search on the queue', () => {
  let redis: ChildProcess;
  let url: string;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = spawn(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    let up = false;
    for (let i = 0; i < 50 && !up; i++) {
      up = spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG';
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    if (!up) throw new Error('redis-server did not start');
    for (let i = 0; i < 2; i++) workers.push(spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1'], { stdio: 'ignore' }));
  }, 20_000);
  afterAll(() => {
    for (const w of workers) w.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });

  it('tpe and halving: two queue workers give the local report, byte for byte but for the command line', () => {
    const d = tempDir();
    for (const [method, trials] of [['tpe', '12'], ['halving', '9']]) {
      const args = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--search', method!, '--trials', trials!, '--space', 'entry=float:1..3', '--space', 'lookback=int:20..200:log', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--baselines', 'flat'];
      const local = runCli([...args, '--workers', '1', '--json', join(d, `${method}-local.json`)]);
      expect(local.code, local.stderr).toBe(0);
      const q = runCli([...args, '--queue', url, '--json', join(d, `${method}-queue.json`)]);
      expect(q.code, q.stderr).toBe(0);
      expect(content(join(d, `${method}-queue.json`))).toEqual(content(join(d, `${method}-local.json`)));
    }
  }, 240_000);
});
