/**
 * A cached reply (plugin/cache/item.go) as the cache plugin handles it: a short-lived view of a
 * Store entry, made per hit. The entry itself is numbers and bytes in its store (store.ts); the
 * view reads them while the entry lives. A view used after the entry may have gone (a refresh
 * replacing it, upstream asked first) is pinned: it then answers as the entry was, as the
 * objects the cache kept used to.
 */
import type { Answer, Packet } from "dns-packet";
import { Flag } from "../../message/message.ts";
import { lowersTo } from "../../names.ts";
import type { Request } from "../../plugin.ts";
import { META_AD, META_RA, type Store, ttlLeft } from "./store.ts";

/** What a view keeps of its entry once pinned: what it reads after the entry is gone. */
interface Pinned {
  lname: string;
  origTTL: number;
  stored: number;
  meta: number;
  records: [Answer[], Answer[], Answer[]];
  hits: number;
  last: number;
  refreshing: boolean;
  retryAfter: number;
}

export class Item {
  private readonly gen: number;
  private pinned: Pinned | undefined = undefined;

  constructor(
    readonly store: Store,
    readonly id: number,
  ) {
    this.gen = store.gen[id];
  }

  /** Out of its store (evicted, replaced, invalidated): reply templates made from it are void. */
  get removed(): boolean {
    return this.store.gen[this.id] !== this.gen;
  }

  /** The pinned values once the entry is gone; undefined while it lives. */
  private get gone(): Pinned | undefined {
    if (!this.removed) return undefined;
    if (!this.pinned) throw new Error("a cache entry was read after it was dropped, without pin()");
    return this.pinned;
  }

  get lname(): string {
    return this.gone?.lname ?? this.store.lname(this.id);
  }
  get origTTL(): number {
    return this.gone?.origTTL ?? this.store.origTTL[this.id];
  }
  get stored(): number {
    return this.gone?.stored ?? this.store.stored[this.id];
  }
  private get meta(): number {
    return this.gone?.meta ?? this.store.meta[this.id];
  }
  get rcode(): number {
    return this.meta & 0xf;
  }
  get ad(): boolean {
    return (this.meta & META_AD) !== 0;
  }
  get ra(): boolean {
    return (this.meta & META_RA) !== 0;
  }
  get denial(): boolean {
    return this.store.denial;
  }

  /** Prefetch popularity (plugin/cache/freq): hits with no gap longer than the window. */
  get hits(): number {
    return this.gone?.hits ?? this.store.hits[this.id];
  }
  set hits(v: number) {
    if (this.pinned) this.pinned.hits = v;
    if (!this.removed) this.store.hits[this.id] = v;
  }
  get last(): number {
    return this.gone?.last ?? this.store.last[this.id];
  }
  set last(v: number) {
    if (this.pinned) this.pinned.last = v;
    if (!this.removed) this.store.last[this.id] = v;
  }
  /** One refresh in flight at most; after a failed one, none before retryAfter. */
  get refreshing(): boolean {
    return this.gone?.refreshing ?? this.store.refreshing[this.id] !== 0;
  }
  set refreshing(v: boolean) {
    if (this.pinned) this.pinned.refreshing = v;
    if (!this.removed) this.store.refreshing[this.id] = v ? 1 : 0;
  }
  get retryAfter(): number {
    return this.gone?.retryAfter ?? this.store.retryAfter[this.id];
  }
  set retryAfter(v: number) {
    if (this.pinned) this.pinned.retryAfter = v;
    if (!this.removed) this.store.retryAfter[this.id] = v;
  }

  /** Seconds left; zero or less once expired (ttlLeft). */
  ttl(now: number): number {
    return ttlLeft(this.origTTL, this.stored, now);
  }

  /** freq.Update: count a hit, restarting the count after a gap longer than `windowMs`. */
  touch(windowMs: number, now: number): number {
    this.hits = this.last < now - windowMs ? 1 : this.hits + 1;
    this.last = now;
    return this.hits;
  }

  /**
   * Read everything now, for use after the entry may have gone (a refresh may replace it, a
   * verify waits for upstream): the view then answers as the entry was.
   */
  pin(): this {
    if (this.pinned || this.removed) return this;
    this.pinned = {
      lname: this.lname,
      origTTL: this.origTTL,
      stored: this.stored,
      meta: this.meta,
      records: this.store.records(this.id),
      hits: this.hits,
      last: this.last,
      refreshing: this.refreshing,
      retryAfter: this.retryAfter,
    };
    return this;
  }

  /**
   * The reply to `req` (item.toMsg): the query's id, opcode, RD, CD and question; AA always set
   * (some stubs drop non-authoritative answers); AD only when the client asked for DNSSEC or AD;
   * every record with `ttl`; owner names equal to the question in the query's case.
   */
  toMsg(req: Request, ttl: number, wantAD: boolean): Packet {
    const rf = req.msg.flags ?? 0;
    const meta = this.meta;
    let flags = Flag.QR | Flag.AA | (rf & (0x7800 | Flag.RD | Flag.CD)) | (meta & 0xf);
    if ((meta & META_RA) !== 0) flags |= Flag.RA;
    if ((meta & META_AD) !== 0 && wantAD) flags |= Flag.AD;
    // Decoded for this reply alone (or copied from the pinned ones): changed in place.
    const p = this.pinned;
    const [an, ns, ar] = p ? copies(p.records) : this.store.records(this.id);
    // The entry was found by the request's name (the stored one would be a new string).
    const lname = req.lname;
    return {
      id: req.msg.id,
      type: "response",
      flags,
      questions: req.msg.questions,
      answers: withTTL(an, ttl, lname, req.name),
      authorities: withTTL(ns, ttl, lname, req.name),
      additionals: withTTL(ar, ttl, lname, req.name),
    };
  }
}

function copies(s: [Answer[], Answer[], Answer[]]): [Answer[], Answer[], Answer[]] {
  return [s[0].map((r) => ({ ...r })), s[1].map((r) => ({ ...r })), s[2].map((r) => ({ ...r }))];
}

/** Every record gets `ttl`, and its owner in the query's case when it is the question name. */
function withTTL(rrs: Answer[], ttl: number, lname: string, qname: string): Answer[] {
  for (let i = 0; i < rrs.length; i++) {
    const r = rrs[i] as { name: string; ttl?: number };
    r.ttl = ttl;
    if (lowersTo(r.name, lname)) r.name = qname;
  }
  return rrs;
}
