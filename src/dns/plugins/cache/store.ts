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
  item: Item;
}

export class Store {
  private readonly names = new Map<string, Entry[]>();
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
          e.item = item;
          return false;
        }
      }
    }
    let evicted = false;
    if (this.count >= this.capacity) evicted = this.evictOldest(lname);
    const entry = { qtype: k.qtype, qclass: k.qclass, bits: k.bits, item };
    const cur = this.names.get(lname);
    if (cur) cur.push(entry);
    else this.names.set(lname, [entry]);
    this.count++;
    return evicted;
  }

  private evictOldest(keep: string): boolean {
    for (const [name, es] of this.names) {
      if (name === keep && this.names.size > 1) continue;
      es.shift();
      this.count--;
      if (es.length === 0) this.names.delete(name);
      return true;
    }
    return false;
  }

  delete(lname: string, k: SubKey): boolean {
    const es = this.names.get(lname);
    if (!es) return false;
    const i = es.findIndex((e) => e.qtype === k.qtype && e.bits === k.bits && e.qclass === k.qclass);
    if (i < 0) return false;
    es.splice(i, 1);
    this.count--;
    if (es.length === 0) this.names.delete(lname);
    return true;
  }

  get size(): number {
    return this.count;
  }

  /** Drop every entry of the names `pred` accepts; returns how many went. */
  deleteNames(pred: (lname: string) => boolean): number {
    let n = 0;
    for (const [name, es] of this.names) {
      if (pred(name)) {
        this.names.delete(name);
        n += es.length;
      }
    }
    this.count -= n;
    return n;
  }
}
