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

/**
 * What replaying a reply needs besides its bytes: where each record's TTL sits (not the OPT's,
 * whose TTL field holds flags), and, for blocks with `loadbalance`, the address (and MX) records
 * to shuffle, in groups of like records. Scratch of this module, filled by compileReply and valid
 * until its next call: a miss compiles its reply once and writes the template at once, and the
 * arrays and objects it took were the largest allocation of a miss (about 1.9 KB).
 */
export interface Compiled {
  readonly ttlCount: number;
  /** TTL offsets, ttlCount of them. */
  readonly ttls: Uint16Array;
  readonly groupCount: number;
  /** Records per group, groupCount of them. */
  readonly groupSizes: Uint8Array;
  /** The start and end of each grouped record, group after group. */
  readonly bounds: Uint16Array;
}

/** A reply of MAX_TEMPLATE bytes holds at most 45 records (11 bytes each) and 3 names per record. */
const MAX_RRS = 64;
const MAX_POINTERS = 3 * MAX_RRS;

const rrStart = new Uint16Array(MAX_RRS);
const rrEnd = new Uint16Array(MAX_RRS);
const rrType = new Uint16Array(MAX_RRS);
const rrTtlAt = new Uint16Array(MAX_RRS);
const rrSection = new Uint8Array(MAX_RRS);
const pointers = new Uint16Array(MAX_POINTERS);
let pointerCount = 0;
const members = new Uint8Array(MAX_RRS);

const compiled = {
  ttlCount: 0,
  ttls: new Uint16Array(MAX_RRS),
  groupCount: 0,
  groupSizes: new Uint8Array(MAX_RRS),
  bounds: new Uint16Array(2 * MAX_RRS),
};

/** Kinds of records the round-robin shuffle moves, each among its own kind: 0 addresses, 1 MX. */
const ofKind = (kind: number, t: number) => (kind === 0 ? t === TYPE_A || t === TYPE_AAAA : t === TYPE_MX);

/**
 * Walk `reply` (to `query`); undefined when it is not one a template can replay: not a single
 * question asked exactly as in the query, malformed, or, with `shuffle`, like records that are
 * not alike or that other records point into. The result is this module's scratch (Compiled).
 */
export function compileReply(query: Buffer, reply: Buffer, shuffle: boolean): Compiled | undefined {
  if (reply.length > MAX_TEMPLATE || (reply[2] & 0x02) !== 0) return undefined;
  if (reply.length < 12 || reply.readUInt16BE(4) !== 1) return undefined;
  const qEnd = questionEnd(query);
  // The question must come back exactly as asked: it is part of every later reply.
  if (reply.length < qEnd) return undefined;
  for (let i = 12; i < qEnd; i++) if (reply[i] !== query[i]) return undefined;
  pointerCount = 0;
  let n = 0;
  let off = qEnd;
  for (let section = 0; section < 3; section++) {
    for (let i = reply.readUInt16BE(6 + 2 * section); i > 0; i--) {
      if (n === MAX_RRS) return undefined;
      const start = off;
      off = skipName(reply, off);
      if (off < 0 || off + 10 > reply.length) return undefined;
      const type = reply.readUInt16BE(off);
      const ttlAt = off + 4;
      const rdata = off + 10;
      off = rdata + reply.readUInt16BE(off + 8);
      if (off > reply.length) return undefined;
      if (!rdataNames(reply, type, rdata, off)) return undefined;
      rrStart[n] = start;
      rrEnd[n] = off;
      rrType[n] = type;
      rrTtlAt[n] = ttlAt;
      rrSection[n] = section;
      n++;
    }
  }
  if (off !== reply.length) return undefined;
  const c = compiled;
  c.ttlCount = 0;
  for (let i = 0; i < n; i++) if (rrType[i] !== TYPE_OPT) c.ttls[c.ttlCount++] = rrTtlAt[i];
  c.groupCount = 0;
  if (shuffle && (reply[3] & 0x0f) === 0) {
    let b = 0;
    for (let section = 0; section < 3; section++) {
      for (let kind = 0; kind < 2; kind++) {
        let m = 0;
        for (let i = 0; i < n; i++) if (rrSection[i] === section && ofKind(kind, rrType[i])) members[m++] = i;
        if (m < 2) continue;
        // Moving blocks is only sound when they are alike and nothing points into them.
        const first = members[0];
        const size = rrEnd[first] - rrStart[first];
        const ttlRel = rrTtlAt[first] - rrStart[first];
        for (let k = 0; k < m; k++) {
          const r = members[k];
          if (rrEnd[r] - rrStart[r] !== size || rrTtlAt[r] - rrStart[r] !== ttlRel) return undefined;
          for (let p = 0; p < pointerCount; p++)
            if (pointers[p] >= rrStart[r] && pointers[p] < rrEnd[r]) return undefined;
          c.bounds[b++] = rrStart[r];
          c.bounds[b++] = rrEnd[r];
        }
        c.groupSizes[c.groupCount++] = m;
      }
    }
  }
  return c;
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
  let n = HEAD + 2 * c.ttlCount + reply.length + QHEAD + query.length - questionEnd(query);
  for (let g = 0; g < c.groupCount; g++) n += 2 + 4 * c.groupSizes[g];
  return n;
}

/** Write the template at `at` of `buf` (templateSize bytes). */
export function writeTemplate(buf: Buffer, at: number, query: Buffer, reply: Buffer, c: Compiled): void {
  const qEnd = questionEnd(query);
  let o = at;
  o = put16(buf, o, reply.length);
  o = put16(buf, o, query.length);
  o = put16(buf, o, c.ttlCount);
  o = put16(buf, o, c.groupCount);
  o = put16(buf, o, query.length - qEnd);
  for (let t = 0; t < c.ttlCount; t++) o = put16(buf, o, c.ttls[t]);
  for (let g = 0, b = 0; g < c.groupCount; g++) {
    const m = c.groupSizes[g];
    o = put16(buf, o, m);
    for (let k = 0; k < 2 * m; k++) o = put16(buf, o, c.bounds[b++]);
  }
  o = copyBytes(reply, 0, reply.length, buf, o);
  o = copyBytes(query, 2, 12, buf, o);
  copyBytes(query, qEnd, query.length, buf, o);
}

/** A 16-bit big-endian field; the offset after it (Buffer's writer checks its arguments first). */
function put16(buf: Buffer, o: number, v: number): number {
  buf[o] = v >> 8;
  buf[o + 1] = v & 0xff;
  return o + 2;
}

/**
 * Copy src[from, to) into dst at o; the offset after it. Templates are a few hundred bytes at
 * most: a loop beats Buffer#copy, which makes a typed-array view per call to copy through.
 */
function copyBytes(src: Buffer, from: number, to: number, dst: Buffer, o: number): number {
  for (let i = from; i < to; i++) dst[o++] = src[i];
  return o;
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
function skipName(b: Buffer, off: number): number {
  for (let hops = 0; hops < 128; hops++) {
    if (off >= b.length) return -1;
    const l = b[off];
    if (l === 0) return off + 1;
    if ((l & 0xc0) === 0xc0) {
      if (off + 1 >= b.length || pointerCount === MAX_POINTERS) return -1;
      pointers[pointerCount++] = ((l & 0x3f) << 8) | b[off + 1];
      return off + 2;
    }
    if (l > 63) return -1;
    off += l + 1;
  }
  return -1;
}

/** Collect the pointers inside the names of record data that may be compressed (RFC 3597 §4). */
function rdataNames(b: Buffer, type: number, start: number, end: number): boolean {
  let at: number;
  switch (type) {
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
      at = 0;
      break;
    case TYPE_MX:
      at = 2;
      break;
    case 33: // SRV
      at = 6;
      break;
    case 6: {
      // SOA: two names
      const n = skipName(b, start);
      return n >= 0 && n <= end && skipName(b, n) >= 0;
    }
    default:
      return true;
  }
  const n = skipName(b, start + at);
  return n >= 0 && n <= end;
}
