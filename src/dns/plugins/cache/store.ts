/**
 * A bounded map of cached replies. CoreDNS rounds the capacity down to a multiple of its 256
 * shards (at least 4 per shard) and evicts at random; one Map with the same total capacity,
 * evicting the oldest stored entry, gives the same bound with O(1) work per insert.
 */
import type { Item } from "./item.ts";

const SHARDS = 256;

/** CoreDNS's effective capacity for a configured one (plugin/pkg/cache New). */
export function effectiveCapacity(cap: number): number {
  return Math.max(Math.floor(cap / SHARDS), 4) * SHARDS;
}

export class Store {
  private readonly map = new Map<string, Item>();
  readonly capacity: number;

  constructor(cap: number) {
    this.capacity = effectiveCapacity(cap);
  }

  get(key: string): Item | undefined {
    return this.map.get(key);
  }

  /** Store or replace; true when another entry was evicted to make room. */
  add(key: string, item: Item): boolean {
    const map = this.map;
    if (map.delete(key)) {
      map.set(key, item);
      return false;
    }
    let evicted = false;
    if (map.size >= this.capacity) {
      const oldest = map.keys().next();
      if (!oldest.done) {
        map.delete(oldest.value);
        evicted = true;
      }
    }
    map.set(key, item);
    return evicted;
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** Drop every entry whose item matches; returns how many went. */
  deleteWhere(pred: (item: Item) => boolean): number {
    let n = 0;
    for (const [k, v] of this.map) {
      if (pred(v)) {
        this.map.delete(k);
        n++;
      }
    }
    return n;
  }
}
