/**
 * Redis restarting while a command sends its tasks (issue 29 point 7): the data upload, the
 * module upload or the flow cut off mid-send, Redis back after a few reconnection attempts; the
 * command waits (up to 10 s, as for a restart mid-run) and goes on, and the report is the local
 * one. The restart is played by a proxy (cut-proxy.ts) at the exact command, not by a clock.
 * The queued command runs in a process of its own (its event loop apart from the proxy's, which
 * runs here), the local one it is compared with in this process (tests/cli-harness.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { cutProxy, loadingProxy } from './cut-proxy.js';
import { BIN, content } from './queue-fixture.js';
import { describeRedis, freePort, startRedis } from './redis-server.js';

const ENV = { TICKFOLD_QUEUE_KEY: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0' };

/** The CLI in a child process without blocking this one (the proxy runs here). */
function runAsync(args: readonly string[], cwd: string): Promise<{ code: number; stderr: string }> {
  const c = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  c.stderr!.on('data', (b) => (stderr += String(b)));
  return new Promise((res) => c.on('exit', (code, sig) => res({ code: code ?? (sig === 'SIGTERM' ? 143 : 1), stderr })));
}

describeRedis('Redis restarting while the tasks are being sent', () => {
  let redis: ChildProcess;
  let port: number;
  let worker: ChildProcess;
  const d = tempDir();
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    worker = spawn(process.execPath, [BIN, 'worker', '--queue', `redis://127.0.0.1:${port}`, '--concurrency', '2'], { env: { ...process.env, ...ENV }, stdio: 'ignore' });
    writeFileSync(join(d, 'mine.mjs'), `export default { name: 'mine', description: 'flat', params: { k: { type: 'integer', default: 1, doc: '' } }, create() { return {}; } };\n`);
  });
  afterAll(() => {
    worker?.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });

  // each on data, a module or a flow none of the others sent (a worker keeps what it fetched)
  const cases: [string, 'loading' | 'cut', string, string[]][] = [
    ['Redis loading its data (restarted) at the data upload', 'loading', 'tickfold:data:', ['--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2']],
    ['Redis loading its data (restarted) at the module upload', 'loading', 'tickfold:module:', ['--strategy', join(d, 'mine.mjs'), '--grid', 'k=1,2']],
    ['the connection cut at the flow, and refused while Redis restarts', 'cut', 'tickfold-runs', ['--strategy', 'pairs', '--param', 'every=30s', '--grid', 'entry=2,3']],
  ];
  for (const [what, how, trigger, strat] of cases) {
    it(`${what}: the command waits for Redis and goes on; the report is the local one`, async () => {
      const args = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), ...strat, '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];
      expect((await runCliIn([...args, '--json', join(d, `local-${trigger}.json`)], d, ENV)).code).toBe(0);
      const proxy = how === 'cut' ? await cutProxy(port, trigger, 24) : await loadingProxy(port, trigger, 3);
      try {
        const r = await runAsync([...args, '--queue', `redis://127.0.0.1:${proxy.port}`, '--json', join(d, `queue-${trigger}.json`)], d);
        expect(proxy.refused(), 'the restart was played').toBeGreaterThanOrEqual(how === 'cut' ? 24 : 3);
        expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        expect(r.code, r.stderr).toBe(0);
        if (how === 'loading') {
          expect(r.stderr).toMatch(/lost the queue at redis:\/\/127\.0\.0\.1:\d+ \(Redis does not answer\) while sending the (data|strategy module); waiting up to 10 s for it to come back/);
          expect(r.stderr).toMatch(/is back after [\d.]+ s; going on/);
        }
        expect(content(join(d, `queue-${trigger}.json`))).toEqual(content(join(d, `local-${trigger}.json`)));
      } finally {
        await proxy.close();
      }
    });
  }
});
