/**
 * Wire encoding of responses with name compression and truncation to a buffer size.
 * dns-packet decodes well but encodes without compression and with an allocation or two per
 * field, so the message frame, owner names and the common record types are written here, into
 * one scratch buffer with a dictionary that allocates nothing per label (dictionary.ts). Names in
 * the RFC 1035 types' rdata are compressed as miekg/dns does; SRV targets and DNAME are not. The
 * other types, and odd data, go through dns-packet's per-type encoders (same bytes as before).
 */
import dnsPacket, { type Answer, type Packet, type Question } from "dns-packet";
import { readIPv4, readIPv6 } from "../../util/ip.ts";
import { classes, types } from "./codes.ts";
import { Dictionary, Labels } from "./dictionary.ts";

interface RdataCodec {
  encode(data: unknown, buf: Buffer, offset: number): Buffer;
  encodingLength(data: unknown): number;
}
interface EncodeFn {
  bytes: number;
}
const record = (dnsPacket as unknown as { record(type: string): RdataCodec & { encode: EncodeFn } }).record;

/** The largest DNS message (TCP's 16-bit length). */
export const MAX_MSG_SIZE = 65535;
/** The smallest buffer a client may advertise (RFC 6891). */
export const MIN_MSG_SIZE = 512;

const scratch = Buffer.allocUnsafe(MAX_MSG_SIZE);
const DOT = 0x2e;

/** Thrown when a name or record cannot be written (label too long, name too long). */
export class EncodeError extends Error {}

/** The buffer is full: thrown and caught inside this module only, so one object will do. */
class Overflow extends Error {}
const OVERFLOW = new Overflow("message does not fit");

/** One writer for the module: encoding is synchronous, so messages never interleave. */
class Writer {
  offset = 12;
  limit = MAX_MSG_SIZE;
  /** Names are compressed (off for the cache's stored records, which are read one by one). */
  compress = true;
  readonly buf = scratch;
  private readonly dict = new Dictionary();
  private readonly labels = new Labels();

  /**
   * The last names written whole and where the dictionary has them: a reply repeats the
   * question's name as owner name, and an identical string needs no split or compare.
   */
  private readonly recent: string[] = ["", "", "", ""];
  private readonly recentAt = new Int32Array(4);
  private recentNext = 0;

  reset(limit: number): this {
    this.offset = 12;
    this.limit = limit;
    this.compress = true;
    this.dict.clear();
    this.recentAt.fill(-1);
    return this;
  }

  private remember(n: string, at: number): void {
    const k = this.recentNext;
    this.recent[k] = n;
    this.recentAt[k] = at;
    this.recentNext = (k + 1) & 3;
  }

  /** Write a name, compressed against earlier names (case-sensitive keys keep the query's case). */
  name(n: string): void {
    // The name without one trailing dot is s[0, to).
    let to = n.length;
    if (to > 0 && n.charCodeAt(to - 1) === DOT) to--;
    if (to === 0 || (to === 1 && n.charCodeAt(0) === DOT)) {
      this.byte(0);
      return;
    }
    if (!this.compress && this.plain(n, to)) return;
    for (let k = 0; k < 4; k++) {
      const at = this.recentAt[k];
      if (at >= 0 && this.recent[k] === n && this.compress) {
        this.u16(0xc000 | at);
        return;
      }
    }
    const labels = this.labels;
    const count = labels.split(n, to);
    const { start, hash, ascii } = labels;
    let total = 1;
    // Labels from the left: split numbered them from the right.
    for (let i = count - 1; i >= 0; i--) {
      const from = start[i];
      const ptr = this.compress ? this.dict.find(n, from, to, hash[i]) : -1;
      if (ptr >= 0) {
        // The whole name counts, the suffix pointed at too (miekg/dns ErrLongDomain): labels
        // written out before a pointer to a long suffix made names no decoder would take.
        if (i < count - 1) {
          const rest = ascii ? to - from : Buffer.byteLength(n.slice(from, to));
          if (total + rest + 1 > 255) throw new EncodeError(`name too long: ${n}`);
        }
        if (i === count - 1) this.remember(n, ptr);
        this.u16(0xc000 | ptr);
        return;
      }
      if (
        this.compress &&
        this.offset < 0x3fff &&
        this.dict.add(n, from, to, hash[i], this.offset) &&
        i === count - 1
      ) {
        this.remember(n, this.offset);
      }
      const end = i > 0 ? start[i - 1] - 1 : to;
      const len = ascii ? end - from : asciiLength(n, from, end);
      if (len >= 0) {
        // The common case, written byte by byte: no label string, no UTF-8 encoder call.
        this.label(n, len, total);
        total += len + 1;
        const buf = this.buf;
        let o = this.offset;
        buf[o++] = len;
        for (let k = from; k < end; k++) buf[o++] = n.charCodeAt(k);
        this.offset = o;
      } else {
        const label = n.slice(from, end);
        const bytes = Buffer.byteLength(label);
        this.label(n, bytes, total);
        total += bytes + 1;
        this.buf[this.offset] = bytes;
        this.buf.write(label, this.offset + 1);
        this.offset += bytes + 1;
      }
    }
    this.byte(0);
  }

  /**
   * An ASCII name n[0, to) written label by label without compression, in one pass; false (and
   * nothing written) for anything the general path must judge: a label empty or over 63 bytes,
   * a name over 255, a byte outside ASCII, an escape.
   */
  private plain(n: string, to: number): boolean {
    if (to + 2 > 255) return false;
    this.room(to + 2);
    const buf = this.buf;
    const start = this.offset;
    let len = start;
    let o = start + 1;
    for (let i = 0; i < to; i++) {
      const c = n.charCodeAt(i);
      if (c === DOT) {
        const l = o - len - 1;
        if (l === 0 || l > 63) return false;
        buf[len] = l;
        len = o++;
        continue;
      }
      if (c > 0x7f || c === 0x5c) return false;
      buf[o++] = c;
    }
    const l = o - len - 1;
    if (l === 0 || l > 63) return false;
    buf[len] = l;
    buf[o++] = 0;
    this.offset = o;
    return true;
  }

  /** Check one label of `n` (its byte length, the name's length so far) and make room for it. */
  private label(n: string, len: number, total: number): void {
    if (len === 0 || len > 63) throw new EncodeError(`invalid label in name ${JSON.stringify(n)}`);
    if (total + len + 1 > 255) throw new EncodeError(`name too long: ${n}`);
    this.room(len + 1);
  }

  room(n: number): void {
    if (this.offset + n > this.limit) throw OVERFLOW;
  }
  byte(v: number): void {
    this.room(1);
    this.buf[this.offset++] = v;
  }
  u16(v: number): void {
    this.room(2);
    const o = this.offset;
    this.buf[o] = v >>> 8;
    this.buf[o + 1] = v;
    this.offset = o + 2;
  }
  u32(v: number): void {
    this.room(4);
    const x = v >>> 0;
    const buf = this.buf;
    const o = this.offset;
    buf[o] = x >>> 24;
    buf[o + 1] = x >>> 16;
    buf[o + 2] = x >>> 8;
    buf[o + 3] = x;
    this.offset = o + 4;
  }

  question(q: Question): void {
    this.name(q.name);
    this.u16(typeToNumber(q.type));
    this.u16(classToNumber(q.class ?? "IN"));
  }

  rr(a: Answer): void {
    this.name(a.name);
    const type = a.type;
    this.u16(typeToNumber(type));
    if (type === "OPT") {
      this.u16(a.udpPayloadSize || 4096);
      this.byte(a.extendedRcode || 0);
      this.byte(a.ednsVersion || 0);
      this.u16(a.flags || 0);
      const options = a.options;
      if (options == null || options.length === 0) this.u16(0);
      else this.rdata("OPT", options);
      return;
    }
    this.u16(classToNumber(a.class ?? "IN") | (a.flush ? 0x8000 : 0));
    this.u32(a.ttl ?? 0);
    // Case-sensitive on purpose: other spellings keep going through dns-packet, as before.
    switch (type) {
      case "A":
        this.a(a.data) || this.rdata(type, a.data);
        return;
      case "AAAA":
        this.aaaa(a.data) || this.rdata(type, a.data);
        return;
      case "CNAME":
      case "NS":
      case "PTR": {
        const at = this.rdlength();
        this.name(a.data);
        this.rdlengthEnd(at);
        return;
      }
      case "MX": {
        const at = this.rdlength();
        this.u16(a.data.preference ?? 0);
        this.name(a.data.exchange);
        this.rdlengthEnd(at);
        return;
      }
      case "SOA": {
        const at = this.rdlength();
        const d = a.data;
        this.name(d.mname);
        this.name(d.rname);
        this.u32(d.serial ?? 0);
        this.u32(d.refresh ?? 0);
        this.u32(d.retry ?? 0);
        this.u32(d.expire ?? 0);
        this.u32(d.minimum ?? 0);
        this.rdlengthEnd(at);
        return;
      }
      case "SRV":
        this.srv(a.data) || this.rdata(type, a.data);
        return;
      case "DNAME":
        this.dname(a.data) || this.rdata(type, a.data);
        return;
      case "TXT":
        this.txt(a.data);
        return;
      default:
        this.rdata(type, a.data);
    }
  }

  /** Reserve the rdata length; rdlengthEnd fills it in. */
  private rdlength(): number {
    const at = this.offset;
    this.u16(0);
    return at;
  }
  private rdlengthEnd(at: number): void {
    const len = this.offset - at - 2;
    this.buf[at] = len >>> 8;
    this.buf[at + 1] = len;
  }

  /** A rdata from address text; false (nothing written) for data that is not a string. */
  private a(ip: unknown): boolean {
    if (typeof ip !== "string") return false;
    this.room(6);
    const o = this.offset;
    // Leading zeros read as decimal (ParseIPSloppy): hosts files and templates may have them.
    if (!readIPv4(ip, 0, ip.length, this.buf, o + 2, true))
      throw new EncodeError(`invalid IPv4 address ${JSON.stringify(ip)}`);
    this.buf[o] = 0;
    this.buf[o + 1] = 4;
    this.offset = o + 6;
    return true;
  }

  /** AAAA rdata from RFC 4291 text; false (nothing written) for data that is not a string. */
  private aaaa(ip: unknown): boolean {
    if (typeof ip !== "string") return false;
    this.room(18);
    const o = this.offset;
    if (!readIPv6(ip, this.buf, o + 2)) throw new EncodeError(`invalid IPv6 address ${JSON.stringify(ip)}`);
    this.buf[o] = 0;
    this.buf[o + 1] = 16;
    this.offset = o + 18;
    return true;
  }

  /** SRV with a plain target (dns-packet's rules: not compressed, labels not checked). */
  private srv(d: { priority?: number; weight?: number; port?: number; target: string }): boolean {
    const target = d.target;
    if (typeof target !== "string" || !plainName(target)) return false;
    this.room(8 + plainNameLength(target));
    const buf = this.buf;
    const o = this.offset;
    buf.writeUInt16BE(d.priority || 0, o + 2);
    buf.writeUInt16BE(d.weight || 0, o + 4);
    buf.writeUInt16BE(d.port || 0, o + 6);
    const len = writePlainName(target, buf, o + 8) + 6;
    buf[o] = len >>> 8;
    buf[o + 1] = len;
    this.offset = o + len + 2;
    return true;
  }

  /** DNAME with a plain target, uncompressed (RFC 6672), as dns-packet writes it. */
  private dname(target: unknown): boolean {
    if (typeof target !== "string" || !plainName(target)) return false;
    this.room(2 + plainNameLength(target));
    const o = this.offset;
    const len = writePlainName(target, this.buf, o + 2);
    this.buf[o] = len >>> 8;
    this.buf[o + 1] = len;
    this.offset = o + len + 2;
    return true;
  }

  /**
   * TXT as dns-packet writes it (a string, a Buffer or an array of them, anything else an Error;
   * strings are not turned into Buffers in place), except that a string over 255 bytes is an
   * EncodeError as in miekg/dns ("string exceeded 255 bytes in txt"), where dns-packet wrote its
   * length modulo 256 and so a message no one could decode.
   */
  private txt(data: unknown): void {
    const list = (Array.isArray(data) ? data : [data]) as unknown[];
    let size = 2;
    for (const d of list) {
      size += (typeof d === "string" ? Buffer.byteLength(d) : (d as { length: number }).length) + 1;
    }
    this.room(size);
    for (const d of list)
      if (typeof d !== "string" && !Buffer.isBuffer(d)) throw new Error("Must be a Buffer");
    const buf = this.buf;
    const at = this.offset;
    let o = at + 2;
    for (const d of list as (string | Buffer)[]) {
      if (typeof d === "string") {
        const n = asciiLength(d, 0, d.length);
        if (n > 255) throw txtTooLong();
        if (n >= 0) {
          buf[o++] = n;
          for (let i = 0; i < n; i++) buf[o++] = d.charCodeAt(i);
        } else {
          const bytes = buf.write(d, o + 1);
          if (bytes > 255) throw txtTooLong();
          buf[o] = bytes;
          o += bytes + 1;
        }
      } else {
        if (d.length > 255) throw txtTooLong();
        buf[o++] = d.length;
        o += d.copy(buf, o);
      }
    }
    const len = o - at - 2;
    buf[at] = len >>> 8;
    buf[at + 1] = len;
    this.offset = o;
  }

  /** Rdata via dns-packet's encoder, which writes the 2-byte length itself. */
  private rdata(type: string, data: unknown): true {
    const codec = record(type);
    this.room(codec.encodingLength(data));
    codec.encode(data, this.buf, this.offset);
    this.offset += codec.encode.bytes;
    return true;
  }
}

const writer = new Writer();
const txtTooLong = () => new EncodeError("string exceeded 255 bytes in txt");
const EMPTY: Answer[] = [];

export interface Encoded {
  buf: Buffer;
  /** Records were dropped to fit and TC was set. */
  truncated: boolean;
}

/**
 * Encode a message to fit in `size` bytes (miekg/dns Msg.Truncate): when it does not fit, keep
 * as many answer, then authority, then additional records as fit, set TC if any was dropped,
 * and keep the OPT record. With `view`, the bytes are a view of this module's scratch buffer,
 * valid until the next encode: for a caller that copies them at once (a batched socket's slot).
 */
export function encodeMessage(msg: Packet, size: number = MAX_MSG_SIZE, view = false): Encoded {
  const limit = Math.min(Math.max(size, MIN_MSG_SIZE), MAX_MSG_SIZE);
  const questions = msg.questions ?? (EMPTY as Question[]);
  const an = msg.answers ?? EMPTY;
  const ns = msg.authorities ?? EMPTY;
  const ar = msg.additionals ?? EMPTY;
  const full = tryEncode(msg, msg.flags ?? 0, questions, an, ns, ar, limit, view);
  if (full) return { buf: full, truncated: false };

  const opt = ar.find((r) => r.type === "OPT");
  const rest = [an, ns, ar.filter((r) => r.type !== "OPT")];
  const optLen = opt ? 11 + record("OPT").encodingLength(opt.options ?? []) - 2 : 0;
  // miekg's Msg.Truncate: the question and the OPT are always kept (the reply may then exceed
  // the size: a client's huge padding option is echoed, not turned into SERVFAIL); records are
  // kept in order while they fit in what the OPT leaves.
  const w = writer.reset(MAX_MSG_SIZE);
  const budget = limit - optLen;
  const kept: Answer[][] = [[], [], []];
  for (const q of questions) w.question(q);
  let room = w.offset < budget;
  for (let s = 0; s < 3 && room; s++) {
    for (const rr of rest[s]) {
      const mark = w.offset;
      try {
        w.rr(rr);
      } catch (err) {
        if (!(err instanceof Overflow)) throw err;
        w.offset = budget + 1;
      }
      if (w.offset > budget) {
        w.offset = mark;
        room = false;
        break;
      }
      kept[s].push(rr);
    }
  }
  // TC says records were left out (a reply over the size with all its records, question and
  // OPT alone, is not marked: miekg sets it only when it drops some).
  const dropped = kept[0].length < an.length || kept[1].length < ns.length || kept[2].length < rest[2].length;
  if (opt) kept[2].push(opt);
  const flags = (msg.flags ?? 0) | (dropped ? dnsPacket.TRUNCATED_RESPONSE : 0);
  const out = tryEncode(msg, flags, questions, kept[0], kept[1], kept[2], MAX_MSG_SIZE, view);
  if (!out) throw new EncodeError("truncated message does not fit in 65535 bytes");
  return { buf: out, truncated: dropped };
}

/**
 * The records of `sections` but OPT, one after another with no name compressed, written from
 * offset 0 of a scratch buffer: the form the cache keeps a reply's records in (each record reads
 * alone, wherever its bytes are copied). Returns a view valid until the next encode, and how
 * many records each section gave. Throws EncodeError for a record that cannot be written.
 */
export function encodeRecords(sections: ReadonlyArray<readonly Answer[] | undefined>): {
  bytes: Buffer;
  counts: number[];
} {
  const w = writer.reset(MAX_MSG_SIZE);
  w.compress = false;
  w.offset = 0;
  const counts: number[] = [];
  try {
    for (const rrs of sections) {
      let n = 0;
      if (rrs)
        for (let i = 0; i < rrs.length; i++) {
          if (rrs[i].type === "OPT") continue;
          w.rr(rrs[i]);
          n++;
        }
      counts.push(n);
    }
  } catch (err) {
    if (err instanceof Overflow) throw new EncodeError("records do not fit in 65535 bytes");
    throw err;
  }
  return { bytes: scratch.subarray(0, w.offset), counts };
}

function tryEncode(
  msg: Packet,
  flags: number,
  questions: Question[],
  an: Answer[],
  ns: Answer[],
  ar: Answer[],
  limit: number,
  view: boolean,
): Buffer | undefined {
  const w = writer.reset(limit);
  try {
    for (let i = 0; i < questions.length; i++) w.question(questions[i]);
    for (let i = 0; i < an.length; i++) w.rr(an[i]);
    for (let i = 0; i < ns.length; i++) w.rr(ns[i]);
    for (let i = 0; i < ar.length; i++) w.rr(ar[i]);
  } catch (err) {
    if (err instanceof Overflow) return undefined;
    throw err;
  }
  const id = msg.id ?? 0;
  // An id outside 0-65535 throws writeUInt16BE's RangeError, as it did.
  if (id >= 0 && id <= 0xffff) {
    scratch[0] = id >>> 8;
    scratch[1] = id;
  } else scratch.writeUInt16BE(id, 0);
  const f = (flags & 0x7fff) | (msg.type === "response" ? 0x8000 : 0);
  scratch[2] = f >>> 8;
  scratch[3] = f;
  // Counts fit in 16 bits: each record or question takes bytes of a ≤ 65535-byte message.
  scratch[4] = questions.length >>> 8;
  scratch[5] = questions.length;
  scratch[6] = an.length >>> 8;
  scratch[7] = an.length;
  scratch[8] = ns.length >>> 8;
  scratch[9] = ns.length;
  scratch[10] = ar.length >>> 8;
  scratch[11] = ar.length;
  return view ? scratch.subarray(0, w.offset) : copyOut(w.offset);
}

/** A Buffer of its own (from Node's pool when small) holding scratch[0, len). */
function copyOut(len: number): Buffer {
  const out = Buffer.allocUnsafe(len);
  scratch.copy(out, 0, 0, len);
  return out;
}

/**
 * ASCII without line terminators: then dns-packet's name encoder (used for SRV targets and
 * DNAME, uncompressed) trims one leading and one trailing dot and splits at every dot, which
 * plainNameLength and writePlainName repeat. Its trimming regex has the m flag, hence \n and \r.
 */
function plainName(n: string): boolean {
  for (let i = 0; i < n.length; i++) {
    const c = n.charCodeAt(i);
    if (c > 0x7f || c === 0x0a || c === 0x0d) return false;
  }
  return true;
}

/** dns-packet's name.encodingLength of a plain name (2 for "", one more than it writes). */
function plainNameLength(n: string): number {
  if (n === "." || n === "..") return 1;
  const from = n.charCodeAt(0) === DOT ? 1 : 0;
  const to = n.length > from && n.charCodeAt(n.length - 1) === DOT ? n.length - 1 : n.length;
  return to - from + 2;
}

/** A plain name as dns-packet writes it: labels unchecked, length bytes modulo 256. */
function writePlainName(n: string, buf: Buffer, at: number): number {
  const from = n.charCodeAt(0) === DOT ? 1 : 0;
  const to = n.length > from && n.charCodeAt(n.length - 1) === DOT ? n.length - 1 : n.length;
  let o = at;
  if (to > from) {
    for (let start = from; ; ) {
      let end = n.indexOf(".", start);
      if (end < 0 || end > to) end = to;
      buf[o++] = end - start;
      for (let i = start; i < end; i++) buf[o++] = n.charCodeAt(i);
      if (end === to) break;
      start = end + 1;
    }
  }
  buf[o++] = 0;
  return o - at;
}

/** The length of s[from, to) when it is all ASCII (so one byte per character), else -1. */
function asciiLength(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return to - from;
}

function classToNumber(c: string): number {
  if (c === "IN") return 1;
  const n = classes.toClass(c);
  if (n !== 0) return n;
  const m = /^(?:CLASS|UNKNOWN_)(\d+)$/i.exec(c);
  if (m) return Number(m[1]) & 0xffff;
  throw new EncodeError(`unknown class ${c}`);
}

/** A record type's number; accepts dns-packet's "UNKNOWN_n" and RFC 3597's "TYPEn". */
export function typeToNumber(t: string): number {
  // The types of nearly every reply first, without hashing the name.
  switch (t) {
    case "A":
      return 1;
    case "AAAA":
      return 28;
    case "SRV":
      return 33;
    case "PTR":
      return 12;
    case "OPT":
      return 41;
    case "SOA":
      return 6;
    case "CNAME":
      return 5;
  }
  const n = types.toType(t);
  if (n !== 0) return n;
  const m = /^(?:TYPE|UNKNOWN_)(\d+)$/i.exec(t);
  if (m) return Number(m[1]) & 0xffff;
  throw new EncodeError(`unknown record type ${t}`);
}
