/**
 * The names of a store's entries (store.ts), off the JS heap: each entry's name as bytes in an
 * arena slot, and an open-addressing hash table from a name to the first entry of that name.
 *
 * This was a Map<string, number> holding each entry's name string. Under a load where most
 * questions miss a full cache (the benchmark's mix), every miss stored a new string that lived
 * about a second, long enough to be promoted, and the Map's backing store was rebuilt again and
 * again as entries came and went: together most of what a busy `skiff dns` promoted to the old
 * generation, and so most of its full collections (bench/RESULTS.md, session 8).
 */
import { staysInRun } from "../../../util/int-table.ts";
import { type Arena, grown } from "./arena.ts";

const EMPTY = -1;
const DOT = 0x2e;
/** Buckets to start with; the table doubles when more than half of them hold a name. */
const INITIAL_BUCKETS = 1024;

/** FNV-1a over a name's UTF-16 code units, as an int32. */
export function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

export class NameIndex {
  /** The first entry of each name, by the name's hash; EMPTY where none. */
  private buckets = new Int32Array(INITIAL_BUCKETS).fill(EMPTY);
  private mask = INITIAL_BUCKETS - 1;
  /** Names in the table (chains, not entries). */
  private names = 0;
  // Per entry id.
  private hashes = new Int32Array(0);
  /** Its length in UTF-16 code units. */
  private lengths = new Uint16Array(0);
  /** 1 when a code unit is above 0xff: two bytes per unit (UTF-16LE), else one (Latin-1). */
  private wide = new Uint8Array(0);
  private slots = new Int32Array(0);

  constructor(private readonly arena: Arena) {}

  /** Room for entry ids below n. */
  grow(n: number): void {
    this.hashes = grown(this.hashes, n);
    this.lengths = grown(this.lengths, n);
    this.wide = grown(this.wide, n);
    this.slots = grown(this.slots, n);
  }

  /** Names with at least one entry. */
  get size(): number {
    return this.names;
  }

  /** The first entry named `s` (whose hash is `h`), or EMPTY. */
  first(s: string, h: number): number {
    const b = this.buckets;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const id = b[i];
      if (id === EMPTY) return EMPTY;
      if (this.hashes[id] === h && this.is(id, s)) return id;
    }
  }

  /** Give entry `id` the name `s` (hash `h`): its bytes, not yet in the table. */
  write(id: number, s: string, h: number): void {
    let wide = 0;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) wide = 1;
    const len = s.length;
    // A name is at most 255 octets on the wire; a slot of at least one byte keeps the root's.
    const h0 = this.arena.alloc(Math.max(1, len << wide));
    const buf = this.arena.chunk(h0);
    const o = this.arena.offset(h0);
    if (wide) buf.write(s, o, "utf16le");
    else for (let i = 0; i < len; i++) buf[o + i] = s.charCodeAt(i);
    this.slots[id] = h0;
    this.lengths[id] = len;
    this.wide[id] = wide;
    this.hashes[id] = h;
  }

  /** Let go of the bytes of entry `id` (it is out of the table). */
  release(id: number): void {
    this.arena.release(this.slots[id]);
  }

  hashOf(id: number): number {
    return this.hashes[id];
  }

  /** Whether entry `id` is named `s`. */
  is(id: number, s: string): boolean {
    const len = this.lengths[id];
    if (len !== s.length) return false;
    const h = this.slots[id];
    const buf = this.arena.chunk(h);
    const o = this.arena.offset(h);
    if (this.wide[id]) {
      for (let i = 0; i < len; i++)
        if ((buf[o + 2 * i] | (buf[o + 2 * i + 1] << 8)) !== s.charCodeAt(i)) return false;
      return true;
    }
    for (let i = 0; i < len; i++) if (buf[o + i] !== s.charCodeAt(i)) return false;
    return true;
  }

  /** names.ts inZone on the bytes: whether entry `id`'s name is `zone` or under it. */
  inZone(id: number, zone: string): boolean {
    if (zone === ".") return true;
    const d = this.lengths[id] - zone.length;
    if (d < 0) return false;
    const h = this.slots[id];
    const buf = this.arena.chunk(h);
    const o = this.arena.offset(h);
    if (this.wide[id]) {
      const unit = (i: number) => buf[o + 2 * i] | (buf[o + 2 * i + 1] << 8);
      if (d > 0 && unit(d - 1) !== DOT) return false;
      for (let i = zone.length - 1; i >= 0; i--) if (unit(d + i) !== zone.charCodeAt(i)) return false;
      return true;
    }
    if (d > 0 && buf[o + d - 1] !== DOT) return false;
    // From the end: names under one zone share their tails, and differ first near the front.
    for (let i = zone.length - 1; i >= 0; i--) if (buf[o + d + i] !== zone.charCodeAt(i)) return false;
    return true;
  }

  /** The name of entry `id`, as a string (a new one: for the rare paths). */
  name(id: number): string {
    const h = this.slots[id];
    const o = this.arena.offset(h);
    const bytes = this.lengths[id] << this.wide[id];
    return this.arena.chunk(h).toString(this.wide[id] ? "utf16le" : "latin1", o, o + bytes);
  }

  /** Whether entries a and b have the same name. */
  same(a: number, b: number): boolean {
    if (a === b) return true;
    const bytes = this.lengths[a] << this.wide[a];
    if (
      this.hashes[a] !== this.hashes[b] ||
      this.lengths[a] !== this.lengths[b] ||
      this.wide[a] !== this.wide[b]
    )
      return false;
    const ba = this.arena.chunk(this.slots[a]);
    const oa = this.arena.offset(this.slots[a]);
    const bb = this.arena.chunk(this.slots[b]);
    const ob = this.arena.offset(this.slots[b]);
    for (let i = 0; i < bytes; i++) if (ba[oa + i] !== bb[ob + i]) return false;
    return true;
  }

  /** The first entry of the name of `id` (an entry in the table), found by its hash and bytes. */
  firstOf(id: number): number {
    const b = this.buckets;
    const h = this.hashes[id];
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const x = b[i];
      if (x === EMPTY) return EMPTY;
      if (this.same(x, id)) return x;
    }
  }

  /** Entry `id` is the first of a name not in the table yet. */
  add(id: number): void {
    if (2 * (this.names + 1) > this.buckets.length) this.rehash(this.buckets.length * 2);
    this.place(id);
    this.names++;
  }

  /** Entry `next` takes the place of `first` as the first of their name. */
  replace(first: number, next: number): void {
    this.buckets[this.bucketOf(first)] = next;
  }

  /** The name of `first`, its only entry, leaves the table. */
  remove(first: number): void {
    const b = this.buckets;
    const mask = this.mask;
    let hole = this.bucketOf(first);
    // Backward-shift deletion: later members of the probe run move up so none is cut off.
    for (let j = (hole + 1) & mask; b[j] !== EMPTY; j = (j + 1) & mask) {
      if (staysInRun(this.hashes[b[j]] & mask, hole, j)) continue;
      b[hole] = b[j];
      hole = j;
    }
    b[hole] = EMPTY;
    this.names--;
  }

  private bucketOf(first: number): number {
    const b = this.buckets;
    for (let i = this.hashes[first] & this.mask; ; i = (i + 1) & this.mask) {
      if (b[i] === first) return i;
      if (b[i] === EMPTY) throw new Error(`cache entry ${first} is not the first of its name`);
    }
  }

  private place(id: number): void {
    const b = this.buckets;
    let i = this.hashes[id] & this.mask;
    while (b[i] !== EMPTY) i = (i + 1) & this.mask;
    b[i] = id;
  }

  private rehash(n: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(n).fill(EMPTY);
    this.mask = n - 1;
    for (const id of old) if (id !== EMPTY) this.place(id);
  }
}
