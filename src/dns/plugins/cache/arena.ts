/**
 * Bytes for cache entries outside the JavaScript heap: slots of 64 B to 64 KiB in steps of half
 * a power of two (64, 96, 128, 192, …: at most a third of a slot unused) cut from 64 KiB chunks,
 * freed slots reused by size. An entry lives about a second under a busy resolver's churn and a
 * full cache holds 20,000 of them; as objects they were all promoted to the old generation and
 * died there, and the full collections they caused took a third of the CPU of a loaded
 * `skiff dns` (bench/RESULTS.md, session 7). A chunk's Buffer is one object however many entries
 * it holds.
 */

/** Slot sizes: class c holds slots of SIZES[c] bytes, 64 (c = 0) to 65,536 (c = 20). */
const CLASSES = 21;
const SIZES = Array.from({ length: CLASSES }, (_, c) => ((c & 1) === 0 ? 64 : 96) << (c >> 1));
const CHUNK = 64 * 1024;
/** Slots per chunk, per class. */
const PER_CHUNK = SIZES.map((n) => Math.max(1, Math.floor(CHUNK / n)));
/** A handle is index × 32 + class. */
const CLASS_BITS = 5;
const CLASS_MASK = 0x1f;

/** The biggest entry a slot holds (a DNS message is at most 65,535 bytes). */
export const MAX_SLOT = SIZES[CLASSES - 1];

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
    const chunks = this.chunks[c];
    if (Math.floor(index / PER_CHUNK[c]) >= chunks.length)
      chunks.push(Buffer.allocUnsafeSlow(PER_CHUNK[c] * SIZES[c]));
    return (index << CLASS_BITS) | c;
  }

  release(handle: number): void {
    this.free[handle & CLASS_MASK].push(handle >>> CLASS_BITS);
  }

  /** The chunk holding a slot; its bytes start at offset(handle). */
  chunk(handle: number): Buffer {
    const c = handle & CLASS_MASK;
    return this.chunks[c][Math.floor((handle >>> CLASS_BITS) / PER_CHUNK[c])];
  }

  offset(handle: number): number {
    const c = handle & CLASS_MASK;
    return ((handle >>> CLASS_BITS) % PER_CHUNK[c]) * SIZES[c];
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
  while (SIZES[c] < len) c++;
  return c;
}

type Table = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;

/** A table of the same kind, `len` long, starting with the contents of `a` (per-entry tables). */
export function grown<T extends Table>(a: T, len: number): T {
  const b = new (a.constructor as new (n: number) => T)(len);
  b.set(a);
  return b;
}
