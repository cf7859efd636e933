/**
 * A bounded map of cached replies. CoreDNS rounds the capacity down to a multiple of its 256
 * shards (at least 4 per shard) and evicts at random; here the oldest entry stored is evicted,
 * which gives the same bound with O(1) work per insert.
 *
 * An entry is a number (its id), and everything about it lives in typed arrays indexed by it:
 * its records as wire bytes in an Arena, its TTL, time and flags in numbers. Storing one makes
 * no object, not even its name (names.ts), so a busy cache's churn no longer fills the old
 * generation with dead entries (arena.ts says what that cost). Entries are found by the
 * lowercase name and then the few (type, class, DO/CD) entries of that name, chained by id.
 */
import type { Answer, Packet } from "dns-packet";
import { decodeRecordsInto } from "../../message/decode.ts";
import { Flag } from "../../message/message.ts";
import { EncodeError, encodeRecords } from "../../message/wire.ts";
import { Arena, grown, MAX_SLOT } from "./arena.ts";
import { hashName, NameIndex } from "./names.ts";
import {
  type Compiled,
  compileReply,
  renderTemplate,
  templateMatch,
  templateReply,
  templateSize,
  writeTemplate,
} from "./template.ts";

const SHARDS = 256;

/** Seconds an entry has left at `now` (ms); zero or less once expired (Go truncates the elapsed seconds). */
export function ttlLeft(origTTL: number, stored: number, now: number): number {
  return origTTL - Math.trunc((now - stored) / 1000);
}

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

/** The records of an encoded reply but OPT, per section, names fully qualified. */
function recordsOfReply(reply: Buffer, out: [Answer[], Answer[], Answer[]]): void {
  let o = 12;
  // One question: its name, then type and class.
  while (reply[o] !== 0 && reply[o] < 0xc0) o += reply[o] + 1;
  o += reply[o] === 0 ? 5 : 6;
  for (let s = 0; s < 3; s++) {
    const rrs: Answer[] = [];
    o = decodeRecordsInto(reply, o, reply.readUInt16BE(6 + 2 * s), rrs);
    for (const r of rrs) {
      if (r.type === "OPT") continue;
      dotted(r);
      out[s].push(r);
    }
  }
}

/** A reply's records in the stored form, or null when one cannot be written (EncodeError). */
function recordsOf(m: Packet): { bytes: Buffer; counts: number[] } | null {
  try {
    return encodeRecords([m.answers, m.authorities, m.additionals]);
  } catch (err) {
    if (err instanceof EncodeError) return null;
    throw err;
  }
}

export class Store {
  readonly capacity: number;
  /** Bumped by every add: "nothing was added since" is one comparison, not a lookup. */
  version = 0;
  /** Whether the last add evicted another entry to make room. */
  lastEvicted = false;
  private count = 0;
  private readonly arena = new Arena();
  private readonly names = new NameIndex(this.arena);
  private readonly freeIds: number[] = [];
  private nextId = 0;
  private oldest = NONE;
  private newest = NONE;
  // Per entry id. The JS arrays hold strings that exist anyway (the type and class names).
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
  /** Arena handle of the records (NONE when there are none, or when the template holds them). */
  private slot = new Int32Array(0);
  /**
   * Arena handles of the entry's reply templates (template.ts), NONE when it has none: two, for
   * the two spellings of a question a cluster's clients send (with and without EDNS).
   */
  private tslot = new Int32Array(0);
  private tslot2 = new Int32Array(0);
  /** The key (fastpath.ts templateKey) each template was kept under. */
  private tkey = new Int32Array(0);
  private tkey2 = new Int32Array(0);
  /** Told of each template that goes with its entry: its key and reference (Cache's). */
  onTemplateDrop: ((key: number, id: number, which: number) => void) | undefined = undefined;
  /** Prefetch state (cache.ts). */
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

  /** The entry's name (a new string each time). */
  lname(id: number): string {
    return this.names.name(id);
  }

  /** The entry for (lname, k), or -1; `h` is hashName(lname), when the caller has it. */
  find(lname: string, k: SubKey, h = hashName(lname)): number {
    const first = this.names.first(lname, h);
    for (let id = first; id !== NONE; id = this.sameName[id]) if (this.sameKey(id, k)) return id;
    return NONE;
  }

  private sameKey(id: number, k: SubKey): boolean {
    return this.qtypes[id] === k.qtype && this.keyBits[id] === k.bits && this.qclasses[id] === k.qclass;
  }

  /**
   * Store (or replace) the reply `m` for (lname, k): its flags, rcode and records but OPT.
   * Returns the entry's id, or -1 when its records cannot be written (nothing is stored then).
   * A replacement keeps the old entry's id and place in the eviction order. With `records`
   * false the records are left to a template (keepTemplate) or a later writeRecords. `h` is
   * hashName(lname), when the caller has it.
   */
  add(
    lname: string,
    k: SubKey,
    m: Packet,
    origTTL: number,
    stored: number,
    records = true,
    h = hashName(lname),
  ): number {
    this.lastEvicted = false;
    // Written first: a reply that cannot be encoded changes nothing.
    const written = records ? recordsOf(m) : undefined;
    if (written === null) return NONE;
    this.version++;
    let id = this.find(lname, k, h);
    if (id !== NONE) this.clear(id);
    else {
      if (this.count >= this.capacity) this.lastEvicted = this.evictOldest(lname, h);
      id = this.newId();
      this.names.write(id, lname, h);
      this.qtypes[id] = k.qtype;
      this.qclasses[id] = k.qclass;
      this.keyBits[id] = k.bits;
      // The newest entry of a name heads its chain.
      const first = this.names.first(lname, h);
      this.sameName[id] = first;
      if (first === NONE) this.names.add(id);
      else this.names.replace(first, id);
      this.append(id);
      this.count++;
    }
    const flags = m.flags ?? 0;
    this.meta[id] =
      (flags & 0xf) | ((flags & Flag.AD) !== 0 ? META_AD : 0) | ((flags & Flag.RA) !== 0 ? META_RA : 0);
    this.origTTL[id] = origTTL;
    this.stored[id] = stored;
    if (written) this.putRecords(id, written.bytes, written.counts);
    return id;
  }

  /**
   * The records of `m` for an entry added without them (and given no template since); false
   * when they cannot be written.
   */
  writeRecords(id: number, m: Packet): boolean {
    if (this.slot[id] !== NONE || this.tslot[id] !== NONE) return true;
    const written = recordsOf(m);
    if (written === null) return false;
    this.putRecords(id, written.bytes, written.counts);
    return true;
  }

  /** writeRecords with the records of an encoded reply (an entry whose template was not kept). */
  writeRecordsOf(id: number, reply: Buffer): boolean {
    const rs: [Answer[], Answer[], Answer[]] = [[], [], []];
    recordsOfReply(reply, rs);
    return this.writeRecords(id, { answers: rs[0], authorities: rs[1], additionals: rs[2] });
  }

  private putRecords(id: number, bytes: Buffer, counts: number[]): void {
    this.sections[3 * id] = counts[0];
    this.sections[3 * id + 1] = counts[1];
    this.sections[3 * id + 2] = counts[2];
    if (bytes.length === 0) return;
    const h = this.arena.alloc(bytes.length);
    this.slot[id] = h;
    bytes.copy(this.arena.chunk(h), this.arena.offset(h));
  }

  /**
   * Keep `reply`, as encoded for `query`, as a template of the entry (the first two spellings of
   * the question offered stay); its records are then read from the first. Returns which of the
   * two answers `query` (0 or 1), or -1 when neither does.
   */
  keepTemplate(
    id: number,
    query: Buffer,
    reply: Buffer,
    shuffle: boolean,
    key = -1,
    /** The reply's TTL offsets and groups, when its writer knows them (server/direct.ts). */
    known?: Compiled,
  ): number {
    for (let which = 0; which < 2; which++) {
      const slots = which === 0 ? this.tslot : this.tslot2;
      if (slots[id] !== NONE) {
        if (this.templateMatch(id, which, query) > 0) return which;
        continue;
      }
      // Compiled only when there is a place to keep it: a hit in a third spelling costs a compare.
      const c = known ?? compileReply(query, reply, shuffle);
      if (!c) return -1;
      const size = templateSize(query, reply, c);
      if (size > MAX_SLOT) return -1;
      const h = this.arena.alloc(size);
      writeTemplate(this.arena.chunk(h), this.arena.offset(h), query, reply, c);
      slots[id] = h;
      (which === 0 ? this.tkey : this.tkey2)[id] = key;
      if (this.slot[id] !== NONE) this.arena.release(this.slot[id]);
      this.slot[id] = NONE;
      return which;
    }
    return -1;
  }

  /** The reply length when the entry's template `which` answers `query`, else 0. */
  templateMatch(id: number, which: number, query: Buffer): number {
    const h = (which === 0 ? this.tslot : this.tslot2)[id];
    return h === NONE ? 0 : templateMatch(this.arena.chunk(h), this.arena.offset(h), query);
  }

  /** Write the entry's template `which` for `query` with `ttl` into `out` at `o`; its length. */
  renderTemplate(id: number, which: number, query: Buffer, ttl: number, out: Buffer, o: number): number {
    const h = (which === 0 ? this.tslot : this.tslot2)[id];
    return renderTemplate(this.arena.chunk(h), this.arena.offset(h), query, ttl, out, o);
  }

  /** Seconds entry `id` has left at `now` (ttlLeft). */
  ttl(id: number, now: number): number {
    return ttlLeft(this.origTTL[id], this.stored[id], now);
  }

  /** The entry's query type and DO bit (its key), for the metrics of a template's reply. */
  qtype(id: number): string {
    return this.qtypes[id];
  }
  dnssecOK(id: number): boolean {
    return (this.keyBits[id] & 1) !== 0;
  }

  /** The entry's records, decoded, per section (answers, authorities, additionals). */
  records(id: number): [Answer[], Answer[], Answer[]] {
    const out: [Answer[], Answer[], Answer[]] = [[], [], []];
    const h = this.slot[id];
    if (h === NONE) {
      const t = this.tslot[id];
      if (t !== NONE) recordsOfReply(templateReply(this.arena.chunk(t), this.arena.offset(t)), out);
      return out;
    }
    const buf = this.arena.chunk(h);
    let o = this.arena.offset(h);
    for (let s = 0; s < 3; s++) {
      o = decodeRecordsInto(buf, o, this.sections[3 * id + s], out[s]);
      for (const r of out[s]) dotted(r);
    }
    return out;
  }

  delete(lname: string, k: SubKey, h = hashName(lname)): boolean {
    const id = this.find(lname, k, h);
    if (id === NONE) return false;
    this.unlink(id);
    return true;
  }

  /** Drop a live entry by its id. */
  remove(id: number): void {
    this.unlink(id);
  }

  /** Drop every entry of the names `pred` accepts; returns how many went. */
  deleteNames(pred: (lname: string) => boolean): number {
    const before = this.count;
    for (let id = this.oldest; id !== NONE; ) {
      const next = this.newer[id];
      if (pred(this.names.name(id))) this.unlink(id);
      id = next;
    }
    return before - this.count;
  }

  /**
   * Drop every entry whose name is one of `zones` or under one; returns how many went. Compared
   * on the stored bytes: no name string per entry (deleteNames makes one each).
   */
  deleteUnder(zones: readonly string[]): number {
    const before = this.count;
    for (let id = this.oldest; id !== NONE; ) {
      const next = this.newer[id];
      for (const z of zones) {
        if (this.names.inZone(id, z)) {
          this.unlink(id);
          break;
        }
      }
      id = next;
    }
    return before - this.count;
  }

  /** Drop the oldest entry, sparing the name being stored when another exists. */
  private evictOldest(keep: string, h: number): boolean {
    let id = this.oldest;
    if (id === NONE) return false;
    if (this.named(id, keep, h) && this.names.size > 1) {
      const spared = id;
      id = this.newer[id];
      while (id !== NONE && this.named(id, keep, h)) id = this.newer[id];
      if (id !== NONE) {
        // The spared entry goes to the young end, as if stored now.
        this.detach(spared);
        this.append(spared);
      } else id = spared;
    }
    this.unlink(id);
    return true;
  }

  private named(id: number, lname: string, h: number): boolean {
    return this.names.hashOf(id) === h && this.names.is(id, lname);
  }

  /** Out of the store: its name's chain, the order, its bytes; its id free for reuse. */
  private unlink(id: number): void {
    const first = this.names.firstOf(id);
    if (first === id) {
      const rest = this.sameName[id];
      if (rest === NONE) this.names.remove(id);
      else this.names.replace(id, rest);
    } else {
      let p = first;
      while (this.sameName[p] !== id) p = this.sameName[p];
      this.sameName[p] = this.sameName[id];
    }
    this.detach(id);
    this.clear(id);
    this.names.release(id);
    this.freeIds.push(id);
    this.count--;
  }

  /** Its bytes released, its views void, its bookkeeping reset (for a replacement or reuse). */
  private clear(id: number): void {
    if (this.slot[id] !== NONE) this.arena.release(this.slot[id]);
    this.slot[id] = NONE;
    const drop = this.onTemplateDrop;
    if (this.tslot[id] !== NONE) {
      this.arena.release(this.tslot[id]);
      drop?.(this.tkey[id], id, 0);
    }
    this.tslot[id] = NONE;
    if (this.tslot2[id] !== NONE) {
      this.arena.release(this.tslot2[id]);
      drop?.(this.tkey2[id], id, 1);
    }
    this.tslot2[id] = NONE;
    this.gen[id]++;
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
    this.tslot[id] = NONE;
    this.tslot2[id] = NONE;
    this.last[id] = Number.NEGATIVE_INFINITY;
    return id;
  }

  /** Tables for `n` entries, the present ones copied. */
  private grow(n: number): void {
    this.names.grow(n);
    this.keyBits = grown(this.keyBits, n);
    this.sameName = grown(this.sameName, n);
    this.older = grown(this.older, n);
    this.newer = grown(this.newer, n);
    this.gen = grown(this.gen, n);
    this.stored = grown(this.stored, n);
    this.origTTL = grown(this.origTTL, n);
    this.meta = grown(this.meta, n);
    this.sections = grown(this.sections, n * 3);
    this.slot = grown(this.slot, n);
    this.tslot = grown(this.tslot, n);
    this.tslot2 = grown(this.tslot2, n);
    this.tkey = grown(this.tkey, n);
    this.tkey2 = grown(this.tkey2, n);
    this.hits = grown(this.hits, n);
    this.last = grown(this.last, n);
    this.refreshing = grown(this.refreshing, n);
    this.retryAfter = grown(this.retryAfter, n);
  }
}
