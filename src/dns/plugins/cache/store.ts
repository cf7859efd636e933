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

interface Entry extends SubKey {
  readonly lname: string;
  item: Item;
  /** Deleted or evicted: its place in the insertion queue is skipped. */
  gone: boolean;
}

export class Store {
  private readonly names = new Map<string, Entry[]>();
  /**
   * Entries in insertion order, for eviction. A Map cannot serve: V8 keeps deleted slots until
   * it rehashes, so finding the oldest live key by iterating from the start grows with churn.
   */
  private queue: Entry[] = [];
  private head = 0;
  private count = 0;
  readonly capacity: number;

  constructor(cap: number) {
    this.capacity = effectiveCapacity(cap);
  }

  get(lname: string, k: SubKey): Item | undefined {
    const es = this.names.get(lname);
    if (!es) return undefined;
    for (let i = 0; i < es.length; i++) {
      const e = es[i];
      if (e.qtype === k.qtype && e.bits === k.bits && e.qclass === k.qclass) return e.item;
    }
    return undefined;
  }

  /** Store or replace; true when another entry was evicted to make room. */
  add(lname: string, k: SubKey, item: Item): boolean {
    const es = this.names.get(lname);
    if (es) {
      for (const e of es) {
        if (e.qtype === k.qtype && e.bits === k.bits && e.qclass === k.qclass) {
          if (e.item !== item) e.item.removed = true;
          e.item = item;
          return false;
        }
      }
    }
    let evicted = false;
    if (this.count >= this.capacity) evicted = this.evictOldest(lname);
    const entry: Entry = { lname, qtype: k.qtype, qclass: k.qclass, bits: k.bits, item, gone: false };
    const cur = this.names.get(lname);
    if (cur) cur.push(entry);
    else this.names.set(lname, [entry]);
    this.queue.push(entry);
    this.count++;
    return evicted;
  }

  /** Drop the oldest entry, sparing the name being stored when another exists. */
  private evictOldest(keep: string): boolean {
    let spared: Entry | undefined;
    while (this.head < this.queue.length) {
      const e = this.queue[this.head++];
      if (e.gone) continue;
      if (e.lname === keep && this.names.size > 1 && spared === undefined) {
        spared = e;
        continue;
      }
      this.unlink(e);
      if (spared) this.queue.push(spared);
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

  private unlink(e: Entry): void {
    const es = this.names.get(e.lname);
    if (es) {
      const i = es.indexOf(e);
      if (i >= 0) es.splice(i, 1);
      if (es.length === 0) this.names.delete(e.lname);
    }
    e.gone = true;
    e.item.removed = true;
    this.count--;
  }

  /** Forget the consumed head of the queue once it is most of it. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  delete(lname: string, k: SubKey): boolean {
    const es = this.names.get(lname);
    if (!es) return false;
    const e = es.find((x) => x.qtype === k.qtype && x.bits === k.bits && x.qclass === k.qclass);
    if (!e) return false;
    this.unlink(e);
    this.dropGarbage();
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** Drop every entry of the names `pred` accepts; returns how many went. */
  deleteNames(pred: (lname: string) => boolean): number {
    let n = 0;
    for (const [name, es] of this.names) {
      if (!pred(name)) continue;
      for (const e of es) {
        e.gone = true;
        e.item.removed = true;
      }
      this.names.delete(name);
      n += es.length;
    }
    this.count -= n;
    this.dropGarbage();
    return n;
  }

  /** Deleted entries stay in the queue until eviction passes them; bound that garbage. */
  private dropGarbage(): void {
    if (this.queue.length - this.head > 2 * this.capacity) {
      this.queue = this.queue.slice(this.head).filter((e) => !e.gone);
      this.head = 0;
    }
  }
}
