/**
 * A bounded map of cached replies. CoreDNS rounds the capacity down to a multiple of its 256
 * shards (at least 4 per shard) and evicts at random; here the oldest entry stored is evicted,
 * which gives the same bound with O(1) work per insert.
 *
 * An entry is a number (its id), and everything about it lives in typed arrays indexed by it:
 * its records as wire bytes in an Arena, its TTL, time and flags in numbers. Storing one makes
 * no object (the name string it is found by aside), so a busy cache's churn no longer fills the
 * old generation with dead entries (arena.ts says what that cost). Entries are found by the
 * lowercase name (a string the server already built and hashed) and then the few (type, class,
 * DO/CD) entries of that name, chained by id.
 */
import type { Answer, Packet } from "dns-packet";
import { decodeRecordsInto } from "../../message/decode.ts";
import { Flag } from "../../message/message.ts";
import { encodeRecords } from "../../message/wire.ts";
import { Arena } from "./arena.ts";

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

/** Bits of an entry's meta above the 4-bit rcode. */
export const META_AD = 0x10;
export const META_RA = 0x20;

const NONE = -1;
/** Tables start this big and double up to the capacity. */
const INITIAL = 1024;

/** A name as the plugins write them, fully qualified (the wire leaves the final dot out). */
const fq = (n: string): string => (n.endsWith(".") ? n : `${n}.`);

/**
 * The names of a decoded record with their final dot, as the records written by the plugins
 * have them (dns-packet reads names without it). The same bytes on the wire either way; this
 * keeps what a plugin before the cache sees of a hit the same as of the miss.
 */
function dotted(r: Answer): void {
  const x = r as { name: string; type: string; data: unknown };
  x.name = fq(x.name);
  switch (x.type) {
    case "CNAME":
    case "NS":
    case "PTR":
    case "DNAME":
      x.data = fq(x.data as string);
      break;
    case "MX": {
      const d = x.data as { exchange: string };
      d.exchange = fq(d.exchange);
      break;
    }
    case "SRV": {
      const d = x.data as { target: string };
      d.target = fq(d.target);
      break;
    }
    case "SOA": {
      const d = x.data as { mname: string; rname: string };
      d.mname = fq(d.mname);
      d.rname = fq(d.rname);
      break;
    }
  }
}

export class Store {
  readonly capacity: number;
  /** Bumped by every add: "nothing was added since" is one comparison, not a lookup. */
  version = 0;
  /** Whether the last add evicted another entry to make room. */
  lastEvicted = false;
  private count = 0;
  private readonly names = new Map<string, number>();
  private readonly arena = new Arena();
  private readonly freeIds: number[] = [];
  private nextId = 0;
  private oldest = NONE;
  private newest = NONE;
  // Per entry id. The JS arrays hold strings that exist anyway (the name, type and class).
  private readonly lnames: string[] = [];
  private readonly qtypes: string[] = [];
  private readonly qclasses: string[] = [];
  private keyBits = new Uint8Array(0);
  /** The next entry of the same name, and the neighbours in insertion order. */
  private sameName = new Int32Array(0);
  private older = new Int32Array(0);
  private newer = new Int32Array(0);
  /** Bumped when an entry leaves: views of the old one (item.ts) see it as removed. */
  gen = new Uint32Array(0);
  stored = new Float64Array(0);
  origTTL = new Int32Array(0);
  /** rcode | META_AD | META_RA. */
  meta = new Uint8Array(0);
  /** Records per section. */
  private sections = new Uint16Array(0);
  /** Arena handle of the records (NONE when there are none). */
  private slot = new Int32Array(0);
  /** Template bookkeeping and prefetch state (cache.ts). */
  hitsServed = new Uint8Array(0);
  hits = new Int32Array(0);
  last = new Float64Array(0);
  refreshing = new Uint8Array(0);
  retryAfter = new Float64Array(0);

  constructor(
    cap: number,
    /** Which of a cache's two stores this is (its entries are denials). */
    readonly denial = false,
  ) {
    this.capacity = effectiveCapacity(cap);
    this.grow(Math.min(INITIAL, this.capacity));
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held for records (the arena's chunks). */
  get bytes(): number {
    return this.arena.bytes;
  }

  lname(id: number): string {
    return this.lnames[id];
  }

  /** The entry for (lname, k), or -1. */
  find(lname: string, k: SubKey): number {
    const first = this.names.get(lname);
    if (first === undefined) return NONE;
    for (let id = first; id !== NONE; id = this.sameName[id]) if (this.sameKey(id, k)) return id;
    return NONE;
  }

  private sameKey(id: number, k: SubKey): boolean {
    return this.qtypes[id] === k.qtype && this.keyBits[id] === k.bits && this.qclasses[id] === k.qclass;
  }

  /**
   * Store (or replace) the reply `m` for (lname, k): its flags, rcode and records but OPT.
   * Returns the entry's id, or -1 when its records cannot be written (nothing is stored then).
   * A replacement keeps the old entry's id and place in the eviction order.
   */
  add(lname: string, k: SubKey, m: Packet, origTTL: number, stored: number): number {
    this.lastEvicted = false;
    // Written first: a reply that cannot be encoded changes nothing.
    const { bytes, counts } = encodeRecords([m.answers, m.authorities, m.additionals]);
    this.version++;
    let id = this.find(lname, k);
    if (id !== NONE) this.clear(id);
    else {
      if (this.count >= this.capacity) this.lastEvicted = this.evictOldest(lname);
      id = this.newId();
      this.lnames[id] = lname;
      this.qtypes[id] = k.qtype;
      this.qclasses[id] = k.qclass;
      this.keyBits[id] = k.bits;
      const first = this.names.get(lname);
      this.sameName[id] = first ?? NONE;
      this.names.set(lname, id);
      this.append(id);
      this.count++;
    }
    const flags = m.flags ?? 0;
    this.meta[id] =
      (flags & 0xf) | ((flags & Flag.AD) !== 0 ? META_AD : 0) | ((flags & Flag.RA) !== 0 ? META_RA : 0);
    this.origTTL[id] = origTTL;
    this.stored[id] = stored;
    this.sections[3 * id] = counts[0];
    this.sections[3 * id + 1] = counts[1];
    this.sections[3 * id + 2] = counts[2];
    if (bytes.length === 0) this.slot[id] = NONE;
    else {
      const h = this.arena.alloc(bytes.length);
      this.slot[id] = h;
      bytes.copy(this.arena.chunk(h), this.arena.offset(h));
    }
    return id;
  }

  /** The entry's records, decoded, per section (answers, authorities, additionals). */
  records(id: number): [Answer[], Answer[], Answer[]] {
    const out: [Answer[], Answer[], Answer[]] = [[], [], []];
    const h = this.slot[id];
    if (h === NONE) return out;
    const buf = this.arena.chunk(h);
    let o = this.arena.offset(h);
    for (let s = 0; s < 3; s++) {
      o = decodeRecordsInto(buf, o, this.sections[3 * id + s], out[s]);
      for (const r of out[s]) dotted(r);
    }
    return out;
  }

  delete(lname: string, k: SubKey): boolean {
    const id = this.find(lname, k);
    if (id === NONE) return false;
    this.unlink(id);
    return true;
  }

  /** Drop every entry of the names `pred` accepts; returns how many went. */
  deleteNames(pred: (lname: string) => boolean): number {
    const before = this.count;
    for (let id = this.oldest; id !== NONE; ) {
      const next = this.newer[id];
      if (pred(this.lnames[id])) this.unlink(id);
      id = next;
    }
    return before - this.count;
  }

  /** Drop the oldest entry, sparing the name being stored when another exists. */
  private evictOldest(keep: string): boolean {
    let id = this.oldest;
    if (id === NONE) return false;
    if (this.lnames[id] === keep && this.names.size > 1) {
      const spared = id;
      id = this.newer[id];
      while (id !== NONE && this.lnames[id] === keep) id = this.newer[id];
      if (id !== NONE) {
        // The spared entry goes to the young end, as if stored now.
        this.detach(spared);
        this.append(spared);
      } else id = spared;
    }
    this.unlink(id);
    return true;
  }

  /** Out of the store: its name's chain, the order, its bytes; its id free for reuse. */
  private unlink(id: number): void {
    const lname = this.lnames[id];
    const first = this.names.get(lname) as number;
    if (first === id) {
      const rest = this.sameName[id];
      if (rest === NONE) this.names.delete(lname);
      else this.names.set(lname, rest);
    } else {
      let p = first;
      while (this.sameName[p] !== id) p = this.sameName[p];
      this.sameName[p] = this.sameName[id];
    }
    this.detach(id);
    this.clear(id);
    this.lnames[id] = "";
    this.freeIds.push(id);
    this.count--;
  }

  /** Its bytes released, its views void, its bookkeeping reset (for a replacement or reuse). */
  private clear(id: number): void {
    if (this.slot[id] !== NONE) this.arena.release(this.slot[id]);
    this.slot[id] = NONE;
    this.gen[id]++;
    this.hitsServed[id] = 0;
    this.hits[id] = 0;
    this.last[id] = Number.NEGATIVE_INFINITY;
    this.refreshing[id] = 0;
    this.retryAfter[id] = 0;
  }

  private append(id: number): void {
    this.older[id] = this.newest;
    this.newer[id] = NONE;
    if (this.newest !== NONE) this.newer[this.newest] = id;
    else this.oldest = id;
    this.newest = id;
  }

  private detach(id: number): void {
    const o = this.older[id];
    const n = this.newer[id];
    if (o !== NONE) this.newer[o] = n;
    else this.oldest = n;
    if (n !== NONE) this.older[n] = o;
    else this.newest = o;
  }

  private newId(): number {
    if (this.freeIds.length > 0) return this.freeIds.pop() as number;
    if (this.nextId === this.gen.length) this.grow(Math.min(this.capacity, this.gen.length * 2));
    const id = this.nextId++;
    this.slot[id] = NONE;
    this.last[id] = Number.NEGATIVE_INFINITY;
    return id;
  }

  /** Tables for `n` entries, the present ones copied. */
  private grow(n: number): void {
    const copy = <T extends Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array>(
      a: T,
      make: (len: number) => T,
      per = 1,
    ): T => {
      const b = make(n * per);
      b.set(a);
      return b;
    };
    this.keyBits = copy(this.keyBits, (l) => new Uint8Array(l));
    this.sameName = copy(this.sameName, (l) => new Int32Array(l));
    this.older = copy(this.older, (l) => new Int32Array(l));
    this.newer = copy(this.newer, (l) => new Int32Array(l));
    this.gen = copy(this.gen, (l) => new Uint32Array(l));
    this.stored = copy(this.stored, (l) => new Float64Array(l));
    this.origTTL = copy(this.origTTL, (l) => new Int32Array(l));
    this.meta = copy(this.meta, (l) => new Uint8Array(l));
    this.sections = copy(this.sections, (l) => new Uint16Array(l), 3);
    this.slot = copy(this.slot, (l) => new Int32Array(l));
    this.hitsServed = copy(this.hitsServed, (l) => new Uint8Array(l));
    this.hits = copy(this.hits, (l) => new Int32Array(l));
    this.last = copy(this.last, (l) => new Float64Array(l));
    this.refreshing = copy(this.refreshing, (l) => new Uint8Array(l));
    this.retryAfter = copy(this.retryAfter, (l) => new Float64Array(l));
  }
}
