/**
 * TCP proxies in front of a redis-server that play a Redis restart at an exact moment, chosen by
 * the command being sent (not by a clock, so a busy machine changes nothing):
 *
 * - {@link cutProxy}: when a client sends bytes holding `trigger`, every connection is cut before
 *   they reach Redis, and new connections are refused (closed at once) until `refusals` of them
 *   have been tried; then it passes everything again.
 * - {@link loadingProxy}: the first `times` commands holding `trigger` are answered as a Redis that
 *   has just restarted and is loading its data answers (`-LOADING ...`), without reaching Redis;
 *   then they pass. The command must be the only one awaiting a reply on its connection (true of
 *   the queue's uploads: each is awaited alone).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

/** The length of the first whole RESP command (an array of bulk strings) in `b`, or undefined while it is incomplete. */
function commandLength(b: Buffer): number | undefined {
  const line = (at: number): [number, number] | undefined => {
    const nl = b.indexOf('\r\n', at);
    return nl < 0 ? undefined : [Number(b.subarray(at + 1, nl).toString('latin1')), nl + 2];
  };
  const head = line(0);
  if (!head) return undefined;
  let [n, at] = head;
  for (; n > 0; n--) {
    const bulk = line(at);
    if (!bulk) return undefined;
    at = bulk[1] + bulk[0] + 2;
    if (at > b.length) return undefined;
  }
  return at;
}

export function loadingProxy(redisPort: number, trigger: string, times: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let answered = 0;
  const server: Server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (b: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, b]) : b;
      for (let n = commandLength(pending); n !== undefined; n = commandLength(pending)) {
        const cmd = pending.subarray(0, n);
        pending = pending.subarray(n);
        if (answered < times && cmd.includes(trigger)) {
          answered++;
          client.write('-LOADING Redis is loading the dataset in memory\r\n');
        } else upstream.write(cmd);
      }
    });
    upstream.on('data', (b: Buffer) => client.write(b));
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    for (const s of [client, upstream]) {
      s.on('error', drop);
      s.on('close', drop);
    }
  });
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () =>
      res({
        port: (server.address() as { port: number }).port,
        healed: Promise.resolve(),
        refused: () => answered,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}

export interface CutProxy {
  readonly port: number;
  /** Resolves when the cut has happened and the outage is over. */
  readonly healed: Promise<void>;
  /** Connections refused during the outage (commands answered LOADING). */
  refused(): number;
  close(): Promise<void>;
}

export function cutProxy(redisPort: number, trigger: string, refusals: number): Promise<CutProxy> {
  const sockets = new Set<Socket>();
  let state: 'before' | 'down' | 'after' = 'before';
  let refused = 0;
  let heal!: () => void;
  const healed = new Promise<void>((res) => (heal = res));
  const server: Server = createServer((client) => {
    if (state === 'down') {
      client.destroy();
      if (++refused >= refusals) {
        state = 'after';
        heal();
      }
      return;
    }
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('data', (b: Buffer) => {
      if (state === 'before' && b.includes(trigger)) {
        state = 'down';
        for (const s of sockets) s.destroy();
        sockets.clear();
        return;
      }
      upstream.write(b);
    });
    upstream.on('data', (b: Buffer) => client.write(b));
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
  });
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () =>
      res({
        port: (server.address() as { port: number }).port,
        healed,
        refused: () => refused,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    ),
  );
}
