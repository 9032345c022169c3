/**
 * A real redis-server for the queue's tests: started on a free loopback port (Debian's
 * `redis-server`; .ci/run installs it), plain or with TLS, and waited for by PING (no fixed sleep).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe } from 'vitest';

export const REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));
export const describeRedis: typeof describe = REDIS ? describe : (((name: string, fn: () => void) => describe.skip(`${name} [skipped: no redis-server here; apt-get install redis-server (.ci/run does)]`, fn)) as typeof describe);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const freePort = (): Promise<number> =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

/**
 * Polls `ok` (every 100 ms, up to `tries` times: 5 minutes, a bound that only catches a hang, as
 * on a machine whose cores are busy a state may take many times longer than on a quiet one): for
 * a state, never a fixed wait.
 */
export async function until(ok: () => boolean | Promise<boolean>, what: string, tries = 3_000): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await sleep(100);
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** A redis-server on 127.0.0.1:`port` without persistence; `extra` arguments appended (TLS, a password). `cli`: how redis-cli reaches it. */
export async function startRedis(port: number, extra: readonly string[] = [], cli: readonly string[] = ['-p', String(port)]): Promise<ChildProcess> {
  const r = spawn(REDIS!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extra], { stdio: 'ignore' });
  await until(() => spawnSync('redis-cli', [...cli, 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG', 'redis-server to start');
  return r;
}
