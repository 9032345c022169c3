/**
 * How a catalog file (a partition, a chunk of a symbol sequence) comes off the disk: read whole
 * and checked against what the index says of it (size, CRC-32) and against its own checksum,
 * before anything decodes it. Both kinds of file keep their CRC-32 at byte 12, covering every
 * byte from 16 on (partition.ts, sequence.ts give the layouts).
 *
 * Who reads: a {@link CatalogReader}. On a thread that may read the catalog folder it is
 * {@link LOCAL_READER} (this thread reads the file). The worker threads that run strategy code
 * may not read it (the partitions hold every future price: strategy/sandbox.ts), so their merges
 * ask a reader thread for the files of their plan instead (runtime/catalog-server.ts), which also
 * reads the next ones ahead while the merge works.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** A catalog file as the index names it. */
export interface CatalogFileRef {
  readonly path: string;
  /** Its size and CRC-32, as the index says. */
  readonly bytes: number;
  readonly crc: number;
  /** The first 8 bytes of a file of its kind. */
  readonly magic: string;
  /** What it is, for the messages: "partition", "symbol sequence". */
  readonly what: string;
}

/** Where a file is not what the index says: the catalog's damage (the run rebuilds the file's entry). */
export class PartitionDamaged extends Error {}

/**
 * Gives a catalog file's bytes, checked, in a buffer of at least `ref.bytes` bytes (`reuse` when
 * it is large enough: the buffer of a file its caller is done with); throws
 * {@link PartitionDamaged} when the file is missing, cut short or changed.
 */
export interface CatalogReader {
  read(ref: CatalogFileRef, reuse?: ArrayBufferLike): ArrayBufferLike;
  /** The files a merge will read, in about the order it will read them (a reader may read them ahead). */
  ahead?(refs: readonly CatalogFileRef[]): void;
}

/** Reads and checks the file on this thread. */
export function readChecked<B extends ArrayBufferLike = ArrayBuffer>(ref: CatalogFileRef, reuse?: B): B | ArrayBuffer {
  const { path, what } = ref;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new PartitionDamaged(`${what} ${path} is missing`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size !== ref.bytes) throw new PartitionDamaged(`${what} ${path} has ${size} bytes where the index says ${ref.bytes}`);
    const buf: B | ArrayBuffer = reuse && reuse.byteLength >= size ? reuse : new ArrayBuffer(size);
    const bytes = new Uint8Array(buf, 0, size);
    for (let got = 0; got < size; ) {
      const n = readSync(fd, bytes, got, size - got, got);
      if (n === 0) throw new PartitionDamaged(`${what} ${path} ends at byte ${got} of ${size}`);
      got += n;
    }
    if (size < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== ref.magic) throw new PartitionDamaged(`${what} ${path} has the wrong magic bytes`);
    const crc = new DataView(buf, 0, size).getUint32(12, true);
    if (crc !== ref.crc) throw new PartitionDamaged(`${what} ${path} is not the one the index names (another build of the file)`);
    if (crc32(bytes.subarray(16)) !== crc) throw new PartitionDamaged(`${what} ${path} fails its checksum`);
    return buf;
  } finally {
    closeSync(fd);
  }
}

/** The reader of a thread that may read the catalog folder. */
export const LOCAL_READER: CatalogReader = { read: readChecked };
