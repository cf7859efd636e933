/**
 * A bounded map of cached replies. CoreDNS rounds the capacity down to a multiple of its 256
 * shards (at least 4 per shard) and evicts at random; here one map with the same total capacity
 * evicts the oldest name stored, which gives the same bound with O(1) work per insert.
 *
 * Entries are found by the lowercase name first (a string the server already built, hashed
 * once), then by a short scan over that name's few (type, class, DO/CD) entries: building one
 * concatenated key per query and hashing it cost more than the whole rest of a hit. The success
 * and the denial store of a cache share one map of names (each sees only its own entries), so a
 * query looks its name up once for both (pick).
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
  /** Which of two stores sharing a map of names holds it. */
  readonly denial: boolean;
}

function sameKey(x: Stored, k: SubKey): boolean {
  return x.qtype === k.qtype && x.bits === k.bits && x.qclass === k.qclass;
}

/** What a map of names holds for one name: one entry, or an exact-size array of them. */
export type Entries<T> = T | T[];

/** The entry for `k` in one name's entries, of the denial store or of the success store. */
export function pick<T extends Stored>(v: Entries<T> | undefined, k: SubKey, denial: boolean): T | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) return v.denial === denial && sameKey(v, k) ? v : undefined;
  for (let i = 0; i < v.length; i++) {
    const e = v[i];
    if (e.denial === denial && sameKey(e, k)) return e;
  }
  return undefined;
}

/**
 * Names map to their one entry, or to an exact-size array when a name has several (A and AAAA,
 * DO and not): no wrapper object or array per entry, about 120 bytes less each.
 */
export class Store<T extends Stored = Item> {
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
  /** Bumped by every add: "nothing was added since" is one comparison, not a lookup. */
  version = 0;
  readonly capacity: number;

  /**
   * `names` may be shared with another store whose entries have the other `denial`: each store
   * sees, adds and drops only its own.
   */
  constructor(
    cap: number,
    readonly names: Map<string, Entries<T>> = new Map(),
    private readonly denial = false,
  ) {
    this.capacity = effectiveCapacity(cap);
  }

  get(lname: string, k: SubKey): T | undefined {
    return pick(this.names.get(lname), k, this.denial);
  }

  /** Store or replace; true when another entry was evicted to make room. */
  add(lname: string, k: SubKey, item: T): boolean {
    item.qtype = k.qtype;
    item.qclass = k.qclass;
    item.bits = k.bits;
    this.version++;
    let v = this.names.get(lname);
    if (v !== undefined) {
      // The replacement takes the old entry's place in the queue and in its name's list.
      if (!Array.isArray(v)) {
        if (v.denial === this.denial && sameKey(v, k)) {
          if (v !== item) this.replace(v, item, lname);
          return false;
        }
      } else {
        for (let i = 0; i < v.length; i++) {
          const old = v[i];
          if (old.denial !== this.denial || !sameKey(old, k)) continue;
          if (old !== item) {
            v[i] = item;
            this.replace(old, item, undefined);
          }
          return false;
        }
      }
    }
    let evicted = false;
    if (this.count >= this.capacity) {
      evicted = this.evictOldest(lname);
      // Eviction may have dropped an entry of this very name (when it is the only one).
      if (evicted) v = this.names.get(lname);
    }
    // Exact-size arrays: one that grows by push reserves room for 17 entries.
    this.names.set(lname, v === undefined ? item : Array.isArray(v) ? [...v, item] : [v, item]);
    item.slot = this.base + this.queue.length;
    this.queue.push(item);
    this.count++;
    return evicted;
  }

  /** `item` in `old`'s place in the queue (and in the names map under `lname`, if given). */
  private replace(old: T, item: T, lname: string | undefined): void {
    old.removed = true;
    item.slot = old.slot;
    this.queue[old.slot - this.base] = item;
    if (lname !== undefined) this.names.set(lname, item);
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

  /**
   * Drop every entry of the names `pred` accepts; returns how many went. Walks this store's own
   * queue, not the map of names it may share: a denial store's invalidation then reads only the
   * denials, each name once per entry, with no iterator over a map of twice as many names.
   */
  deleteNames(pred: (lname: string) => boolean): number {
    const before = this.count;
    const q = this.queue;
    for (let i = this.head; i < q.length; i++) {
      const e = q[i];
      if (e !== undefined && pred(e.lname)) this.unlink(e);
    }
    this.dropHoles();
    return before - this.count;
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
