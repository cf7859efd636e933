/**
 * Reply templates: the wire bytes of a reply the cache served (from an entry's second hit on, see
 * cache.ts TEMPLATE_AFTER_HITS), kept under the exact bytes of the query that got it. The next
 * identical query (any id) is answered from them with the id and the TTLs patched, without
 * decoding, running the chain or encoding: the common Kubernetes lookups repeat the same
 * questions, and decoding plus encoding cost most of a cache hit.
 *
 * A template is only made when the plugins before `cache` in the block are ones whose work a
 * template can repeat (metrics, the round-robin shuffle) or that never touch a cache hit, and it
 * stays valid exactly as long as the cache entry it came from: evicted, replaced, invalidated or
 * expired entries send the query back through the chain.
 */
import type { CachedReply } from "../plugin.ts";
import type { CounterChild, HistogramChild } from "./lite-metrics.ts";

/** Replies this size or smaller are identical over UDP and TCP and for every EDNS buffer size. */
const MAX_TEMPLATE = 512;
/** Bound on templates per server; past it they are all dropped and rebuilt on demand. */
export const MAX_TEMPLATES = 20_000;

const TYPE_A = 1;
const TYPE_AAAA = 28;
const TYPE_MX = 15;
const TYPE_OPT = 41;

/**
 * The template key of a query: a hash of its bytes after the id, for plain one-question queries
 * with at most an option-less OPT record; -1 for anything else (those take the full path). A
 * number, not a string of the bytes: most queries miss, and a key string per query was an
 * allocation each. Templates keep their query's bytes, so a colliding key only costs a hit.
 */
export function templateKey(q: Buffer): number {
  const len = q.length;
  if (len < 17 || len > 512) return -1;
  // QR=0, OPCODE=QUERY, TC=0; Z=0 and RCODE=0. AA, RD, AD and CD stay in the key.
  if ((q[2] & 0xfa) !== 0 || (q[3] & 0x4f) !== 0) return -1;
  if (q[4] !== 0 || q[5] !== 1 || q[6] !== 0 || q[7] !== 0 || q[8] !== 0 || q[9] !== 0) return -1;
  const ar = (q[10] << 8) | q[11];
  if (ar > 1) return -1;
  let off = 12;
  for (;;) {
    const l = q[off];
    if (l === 0) break;
    if (l > 63) return -1;
    off += l + 1;
    if (off >= len) return -1;
  }
  off += 5;
  if (ar === 1) {
    // OPT: root owner, type 41, no options (cookies and other options take the full path).
    if (off + 11 !== len || q[off] !== 0 || q[off + 1] !== 0 || q[off + 2] !== TYPE_OPT) return -1;
    if (q[off + 9] !== 0 || q[off + 10] !== 0) return -1;
  } else if (off !== len) return -1;
  // FNV-1a, kept to 30 bits so the key stays a small integer for the Map.
  let h = 0x811c9dc5;
  for (let i = 2; i < len; i++) h = Math.imul(h ^ q[i], 0x01000193);
  return h & 0x3fffffff;
}

/** The query's bytes after the id are the characters of `bytes` after the reply's. */
function sameQuery(t: Template, q: Buffer): boolean {
  const len = q.length;
  if (t.queryLength !== len) return false;
  const b = t.bytes;
  const d = t.length - 2;
  for (let i = 2; i < len; i++) if (b.charCodeAt(d + i) !== q[i]) return false;
  return true;
}

interface Block {
  start: number;
  end: number;
}

/** Records of one section that the round-robin shuffle reorders among their own places. */
type Group = Block[];

const NO_GROUPS: readonly Group[] = Object.freeze([]);

/**
 * A template holds few objects and no Buffer: thousands live as long as their cache entries, and
 * small Buffers are views of shared 8 KiB slabs, so a few long-lived ones kept most of the
 * slabs of a busy server alive (20 MiB of them after the benchmark's load).
 */
export interface Template {
  /** The reply, then the query after its id: one byte per character (latin1). */
  readonly bytes: string;
  /** The query's length on the wire (its id included): what a key's hit is checked against. */
  readonly queryLength: number;
  /** The reply's length. */
  readonly length: number;
  /** Where each record's TTL sits (not the OPT's, whose TTL field holds flags). */
  readonly ttls: readonly number[];
  /** Address (and MX) records to shuffle, for blocks with `loadbalance`. */
  readonly groups: readonly Group[];
  readonly cached: CachedReply;
  readonly rcode: number;
  readonly meta: TemplateMeta;
  /** Metric children bound on first use, per protocol and family (server.ts fast()). */
  stats: Array<FastStats | undefined> | undefined;
}

/** What the server's metrics need of the query that made a template. */
export interface TemplateMeta {
  zone: string;
  qtype: string;
  do: boolean;
  /** The block enables prometheus. */
  metrics: boolean;
}

export interface FastStats {
  requests: CounterChild;
  responses: CounterChild;
  do: CounterChild | undefined;
  duration: HistogramChild;
  requestSize: HistogramChild;
  responseSize: HistogramChild;
}

/** What the template store needs to know about the block that served the reply. */
export interface TemplateOptions {
  shuffle: boolean;
}

/** Offers between sweeps of the templates whose cache entry is gone. */
const SWEEP_EVERY = 4096;

export class Templates {
  private readonly map = new Map<number, Template>();
  private offers = 0;

  /** `key` is templateKey; tests pass one that collides. */
  constructor(private readonly key: (q: Buffer) => number = templateKey) {}

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }

  /** The template for this query when it is still good, with its TTL left; else undefined. */
  lookup(query: Buffer): { t: Template; ttl: number } | undefined {
    if (this.map.size === 0) return undefined;
    const key = this.key(query);
    if (key < 0) return undefined;
    const t = this.map.get(key);
    if (!t || !sameQuery(t, query)) return undefined;
    const ttl = t.cached.removed ? 0 : t.cached.ttl();
    if (ttl <= 0) {
      this.map.delete(key);
      return undefined;
    }
    return { t, ttl };
  }

  /** Keep `reply` (just sent for `query` from `cached`) when it can be replayed byte for byte. */
  offer(
    query: Buffer,
    reply: Buffer,
    cached: CachedReply,
    o: TemplateOptions,
    meta: TemplateMeta,
  ): Template | undefined {
    if (reply.length > MAX_TEMPLATE || (reply[2] & 0x02) !== 0) return undefined;
    const key = this.key(query);
    if (key < 0) return undefined;
    const t = compile(query, reply, cached, o, meta);
    if (!t) return undefined;
    if (++this.offers % SWEEP_EVERY === 0) this.sweep();
    if (this.map.size >= MAX_TEMPLATES) this.map.clear();
    this.map.set(key, t);
    return t;
  }

  /**
   * Drop the templates of entries the cache let go. Nothing else would until their query came
   * again, and each kept its entry alive with all its records: with uniform traffic that was a
   * third more entries than the cache holds.
   */
  sweep(): void {
    for (const [key, t] of this.map) if (t.cached.removed) this.map.delete(key);
  }
}

/** The reply for a query with this template: a copy with the query's id, TTLs and shuffle. */
export function render(t: Template, query: Buffer, ttl: number): Buffer {
  const out = Buffer.allocUnsafe(t.length);
  renderInto(t, query, ttl, out, 0);
  return out;
}

/** Where a shuffled reply is first written whole, to move its records from (replies ≤ 512). */
const scratch = Buffer.allocUnsafe(MAX_TEMPLATE);

/** render() into `out` at `at` (room for the whole reply is the caller's); returns its length. */
export function renderInto(t: Template, query: Buffer, ttl: number, out: Buffer, at: number): number {
  const len = t.length;
  if (t.groups.length === 0) out.write(t.bytes, at, len, "latin1");
  else {
    scratch.write(t.bytes, 0, len, "latin1");
    scratch.copy(out, at, 0, len);
    for (const g of t.groups) shuffleInto(out, at, scratch, g);
  }
  out[at] = query[0];
  out[at + 1] = query[1];
  for (const off of t.ttls) out.writeUInt32BE(ttl, at + off);
  return len;
}

function shuffleInto(out: Buffer, at: number, src: Buffer, g: Group): void {
  const n = g.length;
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let j = 0; j < n - 1; j++) {
    const p = j + Math.floor(Math.random() * (n - j));
    const x = order[j];
    order[j] = order[p];
    order[p] = x;
  }
  for (let i = 0; i < n; i++) {
    const from = g[order[i]];
    if (order[i] !== i) src.copy(out, at + g[i].start, from.start, from.end);
  }
}

interface Parsed {
  start: number;
  end: number;
  type: number;
  section: number;
  ttlAt: number;
}

/** Walk the reply; undefined when it is not one we can replay (or not well-formed). */
function compile(
  query: Buffer,
  reply: Buffer,
  cached: CachedReply,
  o: TemplateOptions,
  meta: TemplateMeta,
): Template | undefined {
  if (reply.readUInt16BE(4) !== 1) return undefined;
  const qEnd = query.length - (query[11] === 1 ? 11 : 0);
  // The question must come back exactly as asked: it is part of every later reply.
  if (reply.length < qEnd || reply.compare(query, 12, qEnd, 12, qEnd) !== 0) return undefined;
  const counts = [reply.readUInt16BE(6), reply.readUInt16BE(8), reply.readUInt16BE(10)];
  const pointers: number[] = [];
  const rrs: Parsed[] = [];
  let off = qEnd;
  for (let section = 0; section < 3; section++) {
    for (let i = 0; i < counts[section]; i++) {
      const start = off;
      off = skipName(reply, off, pointers);
      if (off < 0 || off + 10 > reply.length) return undefined;
      const type = reply.readUInt16BE(off);
      const ttlAt = off + 4;
      const rdlen = reply.readUInt16BE(off + 8);
      const rdata = off + 10;
      off = rdata + rdlen;
      if (off > reply.length) return undefined;
      if (!rdataNames(reply, type, rdata, off, pointers)) return undefined;
      rrs.push({ start, end: off, type, section, ttlAt });
    }
  }
  if (off !== reply.length) return undefined;
  const groups: Group[] = [];
  const rcode = reply[3] & 0x0f;
  if (o.shuffle && rcode === 0) {
    for (let section = 0; section < 3; section++) {
      const inSection = rrs.filter((r) => r.section === section);
      for (const kind of [[TYPE_A, TYPE_AAAA], [TYPE_MX]]) {
        const members = inSection.filter((r) => kind.includes(r.type));
        if (members.length < 2) continue;
        // Moving blocks is only sound when they are alike and nothing points into them.
        const size = members[0].end - members[0].start;
        const ttlRel = members[0].ttlAt - members[0].start;
        const alike = members.every((r) => r.end - r.start === size && r.ttlAt - r.start === ttlRel);
        const pointedAt = pointers.some((p) => members.some((r) => p >= r.start && p < r.end));
        if (!alike || pointedAt) return undefined;
        groups.push(members.map((r) => ({ start: r.start, end: r.end })));
      }
    }
  }
  const ttls = rrs.filter((r) => r.type !== TYPE_OPT).map((r) => r.ttlAt);
  return {
    // One flat string: a concatenation would keep its two halves as separate objects.
    bytes: Buffer.concat([reply, query.subarray(2)]).toString("latin1"),
    queryLength: query.length,
    length: reply.length,
    ttls,
    groups: groups.length === 0 ? NO_GROUPS : groups,
    cached,
    rcode,
    meta,
    stats: undefined,
  };
}

/** The offset after the name at `off`, collecting compression pointers; -1 when malformed. */
function skipName(b: Buffer, off: number, pointers: number[]): number {
  for (let hops = 0; hops < 128; hops++) {
    if (off >= b.length) return -1;
    const l = b[off];
    if (l === 0) return off + 1;
    if ((l & 0xc0) === 0xc0) {
      if (off + 1 >= b.length) return -1;
      pointers.push(((l & 0x3f) << 8) | b[off + 1]);
      return off + 2;
    }
    if (l > 63) return -1;
    off += l + 1;
  }
  return -1;
}

/** Collect the pointers inside the names of record data that may be compressed (RFC 3597 §4). */
function rdataNames(b: Buffer, type: number, start: number, end: number, pointers: number[]): boolean {
  let at: number[];
  switch (type) {
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
      at = [0];
      break;
    case TYPE_MX:
      at = [2];
      break;
    case 33: // SRV
      at = [6];
      break;
    case 6: {
      // SOA: two names
      const n = skipName(b, start, pointers);
      return n >= 0 && n <= end && skipName(b, n, pointers) >= 0;
    }
    default:
      return true;
  }
  for (const a of at) {
    const n = skipName(b, start + a, pointers);
    if (n < 0 || n > end) return false;
  }
  return true;
}

/**
 * Plugins that may run before `cache` in a block with reply templates: they either never touch
 * a cache hit (reload, bind, ready, health, errors, any, chaos) or do what a template repeats
 * (prometheus: the server's metrics; loadbalance round_robin: the shuffle). Any other plugin
 * there (log, rewrite before cache in a custom order, …) sees every query, so no templates.
 */
const BEFORE_CACHE_OK = new Set([
  "reload",
  "bind",
  "ready",
  "health",
  "prometheus",
  "errors",
  "any",
  "chaos",
  "loadbalance",
]);

/** Whether a block (its directives in chain order) can use templates, and how. */
export function templateOptions(
  plugins: readonly string[],
  roundRobinOnly: (name: string) => boolean,
): TemplateOptions | undefined {
  const at = plugins.indexOf("cache");
  if (at < 0) return undefined;
  const before = plugins.slice(0, at);
  if (!before.every((p) => BEFORE_CACHE_OK.has(p))) return undefined;
  const shuffle = before.includes("loadbalance");
  if (shuffle && !roundRobinOnly("loadbalance")) return undefined;
  return { shuffle };
}
