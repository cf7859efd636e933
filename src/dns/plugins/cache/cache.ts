/**
 * cache: a front-end cache of replies (plugin/cache), with a success and a denial cache, keyed
 * on the lowercase name, type, class and the DO and CD bits. A hit is one hash-table lookup
 * (names.ts) and a copy of the stored records with the remaining TTL, the query's id, flags and
 * question case.
 */
import type { Packet } from "dns-packet";
import { Flag } from "../../message/message.ts";
import { fqdnLower, lowersTo, matchZone } from "../../names.ts";
import {
  type CachedReply,
  type Handler,
  nextOrFailure,
  type Plugin,
  PluginError,
  type Remote,
  type ReplySource,
  type Request,
  type ResponseWriter,
  type Served,
} from "../../plugin.ts";
import { type ResponseType, typifyCounts } from "../../response/classify.ts";
import { trackedPlugin, trackPlugin, WrappedWriter } from "../../response/wrapped.ts";
import { now as clockNow } from "../../server/clock.ts";
import type { DirectCache, Question, ReplyWriter } from "../../server/direct.ts";
import { Item } from "./item.ts";
import { type CacheCounts, newCounts } from "./metrics.ts";
import { hashName } from "./names.ts";
import { examine, minimalTTLOf, ReplyFacts, setTTL } from "./reply.ts";
import { Store, type SubKey } from "./store.ts";

export interface CacheConfig {
  /** Zones cached (lowercase, fully qualified). */
  zones: string[];
  /** Success cache: capacity, max and min TTL (seconds). */
  pcap: number;
  pttl: number;
  minpttl: number;
  /** Denial cache: capacity, max and min TTL (seconds). */
  ncap: number;
  nttl: number;
  minnttl: number;
  /** How long SERVFAIL replies are kept (seconds; 0 = never). */
  failttl: number;
  /** Prefetch after this many hits without a gap longer than `prefetchWindowMs` (0 = off). */
  prefetch: number;
  prefetchWindowMs: number;
  /** … when the TTL left is at most this percentage of the original. */
  percentage: number;
  /** Serve expired entries for this long (ms; 0 = off). */
  staleUpToMs: number;
  /** `verify`: ask upstream before serving a stale entry. */
  verifyStale: boolean;
  /** With verify, wait at most this long for upstream (ms; 0 = its own timeout). */
  verifyStaleTimeoutMs: number;
  /** TTL of stale replies (seconds). */
  staleTTL: number;
  /** After a failed refresh of a stale entry, no other before this long (ms; 0 = no limit). */
  staleRecheckMs: number;
  /** Zones whose success / denial replies are never cached. */
  pexcept: string[];
  nexcept: string[];
  keepttl: boolean;
}

export const DEFAULTS: CacheConfig = {
  zones: ["."],
  pcap: 10000,
  pttl: 3600,
  minpttl: 5,
  ncap: 10000,
  nttl: 1800,
  minnttl: 5,
  failttl: 5,
  prefetch: 0,
  prefetchWindowMs: 60_000,
  percentage: 10,
  staleUpToMs: 0,
  verifyStale: false,
  verifyStaleTimeoutMs: 0,
  staleTTL: 0,
  staleRecheckMs: 0,
  pexcept: [],
  nexcept: [],
  keepttl: false,
};

export class Cache implements ReplySource, DirectCache {
  readonly pcache: Store;
  readonly ncache: Store;
  readonly counts: CacheCounts = newCounts();
  /** Bumped by every invalidation: a denial fetched across one is not stored. */
  epoch = 0;
  /**
   * Set by a lookup that misses: the denial store's version then when it held nothing for the
   * key (a positive reply stored later need not look for a denial to drop), else -1.
   */
  missVersion = -1;
  now: () => number = clockNow;
  /** The entry match() found for the server's template, and its TTL left. */
  private matched: Store;
  private matchedId = -1;
  private matchedWhich = 0;
  private matchedTTL = 0;
  /** Servers' indexes of this cache's templates (watchDrops). */
  private readonly dropWatchers: Array<(key: number, ref: number) => void> = [];

  constructor(readonly cfg: CacheConfig) {
    this.pcache = new Store(cfg.pcap, false);
    this.ncache = new Store(cfg.ncap, true);
    this.matched = this.pcache;
  }

  /**
   * Replies may be kept as templates: not with prefetch (which counts every hit) or keepttl
   * (which answers the original TTL).
   */
  get templates(): boolean {
    return this.cfg.prefetch <= 0 && !this.cfg.keepttl;
  }

  match(ref: number, query: Buffer): number {
    const s = (ref & 2) !== 0 ? this.ncache : this.pcache;
    const id = Math.floor(ref / 4);
    const len = s.templateMatch(id, ref & 1, query);
    if (len === 0) return 0;
    // A template answers fresh entries only: a stale one goes the full way (serve_stale).
    const ttl = s.ttl(id, this.now());
    if (ttl <= 0) return 0;
    this.matched = s;
    this.matchedId = id;
    this.matchedWhich = ref & 1;
    this.matchedTTL = ttl;
    return len;
  }

  render(query: Buffer, out: Buffer, at: number): number {
    const s = this.matched;
    const n = this.counts;
    n.requests++;
    if (s.denial) n.hitsDenial++;
    else n.hitsSuccess++;
    return s.renderTemplate(this.matchedId, this.matchedWhich, query, this.matchedTTL, out, at);
  }

  get matchedType(): string {
    return this.matched.qtype(this.matchedId);
  }
  get matchedDo(): boolean {
    return this.matched.dnssecOK(this.matchedId);
  }
  get matchedRcode(): number {
    return this.matched.meta[this.matchedId] & 0xf;
  }

  watchDrops(drop: (key: number, ref: number) => void): void {
    this.dropWatchers.push(drop);
    if (this.dropWatchers.length > 1) return;
    const tell = (s: Store) => (key: number, id: number, which: number) => {
      const ref = templateRef(s, id, which);
      for (const d of this.dropWatchers) d(key, ref);
    };
    this.pcache.onTemplateDrop = tell(this.pcache);
    this.ncache.onTemplateDrop = tell(this.ncache);
  }

  plugin(): Plugin {
    return (next) => new CacheHandler(this, next);
  }

  /** The key absent() looked up and its name's hash, and the type and TTL directTTL() decided. */
  private direct: { key: SubKey; h: number; t: ResponseType; ttl: number } = {
    key: cacheKey("A", "IN", false, false),
    h: 0,
    t: "NOERROR",
    ttl: 0,
  };

  absent(q: Question): boolean {
    if (!this.templates) return false;
    const cfg = this.cfg;
    if ((cfg.zones.length !== 1 || cfg.zones[0] !== ".") && matchZone(cfg.zones, q.lname) === "")
      return false;
    const key = cacheKey(q.qtype, "IN", q.dnssecOK, q.cd);
    const h = hashName(q.lname);
    // Any entry, fresh or stale, is the full path's: a hit, serve_stale, another spelling.
    if (this.ncache.find(q.lname, key, h) >= 0 || this.pcache.find(q.lname, key, h) >= 0) return false;
    this.direct.key = key;
    this.direct.h = h;
    return true;
  }

  directTTL(q: Question, w: ReplyWriter): number {
    const f = facts;
    f.t = typifyCounts(w.rcode, q.qtype, w.counts[0], w.soa, 0);
    f.records = w.records;
    f.minTTL = w.minTTL;
    f.minSOA = w.minSOA;
    const ttl = this.duration(f);
    this.direct.t = f.t;
    this.direct.ttl = ttl;
    return ttl;
  }

  keepDirect(
    q: Question,
    w: ReplyWriter,
    query: Buffer,
    reply: Buffer,
    shuffle: boolean,
    key: number,
  ): number {
    const d = this.direct;
    // What lookup() counts and notes for a miss with no denial cached.
    this.counts.requests++;
    this.counts.misses++;
    this.missVersion = this.ncache.version;
    const flags = { flags: w.rcode };
    const item = this.store(
      d.key,
      q.lname,
      flags,
      d.t,
      d.ttl,
      this.epoch,
      false,
      this.missVersion,
      false,
      d.h,
    );
    if (!item) return -1;
    const which = item.store.keepTemplate(item.id, query, reply, shuffle, key, w.compiled);
    if (which >= 0) return templateRef(item.store, item.id, which);
    if (!item.store.writeRecordsOf(item.id, reply)) item.store.remove(item.id);
    return -1;
  }

  /**
   * Names that now have answers: drop the denials for each name and for every name under it
   * (a new namespace or Service makes its whole subtree answerable).
   */
  invalidate(names: readonly string[]): number {
    if (names.length === 0) return 0;
    this.epoch++;
    const targets = [...new Set(names.map(fqdnLower))];
    return targets.length <= FEW_NAMES
      ? this.ncache.deleteUnder(targets)
      : this.ncache.deleteNames(underSet(new Set(targets)));
  }

  /** A usable entry: fresh, or expired for less than the serve_stale window (getIfNotStale). */
  lookup(lname: string, key: SubKey, now: number): Item | undefined {
    const c = this.counts;
    c.requests++;
    const neg = this.ncache;
    const pos = this.pcache;
    const h = hashName(lname);
    const n = neg.find(lname, key, h);
    if (n >= 0 && this.usable(neg, n, now)) {
      // A cached SERVFAIL does not shadow a good answer still in the success cache.
      if ((neg.meta[n] & 0xf) === 2) {
        const p = pos.find(lname, key, h);
        if (p >= 0 && this.usable(pos, p, now)) {
          c.hitsSuccess++;
          return new Item(pos, p);
        }
      }
      c.hitsDenial++;
      return new Item(neg, n);
    }
    const p = pos.find(lname, key, h);
    if (p >= 0 && this.usable(pos, p, now)) {
      c.hitsSuccess++;
      return new Item(pos, p);
    }
    c.misses++;
    this.missVersion = n < 0 ? neg.version : -1;
    return undefined;
  }

  /** The entry for the key, denial first, usable or not (a refresh's successor). */
  entry(lname: string, key: SubKey): Item | undefined {
    const n = this.ncache.find(lname, key);
    if (n >= 0) return new Item(this.ncache, n);
    const p = this.pcache.find(lname, key);
    return p >= 0 ? new Item(this.pcache, p) : undefined;
  }

  private usable(s: Store, id: number, now: number): boolean {
    const ttl = s.ttl(id, now);
    return ttl > 0 || (this.cfg.staleUpToMs > 0 && -ttl < Math.trunc(this.cfg.staleUpToMs / 1000));
  }

  /**
   * Store a reply fetched for `key` (ResponseWriter.set). `negVersion`: the denial store's
   * version when a lookup found no denial for the key (-1: unknown).
   */
  store(
    key: SubKey,
    lname: string,
    m: Packet,
    t: ResponseType,
    ttl: number,
    epoch: number,
    refresh: boolean,
    negVersion = -1,
    /** False: the records come with a template or writeRecords (CacheWriter). */
    records = true,
    /** hashName(lname), when the caller has it. */
    h = hashName(lname),
  ): Item | undefined {
    const qname = lname;
    switch (t) {
      case "NOERROR":
      case "DELEGATION": {
        if (matchZone(this.cfg.pexcept, qname) !== "") return undefined;
        const id = this.pcache.add(lname, key, m, ttl, storedAt(this.now()), records, h);
        if (id < 0) return undefined;
        if (this.pcache.lastEvicted) this.counts.evictSuccess++;
        // The newest state of this key is positive: a denial under it is outdated (none was
        // there at lookup and none was added since: nothing to look for).
        if (refresh || negVersion < 0 || negVersion !== this.ncache.version)
          this.ncache.delete(lname, key, h);
        return new Item(this.pcache, id);
      }
      case "NXDOMAIN":
      case "NODATA":
      case "SERVERERROR": {
        if (matchZone(this.cfg.nexcept, qname) !== "") return undefined;
        // The name became positive while this denial was on its way: do not keep it.
        if (epoch !== this.epoch) return undefined;
        const id = this.ncache.add(lname, key, m, ttl, storedAt(this.now()), records, h);
        if (id < 0) return undefined;
        if (this.ncache.lastEvicted) this.counts.evictDenial++;
        return new Item(this.ncache, id);
      }
      default:
        return undefined;
    }
  }

  /**
   * The records of `m` for an entry stored without them that got no template (the server kept
   * none: a truncated or large reply); an entry whose records cannot be written goes.
   */
  writeRecords(i: Item, m: Packet): void {
    if (!i.removed && !i.store.writeRecords(i.id, m)) i.store.remove(i.id);
  }

  /** Seconds to keep a reply with these facts (WriteMsg's duration). */
  duration(f: ReplyFacts): number {
    const c = this.cfg;
    switch (f.t) {
      case "NXDOMAIN":
      case "NODATA":
        return clamp(minimalTTLOf(f, c.nttl), c.minnttl, c.nttl);
      case "SERVERERROR":
        return c.failttl;
      default:
        return clamp(minimalTTLOf(f, c.pttl), c.minpttl, c.pttl);
    }
  }

  shouldPrefetch(i: Item, now: number): boolean {
    const c = this.cfg;
    if (c.prefetch <= 0) return false;
    i.touch(c.prefetchWindowMs, now);
    const threshold = Math.ceil((c.percentage / 100) * i.origTTL);
    return i.hits >= c.prefetch && i.ttl(now) <= threshold;
  }
}

/**
 * When an entry was stored, in whole milliseconds: a small integer fits in the entry itself,
 * where a fractional one was a heap number per entry (28,000 of them after the benchmark).
 */
function storedAt(now: number): number {
  return Math.floor(now);
}

/**
 * Up to this many announced names are matched as zones (Store.deleteUnder: one suffix comparison per
 * name and entry); more (a namespace's worth, a resync) by walking each entry's parents through
 * a Set. A Service event announces two or three names, and a full denial cache holds about
 * 10,000 entries: the walk sliced every one of them label by label, 15 ms per event at that
 * size, which the change-to-answer latency waited for.
 */
const FEW_NAMES = 8;

/** Whether a name or one of its parents is in `set` (the root included). */
function underSet(set: ReadonlySet<string>): (lname: string) => boolean {
  return (lname) => {
    for (let at = 0; ; ) {
      if (set.has(at === 0 ? lname : lname.slice(at))) return true;
      const dot = lname.indexOf(".", at);
      if (dot < 0 || dot === lname.length - 1) return set.has(".");
      at = dot + 1;
    }
  };
}

function clamp(v: number, min: number, max: number): number {
  return Math.min(Math.max(v, min), max);
}

/** The part of the key besides the name: type, class, DO and CD bits (cache.go hash()). */
export function cacheKey(qtype: string, qclass: string, dnssecOK: boolean, cd: boolean): SubKey {
  return { qtype, qclass, bits: (dnssecOK ? 1 : 0) | (cd ? 2 : 0) };
}

class CacheHandler implements Handler {
  readonly name = "cache";
  constructor(
    private readonly c: Cache,
    private readonly next: Handler | undefined,
  ) {}

  /** The cache, for direct answers behind it (server/direct.ts). */
  get cache(): Cache {
    return this.c;
  }

  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Served {
    const c = this.c;
    const cfg = c.cfg;
    if (cfg.zones.length !== 1 || cfg.zones[0] !== ".") {
      if (matchZone(cfg.zones, req.lname) === "") return nextOrFailure(this.name, this.next, req, w, signal);
    }
    const flags = req.msg.flags ?? 0;
    const cd = (flags & Flag.CD) !== 0;
    const wantAD = req.do || (flags & Flag.AD) !== 0;
    const key = cacheKey(req.qtype, req.qclass, req.do, cd);
    const now = c.now();
    const i = c.lookup(req.lname, key, now);
    if (!i) {
      const cw = new CacheWriter(c, w, req, key, wantAD, false, c.missVersion);
      return nextOrFailure(this.name, this.next, refreshRequest(req, false), cw, signal);
    }
    const ttl = i.ttl(now);
    if (ttl > 0) {
      if (c.shouldPrefetch(i, now)) this.tryRefresh(i, req, key, wantAD, false, signal);
      // A hit the entry's template does not answer (another spelling of the query) may make it.
      if (req.notes && c.templates) req.notes.cached = new CachedRef(c, i.store, i.id);
      w.write(i.toMsg(req, cfg.keepttl ? i.origTTL : ttl, wantAD));
      return 0;
    }
    if (!cfg.verifyStale) {
      this.tryRefresh(i, req, key, wantAD, true, signal);
      return this.serveStale(i, req, w, wantAD);
    }
    // The entry may go while upstream is asked: its records are read now.
    i.pin();
    return this.verify(i, req, key, w, wantAD, signal).then((served) =>
      served !== undefined ? served : this.serveStale(i, req, w, wantAD),
    );
  }

  /** Answer from an expired entry (serve_stale): the stale TTL, else keepttl's, else 0. */
  private serveStale(i: Item, req: Request, w: ResponseWriter, wantAD: boolean): number {
    const cfg = this.c.cfg;
    this.c.counts.servedStale++;
    w.write(i.toMsg(req, cfg.staleTTL > 0 ? cfg.staleTTL : cfg.keepttl ? i.origTTL : 0, wantAD));
    return 0;
  }

  /**
   * serve_stale verify: ask upstream first and answer with its reply when it refreshes the entry
   * (NOERROR or NXDOMAIN); undefined means "serve the stale entry".
   */
  private async verify(
    i: Item,
    req: Request,
    key: SubKey,
    w: ResponseWriter,
    wantAD: boolean,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const c = this.c;
    const recheck = c.cfg.staleRecheckMs;
    const now = c.now();
    if (recheck > 0 && !beginRefresh(i, now, recheck)) return undefined;
    const timeout = c.cfg.verifyStaleTimeoutMs;
    // With a timeout the refresh runs detached and only fills the cache; we answer from it.
    const cw = new CacheWriter(c, w, req, key, wantAD, timeout > 0);
    const vw = new VerifyWriter(cw, req);
    const run = this.refresh(refreshRequest(req, false), vw, signal).then((rc) => {
      if (recheck > 0) endRefresh(i, c.now(), recheck, vw.refreshed);
      return rc;
    });
    if (timeout === 0) {
      const rc = await run;
      return vw.refreshed ? rc : undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      run.then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeout);
      }),
    ]);
    clearTimeout(timer);
    if (!done || !vw.refreshed || !cw.item) return undefined;
    const fresh = cw.item;
    w.write(fresh.toMsg(req, c.cfg.keepttl ? fresh.origTTL : fresh.ttl(c.now()), wantAD));
    return 0;
  }

  /** A background refresh (prefetch, or serve_stale immediate), at most one per entry. */
  private tryRefresh(
    i: Item,
    req: Request,
    key: SubKey,
    wantAD: boolean,
    stale: boolean,
    signal: AbortSignal,
  ): void {
    const c = this.c;
    const recheck = stale ? c.cfg.staleRecheckMs : 0;
    const now = c.now();
    if (!beginRefresh(i, now, recheck)) return;
    // The refresh may replace the entry before this hit's reply is made from it.
    i.pin();
    c.counts.prefetch++;
    const cw = new CacheWriter(c, undefined, req, key, wantAD, true);
    const w: ResponseWriter = stale ? new VerifyWriter(cw, req) : cw;
    void this.refresh(refreshRequest(req, true), w, signal).then(() => {
      const refreshed = w instanceof VerifyWriter ? w.refreshed : true;
      // Keep the popularity gathered so far on the entry that replaced this one.
      if (refreshed) {
        const i1 = c.entry(req.lname, key);
        if (i1) {
          i1.hits = i.hits;
          i1.last = now;
        }
      }
      endRefresh(i, c.now(), recheck, refreshed);
    });
  }

  /** Call the rest of the chain; a failure is just "not refreshed". */
  private async refresh(req: Request, w: ResponseWriter, signal: AbortSignal): Promise<number> {
    try {
      return await nextOrFailure(this.name, this.next, req, w, signal);
    } catch (err) {
      return err instanceof PluginError ? err.rcode : 2;
    }
  }
}

/** The entry, its store and its template in one number (Cache.match reads it). */
function templateRef(s: Store, id: number, which: number): number {
  return id * 4 + (s.denial ? 2 : 0) + which;
}

/** A cache entry, as the server keeps a template for it (plugin.ts CachedReply). */
class CachedRef implements CachedReply {
  constructor(
    private readonly c: Cache,
    private readonly s: Store,
    private readonly id: number,
  ) {}
  get source(): ReplySource {
    return this.c;
  }
  keep(query: Buffer, reply: Buffer, shuffle: boolean, key: number): number {
    const which = this.s.keepTemplate(this.id, query, reply, shuffle, key);
    return which < 0 ? -1 : templateRef(this.s, this.id, which);
  }
}

function beginRefresh(i: Item, now: number, recheckMs: number): boolean {
  if (recheckMs > 0 && now < i.retryAfter) return false;
  if (i.refreshing) return false;
  i.refreshing = true;
  return true;
}

function endRefresh(i: Item, now: number, recheckMs: number, refreshed: boolean): void {
  i.retryAfter = recheckMs > 0 && !refreshed ? now + recheckMs : 0;
  i.refreshing = false;
}

/**
 * The request as the cache sends it on: with AD set (authenticatedRefreshState); a background
 * refresh has no client, so it asks as over TCP, whose replies are never truncated.
 */
function refreshRequest(req: Request, background: boolean): Request {
  const msg = { ...req.msg, flags: (req.msg.flags ?? 0) | Flag.AD };
  return background ? { ...req, msg, proto: "tcp", size: 65535 } : { ...req, msg };
}

/** The facts of the reply being written: filled and read within one synchronous write. */
const facts = new ReplyFacts();

/** Caches what the rest of the chain writes, then passes it on (cache.ResponseWriter). */
class CacheWriter implements ResponseWriter {
  private wrote = false;
  private bytes = 0;
  private readonly epoch: number;
  /** The item stored by the last write, if it was cacheable. */
  item: Item | undefined;

  constructor(
    private readonly c: Cache,
    private readonly inner: ResponseWriter | undefined,
    private readonly req: Request,
    private readonly key: SubKey,
    private readonly wantAD: boolean,
    /** Store only, write nothing (prefetch, detached verify). */
    private readonly background: boolean,
    /** Cache.missVersion of the lookup that missed (-1: unknown). */
    private readonly negVersion = -1,
  ) {
    this.epoch = c.epoch;
  }

  get written(): boolean {
    return this.background ? this.wrote : (this.inner?.written ?? this.wrote);
  }
  get size(): number {
    return this.background ? this.bytes : (this.inner?.size ?? 0);
  }
  get remote(): Remote {
    return this.inner?.remote ?? this.req.remote;
  }
  get plugin(): string | undefined {
    return trackedPlugin(this.inner);
  }
  set plugin(v: string | undefined) {
    trackPlugin(this.inner, v);
  }

  write(res: Packet): void {
    const c = this.c;
    const req = this.req;
    this.item = undefined;
    const q = res.questions?.[0];
    // Its question's name is the request's: the lowercase name is known already.
    const sameQ = q !== undefined && lowersTo(q.name, req.lname);
    const f = examine(res, sameQ ? req.lname : undefined, facts);
    const t = f.t;
    const ttl = c.duration(f);
    // Every record leaves with the capped TTL, so the next hit does not jump (1799 → 8). When
    // they all have it already (and there is no OPT to drop), they leave as written.
    const out: Packet =
      !f.opt && (f.records === 0 || f.sameTTL === ttl)
        ? {
            ...res,
            answers: res.answers ?? [],
            authorities: res.authorities ?? [],
            additionals: res.additionals ?? [],
          }
        : {
            ...res,
            answers: setTTL(res.answers, ttl),
            authorities: setTTL(res.authorities, ttl),
            additionals: setTTL(res.additionals, ttl),
          };
    // A client's reply in a block with templates: the server keeps it as the entry's template,
    // and the records are read from that (written here only when it keeps none).
    const viaTemplate =
      !this.background && this.inner !== undefined && req.notes !== undefined && c.templates;
    if (ttl > 0 && f.cacheable) {
      if (sameQ && res.questions?.length === 1 && q.type === req.qtype && (q.class ?? "IN") === req.qclass) {
        this.item = c.store(
          this.key,
          req.lname,
          out,
          t,
          ttl,
          this.epoch,
          this.background,
          this.negVersion,
          !viaTemplate,
        );
        // A detached verify reads it after waiting, when the entry may be gone.
        if (this.background) this.item?.pin();
      } else c.counts.drops++;
    }
    // No AD for a client that asked neither for DNSSEC nor for AD (RFC 6840 §5.7-5.8).
    if (!this.wantAD) out.flags = (out.flags ?? 0) & ~Flag.AD;
    this.wrote = true;
    if (this.background || !this.inner) return;
    const item = viaTemplate ? this.item : undefined;
    if (!item || !req.notes) {
      this.inner.write(out);
      return;
    }
    req.notes.cached = new CachedRef(c, item.store, item.id);
    try {
      this.inner.write(out);
    } finally {
      c.writeRecords(item, out);
    }
  }
}

/** The reply is for the question asked (request.Match): name (any case), type and class. */
function matches(req: Request, res: Packet): boolean {
  const q = res.questions?.[0];
  if (!q || res.questions?.length !== 1) return false;
  return lowersTo(q.name, req.lname) && q.type === req.qtype && (q.class ?? "IN") === req.qclass;
}

/**
 * Lets through only replies that refresh a stale entry (RFC 8767 §4: NOERROR or NXDOMAIN, for
 * the question, not truncated); the others are dropped and the stale entry is served.
 */
class VerifyWriter extends WrappedWriter {
  refreshed = false;
  constructor(
    inner: CacheWriter,
    private readonly req: Request,
  ) {
    super(inner);
  }
  override get written(): boolean {
    return this.refreshed && this.inner.written;
  }
  write(res: Packet): void {
    this.refreshed = false;
    if (!matches(this.req, res) || ((res.flags ?? 0) & Flag.TC) !== 0) return;
    const t = examine(res, this.req.lname, facts).t;
    if (t === "OTHERERROR" || t === "META" || t === "UPDATE") return;
    const rcode = (res.flags ?? 0) & 0xf;
    if (rcode !== 0 && rcode !== 3) return;
    this.refreshed = true;
    this.inner.write(res);
  }
}
