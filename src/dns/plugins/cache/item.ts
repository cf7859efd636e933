/**
 * A cached reply (plugin/cache/item.go). An entry lives for its TTL (30 s in a kubeadm Corefile)
 * and thousands are alive at once, so it holds as few objects as it can: one array of records,
 * the records themselves as they were written (nobody changes a record once written: every
 * reply made from an entry gets copies with the TTL and owner case it needs), and SOA records
 * shared between the denials that carry the same one.
 */
import type { Answer, Packet } from "dns-packet";
import { Flag } from "../../message/message.ts";
import { lowersTo } from "../../names.ts";
import type { Request } from "../../plugin.ts";

interface RefreshState {
  hits: number;
  last: number;
  refreshing: boolean;
  retryAfter: number;
}

/** An entry without records shares this one (never handed out: toMsg copies). */
const NONE: readonly Answer[] = Object.freeze([]);

/** Bits of Item.meta above the 4-bit rcode. */
const AD = 0x10;
const RA = 0x20;
const DENIAL = 0x40;

export class Item {
  /** rcode | AD | RA | denial: one small integer instead of four fields. */
  private readonly meta: number;
  /** Every record but OPT: the answers, then the authorities, then the additionals. */
  private readonly rrs: readonly Answer[];
  private readonly nAnswers: number;
  private readonly nAuthorities: number;
  /** Out of its store (evicted, replaced, invalidated): reply templates made from it are void. */
  removed = false;
  /**
   * Fresh hits counted towards a reply template (cache.ts TEMPLATE_AFTER_HITS): those of client
   * queries in blocks that make templates; a hit answered from the template is not counted.
   */
  hitsServed = 0;
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
    /** Stored in the denial cache (which hit counter a template hit goes to). */
    denial = false,
  ) {
    const flags = m.flags ?? 0;
    this.meta =
      (flags & 0xf) |
      ((flags & Flag.AD) !== 0 ? AD : 0) |
      ((flags & Flag.RA) !== 0 ? RA : 0) |
      (denial ? DENIAL : 0);
    const an = countKept(m.answers);
    const ns = countKept(m.authorities);
    const n = an + ns + countKept(m.additionals);
    this.nAnswers = an;
    this.nAuthorities = ns;
    if (n === 0) {
      this.rrs = NONE;
      return;
    }
    const rrs = new Array<Answer>(n);
    let j = keepInto(m.answers, rrs, 0);
    j = keepInto(m.authorities, rrs, j);
    keepInto(m.additionals, rrs, j);
    this.rrs = rrs;
  }

  get rcode(): number {
    return this.meta & 0xf;
  }
  get ad(): boolean {
    return (this.meta & AD) !== 0;
  }
  get ra(): boolean {
    return (this.meta & RA) !== 0;
  }
  get denial(): boolean {
    return (this.meta & DENIAL) !== 0;
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
   * every record a copy with `ttl` (the encoder reads it from the record); owner names equal to
   * the question in the query's case.
   */
  toMsg(req: Request, ttl: number, wantAD: boolean): Packet {
    const rf = req.msg.flags ?? 0;
    const meta = this.meta;
    let flags = Flag.QR | Flag.AA | (rf & (0x7800 | Flag.RD | Flag.CD)) | (meta & 0xf);
    if ((meta & RA) !== 0) flags |= Flag.RA;
    if ((meta & AD) !== 0 && wantAD) flags |= Flag.AD;
    const an = this.nAnswers;
    const ns = an + this.nAuthorities;
    return {
      id: req.msg.id,
      type: "response",
      flags,
      questions: req.msg.questions,
      answers: this.copies(0, an, ttl, req.name),
      authorities: this.copies(an, ns, ttl, req.name),
      additionals: this.copies(ns, this.rrs.length, ttl, req.name),
    };
  }

  private copies(from: number, to: number, ttl: number, qname: string): Answer[] {
    const rrs = this.rrs;
    const lname = this.lname;
    const out = new Array<Answer>(to - from);
    for (let i = from; i < to; i++) out[i - from] = withTTL(rrs[i], ttl, lname, qname);
    return out;
  }
}

type Fields = { name: string; type: string; class?: string; ttl?: number; flush?: boolean; data?: unknown };

/**
 * A copy of `r` with `ttl`, its owner in the query's case when it is the question name. Built
 * as a literal, not a spread: a spread site that sees records of several shapes (backends, SOA
 * copies) gets about ten times slower. A record holds only these fields (OPT is never kept).
 */
function withTTL(r: Answer, ttl: number, lname: string, qname: string): Answer {
  const f = r as Fields;
  const name = lowersTo(f.name, lname) ? qname : f.name;
  const c: Fields =
    f.class === undefined
      ? { name, type: f.type, ttl, data: f.data }
      : { name, type: f.type, class: f.class, ttl, data: f.data };
  if (f.flush !== undefined) c.flush = f.flush;
  return c as Answer;
}

function countKept(rs: readonly Answer[] | undefined): number {
  if (!rs) return 0;
  let n = 0;
  for (let i = 0; i < rs.length; i++) if (rs[i].type !== "OPT") n++;
  return n;
}

/** Copy the records of one section but OPT into `out` from `at`; returns the next index. */
function keepInto(rs: readonly Answer[] | undefined, out: Answer[], at: number): number {
  if (!rs) return at;
  let j = at;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i];
    if (r.type === "OPT") continue;
    out[j++] = r.type === "SOA" && r.data ? sharedSOA(r) : r;
  }
  return j;
}

type SOA = Extract<Answer, { type: "SOA" }>;

/**
 * SOA records shared by the entries that carry the same one: every denial of a zone has its SOA
 * in authority, and a full denial cache holds thousands. The TTL is not compared (every reply
 * made from an entry sets its own). A few recent ones, compared field by field: no key string
 * per denial.
 */
const RECENT_SOAS = 32;
const soas: SOA[] = [];
let nextSOA = 0;

function sharedSOA(r: SOA): SOA {
  const d = r.data;
  for (let i = 0; i < soas.length; i++) {
    const s = soas[i];
    const e = s.data;
    if (
      e.serial === d.serial &&
      e.minimum === d.minimum &&
      e.refresh === d.refresh &&
      e.retry === d.retry &&
      e.expire === d.expire &&
      e.mname === d.mname &&
      e.rname === d.rname &&
      s.name === r.name &&
      s.class === r.class &&
      s.flush === r.flush
    )
      return s;
  }
  const copy = Object.freeze({ ...r, data: Object.freeze({ ...d }) });
  soas[nextSOA] = copy;
  nextSOA = (nextSOA + 1) % RECENT_SOAS;
  return copy;
}
