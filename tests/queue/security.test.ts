/**
 * Write access to the queue's Redis is not code execution on the workers, nor a way to change a
 * report (issue 29): attacks on a real redis-server on a free loopback port, against a worker
 * process started as users start it and a coordinator (in this process: what is attacked is the
 * queue between them). Who may use a queue at all, and a queue over TLS, are in access.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeValue, jobContent, type JobData } from '../../src/runtime/queue-codec.js';
import { QueueKey } from '../../src/runtime/queue-key.js';
import { VERSION } from '../../src/version.js';
import { ROOT, tempDir } from '../helpers.js';
import { runCliIn } from '../cli-harness.js';
import { BIN, content } from './queue-fixture.js';
import { describeRedis, freePort, startRedis, until } from './redis-server.js';

const KEY = 'a3f1c9e07b5d2468ace13579bdf02468a3f1c9e07b5d2468ace13579bdf02468';
const WRONG_KEY = 'ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000ffff0000';
const ENV = { TICKFOLD_QUEUE_KEY: KEY };
const sha256 = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

const wf = ['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', 'pairs', '--param', 'every=10s', '--grid', 'entry=1.5,2', '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache'];

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
    const r = await runCliIn([...wf, '--queue', url, '--json', join(d, 'first.json')], d, ENV);
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
  /** Job `id` refused by the worker: failed with the reason `refused`, tried once (not retried), logged as refused. */
  const refusedOnce = async (queue: import('bullmq').Queue, id: string, name: string, refused: RegExp): Promise<void> => {
    await until(async () => (await queue.getJobState(id)) === 'failed', `the worker to refuse ${id}`);
    const j = await queue.getJob(id);
    expect(j!.failedReason, id).toMatch(/^refused by the worker: /);
    expect(j!.failedReason, id).toMatch(refused);
    expect(j!.attemptsMade, id).toBe(1); // not retried
    expect(workerLog, id).toMatch(new RegExp(`REFUSED job "${id}" \\("${name}"\\): .*; not run`));
  };

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
    for (const a of attacks) await refusedOnce(queue, a.id, 'run', a.refused);
    expect(existsSync(marker)).toBe(false); // the module never ran
    for (const where of [d, join(d, 'tmp'), join(d, '..')]) expect(existsSync(join(where, 'pwned.mjs')), where).toBe(false);
    await queue.close();
    // and the worker still runs genuine jobs
    const again = await runCliIn([...wf.map((x) => (x === 'entry=1.5,2' ? 'entry=2.5' : x)), '--queue', url], d, ENV);
    expect(again.code, again.stderr).toBe(0);
  });

  it('a job whose data its checks cannot read (nested too deep to serialise, put in Redis by hand with attempts of its own) is refused once, not retried', async () => {
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    const id = 'inject-deep';
    // a placeholder the worker cannot take yet, then its data replaced in Redis (bullmq would not
    // serialise such data itself): 200,000 nested arrays, which JSON.parse reads and JSON.stringify cannot
    await queue.add('run', { placeholder: true }, { jobId: id, delay: 3_600_000, attempts: 1_000_000, backoff: { type: 'fixed', delay: 0 } });
    const deep = `{"version":${JSON.stringify(VERSION)},"mac":"${'aa'.repeat(32)}","task":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    const set = spawnSync('redis-cli', ['-p', String(port), '-x', 'hset', `bull:tickfold-tasks:${id}`, 'data'], { input: deep, encoding: 'utf8' });
    expect(set.status, set.stderr).toBe(0);
    await (await queue.getJob(id))!.promote();
    await refusedOnce(queue, id, 'run', /its data cannot be read/);
    await queue.close();
  });

  it("a streamed task whose plan names a catalog file by anything but its hash, or a folder, is refused (even with a valid code): nothing read or written outside the worker's folder", async () => {
    const { Queue } = await import('bullmq');
    const queue = new Queue('tickfold-tasks', { connection: { host: '127.0.0.1', port } });
    const real = new QueueKey(Buffer.from(KEY));
    const run = { execution: {}, initialCapital: 1e6, periodUs: 6e7, periodsPerYear: 252, seed: '1' };
    const h = 'ab'.repeat(32);
    // a file the attacker would have the worker read (a plan's folder), or write (a name with ../)
    const target = join(d, 'target');
    mkdirSync(target, { recursive: true });
    const entry = (names: string[], seq: string[] = []) => ({
      kind: 1,
      nCols: 4,
      symbols: ['AAA'],
      key: { path: 'q.csv' },
      badSamples: [],
      partitions: [names.map((name) => ({ name, sym: 0, rows: 1, firstTs: 0, lastTs: 0, bytes: 64, crc: 0 }))],
      sequence: seq.map((name) => ({ name, firstRow: 0, rows: 1, bytes: 32, crc: 0 })),
    });
    const streamed = (dir: string, names: string[], seq: string[] = []) => ({
      kind: 'trial',
      strategy: 'pairs',
      params: [{}],
      labels: ['crafted'],
      windows: [],
      run,
      stream: { plan: { sources: [{ dir, entry: entry(names, seq) }], window: { fromUs: -Infinity, toUs: Infinity }, merge: { fromUs: -Infinity, toUs: Infinity } }, rows: 64, symbols: ['AAA'], spans: null, endSession: 0, facts: {} },
    });
    const manifest = (names: string[]): string => sha256(names.join('\n'));
    const cases: { id: string; task: unknown; dataHash: string; refused: RegExp }[] = [
      { id: 'crafted-dotdot', task: streamed('', [`../../${h}.tfp`]), dataHash: manifest([`../../${h}.tfp`]), refused: /its streamed plan names a catalog file "\.\.\/\.\.\/[0-9a-f]{64}\.tfp", not a SHA-256 in hex with \.tfp/ },
      { id: 'crafted-short-hash', task: streamed('', ['abc.tfp']), dataHash: manifest(['abc.tfp']), refused: /names a catalog file "abc\.tfp", not a SHA-256/ },
      { id: 'crafted-upper-hash', task: streamed('', [`${h.toUpperCase()}.tfp`]), dataHash: manifest([`${h.toUpperCase()}.tfp`]), refused: /not a SHA-256 in hex with \.tfp/ },
      { id: 'crafted-seq-as-part', task: streamed('', [`${h}.tfs`]), dataHash: manifest([`${h}.tfs`]), refused: /not a SHA-256 in hex with \.tfp/ },
      { id: 'crafted-seq-name', task: streamed('', [`${h}.tfp`], ['/etc/passwd']), dataHash: manifest([`${h}.tfp`, '/etc/passwd']), refused: /names a catalog file "\/etc\/passwd", not a SHA-256 in hex with \.tfs/ },
      { id: 'crafted-folder', task: streamed(target, [`${h}.tfp`]), dataHash: manifest([`${h}.tfp`]), refused: /its streamed plan names a folder ".*target" \(a plan from the queue names its files by hash only\)/ },
      { id: 'crafted-manifest', task: streamed('', [`${h}.tfp`]), dataHash: 'cd'.repeat(32), refused: /its data hash is not the hash of its plan's catalog files/ },
    ];
    for (const c of cases) {
      const data: Omit<JobData, 'mac'> = { version: VERSION, dataHash: c.dataHash, dataIn: 'redis', moduleHash: null, moduleName: null, label: 'crafted', task: encodeValue(c.task) };
      await queue.add('trial', { ...data, mac: real.mac('job', c.id, jobContent(data)) }, { jobId: c.id, attempts: 5 });
    }
    for (const c of cases) await refusedOnce(queue, c.id, 'trial', c.refused);
    // nothing fetched for them: no catalog file was even asked of Redis, and nothing landed outside
    expect(workerLog).not.toMatch(/crafted: streamed from/);
    for (const where of [d, join(d, 'tmp'), join(d, '..'), target])
      expect(
        readdirSync(where).some((n) => /^[0-9a-f]{64}\.tf[ps]$/.test(n)),
        where,
      ).toBe(false);
    await queue.close();
  });

  it('strategy code from the queue runs in the sandbox on the worker: a module that reads a file is refused there, as it is on a local run', async () => {
    const secret = join(d, 'secret.txt');
    writeFileSync(secret, 'prices ahead of the clock');
    writeFileSync(join(d, 'peek.mjs'), `import { readFileSync } from 'node:fs';\nexport default { name: 'peek', description: 'reads a file', params: {}, create() { return { onStart() { readFileSync(${JSON.stringify(secret)}, 'utf8'); } }; } };\n`);
    const before = workerLog.length;
    const r = await runCliIn(['walk-forward', '--data', join(ROOT, 'data/sample_pair_quotes.csv'), '--strategy', join(d, 'peek.mjs'), '--train', '1h', '--test', '30m', '--no-ledger', '--no-cache', '--queue', url, '--json', join(d, 'peek.json')], d, ENV);
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
    const refusedRun = async (out: string): Promise<string> => {
      const r = await runCliIn([...wf, '--queue', url, '--json', join(d, out)], d, ENV);
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
    expect(await refusedRun('tampered.json')).toMatch(new RegExp(`refusing its result in the queue \\(job ${victim}\\): its authentication code does not match .*no report was written, and the job was removed`));
    // the rerun runs that task afresh: the genuine report
    const ok = await runCliIn([...wf, '--queue', url, '--json', join(d, 'after.json')], d, ENV);
    expect(ok.code, ok.stderr).toBe(0);
    expect(content(join(d, 'after.json'))).toEqual(baseline);
    // 2. a genuine result and its genuine code, moved to another job (the code covers the job id)
    const [a, b] = [oos[0]!, trials[0]!];
    hset(a, hget(b));
    expect(await refusedRun('moved.json')).toMatch(new RegExp(`refusing its result in the queue \\(job ${a}\\): its authentication code does not match`));
    // 3. the code stripped
    const ok2 = await runCliIn([...wf, '--queue', url, '--json', join(d, 'after2.json')], d, ENV);
    expect(ok2.code, ok2.stderr).toBe(0);
    const v3 = JSON.parse(hget(victim)) as { result: string };
    hset(victim, JSON.stringify({ result: v3.result, mac: null }));
    expect(await refusedRun('stripped.json')).toMatch(/carries no authentication code/);
    // 4. a result made under another key: a coordinator with that key sees other jobs (its ids
    // carry the key's fingerprint), so nothing of this key's is even read
    const other = await runCliIn([...wf, '--queue', url, '--json', join(d, 'other.json')], d, { TICKFOLD_QUEUE_KEY: WRONG_KEY });
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/the worker could not run it: refused by the worker: its authentication code does not match/);
  });
});
