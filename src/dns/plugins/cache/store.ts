/**
 * A bounded map of cached replies. CoreDNS rounds the capacity down to a multiple of its 256
 * shards (at least 4 per shard) and evicts at random; here one map with the same total capacity
 * evicts the oldest name stored, which gives the same bound with O(1) work per insert.
 *
 * Entries are found by the lowercase name first (a string the server already built, hashed
 * once), then by a short scan over that name's few (type, class, DO/CD) entries: building one
 * concatenated key per query and hashing it cost more than the whole rest of a hit.
 */
import type { Item } from "./item.ts";

const SHARDS = 256;

/** CoreDNS's effective capacity for a configured one (plugin/pkg/cache New). */
export function effectiveCapacity(cap: number): number {
  return Math.max(Math.floor(cap / SHARDS), 4) * SHARDS;
}

/** What a reply is cached under, besides the name (cache.go hash()). */
export interface SubKey {
  readonly qtype: string;
  readonly qclass: string;
  /** DO bit | CD bit << 1. */
  readonly bits: number;
}

/** What the store keeps (an Item): its key and its place in the insertion queue live on it. */
export interface Stored {
  readonly lname: string;
  qtype: string;
  qclass: string;
  bits: number;
  /** Position in the insertion queue (minus the store's `base`); set by the store. */
  slot: number;
  /** Out of its store (evicted, replaced, deleted). */
  removed: boolean;
}

function sameKey(x: Stored, k: SubKey): boolean {
  return x.qtype === k.qtype && x.bits === k.bits && x.qclass === k.qclass;
}

/**
 * Names map to their one entry, or to an exact-size array when a name has several (A and AAAA,
 * DO and not): no wrapper object or array per entry, about 120 bytes less each.
 */
export class Store<T extends Stored = Item> {
  private readonly names = new Map<string, T | T[]>();
  /**
   * Entries in insertion order, for eviction; a removed entry leaves a hole (undefined), so the
   * queue never keeps a reply alive. A Map cannot serve: V8 keeps deleted slots until it
   * rehashes, so finding the oldest live key by iterating from the start grows with churn.
   */
  private queue: Array<T | undefined> = [];
  private head = 0;
  /** Queue positions dropped from its front so far: an entry sits at queue[slot - base]. */
  private base = 0;
  private count = 0;
  readonly capacity: number;

  constructor(cap: number) {
    this.capacity = effectiveCapacity(cap);
  }

  get(lname: string, k: SubKey): T | undefined {
    const v = this.names.get(lname);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return sameKey(v, k) ? v : undefined;
    for (let i = 0; i < v.length; i++) if (sameKey(v[i], k)) return v[i];
    return undefined;
  }

  /** Store or replace; true when another entry was evicted to make room. */
  add(lname: string, k: SubKey, item: T): boolean {
    const old = this.get(lname, k);
    item.qtype = k.qtype;
    item.qclass = k.qclass;
    item.bits = k.bits;
    if (old) {
      if (old === item) return false;
      // The replacement takes the old entry's place in the queue and in its name's list.
      old.removed = true;
      item.slot = old.slot;
      this.queue[old.slot - this.base] = item;
      const v = this.names.get(lname);
      this.names.set(lname, Array.isArray(v) ? v.map((x) => (x === old ? item : x)) : item);
      return false;
    }
    let evicted = false;
    if (this.count >= this.capacity) evicted = this.evictOldest(lname);
    const cur = this.names.get(lname);
    // Exact-size arrays: one that grows by push reserves room for 17 entries.
    this.names.set(lname, cur === undefined ? item : Array.isArray(cur) ? [...cur, item] : [cur, item]);
    item.slot = this.base + this.queue.length;
    this.queue.push(item);
    this.count++;
    return evicted;
  }

  /** Drop the oldest entry, sparing the name being stored when another exists. */
  private evictOldest(keep: string): boolean {
    let spared: T | undefined;
    while (this.head < this.queue.length) {
      const e = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (!e) continue;
      if (e.lname === keep && this.names.size > 1 && spared === undefined) {
        spared = e;
        continue;
      }
      this.unlink(e);
      if (spared) {
        spared.slot = this.base + this.queue.length;
        this.queue.push(spared);
      }
      this.compact();
      return true;
    }
    if (spared) {
      this.unlink(spared);
      this.compact();
      return true;
    }
    return false;
  }

  private unlink(e: T): void {
    const v = this.names.get(e.lname);
    if (v === e) this.names.delete(e.lname);
    else if (Array.isArray(v) && v.includes(e)) {
      const rest = v.filter((x) => x !== e);
      this.names.set(e.lname, rest.length === 1 ? rest[0] : rest);
    }
    this.clearSlot(e);
    e.removed = true;
    this.count--;
  }

  private clearSlot(e: T): void {
    const i = e.slot - this.base;
    if (this.queue[i] === e) this.queue[i] = undefined;
  }

  /** Forget the consumed head of the queue once it is most of it. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  delete(lname: string, k: SubKey): boolean {
    const e = this.get(lname, k);
    if (!e) return false;
    this.unlink(e);
    this.dropHoles();
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** Drop every entry of the names `pred` accepts; returns how many went. */
  deleteNames(pred: (lname: string) => boolean): number {
    let n = 0;
    for (const [name, v] of this.names) {
      if (!pred(name)) continue;
      for (const e of Array.isArray(v) ? v : [v]) {
        this.clearSlot(e);
        e.removed = true;
        n++;
      }
      this.names.delete(name);
    }
    this.count -= n;
    this.dropHoles();
    return n;
  }

  /** Deleted entries leave holes until eviction passes them; bound them. */
  private dropHoles(): void {
    if (this.queue.length - this.head > 2 * this.capacity) {
      const live = this.queue.slice(this.head).filter((e): e is T => e !== undefined);
      this.base = 0;
      this.head = 0;
      live.forEach((e, i) => {
        e.slot = i;
      });
      this.queue = live;
    }
  }
}
