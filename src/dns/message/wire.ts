/**
 * Wire encoding of responses with name compression and truncation to a buffer size.
 * dns-packet decodes well but encodes without compression, so the message frame and owner names
 * are written here; record data comes from dns-packet's per-type encoders (with compression
 * for the RFC 1035 types whose rdata is a name, as miekg/dns does).
 */
import dnsPacket, { type Answer, type Packet, type Question } from "dns-packet";

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

/** Thrown when a name or record cannot be written (label too long, name too long). */
export class EncodeError extends Error {}

class Writer {
  offset = 12;
  private readonly names = new Map<string, number>();
  constructor(
    readonly buf: Buffer,
    readonly limit: number,
  ) {}

  /** Write a name, compressed against earlier names (case-sensitive keys keep the query's case). */
  name(n: string, compress: boolean): void {
    const s = n.endsWith(".") ? n.slice(0, -1) : n;
    if (s === "" || s === ".") {
      this.byte(0);
      return;
    }
    let total = 1;
    // Suffixes are slices from each label start (one string each, not a join per label).
    for (let pos = 0; ; ) {
      const suffix = pos === 0 ? s : s.slice(pos);
      if (compress) {
        const ptr = this.names.get(suffix);
        if (ptr !== undefined) {
          this.u16(0xc000 | ptr);
          return;
        }
      }
      if (this.offset < 0x3fff) this.names.set(suffix, this.offset);
      const dot = s.indexOf(".", pos);
      const end = dot < 0 ? s.length : dot;
      const len = asciiLength(s, pos, end);
      if (len >= 0) {
        // The common case, written byte by byte: no label string, no UTF-8 encoder call.
        this.label(n, len, total);
        total += len + 1;
        const buf = this.buf;
        let o = this.offset;
        buf[o++] = len;
        for (let i = pos; i < end; i++) buf[o++] = s.charCodeAt(i);
        this.offset = o;
      } else {
        const label = s.slice(pos, end);
        const bytes = Buffer.byteLength(label);
        this.label(n, bytes, total);
        total += bytes + 1;
        this.buf[this.offset] = bytes;
        this.buf.write(label, this.offset + 1);
        this.offset += bytes + 1;
      }
      if (dot < 0) break;
      pos = dot + 1;
    }
    this.byte(0);
  }

  /** Check one label of `n` (its byte length, the name's length so far) and make room for it. */
  private label(n: string, len: number, total: number): void {
    if (len === 0 || len > 63) throw new EncodeError(`invalid label in name ${JSON.stringify(n)}`);
    if (total + len + 1 > 255) throw new EncodeError(`name too long: ${n}`);
    this.room(len + 1);
  }

  room(n: number): void {
    if (this.offset + n > this.limit) throw new Overflow();
  }
  byte(v: number): void {
    this.room(1);
    this.buf[this.offset++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, this.offset);
    this.offset += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.offset);
    this.offset += 4;
  }

  question(q: Question): void {
    this.name(q.name, true);
    this.u16(typeToNumber(q.type));
    this.u16(classToNumber(q.class ?? "IN"));
  }

  rr(a: Answer): void {
    this.name(a.name, true);
    this.u16(typeToNumber(a.type));
    if (a.type === "OPT") {
      this.u16(a.udpPayloadSize || 4096);
      this.byte(a.extendedRcode || 0);
      this.byte(a.ednsVersion || 0);
      this.u16(a.flags || 0);
      this.rdata("OPT", a.options ?? []);
      return;
    }
    this.u16(classToNumber(a.class ?? "IN") | (a.flush ? 0x8000 : 0));
    this.u32(a.ttl ?? 0);
    switch (a.type) {
      case "CNAME":
      case "NS":
      case "PTR":
        this.compressedRdata(() => this.name(a.data, true));
        return;
      case "MX":
        this.compressedRdata(() => {
          this.u16(a.data.preference ?? 0);
          this.name(a.data.exchange, true);
        });
        return;
      case "SOA":
        this.compressedRdata(() => {
          this.name(a.data.mname, true);
          this.name(a.data.rname, true);
          this.u32(a.data.serial ?? 0);
          this.u32(a.data.refresh ?? 0);
          this.u32(a.data.retry ?? 0);
          this.u32(a.data.expire ?? 0);
          this.u32(a.data.minimum ?? 0);
        });
        return;
      default:
        this.rdata(a.type, a.data);
    }
  }

  private compressedRdata(body: () => void): void {
    const lenAt = this.offset;
    this.u16(0);
    body();
    this.buf.writeUInt16BE(this.offset - lenAt - 2, lenAt);
  }

  /** Rdata via dns-packet's encoder, which writes the 2-byte length itself. */
  private rdata(type: string, data: unknown): void {
    const codec = record(type);
    this.room(codec.encodingLength(data));
    codec.encode(data, this.buf, this.offset);
    this.offset += codec.encode.bytes;
  }
}

class Overflow extends Error {}

export interface Encoded {
  buf: Buffer;
  /** Records were dropped to fit and TC was set. */
  truncated: boolean;
}

/**
 * Encode a message to fit in `size` bytes (miekg/dns Msg.Truncate): when it does not fit, keep
 * as many answer, then authority, then additional records as fit, set TC if any was dropped,
 * and keep the OPT record.
 */
export function encodeMessage(msg: Packet, size: number = MAX_MSG_SIZE): Encoded {
  const limit = Math.min(Math.max(size, MIN_MSG_SIZE), MAX_MSG_SIZE);
  const questions = msg.questions ?? [];
  const sections = [msg.answers ?? [], msg.authorities ?? [], msg.additionals ?? []];
  const full = tryEncode(msg, questions, sections, limit);
  if (full) return { buf: full, truncated: false };

  const extra = sections[2];
  const opt = extra.find((r) => r.type === "OPT");
  const rest = [sections[0], sections[1], extra.filter((r) => r.type !== "OPT")];
  const optLen = opt ? 11 + record("OPT").encodingLength(opt.options ?? []) - 2 : 0;
  const w = new Writer(scratch, limit - optLen);
  const kept: Answer[][] = [[], [], []];
  let questionsFit = true;
  try {
    for (const q of questions) w.question(q);
  } catch (err) {
    if (!(err instanceof Overflow)) throw err;
    questionsFit = false;
  }
  let room = questionsFit;
  for (let s = 0; s < 3 && room; s++) {
    for (const rr of rest[s]) {
      const mark = w.offset;
      try {
        w.rr(rr);
        kept[s].push(rr);
      } catch (err) {
        if (!(err instanceof Overflow)) throw err;
        w.offset = mark;
        room = false;
        break;
      }
    }
  }
  if (opt) kept[2].push(opt);
  const flags = (msg.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE;
  const out = tryEncode({ ...msg, flags }, questionsFit ? questions : [], kept, limit);
  if (!out) throw new EncodeError("truncated message still does not fit");
  return { buf: out, truncated: true };
}

function tryEncode(
  msg: Packet,
  questions: Question[],
  sections: Answer[][],
  limit: number,
): Buffer | undefined {
  const w = new Writer(scratch, limit);
  try {
    for (const q of questions) w.question(q);
    for (const section of sections) for (const rr of section) w.rr(rr);
  } catch (err) {
    if (err instanceof Overflow) return undefined;
    throw err;
  }
  scratch.writeUInt16BE(msg.id ?? 0, 0);
  scratch.writeUInt16BE(((msg.flags ?? 0) & 0x7fff) | (msg.type === "response" ? 0x8000 : 0), 2);
  scratch.writeUInt16BE(questions.length, 4);
  scratch.writeUInt16BE(sections[0].length, 6);
  scratch.writeUInt16BE(sections[1].length, 8);
  scratch.writeUInt16BE(sections[2].length, 10);
  return Buffer.from(scratch.subarray(0, w.offset));
}

/** The length of s[from, to) when it is all ASCII (so one byte per character), else -1. */
function asciiLength(s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return to - from;
}

const CLASSES = new Map(Object.entries({ IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 }));

function classToNumber(c: string): number {
  const n = CLASSES.get(c) ?? CLASSES.get(c.toUpperCase());
  if (n !== undefined) return n;
  const m = /^(?:CLASS|UNKNOWN_)(\d+)$/i.exec(c);
  if (m) return Number(m[1]) & 0xffff;
  throw new EncodeError(`unknown class ${c}`);
}

const TYPES = new Map<string, number>(
  Object.entries({
    A: 1,
    NS: 2,
    CNAME: 5,
    SOA: 6,
    NULL: 10,
    PTR: 12,
    HINFO: 13,
    MX: 15,
    TXT: 16,
    RP: 17,
    AAAA: 28,
    SRV: 33,
    NAPTR: 35,
    DNAME: 39,
    OPT: 41,
    DS: 43,
    SSHFP: 44,
    RRSIG: 46,
    NSEC: 47,
    DNSKEY: 48,
    NSEC3: 50,
    TLSA: 52,
    SVCB: 64,
    HTTPS: 65,
    ANY: 255,
    AXFR: 252,
    IXFR: 251,
    CAA: 257,
  }),
);

/** A record type's number; accepts dns-packet's "UNKNOWN_n" and RFC 3597's "TYPEn". */
export function typeToNumber(t: string): number {
  const n = TYPES.get(t) ?? TYPES.get(t.toUpperCase());
  if (n !== undefined) return n;
  const m = /^(?:TYPE|UNKNOWN_)(\d+)$/i.exec(t);
  if (m) return Number(m[1]) & 0xffff;
  throw new EncodeError(`unknown record type ${t}`);
}
