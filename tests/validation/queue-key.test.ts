/**
 * The queue's key and access rules (src/runtime/queue-key.ts) and the module names a job may
 * carry (queue-codec.ts), as functions; the same through the CLI and a real Redis in
 * tests/queue/security.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { moduleNameProblem } from '../../src/runtime/queue-codec.js';
import { checkQueueAccess, isLoopback, loadQueueKey, QueueKey } from '../../src/runtime/queue-key.js';

const K = 'a3f1c9e07b5d2468ace13579bdf02468a3f1c9e07b5d2468ace13579bdf02468';

describe('queue key', () => {
  it('a code covers its kind, its job id and its content; another key, job, kind or byte fails; malformed codes fail', () => {
    const k = new QueueKey(Buffer.from(K));
    const m = k.mac('job', 'id1', 'content');
    expect(m).toMatch(/^[0-9a-f]{64}$/);
    expect(k.verify('job', 'id1', 'content', m)).toBe(true);
    expect(k.verify('job', 'id2', 'content', m)).toBe(false);
    expect(k.verify('result', 'id1', 'content', m)).toBe(false);
    expect(k.verify('job', 'id1', 'contenT', m)).toBe(false);
    expect(new QueueKey(Buffer.from(K.replace('a', 'b'))).verify('job', 'id1', 'content', m)).toBe(false);
    for (const bad of [null, undefined, 42, '', m.slice(0, 63), `${m}0`, m.toUpperCase(), { m }]) expect(k.verify('job', 'id1', 'content', bad)).toBe(false);
    // the fingerprint in job ids: stable for a key, different for another, not the key
    expect(k.id).toBe(new QueueKey(Buffer.from(K)).id);
    expect(k.id).not.toBe(new QueueKey(Buffer.from(K.replace('a', 'b'))).id);
    expect(K).not.toContain(k.id);
  });

  it('the key from the environment (trimmed), at least 32 characters, one word', () => {
    expect(loadQueueKey(undefined, {})).toBeUndefined();
    expect(loadQueueKey(undefined, { TICKFOLD_QUEUE_KEY: '' })).toBeUndefined();
    expect(loadQueueKey(undefined, { TICKFOLD_QUEUE_KEY: ` ${K}\n` })!.id).toBe(new QueueKey(Buffer.from(K)).id);
    expect(() => loadQueueKey(undefined, { TICKFOLD_QUEUE_KEY: 'x'.repeat(31) })).toThrow(/31 characters; it needs at least 32/);
    expect(() => loadQueueKey(undefined, { TICKFOLD_QUEUE_KEY: `${K} ${K}` })).toThrow(/white space/);
  });

  it('loopback: 127.0.0.0/8, ::1, localhost; nothing else', () => {
    for (const u of ['redis://127.0.0.1:6379', 'redis://127.1.2.3', 'rediss://localhost:6380', 'redis://[::1]:6379', 'redis://:pw@LOCALHOST:1']) expect(isLoopback(u), u).toBe(true);
    for (const u of ['redis://10.0.0.1:6379', 'redis://0.0.0.0:6379', 'redis://127.0.0.1.evil.com:6379', 'redis://localhost.evil.com', 'redis://[::2]:6379', 'redis://queue-host:6379', 'redis://128.0.0.1']) expect(isLoopback(u), u).toBe(false);
  });

  it('access: a key, or --insecure-loopback on loopback (not both); off loopback a password too, TLS or not', () => {
    const k = new QueueKey(Buffer.from(K));
    const ok: [string, QueueKey | undefined, boolean][] = [
      ['redis://127.0.0.1:6379', k, false],
      ['redis://127.0.0.1:6379', undefined, true],
      ['redis://:pw@10.0.0.1:6379', k, false],
      ['rediss://:pw@queue.example.com:6380', k, false],
      ['rediss://user:pw@queue.example.com:6380', k, false],
    ];
    for (const [u, key, insecure] of ok) expect(() => checkQueueAccess(u, key, insecure), u).not.toThrow();
    const refused: [string, QueueKey | undefined, boolean, RegExp][] = [
      ['redis://127.0.0.1:6379', undefined, false, /needs a shared key.*--insecure-loopback/],
      ['redis://:pw@10.0.0.1:6379', undefined, false, /needs a shared key/],
      ['redis://:pw@10.0.0.1:6379', undefined, true, /not a loopback address/],
      ['redis://127.0.0.1:6379', k, true, /a key is given/],
      ['redis://10.0.0.1:6379', k, false, /has no password/],
      ['rediss://queue.example.com:6380', k, false, /has no password/],
      ['rediss://user@queue.example.com:6380', k, false, /has no password/],
    ];
    for (const [u, key, insecure, re] of refused) expect(() => checkQueueAccess(u, key, insecure), u).toThrow(re);
  });

  it('module names: plain file names with a loadable extension; separators, .., hidden, control characters refused', () => {
    for (const n of ['my-strategy.ts', 'a.mjs', 'x_1.js', 'b.cjs', 'c.mts', 'Strategy v2.ts']) expect(moduleNameProblem(n), n).toBeUndefined();
    const bad: [unknown, RegExp][] = [
      ['../../x.mjs', /folder separator/],
      ['..\\x.mjs', /folder separator/],
      ['/etc/x.mjs', /folder separator/],
      ['a..b.mjs', /'\.\.'/],
      ['..', /'\.\.'/],
      ['.hidden.mjs', /starts with '\.'/],
      ['x\n.mjs', /control character/],
      ['x\u0000.mjs', /control character/],
      ['x.sh', /does not end in/],
      ['', /empty/],
      [null, /empty/],
      [42, /empty/],
      ['x'.repeat(300) + '.mjs', /longer than 255/],
    ];
    for (const [n, re] of bad) expect(moduleNameProblem(n), JSON.stringify(n)).toMatch(re);
  });
});
