/**
 * A queue's URL: checked (redis:// or rediss://, else a usage error with the fix) and, wherever
 * it is printed or recorded (messages, logs, a report's command line), with its password masked.
 * Kept apart from the queue itself: every command masks its recorded command line.
 */
import { TickfoldError } from '../errors.js';

/** A queue URL (or any text holding one, e.g. `--queue=redis://…`) as it may be printed or recorded: the password replaced. */
export function maskUrl(url: string): string {
  return url.replace(/(rediss?:\/\/)([^@/\s]*)@/g, (_, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.split(':')[0]}:***` : '***'}@`);
}

/** A redis:// (or rediss://) URL, else a usage error; ioredis itself reads host, port, password and db from it. */
export function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TickfoldError('bad-queue', `--queue '${maskUrl(url)}' is not a URL; write redis://HOST:PORT (e.g. redis://127.0.0.1:6379, or redis://:PASSWORD@host:6379)`, 2);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new TickfoldError('bad-queue', `--queue '${maskUrl(url)}': the queue is Redis; write redis://HOST:PORT`, 2);
}
