/**
 * NodePorts from a range, kept as kube keeps them: a RangeAllocation bitmap under one store key
 * (`/ranges/servicenodeports`), changed only by compare-and-swap on its revision. Every
 * allocation is written before it is handed out, so a restart (or a second apiserver on the same
 * store) can never hand the same port out twice. Local operations are serialised so they do not
 * fight each other for the key; another writer only costs a re-read.
 */
import {
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type Store,
  type StoredObject,
} from "../../storage/types.ts";
import { portErrors } from "./errors.ts";
import { randomBelow } from "./ipnet.ts";

export const nodePortsKey = "/ranges/servicenodeports";

/** kube's portallocator calculateRangeOffset: min(max(16, size/32), 128); 0 for tiny ranges. */
export function portRangeOffset(size: number): number {
  if (size <= 16) return 0;
  const o = Math.floor(size / 32);
  return Math.min(Math.max(o, 16), 128);
}

/** A bitmap where bit i is port base+i; serialised like Go's big.Int.Bytes() (big-endian, trimmed). */
export class PortBitmap {
  readonly bits: Uint8Array;
  constructor(readonly size: number) {
    this.bits = new Uint8Array(Math.ceil(size / 8));
  }
  has(i: number): boolean {
    return (this.bits[i >> 3] & (1 << (i & 7))) !== 0;
  }
  set(i: number, on: boolean): void {
    if (on) this.bits[i >> 3] |= 1 << (i & 7);
    else this.bits[i >> 3] &= ~(1 << (i & 7));
  }
  count(): number {
    let n = 0;
    for (let i = 0; i < this.size; i++) if (this.has(i)) n++;
    return n;
  }
  toBase64(): string {
    const be = Uint8Array.from(this.bits).reverse();
    let start = 0;
    while (start < be.length && be[start] === 0) start++;
    return Buffer.from(be.subarray(start)).toString("base64");
  }
  static fromBase64(size: number, data: string): PortBitmap {
    const b = new PortBitmap(size);
    const be = Buffer.from(data, "base64");
    for (let k = 0; k < be.length; k++) {
      const idx = be.length - 1 - k;
      if (idx < b.bits.length) b.bits[idx] = be[k];
    }
    // Bits past the range (a shrunk range) are not ours.
    for (let i = size; i < b.bits.length * 8; i++) b.set(i, false);
    return b;
  }
}

export class NodePortAllocator {
  readonly base: number;
  readonly size: number;
  readonly offset: number;
  private cache?: StoredObject;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly range: [number, number],
    private readonly key = nodePortsKey,
  ) {
    this.base = range[0];
    this.size = range[1] - range[0] + 1;
    this.offset = portRangeOffset(this.size);
  }

  /** kube's net.PortRange.String(): "30000-32767". */
  get rangeSpec(): string {
    return `${this.range[0]}-${this.range[1]}`;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.range[0] && port <= this.range[1];
  }

  private decode(s: StoredObject | undefined): PortBitmap {
    const o = s?.object as { range?: unknown; data?: unknown } | undefined;
    if (!o || o.range !== this.rangeSpec || typeof o.data !== "string") return new PortBitmap(this.size);
    return PortBitmap.fromBase64(this.size, o.data);
  }

  /** The stored allocations (a different stored range reads as empty until repair rewrites it). */
  async snapshot(): Promise<{ bitmap: PortBitmap; stored: boolean; sameRange: boolean }> {
    const s = await this.store.get(this.key);
    this.cache = s;
    const range = (s?.object as { range?: unknown } | undefined)?.range;
    return { bitmap: this.decode(s), stored: !!s, sameRange: range === this.rangeSpec };
  }

  /** Has the port been handed out (as last read)? */
  async has(port: number): Promise<boolean> {
    if (!this.contains(port)) return false;
    const { bitmap } = await this.snapshot();
    return bitmap.has(port - this.base);
  }

  /** Reserve a given port. Throws AllocError (notInRange, allocated). */
  allocate(port: number): Promise<void> {
    if (!this.contains(port)) return Promise.reject(portErrors.notInRange(this.rangeSpec));
    return this.update((b) => {
      const i = port - this.base;
      if (b.has(i)) throw portErrors.allocated();
      b.set(i, true);
    });
  }

  /** Reserve a free port: a random one above the static band first, then in it. */
  allocateNext(): Promise<number> {
    return this.update((b) => {
      const i = this.pick(b, this.offset, this.size - 1) ?? this.pick(b, 0, this.offset - 1);
      if (i === undefined) throw portErrors.full();
      b.set(i, true);
      return this.base + i;
    });
  }

  private pick(b: PortBitmap, lo: number, hi: number): number | undefined {
    if (hi < lo) return undefined;
    const n = hi - lo + 1;
    const start = Number(randomBelow(BigInt(n)));
    for (let k = 0; k < n; k++) {
      const i = lo + ((start + k) % n);
      if (!b.has(i)) return i;
    }
    return undefined;
  }

  /** Free ports (out of range or unallocated: no-op). */
  release(...ports: number[]): Promise<void> {
    const mine = ports.filter((p) => this.contains(p));
    if (mine.length === 0) return Promise.resolve();
    return this.update((b) => {
      for (const p of mine) b.set(p - this.base, false);
    });
  }

  /** Replace the stored bitmap with f(current) (repair). */
  rewrite(f: (current: PortBitmap, sameRange: boolean) => PortBitmap): Promise<void> {
    return this.serial(async () => {
      for (;;) {
        const s = await this.store.get(this.key);
        const range = (s?.object as { range?: unknown } | undefined)?.range;
        const next = f(this.decode(s), range === this.rangeSpec);
        if (await this.write(s, next)) return;
      }
    });
  }

  /** Read-modify-CAS-write, retried when another writer got there first. */
  private update<T>(mutate: (b: PortBitmap) => T): Promise<T> {
    return this.serial(async () => {
      let cur = this.cache ?? (await this.store.get(this.key));
      for (;;) {
        const b = this.decode(cur);
        const out = mutate(b);
        if (await this.write(cur, b)) return out;
        cur = await this.store.get(this.key);
      }
    });
  }

  /** Write b over cur; false (and a fresh cache) on a lost race. */
  private async write(cur: StoredObject | undefined, b: PortBitmap): Promise<boolean> {
    const obj = {
      apiVersion: "v1",
      kind: "RangeAllocation",
      metadata: { name: "" },
      range: this.rangeSpec,
      data: b.toBase64(),
    };
    try {
      this.cache = cur
        ? await this.store.update(this.key, obj, cur.modRevision)
        : await this.store.create(this.key, obj);
      return true;
    } catch (e) {
      if (
        e instanceof RevisionConflictError ||
        e instanceof KeyExistsError ||
        e instanceof KeyNotFoundError
      ) {
        this.cache = undefined;
        return false;
      }
      this.cache = undefined;
      throw e;
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work, work);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
