/**
 * Query decoding without dns-packet on the hot path, and miekg/dns's unpack verdict for the rest.
 *
 * `decodeQuery` handles the shape nearly every client sends (one question with an uncompressed
 * ASCII name, no answer or authority, at most one OPT with well-formed options) and builds the
 * very object dns-packet's decode builds, with dns-packet's own mnemonic tables (codes.ts). Anything else
 * returns undefined and goes through dns-packet.
 *
 * `unpackKept` applies miekg/dns's Msg.unpack rules (msg.go, msg_helpers.go, edns.go) that
 * dns-packet does not: a record whose RDLENGTH runs past the message, rdata of the wrong size and
 * malformed EDNS options fail (FORMERR); a message that ends where a record should start keeps
 * the records read so far (the header's count "is a lie"); trailing bytes are ignored.
 *
 * `decodeWithQuestion` decodes the questions miekg reads and dns-packet does not: a name with a
 * pointer forward, a question cut after its name or its type.
 */
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type PacketOpt,
  type Question,
} from "dns-packet";
import { classes, opcodes, optioncodes, rcodes, types } from "./codes.ts";

/** dns-packet's option decoder: its ECS, keepalive and key-tag shapes (not in its typings). */
const optionCodec = (dnsPacket as unknown as { option: { decode(buf: Buffer, offset: number): PacketOpt } })
  .option;

/** Scratch for a name's text: one latin1 string is cut from it (ASCII reads the same in UTF-8). */
const nameBuf = Buffer.allocUnsafe(256);

/** Where the last name asciiName read ends. */
let asciiEnd = 0;

/**
 * The uncompressed name of ASCII labels at `o` as dns-packet reads it (labels joined by dots,
 * "." for the root), with a final dot when `fq`, ending at asciiEnd. Undefined for a pointer or
 * reserved label type, a name of 255 octets or more, a byte outside ASCII, the end of `buf`, or
 * with `mail` a dot inside a label (dns-packet escapes those in a mailbox name).
 */
function asciiName(buf: Buffer, o: number, fq: boolean, mail: boolean): string | undefined {
  const len = buf.length;
  let n = 0;
  let wire = 0;
  for (;;) {
    if (o >= len) return undefined;
    const c = buf[o];
    if (c === 0) break;
    wire += c + 1;
    if (c > 63 || o + 1 + c > len || wire > 254) return undefined;
    if (n > 0) nameBuf[n++] = 0x2e;
    const end = o + 1 + c;
    for (let i = o + 1; i < end; i++) {
      const b = buf[i];
      if (b > 0x7f || (mail && b === 0x2e)) return undefined;
      nameBuf[n++] = b;
    }
    o = end;
  }
  asciiEnd = o + 1;
  if (n === 0) return ".";
  if (fq) nameBuf[n++] = 0x2e;
  return nameBuf.toString("latin1", 0, n);
}

/**
 * The DecodedPacket dns-packet builds for `buf`, when buf has the common query shape; undefined
 * otherwise (dns-packet decides then).
 */
export function decodeQuery(buf: Buffer): DecodedPacket | undefined {
  const len = buf.length;
  // QDCOUNT 1, ANCOUNT 0, NSCOUNT 0, ARCOUNT 0 or 1.
  if (len < 17 || buf[4] !== 0 || buf[5] !== 1 || buf[6] !== 0 || buf[7] !== 0) return undefined;
  if (buf[8] !== 0 || buf[9] !== 0 || buf[10] !== 0 || buf[11] > 1) return undefined;
  // Pointers and reserved label types, names of 255 octets or more, bytes that UTF-8 would
  // decode differently: dns-packet's job.
  const name = asciiName(buf, 12, false, false);
  if (name === undefined) return undefined;
  let o = asciiEnd;
  if (o + 4 > len) return undefined;
  const question: Question = {
    name,
    type: types.toString((buf[o] << 8) | buf[o + 1]) as Question["type"],
    class: classes.toString((buf[o + 2] << 8) | buf[o + 3]) as Question["class"],
  };
  o += 4;
  let additionals: OptAnswer[] = [];
  if (buf[11] === 1) {
    const opt = decodeOpt(buf, o);
    if (!opt) return undefined;
    additionals = [opt];
  }
  const flags = (buf[2] << 8) | buf[3];
  const msg = {
    id: (buf[0] << 8) | buf[1],
    type: flags & 0x8000 ? "response" : "query",
    flags: flags & 0x7fff,
    flag_qr: (flags & 0x8000) !== 0,
    opcode: opcodes.toString((flags >> 11) & 0xf),
    flag_aa: (flags & 0x0400) !== 0,
    flag_tc: (flags & 0x0200) !== 0,
    flag_rd: (flags & 0x0100) !== 0,
    flag_ra: (flags & 0x0080) !== 0,
    flag_z: (flags & 0x0040) !== 0,
    flag_ad: (flags & 0x0020) !== 0,
    flag_cd: (flags & 0x0010) !== 0,
    rcode: rcodes.toString(flags & 0xf),
    questions: [question],
    answers: [],
    authorities: [],
    additionals,
  } satisfies DecodedPacket & { opcode: string; rcode: string };
  return msg as DecodedPacket;
}

/** An OPT with the root name at `o` whose options fill its rdata exactly and pass miekg's checks. */
function decodeOpt(buf: Buffer, o: number): OptAnswer | undefined {
  const len = buf.length;
  if (o + 11 > len || buf[o] !== 0 || buf[o + 1] !== 0 || buf[o + 2] !== 41) return undefined;
  const rdStart = o + 11;
  const rdEnd = rdStart + ((buf[o + 9] << 8) | buf[o + 10]);
  if (rdEnd > len) return undefined;
  const options: PacketOpt[] = [];
  for (let p = rdStart; p < rdEnd; ) {
    if (p + 4 > rdEnd) return undefined;
    const code = (buf[p] << 8) | buf[p + 1];
    const olen = (buf[p + 2] << 8) | buf[p + 3];
    const dataEnd = p + 4 + olen;
    if (dataEnd > rdEnd || !optionOk(buf, code, p + 4, olen)) return undefined;
    // An odd key-tag list makes dns-packet read past the option: left to it.
    if (code === 14 && (olen & 1) === 1) return undefined;
    if (code === 8 || code === 11 || code === 14) options.push(optionCodec.decode(buf, p));
    else
      options.push({
        code,
        type: optioncodes.toString(code),
        data: buf.subarray(p + 4, dataEnd),
      } as unknown as PacketOpt);
    p = dataEnd;
  }
  const flags = (buf[o + 7] << 8) | buf[o + 8];
  return {
    name: ".",
    type: "OPT",
    udpPayloadSize: (buf[o + 3] << 8) | buf[o + 4],
    extendedRcode: buf[o + 5],
    ednsVersion: buf[o + 6],
    flags,
    flag_do: (flags & 0x8000) !== 0,
    options,
  };
}

/** miekg/dns's EDNS0 option unpack errors (edns.go), by option code. */
function optionOk(buf: Buffer, code: number, at: number, n: number): boolean {
  switch (code) {
    case 1: // LLQ
      return n >= 18;
    case 2: // UL
      return n === 4 || n === 8;
    case 8: {
      // SUBNET: family 0 only with a zero source netmask, 1 and 2 with netmasks that fit.
      if (n < 4) return false;
      const family = (buf[at] << 8) | buf[at + 1];
      const source = buf[at + 2];
      const scope = buf[at + 3];
      if (family === 0) return source === 0;
      if (family === 1) return source <= 32 && scope <= 32;
      if (family === 2) return source <= 128 && scope <= 128;
      return false;
    }
    case 9: // EXPIRE
      return n === 0 || n >= 4;
    case 11: // TCP keepalive
      return n === 0 || n === 2;
    case 15: // Extended DNS Error
    case 19: // ZONEVERSION
      return n >= 2;
    case 18: // REPORTING: one domain name, read from the option alone
      return nameEnd(buf, at, at + n) >= 0;
    default:
      return true;
  }
}

/**
 * Where the name at `o` ends, reading no further than `limit` (miekg UnpackDomainName: pointers
 * anywhere before limit, at most 126 of them, fewer than 255 octets), or -1.
 */
function nameEnd(buf: Buffer, o: number, limit: number): number {
  let budget = 255;
  let pointers = 0;
  let after = -1;
  for (;;) {
    if (o >= limit) return -1;
    const c = buf[o++];
    const kind = c & 0xc0;
    if (kind === 0) {
      if (c === 0) break;
      if (o + c > limit) return -1;
      budget -= c + 1;
      if (budget <= 0) return -1;
      o += c;
    } else if (kind === 0xc0) {
      if (o >= limit) return -1;
      const target = ((c & 0x3f) << 8) | buf[o++];
      if (pointers === 0) after = o;
      if (++pointers > 126) return -1;
      o = target;
    } else return -1;
  }
  return pointers === 0 ? o : after;
}

/** Rdata sizes miekg checks exactly for types with fixed-size rdata. */
const FIXED_RDATA = new Map([
  [1, 4], // A
  [28, 16], // AAAA
]);
/** Types whose rdata is one domain name (NS, MD, MF, CNAME, MB, MG, MR, PTR, DNAME). */
const NAME_RDATA = new Set([2, 3, 4, 5, 7, 8, 9, 12, 39]);

function rdataOk(buf: Buffer, type: number, start: number, end: number): boolean {
  const fixed = FIXED_RDATA.get(type);
  if (fixed !== undefined) return end - start === fixed;
  if (NAME_RDATA.has(type)) return nameEnd(buf, start, end) === end;
  if (type !== 41) return true;
  for (let p = start; p < end; ) {
    if (p + 4 > end) return false;
    const olen = (buf[p + 2] << 8) | buf[p + 3];
    if (p + 4 + olen > end || !optionOk(buf, (buf[p] << 8) | buf[p + 1], p + 4, olen)) return false;
    p += 4 + olen;
  }
  return true;
}

/**
 * miekg/dns Msg.unpack's verdict on a message's records: how many answer, authority and
 * additional records it keeps, or undefined when unpacking fails. The question is walked with
 * miekg's name rules; rdata is checked for the sizes above, one-name types and OPT options,
 * other types only for RDLENGTH within the message.
 */
export function unpackKept(buf: Buffer): [number, number, number] | undefined {
  const len = buf.length;
  if (len < 12) return undefined;
  const kept: [number, number, number] = [0, 0, 0];
  // A bare header unpacks to an empty message.
  if (len === 12) return kept;
  let o = 12;
  const qd = buf.readUInt16BE(4);
  for (let i = 0; i < qd; i++) {
    o = nameEnd(buf, o, len);
    if (o >= 0) o = fieldsEnd(buf, o);
    if (o < 0) return undefined;
  }
  for (let s = 0; s < 3; s++) {
    const count = buf.readUInt16BE(6 + 2 * s);
    for (let i = 0; i < count && o < len; i++) {
      o = nameEnd(buf, o, len);
      if (o < 0 || o + 10 > len) return undefined;
      const type = (buf[o] << 8) | buf[o + 1];
      const start = o + 10;
      const end = start + ((buf[o + 8] << 8) | buf[o + 9]);
      if (end > len || (end > start && !rdataOk(buf, type, start, end))) return undefined;
      o = end;
      kept[s]++;
    }
  }
  return kept;
}

/**
 * Where a question's type and class end, its name ending at `o`, or -1: miekg's unpackQuestion
 * takes a message that ends after the name or the type, not one cut inside a field.
 */
function fieldsEnd(buf: Buffer, o: number): number {
  for (let f = 0; f < 2 && o < buf.length; f++) {
    if (o + 2 > buf.length) return -1;
    o += 2;
  }
  return o;
}

/**
 * The name at `o`, which nameEnd has accepted, written as dns-packet writes names (so a name
 * reads the same whichever decoder read it): labels decoded as UTF-8, nothing escaped, joined
 * by dots; "." for the root.
 */
function nameText(buf: Buffer, o: number): string {
  const labels: string[] = [];
  // nameEnd walked this very path: every label is inside the message and the pointers end.
  for (let c = buf[o]; c !== 0; c = buf[o]) {
    if (c >= 0xc0) o = ((c & 0x3f) << 8) | buf[o + 1];
    else {
      labels.push(buf.toString("utf8", o + 1, o + 1 + c));
      o += 1 + c;
    }
  }
  return labels.length === 0 ? "." : labels.join(".");
}

/**
 * miekg/dns unpackQuestion for the question at 12: the name read with miekg's rules (pointers to
 * any offset, where dns-packet takes only earlier ones), a type or class the message ends before
 * read as 0. Also where the question ends; undefined where miekg fails.
 */
export function unpackQuestion(buf: Buffer): { question: Question; end: number } | undefined {
  const at = nameEnd(buf, 12, buf.length);
  const end = at < 0 ? -1 : fieldsEnd(buf, at);
  if (end < 0) return undefined;
  const field = (o: number) => (o + 2 <= end ? buf.readUInt16BE(o) : 0);
  const question: Question = {
    name: nameText(buf, 12),
    type: types.toString(field(at)) as Question["type"],
    class: classes.toString(field(at + 2)) as Question["class"],
  };
  return { question, end };
}

/** dns-packet's record decoder, the one its decode runs per record (not in its typings). */
const recordCodec = (
  dnsPacket as unknown as {
    answer: { decode: ((buf: Buffer, offset: number) => Answer) & { bytes: number } };
  }
).answer;

/**
 * The message as dns-packet's decode gives it, for a one-question message whose question only
 * miekg reads: the question from unpackQuestion, then `kept` records per section (unpackKept's
 * counts) by dns-packet's record decoder on this very message, so their own pointers read as
 * they would in its decode. Undefined when the question or a record cannot be read.
 */
export function decodeWithQuestion(
  buf: Buffer,
  kept: readonly [number, number, number],
): DecodedPacket | undefined {
  const q = unpackQuestion(buf);
  if (!q) return undefined;
  // dns-packet's header fields, from the header alone with no records announced.
  const head = Buffer.from(buf.subarray(0, 12));
  head.fill(0, 4, 12);
  const msg = dnsPacket.decode(head);
  msg.questions = [q.question];
  const sections: Answer[][] = [[], [], []];
  let o = q.end;
  try {
    for (let s = 0; s < 3; s++)
      for (let i = 0; i < kept[s]; i++) {
        sections[s].push(recordCodec.decode(buf, o));
        o += recordCodec.decode.bytes;
      }
  } catch {
    return undefined;
  }
  [msg.answers, msg.authorities, msg.additionals] = sections;
  return msg;
}

/**
 * `n` records from `offset` of `buf` (as wire.ts encodeRecords writes them: names uncompressed),
 * appended to `out` in dns-packet's shapes. Returns where they end. The kinds a cluster's
 * answers are made of (A, CNAME, PTR, NS, SRV, SOA in class IN, with plain ASCII names) are read
 * here, with their names fully qualified; the rest by dns-packet's decoder.
 */
export function decodeRecordsInto(buf: Buffer, offset: number, n: number, out: Answer[]): number {
  let o = offset;
  for (let i = 0; i < n; i++) {
    const r = plainRecord(buf, o);
    if (r) {
      out.push(r);
      o = recordEnd;
      continue;
    }
    out.push(recordCodec.decode(buf, o));
    o += recordCodec.decode.bytes;
  }
  return o;
}

/** Where the last record plainRecord read ends. */
let recordEnd = 0;

/** One record of a common kind in dns-packet's shape (its names with the final dot), or undefined. */
function plainRecord(buf: Buffer, o: number): Answer | undefined {
  const name = asciiName(buf, o, true, false);
  if (name === undefined) return undefined;
  o = asciiEnd;
  if (o + 10 > buf.length || buf.readUInt16BE(o + 2) !== 1) return undefined;
  const type = buf.readUInt16BE(o);
  const ttl = buf.readUInt32BE(o + 4);
  const len = buf.readUInt16BE(o + 8);
  const d = o + 10;
  recordEnd = d + len;
  switch (type) {
    case 1:
      if (len !== 4) return undefined;
      return {
        name,
        type: "A",
        ttl,
        class: "IN",
        flush: false,
        data: `${buf[d]}.${buf[d + 1]}.${buf[d + 2]}.${buf[d + 3]}`,
      };
    case 2:
    case 5:
    case 12: {
      const target = asciiName(buf, d, true, false);
      if (target === undefined || asciiEnd !== recordEnd) return undefined;
      return {
        name,
        type: type === 2 ? "NS" : type === 5 ? "CNAME" : "PTR",
        ttl,
        class: "IN",
        flush: false,
        data: target,
      };
    }
    case 33: {
      const target = len > 6 ? asciiName(buf, d + 6, true, false) : undefined;
      if (target === undefined || asciiEnd !== recordEnd) return undefined;
      const data = {
        priority: buf.readUInt16BE(d),
        weight: buf.readUInt16BE(d + 2),
        port: buf.readUInt16BE(d + 4),
        target,
      };
      return { name, type: "SRV", ttl, class: "IN", flush: false, data };
    }
    case 6: {
      const mname = asciiName(buf, d, true, false);
      const rname = mname === undefined ? undefined : asciiName(buf, asciiEnd, true, true);
      if (rname === undefined || asciiEnd + 20 !== recordEnd) return undefined;
      const f = asciiEnd;
      const data = {
        mname: mname as string,
        rname,
        serial: buf.readUInt32BE(f),
        refresh: buf.readUInt32BE(f + 4),
        retry: buf.readUInt32BE(f + 8),
        expire: buf.readUInt32BE(f + 12),
        minimum: buf.readUInt32BE(f + 16),
      };
      return { name, type: "SOA", ttl, class: "IN", flush: false, data };
    }
    default:
      return undefined;
  }
}
