/**
 * The symbols a reader has met, as bytes, to find a row's symbol without making a string: a scan of
 * the list while it is short (a file of a few symbols, the usual case), and a hash of the bytes
 * (FNV-1a, no allocation) into buckets once it is longer: a scan per new symbol made a file of
 * 65,536 symbols cost 2 billion byte comparisons (12 s of CPU to read 65,536 rows).
 */
const SCAN_UP_TO = 16;

export class SymbolBytes {
  private readonly bytes: Buffer[] = [];
  private readonly ids: number[] = [];
  /** hash -> indices into `bytes`, built once the list passes {@link SCAN_UP_TO}. */
  private buckets: Map<number, number[]> | undefined;

  get size(): number {
    return this.bytes.length;
  }

  /** Where the symbol spelt `buf[s, e)` is in the list, or -1 if it has not been met. */
  find(buf: Uint8Array, s: number, e: number): number {
    const len = e - s;
    if (this.buckets === undefined) {
      for (let k = 0; k < this.bytes.length; k++) if (sameBytes(this.bytes[k]!, buf, s, len)) return k;
      return -1;
    }
    const bucket = this.buckets.get(hashBytes(buf, s, e));
    if (bucket !== undefined) for (const k of bucket) if (sameBytes(this.bytes[k]!, buf, s, len)) return k;
    return -1;
  }

  /** Whether entry `k` is spelt `buf[s, e)`. */
  is(k: number, buf: Uint8Array, s: number, e: number): boolean {
    return sameBytes(this.bytes[k]!, buf, s, e - s);
  }

  /** The symbol id of entry `k`. */
  idAt(k: number): number {
    return this.ids[k]!;
  }

  /** Records the symbol spelt `buf[s, e)` (not met before) with its id; returns its entry. */
  add(buf: Uint8Array, s: number, e: number, id: number): number {
    this.bytes.push(Buffer.from(buf.subarray(s, e)));
    this.ids.push(id);
    const k = this.bytes.length - 1;
    if (this.buckets !== undefined) this.index(k);
    else if (this.bytes.length > SCAN_UP_TO) {
      this.buckets = new Map();
      for (let j = 0; j < this.bytes.length; j++) this.index(j);
    }
    return k;
  }

  private index(k: number): void {
    const b = this.bytes[k]!;
    const h = hashBytes(b, 0, b.length);
    const bucket = this.buckets!.get(h);
    if (bucket) bucket.push(k);
    else this.buckets!.set(h, [k]);
  }
}

function hashBytes(b: Uint8Array, s: number, e: number): number {
  let h = 0x811c9dc5;
  for (let i = s; i < e; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array, start: number, len: number): boolean {
  if (a.length !== len) return false;
  for (let i = 0; i < len; i++) if (a[i] !== b[start + i]) return false;
  return true;
}
