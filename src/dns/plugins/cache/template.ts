/**
 * Reply templates: the wire bytes of a reply the cache gave, kept with its entry (store.ts)
 * together with the bytes of the query that got it. The next identical query (any id) is
 * answered from them with the id and the TTLs patched (and like records shuffled for
 * `loadbalance`), without decoding, running the chain or encoding: the common Kubernetes lookups
 * repeat the same questions, and decoding plus encoding cost most of a cache hit.
 *
 * A template is laid out in one arena slot: five 16-bit counts (reply length, query length,
 * TTL offsets, shuffle groups, query bytes after its question), the TTL offsets, each group (its
 * size, then the start and end of each record), the reply, then the query's header after the id
 * and what follows its question (an OPT record). The question itself is the reply's.
 */

/** Replies this size or smaller are identical over UDP and TCP and for every EDNS buffer size. */
export const MAX_TEMPLATE = 512;

const TYPE_A = 1;
const TYPE_AAAA = 28;
const TYPE_MX = 15;
const TYPE_OPT = 41;

interface Block {
  start: number;
  end: number;
}

/** Records of one section that the round-robin shuffle reorders among their own places. */
type Group = Block[];

/** What replaying a reply needs besides its bytes. */
export interface Compiled {
  /** Where each record's TTL sits (not the OPT's, whose TTL field holds flags). */
  ttls: number[];
  /** Address (and MX) records to shuffle, for blocks with `loadbalance`. */
  groups: Group[];
}

interface Parsed {
  start: number;
  end: number;
  type: number;
  section: number;
  ttlAt: number;
}

/**
 * Walk `reply` (to `query`); undefined when it is not one a template can replay: not a single
 * question asked exactly as in the query, malformed, or, with `shuffle`, like records that are
 * not alike or that other records point into.
 */
export function compileReply(query: Buffer, reply: Buffer, shuffle: boolean): Compiled | undefined {
  if (reply.length > MAX_TEMPLATE || (reply[2] & 0x02) !== 0) return undefined;
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
  if (shuffle && (reply[3] & 0x0f) === 0) {
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
  return { ttls: rrs.filter((r) => r.type !== TYPE_OPT).map((r) => r.ttlAt), groups };
}

/** Header fields of a template: reply, query and tail lengths, TTL and group counts. */
const HEAD = 10;
/** The query's header after its id. */
const QHEAD = 10;

/** Where the question of `query` ends: what follows is an OPT record or nothing (templateKey). */
function questionEnd(query: Buffer): number {
  return query.length - (query[11] === 1 ? 11 : 0);
}

/** Bytes a template of this reply and query takes. */
export function templateSize(query: Buffer, reply: Buffer, c: Compiled): number {
  let n = HEAD + 2 * c.ttls.length + reply.length + QHEAD + query.length - questionEnd(query);
  for (const g of c.groups) n += 2 + 4 * g.length;
  return n;
}

/** Write the template at `at` of `buf` (templateSize bytes). */
export function writeTemplate(buf: Buffer, at: number, query: Buffer, reply: Buffer, c: Compiled): void {
  const qEnd = questionEnd(query);
  let o = at;
  o = buf.writeUInt16BE(reply.length, o);
  o = buf.writeUInt16BE(query.length, o);
  o = buf.writeUInt16BE(c.ttls.length, o);
  o = buf.writeUInt16BE(c.groups.length, o);
  o = buf.writeUInt16BE(query.length - qEnd, o);
  for (const t of c.ttls) o = buf.writeUInt16BE(t, o);
  for (const g of c.groups) {
    o = buf.writeUInt16BE(g.length, o);
    for (const b of g) {
      o = buf.writeUInt16BE(b.start, o);
      o = buf.writeUInt16BE(b.end, o);
    }
  }
  o += reply.copy(buf, o);
  o += query.copy(buf, o, 2, 12);
  query.copy(buf, o, qEnd);
}

/** Where the reply of the template at `at` starts. */
function replyAt(buf: Buffer, at: number): number {
  let o = at + HEAD + 2 * buf.readUInt16BE(at + 4);
  for (let g = buf.readUInt16BE(at + 6); g > 0; g--) o += 2 + 4 * buf.readUInt16BE(o);
  return o;
}

/** The reply's length when the template at `at` answers `query` (the same bytes after the id), else 0. */
export function templateMatch(buf: Buffer, at: number, query: Buffer): number {
  const len = query.length;
  if (buf.readUInt16BE(at + 2) !== len) return 0;
  const rlen = buf.readUInt16BE(at);
  const r = replyAt(buf, at);
  // The header after the id, then the question (as the reply holds it), then the tail.
  const h = r + rlen - 2;
  for (let i = 2; i < 12; i++) if (buf[h + i] !== query[i]) return 0;
  const qEnd = len - buf.readUInt16BE(at + 8);
  for (let i = 12; i < qEnd; i++) if (buf[r + i] !== query[i]) return 0;
  const t = r + rlen + QHEAD - qEnd;
  for (let i = qEnd; i < len; i++) if (buf[t + i] !== query[i]) return 0;
  return rlen;
}

/** The template's reply (a view into `buf`): what a hit it cannot replay reads records from. */
export function templateReply(buf: Buffer, at: number): Buffer {
  const r = replyAt(buf, at);
  return buf.subarray(r, r + buf.readUInt16BE(at));
}

/**
 * The template's reply for `query` written into `out` at `o` (room for it is the caller's): its
 * id, `ttl` in every record, like records shuffled. Returns its length.
 */
export function renderTemplate(
  buf: Buffer,
  at: number,
  query: Buffer,
  ttl: number,
  out: Buffer,
  o: number,
): number {
  const rlen = buf.readUInt16BE(at);
  const nt = buf.readUInt16BE(at + 4);
  const r = replyAt(buf, at);
  buf.copy(out, o, r, r + rlen);
  // Groups: moved from the template's own bytes, which stay as they are.
  let g = at + HEAD + 2 * nt;
  for (let k = buf.readUInt16BE(at + 6); k > 0; k--) {
    const n = buf.readUInt16BE(g);
    shuffleInto(out, o, buf, r, g + 2, n);
    g += 2 + 4 * n;
  }
  out[o] = query[0];
  out[o + 1] = query[1];
  for (let t = at + HEAD, end = t + 2 * nt; t < end; t += 2) out.writeUInt32BE(ttl, o + buf.readUInt16BE(t));
  return rlen;
}

/** Scratch for one group's order (a reply of ≤ 512 bytes holds fewer records). */
const order = new Int32Array(64);

/** Move the n records listed at `list` (start, end pairs) of the reply at `r` into a random order. */
function shuffleInto(out: Buffer, o: number, buf: Buffer, r: number, list: number, n: number): void {
  for (let i = 0; i < n; i++) order[i] = i;
  for (let j = 0; j < n - 1; j++) {
    const p = j + Math.floor(Math.random() * (n - j));
    const x = order[j];
    order[j] = order[p];
    order[p] = x;
  }
  for (let i = 0; i < n; i++) {
    const from = order[i];
    if (from === i) continue;
    const start = buf.readUInt16BE(list + 4 * from);
    const end = buf.readUInt16BE(list + 4 * from + 2);
    buf.copy(out, o + buf.readUInt16BE(list + 4 * i), r + start, r + end);
  }
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
