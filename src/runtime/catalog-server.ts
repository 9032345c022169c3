/**
 * The catalog's reader thread: it reads the partitions and symbol-sequence chunks of streamed
 * tasks for the worker threads that replay them, and reads the next ones ahead meanwhile.
 *
 * Why a thread of its own:
 * - **The sandbox.** A worker thread that runs strategy code may read no data file
 *   (strategy/sandbox.ts): a strategy reading the catalog's partitions would see every future
 *   price (a module reading `.tickfold-cache/*.tfp` from onStart did, before this). So those
 *   threads read nothing of the catalog: each streamed task gets a connection (a MessagePort and
 *   cells of shared memory) to this thread, which reads only the files of that task's plan (their
 *   paths, sizes and CRCs, given by the main thread when it connects the task) and refuses any
 *   other.
 * - **Read-ahead.** Reading a partition and checking its CRC-32 is ~10-25% of a streamed
 *   replay's CPU; here it runs on another core while the merge works: the merge says in which
 *   order it will read the files (merge-stream.ts readOrder) and this thread keeps up to the
 *   connection's read-ahead bytes of them read and checked before they are asked for.
 *
 * The files go into **slots**: SharedArrayBuffers of the task's largest file, made by this thread
 * as needed and reused, one per file held (by a cursor of the merge, or read ahead). Nothing is
 * allocated or moved per file: moving each file's ArrayBuffer between the threads instead (a
 * fresh buffer where none came back) cost 3-5 s more CPU than it saved over 1,800 partitions
 * (10^8 events: page faults of the fresh buffers, garbage collections for their external memory;
 * measured). The replay thread's merge is synchronous code: it takes what this thread has posted
 * with receiveMessageOnPort, and when the file it needs is not there yet it asks for it and
 * sleeps on a cell (Atomics.wait) until this thread has posted more. Files read ahead are posted
 * as soon as they are read, not when asked for: a request and its answer cost two thread
 * wake-ups, which on a busy machine took 0.5-2 ms a file (measured), longer than the read.
 *
 * Protocol, replay thread → here: `{ t: 'ahead', paths, gen }` (the order a new stream will read;
 * the last stream's slots are all free), `{ t: 'get', path, bytes, crc }` (one file, now),
 * `{ t: 'free', slot }` (a slot the merge is done with), `{ t: 'more' }` (reading ahead waited at
 * its bound and files were taken since), `{ t: 'end' }` (the task is over: its slots serve the
 * next task's). Here → replay thread: `{ path, slot, sab?, gen }` (read
 * ahead; `sab` the first time a slot is used), `{ path, slot, sab?, asked: true }` or
 * `{ path, error, damaged, asked: true }` (a damaged file is the catalog's damage: the run
 * rebuilds it, as when the replay's thread read it itself). Cells: 0 counts messages posted
 * here, 1 is set when this thread is gone, 2 counts files read ahead that the replay thread has
 * taken (or dropped), 3 is set here while reading ahead waits for that count.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, MessagePort, parentPort, receiveMessageOnPort, Worker, workerData } from 'node:worker_threads';
import { PartitionDamaged, readChecked, type CatalogFileRef, type CatalogReader } from '../data/catalog/checked-read.js';

/** Files read ahead and not taken, at most, whatever their size. */
const AHEAD_FILES = 1024;

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
}
interface Ahead {
  readonly t: 'ahead';
  readonly paths: readonly string[];
  readonly gen: number;
}
interface Free {
  readonly t: 'free';
  readonly slot: number;
}
interface More {
  readonly t: 'more';
}
interface End {
  readonly t: 'end';
}
type Request = Get | Ahead | Free | More | End;
/** A file in a slot, read ahead (`gen`: of which order) or asked for (`asked`); or the error of one asked for. */
type Posted = { readonly path: string; readonly slot: number; readonly sab?: SharedArrayBuffer; readonly gen?: number; readonly asked?: boolean } | { readonly path: string; readonly error: string; readonly damaged: boolean; readonly asked: true };

/** Cells of a connection's shared memory. */
const POSTED = 0;
const GONE = 1;
const TAKEN = 2;
const WAITING = 3;

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
          Atomics.store(c, GONE, 1);
          Atomics.notify(c, POSTED);
        }
      };
      w.on('exit', gone);
      w.on('error', gone);
      this.worker = w;
    }
    return this.worker;
  }

  /**
   * A connection for one task, which may read `files` (its plan's) and nothing else, and gets up
   * to `held.ahead` bytes of them read ahead besides the `held.held` its merge holds
   * (data/catalog/window-stream.ts catalogHeld).
   */
  connect(files: readonly CatalogFileRef[], held: { readonly held: number; readonly ahead: number }): CatalogConnection {
    const w = this.thread();
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(16));
    if (this.stopped) signal[GONE] = 1;
    this.cells.add(signal);
    w.postMessage({ port: port1, signal, files, aheadBytes: held.ahead, heldBytes: held.held }, [port1]);
    return { port: port2, signal };
  }

  /** The task of `c` is over (its port closed on the thread that ran it, or that thread gone). */
  release(c: CatalogConnection): void {
    this.cells.delete(c.signal);
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

/**
 * The replay thread's side of a connection: a {@link CatalogReader} that takes its files from the
 * reader thread. One stream at a time: {@link ahead} starts a stream and ends the last (its slots
 * are given back).
 */
export class RemoteReader implements CatalogReader {
  /** The slots' memory, by slot (sent once each), and each slot's number by its memory. */
  private readonly slots: SharedArrayBuffer[] = [];
  private readonly slotOf = new Map<SharedArrayBuffer, number>();
  /** Files posted to this thread and not taken yet: their slot, and whether they came read ahead. */
  private readonly got = new Map<string, { slot: number; ahead: boolean }>();
  /** Slots given to the merge and not given back. */
  private readonly lent = new Set<number>();
  /** Files asked for whose answer has not come (a file read ahead may come first: the answer is then dropped). */
  private readonly asked = new Set<string>();
  /** An answer that was an error, for the request that waits for it. */
  private failure: { path: string; error: string; damaged: boolean } | undefined;
  private gen = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
  ) {}

  ahead(refs: readonly CatalogFileRef[]): void {
    // a new stream: the last one's files are done with, those not taken dropped
    this.drain();
    let dropped = 0;
    for (const { slot, ahead } of this.got.values()) {
      this.free(slot);
      if (ahead) dropped++;
    }
    this.got.clear();
    for (const slot of this.lent) this.free(slot);
    this.lent.clear();
    if (dropped > 0) this.taken(dropped);
    this.port.postMessage({ t: 'ahead', paths: refs.map((r) => r.path), gen: ++this.gen } satisfies Ahead);
  }

  read(ref: CatalogFileRef, reuse?: ArrayBufferLike): ArrayBufferLike {
    const { port, signal } = this;
    // the merge is done with the file in `reuse`
    const done = reuse instanceof SharedArrayBuffer ? this.slotOf.get(reuse) : undefined;
    if (done !== undefined && this.lent.delete(done)) this.free(done);
    for (let askedNow = false; ;) {
      const seen = Atomics.load(signal, POSTED);
      this.drain();
      const g = this.got.get(ref.path);
      if (g) {
        this.got.delete(ref.path);
        if (g.ahead) this.taken(1);
        this.lent.add(g.slot);
        return this.slots[g.slot]!;
      }
      if (this.failure !== undefined && this.failure.path === ref.path) {
        const f = this.failure;
        this.failure = undefined;
        throw f.damaged ? new PartitionDamaged(f.error) : new Error(f.error);
      }
      if (!askedNow) {
        askedNow = true;
        this.asked.add(ref.path);
        port.postMessage({ t: 'get', path: ref.path, bytes: ref.bytes, crc: ref.crc } satisfies Get);
      }
      if (Atomics.load(signal, GONE) !== 0) throw new Error(`the catalog's reader thread stopped before it gave ${ref.path}`);
      // until something more is posted (the count moves) or a second passes (then look again)
      Atomics.wait(signal, POSTED, seen, 1000);
    }
  }

  /** Everything posted so far, into {@link got}. */
  private drain(): void {
    for (let m; (m = receiveMessageOnPort(this.port));) {
      const x = m.message as Posted;
      if (!('slot' in x)) {
        // an error answers a request
        if (this.asked.delete(x.path)) this.failure = { path: x.path, error: x.error, damaged: x.damaged };
        continue;
      }
      if (x.sab) {
        // (a slot made again: its old memory is let go)
        const old = this.slots[x.slot];
        if (old) this.slotOf.delete(old);
        this.slots[x.slot] = x.sab;
        this.slotOf.set(x.sab, x.slot);
      }
      if (x.asked) {
        // the file came read ahead before its answer (or is here already): the answer is not needed
        if (!this.asked.delete(x.path) || this.got.has(x.path)) this.free(x.slot);
        else this.got.set(x.path, { slot: x.slot, ahead: false });
        continue;
      }
      if (x.gen !== this.gen || this.got.has(x.path)) {
        // of a stream that has ended, or a file already here
        this.free(x.slot);
        this.taken(1);
        continue;
      }
      this.asked.delete(x.path);
      this.got.set(x.path, { slot: x.slot, ahead: true });
    }
  }

  /** `n` files read ahead taken or dropped: the reader thread may read more (told when it waits for this). */
  private taken(n: number): void {
    Atomics.add(this.signal, TAKEN, n);
    if (Atomics.compareExchange(this.signal, WAITING, 1, 0) === 1) this.port.postMessage({ t: 'more' } satisfies More);
  }

  private free(slot: number): void {
    this.port.postMessage({ t: 'free', slot } satisfies Free);
  }

  close(): void {
    // said before the port closes: the port's 'close' event did not reach the reader thread
    // (measured: no task's slots came back), so the task's end is a message of its own
    this.port.postMessage({ t: 'end' } satisfies End);
    this.port.close();
  }
}

/**
 * Slots of tasks that are over, for the next tasks (a walk-forward's tasks one after another: with
 * slots made per task, their memory waited for the garbage collectors of two threads, and the
 * RSS of a 2.3M-row walk-forward doubled, 0.55 → 1.2 GB, measured). At most
 * {@link SPARE_BYTES} kept, the largest first out.
 */
const spares: SharedArrayBuffer[] = [];
const SPARE_BYTES = 512 * 2 ** 20;
let spareBytes = 0;

function giveBack(sab: SharedArrayBuffer): void {
  if (spareBytes + sab.byteLength > SPARE_BYTES) return;
  spares.push(sab);
  spareBytes += sab.byteLength;
}

/** The smallest spare slot that holds `bytes` and wastes at most half of it, taken; undefined when none. */
function takeSpare(bytes: number): SharedArrayBuffer | undefined {
  let best = -1;
  for (let k = 0; k < spares.length; k++) {
    const n = spares[k]!.byteLength;
    if (n >= bytes && n <= 2 * bytes + 65536 && (best < 0 || n < spares[best]!.byteLength)) best = k;
  }
  if (best < 0) return undefined;
  const sab = spares[best]!;
  spares[best] = spares[spares.length - 1]!;
  spares.pop();
  spareBytes -= sab.byteLength;
  return sab;
}

/** One task's files, on the reader thread: read ahead in the order given and posted, or read when asked for. */
class Served {
  private readonly allowed: Map<string, CatalogFileRef>;
  private order: readonly string[] = [];
  private gen = 0;
  private next = 0;
  /** Files read ahead and posted (cell TAKEN counts those taken of them). */
  private posted = 0;
  /** Files of the current order already posted or answered (not read ahead again). */
  private given = new Set<string>();
  /**
   * Files of the current order posted read ahead (read without error): a request for one of
   * them is not answered (the replay thread finds the file posted before it): answering it read
   * the file a second time, which on a loaded machine put this thread further behind, so that
   * the replay thread asked for more (measured: the reads doubled).
   */
  private postedAhead = new Set<string>();
  /** Every slot made, and those free; slots the replay thread has not seen yet. */
  private readonly slots: SharedArrayBuffer[] = [];
  private readonly free: number[] = [];
  private readonly unseen = new Set<number>();
  private pumping = false;
  private closed = false;
  /** Files read ahead and not taken, at most: as many of the task's largest file as `aheadBytes` holds, within 1..{@link AHEAD_FILES}. */
  private readonly depth: number;
  /**
   * Slots made for reading ahead, at most: those the merge holds (one per stream and sequence)
   * and the depth. Past it, reading ahead waits for a slot given back; a file asked for always
   * gets one (else a merge holding every slot would wait for ever).
   */
  private readonly maxSlots: number;

  constructor(
    private readonly port: MessagePort,
    private readonly signal: Int32Array,
    files: readonly CatalogFileRef[],
    aheadBytes: number,
    heldBytes: number,
  ) {
    this.allowed = new Map(files.map((f) => [f.path, f]));
    let largest = 8;
    for (const f of files) if (f.bytes > largest) largest = f.bytes;
    this.depth = Math.max(1, Math.min(AHEAD_FILES, Math.floor(aheadBytes / largest)));
    this.maxSlots = Math.ceil(heldBytes / largest) + this.depth + 2;
    port.on('message', (m: Request) => this.onMessage(m));
    port.on('close', () => this.end());
  }

  /** The task is over (it said so, or its port closed): its slots serve the next tasks. */
  private end(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sab of this.slots) giveBack(sab);
    this.slots.length = 0;
    this.free.length = 0;
    this.port.close();
  }

  private onMessage(m: Request): void {
    switch (m.t) {
      case 'end':
        this.end();
        return;
      case 'free':
        this.free.push(m.slot);
        if (this.free.length === 1) this.pump();
        return;
      case 'more':
        this.pump();
        return;
      case 'ahead':
        this.order = m.paths.filter((p) => this.allowed.has(p));
        this.gen = m.gen;
        this.next = 0;
        this.given = new Set();
        this.postedAhead = new Set();
        this.pump();
        return;
      case 'get': {
        if (this.postedAhead.has(m.path)) return;
        const ref = this.allowed.get(m.path);
        this.given.add(m.path);
        if (!ref || ref.bytes !== m.bytes || ref.crc !== m.crc) {
          this.post({ path: m.path, asked: true, error: `the catalog's reader refused ${m.path}: not a file of this task's data`, damaged: false });
          return;
        }
        this.post(this.readOne(ref, true));
        this.pump();
      }
    }
  }

  /** The file read and checked into a slot, as a message (its error when it is damaged or unreadable). */
  private readOne(ref: CatalogFileRef, asked: boolean): Posted {
    let slot = this.fitting(ref.bytes);
    if (slot === undefined) {
      // a new slot (reading ahead makes none past the bound: see pump), its size rounded up to
      // 64 KiB: a partition of a full run of rows fits the slot of another
      slot = this.slots.length;
      this.slots.push(takeSpare(ref.bytes) ?? new SharedArrayBuffer(Math.ceil(ref.bytes / 65536) * 65536));
      this.unseen.add(slot);
    }
    try {
      readChecked(ref, this.slots[slot]!);
    } catch (e) {
      this.free.push(slot);
      const error = e instanceof Error ? e.message : String(e);
      // (an error read ahead is dropped there: the file is read again when asked for, and said then)
      return asked ? { path: ref.path, error, damaged: e instanceof PartitionDamaged, asked: true } : { path: ref.path, slot: -1, gen: -1 };
    }
    const sab = this.unseen.delete(slot) ? { sab: this.slots[slot]! } : {};
    return asked ? { path: ref.path, slot, ...sab, asked: true } : { path: ref.path, slot, ...sab, gen: this.gen };
  }

  /**
   * The smallest free slot that holds `bytes`, taken off the free list (`take`), or its place in
   * the list; undefined when none does. Slots are made the size of their first file: one size for
   * every slot (the largest file's) held each trade partition of 0.8 MB in a slot of 2.9 MB, +105
   * MB of RSS at 10^8 events; making a free slot of the wrong size again at the bound instead
   * churned memory faster than it was collected (1.5 GB; both measured).
   */
  private fitting(bytes: number, take = true): number | undefined {
    let best = -1;
    for (let k = 0; k < this.free.length; k++) {
      const n = this.slots[this.free[k]!]!.byteLength;
      if (n >= bytes && (best < 0 || n < this.slots[this.free[best]!]!.byteLength)) best = k;
    }
    if (best < 0) return undefined;
    const slot = this.free[best]!;
    if (!take) return slot;
    this.free[best] = this.free[this.free.length - 1]!;
    this.free.pop();
    return slot;
  }

  private post(m: Posted): void {
    if ('slot' in m && m.slot < 0) return;
    this.port.postMessage(m);
    Atomics.add(this.signal, POSTED, 1);
    Atomics.notify(this.signal, POSTED);
  }

  /** Reads and posts the next file of the order, then lets requests in before the next (setImmediate). */
  private pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    setImmediate(() => {
      this.pumping = false;
      if (this.closed) return;
      while (this.next < this.order.length) {
        if (this.posted - Atomics.load(this.signal, TAKEN) >= this.depth) {
          // at the bound: the replay thread says 'more' when it takes one (or now, if it just did)
          Atomics.store(this.signal, WAITING, 1);
          if (this.posted - Atomics.load(this.signal, TAKEN) >= this.depth) return;
          Atomics.store(this.signal, WAITING, 0);
        }
        const path = this.order[this.next]!;
        if (this.given.has(path)) {
          this.next++;
          continue;
        }
        const ref = this.allowed.get(path)!;
        // no free slot holds it and no more may be made: a slot given back starts this again
        if (this.slots.length >= this.maxSlots && this.fitting(ref.bytes, false) === undefined) return;
        this.next++;
        this.given.add(path);
        const read = this.readOne(ref, false);
        if ('slot' in read && read.slot >= 0) {
          this.posted++;
          this.postedAhead.add(path);
          this.post(read);
        }
        this.pump();
        return;
      }
    });
  }
}

if (parentPort && (workerData as { tickfoldCatalogServer?: boolean } | null)?.tickfoldCatalogServer) {
  parentPort.on('message', (m: { port: MessagePort; signal: Int32Array; files: CatalogFileRef[]; aheadBytes: number; heldBytes: number }) => {
    new Served(m.port, m.signal, m.files, m.aheadBytes, m.heldBytes);
  });
}
