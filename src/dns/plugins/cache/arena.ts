/**
 * Bytes for cache entries outside the JavaScript heap: slots of power-of-two sizes (64 B to
 * 64 KiB) cut from 64 KiB chunks, freed slots reused by size. An entry lives about a second
 * under a busy resolver's churn and a full cache holds 20,000 of them; as objects they were all
 * promoted to the old generation and died there, and the full collections they caused took a
 * third of the CPU of a loaded `skiff dns` (bench/RESULTS.md, session 7). A chunk's Buffer is one
 * object however many entries it holds.
 */

/** Slot sizes 2^6 … 2^16: class c holds slots of 64 << c bytes. */
const MIN_SHIFT = 6;
const CLASSES = 11;
const CHUNK = 64 * 1024;
/** A handle is index × 16 + class. */
const CLASS_BITS = 4;

/** The biggest entry a slot holds (a DNS message is at most 65,535 bytes). */
export const MAX_SLOT = 1 << (MIN_SHIFT + CLASSES - 1);

export class Arena {
  private readonly chunks: Buffer[][] = Array.from({ length: CLASSES }, () => []);
  /** Freed slot indexes per class, reused first. */
  private readonly free: number[][] = Array.from({ length: CLASSES }, () => []);
  /** Slots handed out per class so far (the next new index). */
  private readonly made = new Array<number>(CLASSES).fill(0);

  /** A slot for `len` bytes (1 ≤ len ≤ MAX_SLOT): its handle. */
  alloc(len: number): number {
    const c = classOf(len);
    const f = this.free[c];
    if (f.length > 0) return ((f.pop() as number) << CLASS_BITS) | c;
    const index = this.made[c]++;
    const perChunk = Math.max(1, CHUNK >> (MIN_SHIFT + c));
    const chunks = this.chunks[c];
    if (Math.floor(index / perChunk) >= chunks.length)
      chunks.push(Buffer.allocUnsafeSlow(perChunk << (MIN_SHIFT + c)));
    return (index << CLASS_BITS) | c;
  }

  release(handle: number): void {
    this.free[handle & 0xf].push(handle >>> CLASS_BITS);
  }

  /** The chunk holding a slot; its bytes start at offset(handle). */
  chunk(handle: number): Buffer {
    const c = handle & 0xf;
    const perChunk = Math.max(1, CHUNK >> (MIN_SHIFT + c));
    return this.chunks[c][Math.floor((handle >>> CLASS_BITS) / perChunk)];
  }

  offset(handle: number): number {
    const c = handle & 0xf;
    const perChunk = Math.max(1, CHUNK >> (MIN_SHIFT + c));
    return ((handle >>> CLASS_BITS) % perChunk) << (MIN_SHIFT + c);
  }

  /** Bytes held in chunks (what the slots take, used or free). */
  get bytes(): number {
    let n = 0;
    for (const cs of this.chunks) for (const b of cs) n += b.length;
    return n;
  }
}

function classOf(len: number): number {
  if (len <= 0 || len > MAX_SLOT) throw new RangeError(`arena slot of ${len} bytes`);
  let c = 0;
  while (64 << c < len) c++;
  return c;
}
