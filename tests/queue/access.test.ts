/**
 * Who may use a queue (issue 29): the key and the address, checked before connecting; a queue
 * without a key on this machine only (--insecure-loopback); a queue over TLS (rediss://) to a
 * real redis-server. The attacks through the queue's Redis are in security.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { BIN, content } from './queue-fixture.js';
import { describeRedis, freePort, startRedis, until } from './redis-server.js';

const KEY = 'a3f1c9e07b5d2468ace13579bdf02468a3f1c9e07b5d2468ace13579bdf02468';
const ENV = { TICKFOLD_QUEUE_KEY: KEY };

const wf = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];

describe('who may use a queue: checked before connecting, exit 2 with the fix', () => {
  const refused = async (args: string[], env: Record<string, string>, re: RegExp): Promise<void> => {
    const r = await runCliIn(args, undefined, { TICKFOLD_QUEUE_KEY: '', ...env });
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/connection refused/); // refused before any connection
  };
  it('no key: refused (on loopback --insecure-loopback is offered, elsewhere not); a short key, two keys, an unreadable key file, no password off loopback, --insecure-loopback off loopback or with a key', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'key'), `${KEY}\n`);
    writeFileSync(join(d, 'short'), 'hunter2\n');
    const q = (url: string): string[] => [...wf, '--queue', url];
    await refused(q('redis://127.0.0.1:1'), {}, /the queue at redis:\/\/127\.0\.0\.1:1 needs a shared key: .*Set TICKFOLD_QUEUE_KEY \(or --queue-key-file FILE\) .*openssl rand -hex 32.*; or, on this machine only, --insecure-loopback/);
    const off = await runCliIn(q('redis://:pw@10.9.8.7:6379'), undefined, { TICKFOLD_QUEUE_KEY: '' });
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/needs a shared key/);
    expect(off.stderr).not.toMatch(/insecure-loopback/);
    await refused(q('redis://127.0.0.1:1'), { TICKFOLD_QUEUE_KEY: 'hunter2' }, /TICKFOLD_QUEUE_KEY: the queue's key is 7 characters; it needs at least 32/);
    await refused([...q('redis://127.0.0.1:1'), '--queue-key-file', join(d, 'short')], {}, /--queue-key-file .*short: the queue's key is 7 characters/);
    await refused([...q('redis://127.0.0.1:1'), '--queue-key-file', join(d, 'nope')], {}, /--queue-key-file .*nope: cannot read it \(ENOENT\)/);
    await refused([...q('redis://127.0.0.1:1'), '--queue-key-file', join(d, 'key')], ENV, /--queue-key-file .* and TICKFOLD_QUEUE_KEY both give a key; give one/);
    await refused(q('redis://10.9.8.7:6379'), ENV, /the queue at redis:\/\/10\.9\.8\.7:6379 has no password, and it is not on this machine: .*requirepass/);
    await refused(q('rediss://queue.example.com:6380'), ENV, /has no password, and it is not on this machine/);
    await refused([...q('redis://:pw@10.9.8.7:6379'), '--insecure-loopback'], {}, /--insecure-loopback: redis:\/\/:\*\*\*@10\.9\.8\.7:6379 is not a loopback address/);
    await refused([...q('redis://127.0.0.1:1'), '--insecure-loopback'], ENV, /--insecure-loopback is for a queue without a key; a key is given/);
    await refused([...wf, '--queue-key-file', join(d, 'key')], {}, /--queue-key-file is the key of a queue's jobs: give --queue/);
    await refused([...wf, '--insecure-loopback'], {}, /--insecure-loopback is for a queue without a key: give --queue/);
    // the worker: the same rules
    await refused(['worker', '--queue', 'redis://127.0.0.1:1'], {}, /needs a shared key.*--insecure-loopback/);
    await refused(['worker', '--queue', 'redis://10.9.8.7:6379'], ENV, /has no password, and it is not on this machine/);
    await refused(['worker', '--queue', 'redis://:pw@10.9.8.7:6379', '--insecure-loopback'], {}, /is not a loopback address/);
    // a key, on loopback: the checks pass, and only then is Redis tried (nothing listens on port 1)
    const ok = await runCliIn(q('redis://127.0.0.1:1'), undefined, ENV);
    expect(ok.code).toBe(2);
    expect(ok.stderr).toMatch(/cannot use the queue at redis:\/\/127\.0\.0\.1:1: nothing listens there/);
    const tls = await runCliIn(q('rediss://localhost:1'), undefined, ENV);
    expect(tls.stderr).toMatch(/cannot use the queue at rediss:\/\/localhost:1: nothing listens there.*rediss:\/\/ speaks TLS/);
  });

  it('a strategy file whose name cannot travel as a plain file name is refused before any work', async () => {
    const d = tempDir();
    writeFileSync(join(d, 'v1..2.mjs'), `export default { name: 'v', description: '', params: {}, create() { return {}; } };\n`);
    const r = await runCliIn(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'v1..2.mjs'), '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', 'redis://127.0.0.1:1'], d, ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy file .*v1\.\.2\.mjs: its name cannot travel to the queue's workers \(it holds '\.\.'\); .*rename the file/);
  });
});

describeRedis('--insecure-loopback: no key, on this machine only', () => {
  it('a worker and a coordinator both without a key give the local report; a keyed worker refuses their jobs', async () => {
    const d = tempDir();
    const port = await freePort();
    const redis = await startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const noKey = { ...process.env, TICKFOLD_QUEUE_KEY: '' };
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1', '--insecure-loopback'], { env: noKey, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    w.stderr!.on('data', (b) => (log += String(b)));
    try {
      expect((await runCliIn([...wf, '--json', join(d, 'local.json')], d)).code).toBe(0);
      const r = await runCliIn([...wf, '--queue', url, '--insecure-loopback', '--json', join(d, 'q.json')], d, { TICKFOLD_QUEUE_KEY: '' });
      expect(r.code, r.stderr).toBe(0);
      expect(content(join(d, 'q.json'))).toEqual(content(join(d, 'local.json')));
      await until(() => /NO KEY \(--insecure-loopback\): any job in this Redis runs/.test(log), 'the worker to say it has no key');
    } catch (e) {
      redis.kill('SIGKILL');
      throw e;
    } finally {
      w.kill('SIGKILL');
    }
    // a worker with a key takes none of the jobs of a coordinator without one
    const keyed = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1'], { env: { ...process.env, ...ENV }, stdio: 'ignore' });
    try {
      const r = await runCliIn([...wf.map((x) => (x === 'entry=1.5,2' ? 'entry=3' : x)), '--queue', url, '--insecure-loopback'], d, { TICKFOLD_QUEUE_KEY: '' });
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/the worker could not run it: refused by the worker: it carries no authentication code/);
    } finally {
      keyed.kill('SIGKILL');
      redis.kill('SIGKILL');
    }
  });
});

const OPENSSL = spawnSync('openssl', ['version']).status === 0;
const describeTls: typeof describe = OPENSSL ? describeRedis : (((name: string, fn: () => void) => describe.skip(`${name} [skipped: no openssl here to make the test's certificates; .ci/run installs it]`, fn)) as typeof describe);
describeTls('rediss:// (TLS) to a redis-server with a TLS port on loopback', () => {
  it('worker and coordinator over TLS give the local report; without the CA trusted, the error says how to trust it', async () => {
    const d = tempDir();
    const ssl = (...a: string[]): void => {
      const r = spawnSync('openssl', a, { cwd: d, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`openssl ${a.join(' ')}: ${r.stderr}`);
    };
    // a CA, and a certificate for 127.0.0.1 it signs
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=tickfold test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(join(d, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', 'redis.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'redis.pem', '-days', '2', '-extfile', 'san.ext');
    const port = await freePort();
    const tls = ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(d, 'redis.pem'), '--tls-key-file', join(d, 'redis.key'), '--tls-ca-cert-file', join(d, 'ca.pem'), '--tls-auth-clients', 'no'];
    const redis = await startRedis(port, tls, ['--tls', '--cacert', join(d, 'ca.pem'), '-h', '127.0.0.1', '-p', String(port)]);
    const url = `rediss://127.0.0.1:${port}`;
    const env = { ...ENV, NODE_EXTRA_CA_CERTS: join(d, 'ca.pem') };
    const w = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    try {
      expect((await runCliIn([...wf, '--json', join(d, 'local.json')], d)).code).toBe(0);
      // a process of its own: Node reads NODE_EXTRA_CA_CERTS when it starts
      const r = runCli([...wf, '--queue', url, '--json', join(d, 'tls.json')], d, env);
      expect(r.code, r.stderr).toBe(0);
      expect(content(join(d, 'tls.json'))).toEqual(content(join(d, 'local.json')));
      const untrusted = await runCliIn([...wf, '--queue', url], d, ENV);
      expect(untrusted.code).toBe(2);
      expect(untrusted.stderr).toMatch(/cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+: TLS: .*certificate.*NODE_EXTRA_CA_CERTS/);
      // plain redis:// to the TLS port: refused by Redis, and the error points to rediss://
      const plain = await runCliIn([...wf, '--queue', `redis://127.0.0.1:${port}`], d, ENV);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/write rediss:\/\//);
    } finally {
      w.kill('SIGKILL');
      redis.kill('SIGKILL');
    }
  });
});
