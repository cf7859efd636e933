/**
 * A cached reply (plugin/cache/item.go) and the rules that decide what is cached and for how
 * long (plugin/cache/cache.go key, cacheResponseType, answersQuestion; dnsutil.MinimalTTL).
 */
import type { Answer, Packet } from "dns-packet";
import { Flag, rcodeOf } from "../../message/message.ts";
import type { Request } from "../../plugin.ts";
import { type ResponseType, typify } from "../../response/classify.ts";

/** dnsutil.MinimalDefaultTTL and MaximumDefaultTTL, in seconds. */
export const MIN_TTL = 5;
export const MAX_TTL = 3600;

interface RefreshState {
  hits: number;
  last: number;
  refreshing: boolean;
  retryAfter: number;
}

/** The sections of an entry without records share this one (never handed out: toMsg copies). */
const NONE: readonly Answer[] = Object.freeze([]);

export class Item {
  readonly rcode: number;
  readonly ad: boolean;
  readonly ra: boolean;
  /**
   * The records, in exact-size arrays. A record whose owner is the question name is kept with
   * `lname` as its owner (one shared string): it takes the asking query's case on a hit anyway.
   */
  private readonly answers: readonly Answer[];
  private readonly authorities: readonly Answer[];
  private readonly additionals: readonly Answer[];
  /** Out of its store (evicted, replaced, invalidated): reply templates made from it are void. */
  removed = false;
  /** Stored in the denial cache (which hit counter a template hit goes to). */
  denial = false;
  /** The rest of its key and its place in the store's queue: set by the Store. */
  qtype = "";
  qclass = "";
  bits = 0;
  slot = -1;
  /** Prefetch and refresh bookkeeping, made on first use: most entries never need it. */
  private r: RefreshState | undefined = undefined;

  constructor(
    m: Packet,
    readonly lname: string,
    readonly origTTL: number,
    readonly stored: number,
  ) {
    this.rcode = rcodeOf(m);
    this.ad = ((m.flags ?? 0) & Flag.AD) !== 0;
    this.ra = ((m.flags ?? 0) & Flag.RA) !== 0;
    this.answers = keep(m.answers, lname);
    this.authorities = keep(m.authorities, lname);
    this.additionals = keep(m.additionals, lname);
  }

  /** Prefetch popularity (plugin/cache/freq): hits with no gap longer than the window. */
  get hits(): number {
    return this.r?.hits ?? 0;
  }
  set hits(v: number) {
    this.state().hits = v;
  }
  get last(): number {
    return this.r?.last ?? Number.NEGATIVE_INFINITY;
  }
  set last(v: number) {
    this.state().last = v;
  }
  /** One refresh in flight at most; after a failed one, none before retryAfter. */
  get refreshing(): boolean {
    return this.r?.refreshing ?? false;
  }
  set refreshing(v: boolean) {
    this.state().refreshing = v;
  }
  get retryAfter(): number {
    return this.r?.retryAfter ?? 0;
  }
  set retryAfter(v: number) {
    this.state().retryAfter = v;
  }
  private state(): RefreshState {
    this.r ??= { hits: 0, last: Number.NEGATIVE_INFINITY, refreshing: false, retryAfter: 0 };
    return this.r;
  }

  /** Seconds left; zero or less once expired (Go truncates the elapsed seconds). */
  ttl(now: number): number {
    return this.origTTL - Math.trunc((now - this.stored) / 1000);
  }

  /** freq.Update: count a hit, restarting the count after a gap longer than `windowMs`. */
  touch(windowMs: number, now: number): number {
    this.hits = this.last < now - windowMs ? 1 : this.hits + 1;
    this.last = now;
    return this.hits;
  }

  /**
   * The reply to `req` (item.toMsg): the query's id, opcode, RD, CD and question; AA always set
   * (some stubs drop non-authoritative answers); AD only when the client asked for DNSSEC or AD;
   * every record with `ttl`; owner names equal to the question in the query's case.
   */
  toMsg(req: Request, ttl: number, wantAD: boolean): Packet {
    const rf = req.msg.flags ?? 0;
    let flags = Flag.QR | Flag.AA | (rf & (0x7800 | Flag.RD | Flag.CD)) | this.rcode;
    if (this.ra) flags |= Flag.RA;
    if (this.ad && wantAD) flags |= Flag.AD;
    return {
      id: req.msg.id,
      type: "response",
      flags,
      questions: req.msg.questions,
      answers: withTTL(this.answers, this.lname, ttl, req.name),
      authorities: withTTL(this.authorities, this.lname, ttl, req.name),
      additionals: withTTL(this.additionals, this.lname, ttl, req.name),
    };
  }
}

/**
 * SOA data, shared by the entries that carry the same: every denial of a zone has its SOA in
 * authority, and a full denial cache holds thousands of them. Records are never changed in
 * place (toMsg copies), so one frozen copy serves them all. Bounded: cleared past 256 values.
 */
const soas = new Map<string, SOAData>();
type SOAData = Extract<Answer, { type: "SOA" }>["data"];
function sharedSOA(d: SOAData): SOAData {
  const key = `${d.mname}\u0000${d.rname}\u0000${d.serial}\u0000${d.refresh}\u0000${d.retry}\u0000${d.expire}\u0000${d.minimum}`;
  const have = soas.get(key);
  if (have !== undefined) return have;
  if (soas.size >= 256) soas.clear();
  const copy = Object.freeze({ ...d });
  soas.set(key, copy);
  return copy;
}

/** The records to keep of one section: no OPT, owners equal to the question as `lname`. */
function keep(rs: Answer[] | undefined, lname: string): readonly Answer[] {
  if (!rs || rs.length === 0) return NONE;
  let n = 0;
  for (const r of rs) if (r.type !== "OPT") n++;
  if (n === 0) return NONE;
  const out = new Array<Answer>(n);
  let j = 0;
  for (const r of rs) {
    if (r.type === "OPT") continue;
    // A copy: the writer's record is also in the reply being sent, whose owner keeps its case;
    // and an equal owner string is still a copy of its own (strings compare by value).
    let k = lower(r.name) === lname ? ({ ...r, name: lname } as Answer) : r;
    if (k.type === "SOA" && k.data) k = { ...k, data: sharedSOA(k.data) };
    out[j++] = k;
  }
  return out;
}

function withTTL(rs: readonly Answer[], lname: string, ttl: number, qname: string): Answer[] {
  const out = new Array<Answer>(rs.length);
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i];
    out[i] = { ...r, ttl, name: r.name === lname ? qname : r.name } as Answer;
  }
  return out;
}

/** All records but OPT, with `ttl` (dnssec.go filterRRSlice). */
export function setTTL(rs: Answer[] | undefined, ttl: number): Answer[] {
  const out: Answer[] = [];
  for (const r of rs ?? []) if (r.type !== "OPT") out.push({ ...r, ttl } as Answer);
  return out;
}

function lower(n: string): string {
  const l = n.toLowerCase();
  return l.endsWith(".") ? l : `${l}.`;
}

function hasSOA(m: Packet): boolean {
  return (m.authorities ?? []).some((r) => r.type === "SOA");
}

/** Typify, with a NOERROR whose CNAME chain does not reach the question type and an SOA as NODATA. */
export function cacheResponseType(m: Packet): ResponseType {
  const t = typify(m);
  if (t === "NOERROR" && hasSOA(m) && isNoData(m)) return "NODATA";
  return t;
}

/** Whether the reply may be cached at all (cache.go key()). */
export function cacheable(m: Packet, t: ResponseType): boolean {
  if (((m.flags ?? 0) & Flag.TC) !== 0) return false;
  if (t === "OTHERERROR" || t === "META" || t === "UPDATE") return false;
  // Negative caching needs an SOA for its TTL; an SOA-less non-answer is not cached (RFC 2308 §5).
  if (t === "NXDOMAIN" && !hasSOA(m)) return false;
  if (t === "NOERROR" && !hasSOA(m) && isNoData(m)) return false;
  return true;
}

/** A non-empty answer that does not answer the question (cache.go isNODATA). */
function isNoData(m: Packet): boolean {
  if ((m.answers?.length ?? 0) === 0) return false;
  return !answersQuestion(m);
}

/** The answer holds the question type at the end of the CNAME chain from the question name. */
export function answersQuestion(m: Packet): boolean {
  const q = m.questions?.[0];
  const answers = m.answers ?? [];
  if (!q || rcodeOf(m) !== 0 || answers.length === 0) return false;
  const qclass = q.class ?? "IN";
  const classOk = (r: Answer) =>
    qclass === "ANY" || (("class" in r ? r.class : undefined) ?? "IN") === qclass;
  const at = (r: Answer, name: string) => lower(r.name) === name;
  let name = lower(q.name);
  if ((q.type as string) === "ANY") return answers.some((r) => classOk(r) && at(r, name));
  const cnameOf = (owner: string): string | undefined | null => {
    let target: string | undefined;
    for (const r of answers) {
      if (r.type !== "CNAME" || !classOk(r) || !at(r, owner)) continue;
      const t = lower(String(r.data));
      if (target !== undefined && target !== t) return null;
      target = t;
    }
    return target;
  };
  if (q.type === "CNAME") {
    const t = cnameOf(name);
    return typeof t === "string";
  }
  const seen = new Set<string>();
  for (;;) {
    if (seen.has(name)) return false;
    seen.add(name);
    const t = cnameOf(name);
    if (t === null) return false;
    if (t === undefined) break;
    name = t;
  }
  return answers.some((r) => r.type === q.type && classOk(r) && at(r, name));
}

/**
 * The lowest TTL in the reply, at most `max` (dnsutil.MinimalTTLWithMaximum); 5s for other
 * types and for replies without records. For a denial the SOA's MINIMUM bounds it too
 * (RFC 2308 §5; equal to the SOA's TTL in the kubernetes plugin's and compliant servers' replies).
 */
export function minimalTTL(m: Packet, t: ResponseType, max: number): number {
  if (t !== "NOERROR" && t !== "NXDOMAIN" && t !== "NODATA") return MIN_TTL;
  const extra = (m.additionals ?? []).filter((r) => r.type !== "OPT");
  if ((m.answers?.length ?? 0) + (m.authorities?.length ?? 0) === 0 && extra.length === 0) return MIN_TTL;
  let min = max;
  for (const rs of [m.answers ?? [], m.authorities ?? [], extra]) {
    for (const r of rs) {
      const ttl = "ttl" in r && typeof r.ttl === "number" ? r.ttl : 0;
      if (ttl < min) min = ttl;
      if (t !== "NOERROR" && r.type === "SOA" && (r.data.minimum ?? min) < min) min = r.data.minimum ?? min;
    }
  }
  return min;
}
