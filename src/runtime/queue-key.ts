/**
 * The queue's shared key, and who may use a queue at all. Write access to the queue's Redis must
 * not be code execution on the workers, nor a way to change a report: every job a coordinator
 * sends and every result a worker returns carries an HMAC-SHA-256 under a key that only the
 * coordinators and workers hold (`TICKFOLD_QUEUE_KEY`, or `--queue-key-file FILE`). A worker runs
 * only a job whose code matches (the job names the SHA-256 of its data and of its strategy
 * module's source, so they are authenticated with it); a coordinator takes only a result whose
 * code matches. Each code covers its kind, its job id and its content, so a valid one cannot be
 * moved to another job or passed off as a result. Codes are compared in constant time.
 *
 * Without a key a queue is refused, but on a loopback address with `--insecure-loopback` (one
 * machine, for trying it out); a Redis without a password is refused off loopback.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { maskUrl } from './queue-url.js';

/** The environment variable that holds the key. */
export const KEY_ENV = 'TICKFOLD_QUEUE_KEY';
/** A key shorter than this (characters, after trimming) is refused: 32 hex digits are 128 bits. */
export const MIN_KEY_CHARS = 32;
const MAKE_ONE = 'make one with: openssl rand -hex 32 > ~/.tickfold-queue-key && chmod 600 ~/.tickfold-queue-key';

/** What a code authenticates: a job (the coordinator's) or a result (a worker's). */
export type MacKind = 'job' | 'result';

export class QueueKey {
  /** A public fingerprint of the key, part of every job id: jobs sent under another key are other jobs (a new key never meets old results). */
  readonly id: string;

  constructor(private readonly secret: Buffer) {
    this.id = createHmac('sha256', secret).update('tickfold-queue-key-id').digest('hex').slice(0, 16);
  }

  /** The code of `content`, as `kind` of job `jobId` (hex). */
  mac(kind: MacKind, jobId: string, content: string): string {
    return createHmac('sha256', this.secret).update(`tickfold-queue-v1\n${kind}\n${jobId}\n`).update(content).digest('hex');
  }

  /** Whether `mac` is the code of `content` as `kind` of job `jobId` (a constant-time comparison). */
  verify(kind: MacKind, jobId: string, content: string, mac: unknown): boolean {
    if (typeof mac !== 'string' || !/^[0-9a-f]{64}$/.test(mac)) return false;
    return timingSafeEqual(Buffer.from(this.mac(kind, jobId, content), 'hex'), Buffer.from(mac, 'hex'));
  }
}

/**
 * The key of `--queue-key-file FILE` or of `TICKFOLD_QUEUE_KEY` (the file wins; both given is a
 * usage error, as is a key shorter than {@link MIN_KEY_CHARS}); undefined when neither is.
 */
export function loadQueueKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): QueueKey | undefined {
  const fromEnv = env[KEY_ENV];
  if (keyFile !== undefined && fromEnv !== undefined && fromEnv !== '') throw new UsageError(`--queue-key-file ${keyFile} and ${KEY_ENV} both give a key; give one (unset ${KEY_ENV}, or drop --queue-key-file)`);
  let text: string;
  let where: string;
  if (keyFile !== undefined) {
    where = `--queue-key-file ${keyFile}`;
    try {
      if (statSync(keyFile).isDirectory()) throw new Error('it is a folder');
      text = readFileSync(keyFile, 'utf8');
    } catch (e) {
      throw new UsageError(`${where}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the file that holds the queue's key (${MAKE_ONE}, and copy it to every machine)`);
    }
  } else if (fromEnv !== undefined && fromEnv !== '') {
    where = KEY_ENV;
    text = fromEnv;
  } else {
    return undefined;
  }
  const key = text.trim();
  if (key.length < MIN_KEY_CHARS) throw new UsageError(`${where}: the queue's key is ${key.length} characters; it needs at least ${MIN_KEY_CHARS} (a guessable key lets anyone with access to Redis run code on the workers); ${MAKE_ONE}`);
  if (/\s/.test(key)) throw new UsageError(`${where}: the queue's key holds white space inside it; it must be one word (${MAKE_ONE})`);
  return new QueueKey(Buffer.from(key, 'utf8'));
}

/** Whether a URL's host is this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Who may use this queue, checked before connecting (usage errors, exit 2): a key, or
 * `--insecure-loopback` on a loopback address (not both); off loopback, a Redis password in the
 * URL too.
 */
export function checkQueueAccess(url: string, key: QueueKey | undefined, insecureLoopback: boolean): void {
  const loop = isLoopback(url);
  const shown = maskUrl(url);
  if (insecureLoopback && key) throw new UsageError(`--insecure-loopback is for a queue without a key; a key is given (${KEY_ENV} or --queue-key-file): drop --insecure-loopback`);
  if (insecureLoopback && !loop) throw new UsageError(`--insecure-loopback: ${shown} is not a loopback address (127.0.0.1, ::1, localhost); a queue other machines reach needs a key: set ${KEY_ENV} (or --queue-key-file FILE) on the coordinator and every worker`);
  if (!key && !insecureLoopback) {
    throw new UsageError(
      `the queue at ${shown} needs a shared key: anyone who can write to its Redis could otherwise run code on every worker and change results. Set ${KEY_ENV} (or --queue-key-file FILE) to the same key on the coordinator and every worker (${MAKE_ONE})${loop ? '; or, on this machine only, --insecure-loopback' : ''}`,
    );
  }
  if (!loop) {
    const u = new URL(url);
    if (u.password === '') throw new UsageError(`the queue at ${shown} has no password, and it is not on this machine: a Redis open to the network without one is refused. Set 'requirepass SECRET' in its redis.conf and write redis://:SECRET@HOST:PORT (rediss:// for TLS)`);
  }
}
