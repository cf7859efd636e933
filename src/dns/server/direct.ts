/**
 * Direct answers: a cache miss answered by writing the reply's bytes, for blocks whose cache is
 * followed by a plugin that can do that (kubernetes). Nearly every cluster lookup is a plain
 * query for an A, AAAA, SRV or PTR record with at most one record in the answer, or a name
 * error; most of them miss the cache (a cluster has more names than `cache 30` keeps). The full
 * path decodes such a query into objects, runs the chain, builds records and a message, lets
 * the cache copy it, encodes it and then parses the encoding again to keep it as a template.
 * Here the question is read from the wire, the plugin writes its records into the reply, and
 * the cache stores the entry and keeps the bytes as its template: the same reply, cache entry,
 * template and metrics as the full path (direct.test.ts compares the two byte for byte).
 *
 * Anything out of the ordinary goes the full path: a name with other bytes than lowercase
 * letters, digits, '-' and '_' (the query's case and escapes stay the encoder's), an entry
 * already cached for the key (stale, another spelling), a reply over 512 bytes, more than one
 * record of a kind (the round-robin shuffle), and whatever the plugin declines.
 */

import type { SoaData } from "dns-packet";
import { readIPv4, readIPv6 } from "../../util/ip.ts";
import type { ReplySource } from "../plugin.ts";

const DOT = 0x2e;
const TYPE_OPT = 41;
const TYPE_SOA = 6;
const CLASS_IN = 1;
/** Flags of the header's third and fourth bytes. */
const QR_AA = 0x84;
const RD = 0x01;
const CD = 0x10;

/** Records in a direct answer: the answer, its address and an SOA at most. */
const MAX_RECORDS = 4;

/** The query types a direct answer is for. */
const TYPES = new Map<number, string>([
  [1, "A"],
  [28, "AAAA"],
  [33, "SRV"],
  [12, "PTR"],
]);

/** The question of a plain query (fastpath.ts templateKey), as a direct answer reads it. */
export class Question {
  /** Lowercase and fully qualified ("svc.ns.svc.cluster.local."). */
  lname = "";
  qtype = "";
  /** The DO bit of the query's OPT. */
  dnssecOK = false;
  /** The CD bit of the header. */
  cd = false;
  /** The query has an OPT record, and its UDP payload size. */
  opt = false;
  udpSize = 0;
  /** Where the question (name, type, class) ends in the query. */
  end = 0;
}

/** Scratch for the name's text. */
const nameBuf = Buffer.allocUnsafe(256);

/**
 * Read the question of `query`, which templateKey accepted (one question, plain labels, at most
 * an option-less OPT). False when a direct answer is not for it: other label bytes, the root,
 * another class or type, an EDNS version or extended rcode other than 0.
 */
export function readQuestion(query: Buffer, q: Question): boolean {
  let o = 12;
  let n = 0;
  for (;;) {
    const len = query[o];
    if (len === 0) break;
    // templateKey checked the label lengths and that every label is inside the query.
    if (n > 0) nameBuf[n++] = DOT;
    const end = o + 1 + len;
    for (let i = o + 1; i < end; i++) {
      const c = query[i];
      // a-z, 0-9, '-', '_': the name reads the same in every decoder, lowercase already.
      if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f)) return false;
      nameBuf[n++] = c;
    }
    o = end;
    if (n > 253) return false;
  }
  if (n === 0) return false;
  nameBuf[n++] = DOT;
  o++;
  const type = TYPES.get((query[o] << 8) | query[o + 1]);
  if (type === undefined || query[o + 2] !== 0 || query[o + 3] !== CLASS_IN) return false;
  q.end = o + 4;
  if (query[11] === 1) {
    // The OPT's extended rcode and version (templateKey checked its owner, type and length).
    const t = q.end + 5;
    if (query[t] !== 0 || query[t + 1] !== 0) return false;
    q.opt = true;
    q.udpSize = (query[q.end + 3] << 8) | query[q.end + 4];
    q.dnssecOK = (query[t + 2] & 0x80) !== 0;
  } else {
    q.opt = false;
    q.udpSize = 0;
    q.dnssecOK = false;
  }
  q.lname = nameBuf.toString("latin1", 0, n);
  q.qtype = type;
  q.cd = (query[3] & CD) !== 0;
  return true;
}

/**
 * Writes a reply as the encoder (message/wire.ts) would: names compressed against every name
 * written before in full, SRV targets written out and not offered for compression, TTLs
 * patched once the cache has said how long the reply lives. Also gathers what the cache needs
 * to know of it (reply.ts ReplyFacts).
 */
export class ReplyWriter {
  private buf: Buffer = Buffer.alloc(0);
  /** Where the message starts in buf, where the next byte goes, and where it must end. */
  private start = 0;
  private o = 0;
  private limit = 0;
  /** Names offered for compression: the text, the span of it that is the suffix, its offset. */
  private readonly texts: string[] = [];
  private readonly froms: number[] = [];
  private readonly tos: number[] = [];
  private readonly ats: number[] = [];
  private names = 0;
  /** Records per section, and the section being written. */
  readonly counts = [0, 0, 0];
  private section = 0;
  /**
   * Where each record's TTL is (relative to the start), as the cache's template keeps them
   * (template.ts Compiled): no groups to shuffle, there is at most one address per section.
   */
  readonly compiled = {
    ttlCount: 0,
    ttls: new Uint16Array(MAX_RECORDS),
    groupCount: 0,
    groupSizes: new Uint8Array(0),
    bounds: new Uint16Array(0),
  };
  rcode = 0;
  /** Facts for the cache: an SOA in authority, the lowest TTL and SOA MINIMUM. */
  soa = false;
  minTTL = Number.POSITIVE_INFINITY;
  minSOA = Number.POSITIVE_INFINITY;

  get records(): number {
    return this.counts[0] + this.counts[1] + this.counts[2];
  }

  get length(): number {
    return this.o - this.start;
  }

  /** Start the reply to `query` in `out` at `at`, at most `limit` bytes: header and question. */
  begin(out: Buffer, at: number, limit: number, query: Buffer, q: Question): boolean {
    this.buf = out;
    this.start = at;
    this.limit = at + limit;
    this.names = 0;
    this.counts[0] = this.counts[1] = this.counts[2] = 0;
    this.section = 0;
    this.compiled.ttlCount = 0;
    this.rcode = 0;
    this.soa = false;
    this.minTTL = Number.POSITIVE_INFINITY;
    this.minSOA = Number.POSITIVE_INFINITY;
    if (q.end > limit) return false;
    out[at] = query[0];
    out[at + 1] = query[1];
    out[at + 2] = QR_AA | (query[2] & RD);
    out[at + 3] = query[3] & CD;
    out[at + 4] = 0;
    out[at + 5] = 1;
    // A loop: Buffer#copy makes a view per call, dearer than a question's few dozen bytes.
    let o = at + 12;
    for (let i = 12; i < q.end; i++) out[o++] = query[i];
    this.o = o;
    // The question's name and each of its suffixes, at the offset of their first label.
    const n = q.lname;
    for (let from = 0; from < n.length - 1; ) {
      this.offer(n, from, n.length - 1, 12 + from);
      const dot = n.indexOf(".", from);
      from = dot + 1;
    }
    return true;
  }

  /** The next records go to section s (0 answer, 1 authority, 2 additional), in order. */
  to(s: number): void {
    this.section = s;
  }

  /** An A or AAAA record (type 1 or 28) with the address `ip`; false when `ip` is not one. */
  address(owner: string, ttl: number, family: 4 | 6, ip: string): boolean {
    if (!this.head(owner, family === 4 ? 1 : 28, ttl)) return false;
    const len = family === 4 ? 4 : 16;
    if (!this.room(2 + len)) return false;
    const o = this.o;
    this.buf[o] = 0;
    this.buf[o + 1] = len;
    // As the encoder reads addresses: IPv4 with leading zeros as decimal (ParseIPSloppy).
    const ok =
      family === 4 ? readIPv4(ip, 0, ip.length, this.buf, o + 2, true) : readIPv6(ip, this.buf, o + 2);
    if (!ok) return false;
    this.o = o + 2 + len;
    return true;
  }

  /** A PTR record: the target compressed, as RFC 1035's types are. */
  ptr(owner: string, ttl: number, target: string): boolean {
    if (!this.head(owner, 12, ttl)) return false;
    const at = this.o;
    return this.u16(0) && this.name(target) && this.rdlength(at);
  }

  /** An SRV record: the target written out, not compressed (as dns-packet writes it). */
  srv(owner: string, ttl: number, priority: number, weight: number, port: number, target: string): boolean {
    if (!this.head(owner, 33, ttl)) return false;
    const at = this.o;
    if (!this.u16(0) || !this.u16(priority) || !this.u16(weight) || !this.u16(port)) return false;
    return this.plain(target) && this.rdlength(at);
  }

  /** An SOA record; counted as the denial's SOA when in authority. */
  soaRecord(owner: string, ttl: number, d: SoaData): boolean {
    if (!this.head(owner, TYPE_SOA, ttl)) return false;
    const at = this.o;
    if (!this.u16(0) || !this.name(d.mname) || !this.name(d.rname)) return false;
    // Missing numbers are 0, as the encoder writes them.
    if (!this.u32(d.serial ?? 0) || !this.u32(d.refresh ?? 0) || !this.u32(d.retry ?? 0)) return false;
    if (!this.u32(d.expire ?? 0) || !this.u32(d.minimum ?? 0)) return false;
    if (this.section === 1) this.soa = true;
    // As examine(): a missing MINIMUM does not bound the TTL.
    if (d.minimum !== undefined && d.minimum < this.minSOA) this.minSOA = d.minimum;
    return this.rdlength(at);
  }

  /**
   * Give every record the TTL the cache decided (the cache sends each record with its capped
   * TTL), add the OPT a query with one gets back, and fill in the counts. The reply's length,
   * or 0 when it does not fit.
   */
  finish(ttl: number, q: Question): number {
    const b = this.buf;
    const c = this.compiled;
    for (let i = 0; i < c.ttlCount; i++) b.writeUInt32BE(ttl >>> 0, this.start + c.ttls[i]);
    let additional = this.counts[2];
    if (q.opt) {
      if (!this.room(11)) return 0;
      const o = this.o;
      b[o] = 0;
      b.writeUInt16BE(TYPE_OPT, o + 1);
      // sizeAndDo echoes the client's size; the encoder writes 0 as 4096.
      b.writeUInt16BE(q.udpSize || 4096, o + 3);
      b[o + 5] = 0;
      b[o + 6] = 0;
      b[o + 7] = q.dnssecOK ? 0x80 : 0;
      b[o + 8] = 0;
      b[o + 9] = 0;
      b[o + 10] = 0;
      this.o = o + 11;
      additional++;
    }
    const s = this.start;
    b[s + 3] |= this.rcode;
    b.writeUInt16BE(this.counts[0], s + 6);
    b.writeUInt16BE(this.counts[1], s + 8);
    b.writeUInt16BE(additional, s + 10);
    return this.o - s;
  }

  /** Owner, type, class IN and a TTL to patch; counts the record. */
  private head(owner: string, type: number, ttl: number): boolean {
    const c = this.compiled;
    if (c.ttlCount === MAX_RECORDS || !this.name(owner) || !this.room(8)) return false;
    const b = this.buf;
    const o = this.o;
    b[o] = type >>> 8;
    b[o + 1] = type;
    b[o + 2] = 0;
    b[o + 3] = CLASS_IN;
    c.ttls[c.ttlCount++] = o + 4 - this.start;
    this.o = o + 8;
    this.counts[this.section]++;
    if (ttl < this.minTTL) this.minTTL = ttl;
    return true;
  }

  /**
   * A name compressed against the names offered so far, each label that is written offered in
   * turn (Writer.name). The whole name is at most 255 bytes, as the encoder requires.
   */
  private name(n: string): boolean {
    let to = n.length;
    if (to > 0 && n.charCodeAt(to - 1) === DOT) to--;
    let total = 1;
    for (let from = 0; from < to; ) {
      const ptr = this.find(n, from, to);
      // The suffix pointed at counts towards the 255 bytes too (miekg/dns ErrLongDomain).
      if (ptr >= 0) return total + (to - from) + 1 <= 255 && this.u16(0xc000 | ptr);
      const rel = this.o - this.start;
      if (rel < 0x3fff) this.offer(n, from, to, rel);
      let end = n.indexOf(".", from);
      if (end < 0 || end > to) end = to;
      if (!this.label(n, from, end)) return false;
      total += end - from + 1;
      if (total > 255) return false;
      from = end + 1;
    }
    return this.byte(0);
  }

  /** A name label by label, nothing compressed or offered. */
  private plain(n: string): boolean {
    let to = n.length;
    if (to > 0 && n.charCodeAt(to - 1) === DOT) to--;
    for (let from = 0; from < to; ) {
      let end = n.indexOf(".", from);
      if (end < 0 || end > to) end = to;
      if (!this.label(n, from, end)) return false;
      from = end + 1;
    }
    return this.byte(0);
  }

  /** One label of plain ASCII, 1 to 63 bytes; anything else is the encoder's to judge. */
  private label(n: string, from: number, end: number): boolean {
    const len = end - from;
    if (len === 0 || len > 63 || !this.room(len + 1)) return false;
    const b = this.buf;
    let o = this.o;
    b[o++] = len;
    for (let i = from; i < end; i++) {
      const c = n.charCodeAt(i);
      if (c > 0x7e || c <= 0x20 || c === 0x5c) return false;
      b[o++] = c;
    }
    this.o = o;
    return true;
  }

  private offer(n: string, from: number, to: number, at: number): void {
    const k = this.names++;
    this.texts[k] = n;
    this.froms[k] = from;
    this.tos[k] = to;
    this.ats[k] = at;
  }

  /** The offset of a name offered equal to n[from, to), or -1. */
  private find(n: string, from: number, to: number): number {
    const len = to - from;
    for (let k = 0; k < this.names; k++) {
      const f = this.froms[k];
      if (this.tos[k] - f !== len) continue;
      const t = this.texts[k];
      let i = 0;
      while (i < len && t.charCodeAt(f + i) === n.charCodeAt(from + i)) i++;
      if (i === len) return this.ats[k];
    }
    return -1;
  }

  private rdlength(at: number): boolean {
    this.buf.writeUInt16BE(this.o - at - 2, at);
    return true;
  }

  private room(n: number): boolean {
    return this.o + n <= this.limit;
  }
  private byte(v: number): boolean {
    if (!this.room(1)) return false;
    this.buf[this.o++] = v;
    return true;
  }
  private u16(v: number): boolean {
    if (!this.room(2)) return false;
    this.buf.writeUInt16BE(v & 0xffff, this.o);
    this.o += 2;
    return true;
  }
  private u32(v: number): boolean {
    if (!this.room(4)) return false;
    this.buf.writeUInt32BE(v >>> 0, this.o);
    this.o += 4;
    return true;
  }
}

/** A plugin that can write some answers itself (records only: the header and OPT are the server's). */
export interface DirectAnswerer {
  /** Write the records answering `q` into `w`, and its rcode; false when the chain must answer. */
  directAnswer(q: Question, w: ReplyWriter): boolean;
}

/** A cache that stores direct answers as the entries and templates of their misses. */
export interface DirectCache extends ReplySource {
  /** Whether a lookup of `q` would miss with no entry at all, and keep its reply as a template. */
  absent(q: Question): boolean;
  /** How long it keeps the reply `w` is writing (its TTL); 0 or less: not at all. */
  directTTL(q: Question, w: ReplyWriter): number;
  /**
   * Count the miss and store the reply as the lookup and write of the full path would, keeping
   * `reply` (to `query`) as the entry's template. The template's reference, or -1.
   */
  keepDirect(
    q: Question,
    w: ReplyWriter,
    query: Buffer,
    reply: Buffer,
    shuffle: boolean,
    key: number,
  ): number;
}

/** A block's cache and the plugin right behind it, when both can answer directly. */
export interface Direct {
  cache: DirectCache;
  answerer: DirectAnswerer;
  /** The answerer's directive, for the `plugin` label of responses_total. */
  plugin: string;
}

/** What the server needs after a direct answer. */
export interface DirectResult {
  length: number;
  rcode: number;
  /** The template kept, or -1. */
  ref: number;
}

/** SKIFF_DNS_DIRECT=off turns direct answers off (to compare with the full path); on by default. */
export function directEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.SKIFF_DNS_DIRECT ?? "";
  if (v === "" || v === "on") return true;
  if (v === "off") return false;
  throw new Error(`SKIFF_DNS_DIRECT=${v}: expected on or off`);
}

const writer = new ReplyWriter();
/** Replies longer than this go the full path (which truncates for clients that need it). */
const MAX_DIRECT = 512;

/**
 * Answer `query` directly into `out` at `at` (at most `room` bytes), or leave it to the full
 * path: then `res.length` is 0 and nothing was counted or stored.
 */
export function answerDirect(
  d: Direct,
  query: Buffer,
  q: Question,
  out: Buffer,
  at: number,
  room: number,
  shuffle: boolean,
  key: number,
  res: DirectResult,
): void {
  res.length = 0;
  if (!d.cache.absent(q)) return;
  const w = writer;
  if (!w.begin(out, at, Math.min(room, MAX_DIRECT), query, q)) return;
  if (!d.answerer.directAnswer(q, w)) return;
  const ttl = d.cache.directTTL(q, w);
  if (ttl <= 0) return;
  const n = w.finish(ttl, q);
  if (n === 0) return;
  res.ref = d.cache.keepDirect(q, w, query, out.subarray(at, at + n), shuffle, key);
  res.rcode = w.rcode;
  res.length = n;
}

/**
 * The direct pair of a block whose chain runs (plugins in chain order, handlers by directive)
 * a cache and right after it a plugin that answers directly.
 */
export function directOf(plugins: readonly string[], handler: (name: string) => unknown): Direct | undefined {
  const at = plugins.indexOf("cache");
  if (at < 0 || at + 1 >= plugins.length) return undefined;
  const cache = (handler("cache") as { cache?: DirectCache } | undefined)?.cache;
  const answerer = handler(plugins[at + 1]) as Partial<DirectAnswerer> | undefined;
  if (!cache || typeof answerer?.directAnswer !== "function") return undefined;
  return { cache, answerer: answerer as DirectAnswerer, plugin: plugins[at + 1] };
}
