/**
 * The catalog's reader thread: it reads the partitions and symbol-sequence chunks of streamed
 * tasks for the worker threads that replay them, and reads the next ones ahead meanwhile.
 *
 * Why a thread of its own:
 * - **The sandbox.** A worker thread that runs strategy code may read no data file
 *   (strategy/sandbox.ts): a strategy reading the catalog's partitions would see every future
 *   price (a module reading `.tickfold-cache/*.tfp` from onTick did, before this). So those
 *   threads read nothing of the catalog: each streamed task gets a connection (a MessagePort and
 *   a cell of shared memory) to this thread, which reads only the files of that task's plan
 *   (their paths, sizes and CRCs, given by the main thread when it connects the task) and refuses
 *   any other.
 * - **Read-ahead.** Reading a partition and checking its CRC-32 was ~25% of a streamed replay's
 *   CPU on its thread (10^7-event catalog: 0.3 of 1.2 s); here it runs on another core while the
 *   merge works: the merge says in which order it will read the files (merge-stream.ts
 *   readOrder) and this thread keeps up to {@link AHEAD_FILES} of them (at most
 *   {@link AHEAD_BYTES}) read and checked before they are asked for.
 *
 * The replay thread asks synchronously (its merge is synchronous code): it posts a request and
 * sleeps on the cell (Atomics.wait) until this thread has posted the answer, which it then takes
 * with receiveMessageOnPort; the bytes move (transferred), they are not copied, and the buffer of
 * the file the merge is done with travels back with the next request for reuse.
 *
 * Protocol, replay thread → here: `{ t: 'ahead', paths }` (the order it will read; replaces the
 * last), `{ t: 'get', path, bytes, crc, buf? }` (one file, now). Here → replay thread: `{ buf }` or
 * `{ error, damaged }` (a damaged file is the catalog's damage: the run rebuilds it, as when the
 * thread read it itself). Cell 0 counts answers posted; cell 1 is set when this thread is gone.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, MessagePort, parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import { PartitionDamaged, readChecked, type CatalogFileRef, type CatalogReader } from '../data/catalog/checked-read.js';

/** Files read ahead and held for a connection, at most (and bytes, at most). */
const AHEAD_FILES = 16;
const AHEAD_BYTES = 96 * 1024 * 1024;

/** What a replay thread needs to ask for its task's files: transfer `port` to it with the task. */
export interface CatalogConnection {
  readonly port: MessagePort;
  readonly signal: Int32Array;
}

interface Get {
  readonly t: 'get';
  readonly path: string;
  readonly bytes: number;
  readonly crc: number;
  readonly buf?: ArrayBuffer;
}
interface Ahead {
  readonly t: 'ahead';
  readonly paths: readonly string[];
}
type Answer = { readonly buf: ArrayBuffer } | { readonly error: string; readonly damaged: boolean };

/** This file compiled (from the TypeScript sources in tests: the one in dist). */
function serverFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return here;
  const dist = here.replace(/([\\/])src([\\/]runtime[\\/])catalog-server\.ts$/, '$1dist$1src$2catalog-server.js');
  if (existsSync(dist)) return dist;
  throw new Error(`cannot find the catalog reader thread's code (${dist}); run 'npm run build'`);
}

/** The reader thread, as the main thread holds it: started on first use, stopped by {@link close}. */
export class CatalogServer {
  private worker: Worker | undefined;
  private readonly cells = new Set<Int32Array>();
  private stopped = false;

  private thread(): Worker {
    if (!this.worker) {
      const w = new Worker(serverFile(), { workerData: { tickfoldCatalogServer: true } });
      // it holds no work of its own: the process may end while it waits for requests
      w.unref();
      const gone = (): void => {
        this.stopped = true;
        for (const c of this.cells) {
          Atomics.store(c, 1, 1);
          Atomics.notify(c, 0);
        }
      };
      w.on('exit', gone);
      w.on('error', gone);
      this.worker = w;
    }
    return this.worker;
  }

  /** A connection for one task, which may read `files` (its plan's) and nothing else. */
  connect(files: readonly CatalogFileRef[]): CatalogConnection {
    const w = this.thread();
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(8));
    if (this.stopped) signal[1] = 1;
    this.cells.add(signal);
    port2.on('close', () => this.cells.delete(signal));
    w.postMessage({ port: port1, signal, files }, [port1]);
    return { port: port2, signal };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/** The replay thread's side of a connection: a {@link CatalogReader} that asks the reader thread. */
export class RemoteReader implements CatalogReader {
  constructor(
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  ahead(refs: readonly CatalogFileRef[]): void {
    this.port.postMessage({ t: 'ahead', paths: refs.map((r) => r.path) } satisfies Ahead);
  }

  read(ref: CatalogFileRef, reuse?: ArrayBuffer): ArrayBuffer {
    const { port, signal } = this;
    const seen = Atomics.load(signal, 0);
    const buf = reuse instanceof ArrayBuffer && reuse.byteLength > 0 ? reuse : undefined;
    port.postMessage({ t: 'get', path: ref.path, bytes: ref.bytes, crc: ref.crc, ...(buf ? { buf } : {}) } satisfies Get, buf ? [buf] : []);
    for (;;) {
      const m = receiveMessageOnPort(port);
      if (m) {
        const a = m.message as Answer;
        if ('buf' in a) return a.buf;
        throw a.damaged ? new PartitionDamaged(a.error) : new Error(a.error);
      }
      if (Atomics.load(signal, 1) !== 0) throw new Error(`the catalog's reader thread stopped before it gave ${ref.path}`);
      // until the answer is posted (the count moves) or a second passes (then look again)
      Atomics.wait(signal, 0, seen, 1000);
    }
  }

  close(): void {
    this.port.close();
  }
}

/** One task's files, on the reader thread: served when asked, read ahead in the order given. */
class Served {
  private readonly allowed: Map<string, CatalogFileRef>;
  private order: readonly string[] = [];
  private next = 0;
  private readonly held = new Map<string, ArrayBuffer>();
  private heldBytes = 0;
  /** Files of the current order already given (not read ahead again). */
  private given = new Set<string>();
  private readonly spare: ArrayBuffer[] = [];
  private pumping = false;
  private closed = false;

  constructor(
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    files: readonly CatalogFileRef[],
  ) {
    this.allowed = new Map(files.map((f) => [f.path, f]));
    port.on('message', (m: Get | Ahead) => this.onMessage(m));
    port.on('close', () => {
      this.closed = true;
      this.held.clear();
      this.spare.length = 0;
    });
  }

  private onMessage(m: Get | Ahead): void {
    if (m.t === 'ahead') {
      for (const b of this.held.values()) this.keep(b);
      this.held.clear();
      this.heldBytes = 0;
      this.order = m.paths.filter((p) => this.allowed.has(p));
      this.next = 0;
      this.given = new Set();
      this.pump();
      return;
    }
    if (m.buf) this.keep(m.buf);
    const ref = this.allowed.get(m.path);
    let answer: Answer;
    let transfer: ArrayBuffer[] = [];
    if (!ref || ref.bytes !== m.bytes || ref.crc !== m.crc) {
      answer = { error: `the catalog's reader refused ${m.path}: not a file of this task's data`, damaged: false };
    } else {
      let buf = this.held.get(m.path);
      if (buf) {
        this.held.delete(m.path);
        this.heldBytes -= ref.bytes;
      }
      try {
        buf ??= readChecked(ref, this.take(ref.bytes));
        answer = { buf };
        transfer = [buf];
      } catch (e) {
        answer = { error: e instanceof Error ? e.message : String(e), damaged: e instanceof PartitionDamaged };
      }
      this.given.add(m.path);
    }
    this.port.postMessage(answer, transfer);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
    this.pump();
  }

  /** A spare buffer of at least `bytes`, if one is kept. */
  private take(bytes: number): ArrayBuffer | undefined {
    const k = this.spare.findIndex((b) => b.byteLength >= bytes);
    return k < 0 ? undefined : this.spare.splice(k, 1)[0];
  }

  private keep(b: ArrayBuffer): void {
    if (this.spare.length < 4) this.spare.push(b);
  }

  /** Reads the next file of the order, then lets requests in before the next (setImmediate). */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      if (this.closed) return;
      while (this.next < this.order.length && this.held.size < AHEAD_FILES && this.heldBytes < AHEAD_BYTES) {
        const path = this.order[this.next++]!;
        if (this.given.has(path) || this.held.has(path)) continue;
        const ref = this.allowed.get(path)!;
        try {
          this.held.set(path, readChecked(ref, this.take(ref.bytes)));
          this.heldBytes += ref.bytes;
        } catch {
          // a damaged file is said when it is asked for (read again then, the error its answer)
        }
        this.pump();
        return;
      }
    });
  }
}

if (parentPort && (workerData as { tickfoldCatalogServer?: boolean } | null)?.tickfoldCatalogServer) {
  parentPort.on('message', (m: { port: MessagePort; signal: Int32Array; files: CatalogFileRef[] }) => {
    new Served(m.port, m.signal, m.files);
  });
}
