/**
 * Write access to the queue's Redis is not code execution on the workers, nor a way to change a
 * report (issue 29): attacks on a real redis-server on a free loopback port, against a worker and
 * a coordinator started as users start them, plus who may use a queue at all (checked before
 * connecting) and a queue over TLS (rediss://).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeValue, jobContent, type JobData } from '../../src/runtime/queue-codec.js';
import { QueueKey } from '../../src/runtime/queue-key.js';
import { VERSION } from '../../src/version.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { describeRedis, freePort, startRedis, until } from './redis-server.js';

const BIN = join(ROOT, 'bin/tickfold');
const KEY = 'a3f1c9e07b5d2468ace13579bdf02468a3f1c9e07b5d2468ace13579bdf02468';
const WRONG_KEY = 'ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000';
const ENV = { TICKFOLD_QUEUE_KEY: KEY };
const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

/** The report without the command line it records. */
const content = (file: string): unknown => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  delete j.tickfold.argv;
  return j;
};

const wf = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];

describe('who may use a queue: checked before connecting, exit 2 with the fix', () => {
  const refused = (args: string[], env: Record<string, string>, re: RegExp): void => {
    const r = runCli(args, undefined, { TICKFOLD_QUEUE_KEY: '', ...env });
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toMatch(/connection refused/); // refused before any connection
  };
  it('no key: refused (on loopback --insecure-loopback is offered, elsewhere not); a short key, two keys, an unreadable key file, no password off loopback, --insecure-loopback off loopback or with a key', () => {
    const d = tempDir();
    writeFileSync(join(d, 'key'), `${KEY}\n`);
    writeFileSync(join(d, 'short'), 'hunter2\n');
    const q = (url: string): string[] => [...wf, '--queue', url];
    refused(q('redis://127.0.0.1:1'), {}, /the queue at redis:\/\/127\.0\.0\.1:1 needs a shared key: .*Set TICKFOLD_QUEUE_KEY \(or --queue-key-file FILE\) .*openssl rand -hex 32.*; or, on this machine only, --insecure-loopback/);
    const off = runCli(q('redis://:pw@10.9.8.7:6379'), undefined, { TICKFOLD_QUEUE_KEY: '' });
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/needs a shared key/);
    expect(off.stderr).not.toMatch(/insecure-loopback/);
    refused(q('redis://127.0.0.1:1'), { TICKFOLD_QUEUE_KEY: 'hunter2' }, /TICKFOLD_QUEUE_KEY: the queue's key is 7 characters; it needs at least 32/);
    refused([...q('redis://127.0.0.1:1'), '--queue-key-file', join(d, 'short')], {}, /--queue-key-file .*short: the queue's key is 7 characters/);
    refused([...q('redis://127.0.0.1:1'), '--queue-key-file', join(d, 'nope')], {}, /--queue-key-file .*nope: cannot read it \(ENOENT\)/);
    refused([...q('redis://127.0.0.1:1'), '--queue-key-file', join(d, 'key')], ENV, /--queue-key-file .* and TICKFOLD_QUEUE_KEY both give a key; give one/);
    refused(q('redis://10.9.8.7:6379'), ENV, /the queue at redis:\/\/10\.9\.8\.7:6379 has no password, and it is not on this machine: .*requirepass/);
    refused(q('rediss://queue.example.com:6380'), ENV, /has no password, and it is not on this machine/);
    refused([...q('redis://:pw@10.9.8.7:6379'), '--insecure-loopback'], {}, /--insecure-loopback: redis:\/\/:\*\*\*@10\.9\.8\.7:6379 is not a loopback address/);
    refused([...q('redis://127.0.0.1:1'), '--insecure-loopback'], ENV, /--insecure-loopback is for a queue without a key; a key is given/);
    refused([...wf, '--queue-key-file', join(d, 'key')], {}, /--queue-key-file is the key of a queue's jobs: give --queue/);
    refused([...wf, '--insecure-loopback'], {}, /--insecure-loopback is for a queue without a key: give --queue/);
    // the worker: the same rules
    refused(['worker', '--queue', 'redis://127.0.0.1:1'], {}, /needs a shared key.*--insecure-loopback/);
    refused(['worker', '--queue', 'redis://10.9.8.7:6379'], ENV, /has no password, and it is not on this machine/);
    refused(['worker', '--queue', 'redis://:pw@10.9.8.7:6379', '--insecure-loopback'], {}, /is not a loopback address/);
    // a key, on loopback: the checks pass, and only then is Redis tried (nothing listens on port 1)
    const ok = runCli(q('redis://127.0.0.1:1'), undefined, ENV);
    expect(ok.code).toBe(2);
    expect(ok.stderr).toMatch(/cannot use the queue at redis:\/\/127\.0\.0\.1:1: nothing listens there/);
    const tls = runCli(q('rediss://localhost:1'), undefined, ENV);
    expect(tls.stderr).toMatch(/cannot use the queue at rediss:\/\/localhost:1: nothing listens there.*rediss:\/\/ speaks TLS/);
  });

  it('a strategy file whose name cannot travel as a plain file name is refused before any work', () => {
    const d = tempDir();
    writeFileSync(join(d, 'v1..2.mjs'), `export default { name: 'v', description: '', params: {}, create() { return {}; } };\n`);
    const r = runCli(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'v1..2.mjs'), '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', 'redis://127.0.0.1:1'], d, ENV);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/strategy file .*v1\.\.2\.mjs: its name cannot travel to the queue's workers \(it holds '\.\.'\); .*rename the file/);
  });
});

describeRedis("attacks through the queue's Redis: an injected job, a module name with ../, a tampered result", () => {
  let redis: ChildProcess;
  let port: number;
  let url: string;
  let worker: ChildProcess;
  let workerLog = '';
  let d: string;
  let baseline: unknown;
  /** The genuine run's finished jobs: its trial batches and out-of-sample runs. */
  let genuine: { trial: string[]; oos: string[] };
  beforeAll(async () => {
    d = tempDir();
    mkdirSync(join(d, 'tmp'));
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    // the worker's temporary folder (where it writes modules) inside the test's folder, to see
    // whether anything lands outside it
    worker = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--concurrency', '1'], { env: { ...process.env, ...ENV, TMPDIR: join(d, 'tmp') }, stdio: ['ignore', 'ignore', 'pipe'] });
    worker.stderr!.on('data', (b) => (workerLog += String(b)));
    // a genuine run first: its data is in Redis for the injected jobs, its results for the tampering
    const r = runCli([...wf, '--queue', url, '--json', join(d, 'first.json')], d, ENV);
    expect(r.code, r.stderr).toBe(0);
    baseline = content(join(d, 'first.json'));
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    const done = await queue.getCompleted();
    genuine = { trial: done.filter((j) => j.name === 'trial').map((j) => j.id!), oos: done.filter((j) => j.name === 'oos').map((j) => j.id!) };
    await queue.close();
  });
  afterAll(() => {
    worker?.kill('SIGKILL');
    redis?.kill('SIGKILL');
  });

  it('injected jobs are refused, logged and not run: no code, a wrong key\'s code, a module name with ../ (even with a valid code), a "built-in" that is a path', async () => {
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    const marker = join(d, 'ran.txt');
    const evil = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'the injected module ran');\nexport default { name: 'evil', description: '', params: {}, create() { return {}; } };\n`;
    writeFileSync(join(d, 'evil.mjs'), evil);
    const moduleHash = sha256(evil);
    // the attacker stores the module under its own SHA-256, as a coordinator would
    spawnSync('redis-cli', ['-p', String(port), '-x', 'set', `tickfold:module:${moduleHash}`], { input: evil });
    const dataHash = spawnSync('redis-cli', ['-p', String(port), 'keys', 'tickfold:data:*'], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n')[0]!
      .replace('tickfold:data:', '');
    expect(dataHash).toMatch(/^[0-9a-f]{64}$/);
    const run = { execution: {}, initialCapital: 1e6, periodUs: 6e7, periodsPerYear: 252, seed: '1' };
    const job = (strategy: string, moduleName: string | null): Omit<JobData, 'mac'> => ({
      version: VERSION,
      dataHash,
      dataIn: 'redis',
      moduleHash: moduleName === null ? null : moduleHash,
      moduleName,
      label: 'injected',
      task: encodeValue({ kind: 'run', strategy, params: {}, run }),
    });
    const real = new QueueKey(Buffer.from(KEY));
    const wrong = new QueueKey(Buffer.from(WRONG_KEY));
    const attacks: { id: string; data: Omit<JobData, 'mac'>; mac: (id: string, j: Omit<JobData, 'mac'>) => string | null; refused: RegExp }[] = [
      { id: 'inject-no-code', data: job('evil.mjs', 'evil.mjs'), mac: () => null, refused: /carries no authentication code/ },
      { id: 'inject-wrong-key', data: job('evil.mjs', 'evil.mjs'), mac: (id, j) => wrong.mac('job', id, jobContent(j)), refused: /its authentication code does not match/ },
      { id: 'inject-moved-code', data: job('evil.mjs', 'evil.mjs'), mac: (_id, j) => real.mac('job', 'another-job', jobContent(j)), refused: /its authentication code does not match/ },
      { id: 'inject-dotdot', data: job('pwned.mjs', '../../../pwned.mjs'), mac: (id, j) => real.mac('job', id, jobContent(j)), refused: /its module name "\.\.\/\.\.\/\.\.\/pwned\.mjs" is not a plain file name \(it holds a folder separator/ },
      { id: 'inject-dotdot-nocode', data: job('pwned.mjs', '../../../pwned.mjs'), mac: () => null, refused: /carries no authentication code/ },
      { id: 'inject-builtin-path', data: job(join(d, 'evil.mjs'), null), mac: (id, j) => real.mac('job', id, jobContent(j)), refused: /names the strategy ".*evil\.mjs" as built in, and this install has no such built-in/ },
    ];
    for (const a of attacks) await queue.add('run', { ...a.data, mac: a.mac(a.id, a.data) }, { jobId: a.id, attempts: 5 });
    for (const a of attacks) {
      await until(async () => (await queue.getJobState(a.id)) === 'failed', `the worker to refuse ${a.id}`);
      const j = await queue.getJob(a.id);
      expect(j!.failedReason, a.id).toMatch(/^refused by the worker: /);
      expect(j!.failedReason, a.id).toMatch(a.refused);
      expect(j!.attemptsMade, a.id).toBe(1); // not retried
      expect(workerLog, a.id).toMatch(new RegExp(`REFUSED job "${a.id}" \\("run"\\): .*; not run`));
    }
    expect(existsSync(marker)).toBe(false); // the module never ran
    for (const where of [d, join(d, 'tmp'), join(d, '..')]) expect(existsSync(join(where, 'pwned.mjs')), where).toBe(false);
    await queue.close();
    // and the worker still runs genuine jobs
    const again = runCli([...wf.map((x) => (x === 'entry=1.5,2' ? 'entry=2.5' : x)), '--queue', url], d, ENV);
    expect(again.code, again.stderr).toBe(0);
  });

  it('strategy code from the queue runs in the sandbox on the worker: a module that reads a file is refused there, as it is on a local run', () => {
    const secret = join(d, 'secret.txt');
    writeFileSync(secret, 'prices ahead of the clock');
    writeFileSync(join(d, 'peek.mjs'), `import { readFileSync } from 'node:fs';\nexport default { name: 'peek', description: 'reads a file', params: {}, create() { return { onStart() { readFileSync(${JSON.stringify(secret)}, 'utf8'); } }; } };\n`);
    const before = workerLog.length;
    const r = runCli(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'peek.mjs'), '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url, '--json', join(d, 'peek.json')], d, ENV);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/tried to read .*secret\.txt: strategy code may not touch files/);
    expect(existsSync(join(d, 'peek.json'))).toBe(false);
    // it was the worker's thread that refused it (the coordinator runs no strategy code on the queue)
    expect(workerLog.slice(before)).not.toMatch(/REFUSED/);
  });

  it('a tampered result is refused (exit 3, no report, the job removed), so is a valid result moved to another job; the rerun after is the genuine report', async () => {
    const { trial: trials, oos } = genuine;
    expect(trials.length).toBeGreaterThan(0);
    expect(oos.length).toBeGreaterThan(0);
    const hget = (id: string): string => spawnSync('redis-cli', ['-p', String(port), 'hget', `bull:tickfold-tasks:${id}`, 'returnvalue'], { encoding: 'utf8' }).stdout.replace(/\n$/, '');
    const hset = (id: string, v: string): void => void spawnSync('redis-cli', ['-p', String(port), '-x', 'hset', `bull:tickfold-tasks:${id}`, 'returnvalue'], { input: v });
    const refusedRun = (out: string): string => {
      const r = runCli([...wf, '--queue', url, '--json', join(d, out)], d, ENV);
      expect(r.code, r.stderr).toBe(3);
      expect(existsSync(join(d, out))).toBe(false);
      return r.stderr;
    };
    // 1. the returns of a trial batch tripled (a better Sharpe), its code left as it was
    const victim = trials[0]!;
    const rv = JSON.parse(hget(victim)) as { result: string; mac: string };
    expect(rv.mac).toMatch(/^[0-9a-f]{64}$/);
    const value = deserialize(Buffer.from(rv.result, 'base64')) as { trials: { returns: Float64Array }[] };
    for (const t of value.trials) for (let i = 0; i < t.returns.length; i++) t.returns[i]! *= 3;
    hset(victim, JSON.stringify({ result: serialize(value).toString('base64'), mac: rv.mac }));
    expect(refusedRun('tampered.json')).toMatch(new RegExp(`refusing its result in the queue \\(job ${victim}\\): its authentication code does not match .*no report was written, and the job was removed`));
    // the rerun runs that task afresh: the genuine report
    const ok = runCli([...wf, '--queue', url, '--json', join(d, 'after.json')], d, ENV);
    expect(ok.code, ok.stderr).toBe(0);
    expect(content(join(d, 'after.json'))).toEqual(baseline);
    // 2. a genuine result and its genuine code, moved to another job (the code covers the job id)
    const [a, b] = [oos[0]!, trials[0]!];
    hset(a, hget(b));
    expect(refusedRun('moved.json')).toMatch(new RegExp(`refusing its result in the queue \\(job ${a}\\): its authentication code does not match`));
    // 3. the code stripped
    const ok2 = runCli([...wf, '--queue', url, '--json', join(d, 'after2.json')], d, ENV);
    expect(ok2.code, ok2.stderr).toBe(0);
    const v3 = JSON.parse(hget(victim)) as { result: string };
    hset(victim, JSON.stringify({ result: v3.result, mac: null }));
    expect(refusedRun('stripped.json')).toMatch(/carries no authentication code/);
    // 4. a result made under another key: a coordinator with that key sees other jobs (its ids
    // carry the key's fingerprint), so nothing of this key's is even read
    const other = runCli([...wf, '--queue', url, '--json', join(d, 'other.json')], d, { TICKFOLD_QUEUE_KEY: WRONG_KEY });
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/the worker could not run it: refused by the worker: its authentication code does not match/);
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
      expect(runCli([...wf, '--json', join(d, 'local.json')], d).code).toBe(0);
      const r = runCli([...wf, '--queue', url, '--insecure-loopback', '--json', join(d, 'q.json')], d, { TICKFOLD_QUEUE_KEY: '' });
      expect(r.code, r.stderr).toBe(0);
      expect(content(join(d, 'q.json'))).toEqual(content(join(d, 'local.json')));
      // (its stderr read once this process's event loop is free again: runCli blocked it)
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
      const r = runCli([...wf.map((x) => (x === 'entry=1.5,2' ? 'entry=3' : x)), '--queue', url, '--insecure-loopback'], d, { TICKFOLD_QUEUE_KEY: '' });
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
      expect(runCli([...wf, '--json', join(d, 'local.json')], d).code).toBe(0);
      const r = runCli([...wf, '--queue', url, '--json', join(d, 'tls.json')], d, env);
      expect(r.code, r.stderr).toBe(0);
      expect(content(join(d, 'tls.json'))).toEqual(content(join(d, 'local.json')));
      const untrusted = runCli([...wf, '--queue', url], d, ENV);
      expect(untrusted.code).toBe(2);
      expect(untrusted.stderr).toMatch(/cannot use the queue at rediss:\/\/127\.0\.0\.1:\d+: TLS: .*certificate.*NODE_EXTRA_CA_CERTS/);
      // plain redis:// to the TLS port: refused by Redis, and the error points to rediss://
      const plain = runCli([...wf, '--queue', `redis://127.0.0.1:${port}`], d, ENV);
      expect(plain.code).toBe(2);
      expect(plain.stderr).toMatch(/write rediss:\/\//);
    } finally {
      w.kill('SIGKILL');
      redis.kill('SIGKILL');
    }
  });
});
