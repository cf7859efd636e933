/**
 * Message helpers on dns-packet's Packet: header flags, rcodes (kept in the low bits of
 * `flags`, as on the wire), replies (miekg/dns SetReply), EDNS0 OPT handling.
 */
import dnsPacket, {
  type Answer,
  type DecodedPacket,
  type OptAnswer,
  type Packet,
  type PacketOpt,
  type Question,
} from "dns-packet";
import { decodeQuery, decodeWithQuestion, unpackKept, unpackQuestion } from "./decode.ts";

export const Flag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  Z: 0x0040,
  AD: 0x0020,
  CD: 0x0010,
} as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

/** EDNS extended rcode for a wrong EDNS version (RFC 6891). */
export const RCODE_BADVERS = 16;

/** The basic rcodes' mnemonics, by number (miekg/dns RcodeToString for 0-10). */
export const RCODE_NAMES: readonly string[] = [
  "NOERROR",
  "FORMERR",
  "SERVFAIL",
  "NXDOMAIN",
  "NOTIMP",
  "REFUSED",
  "YXDOMAIN",
  "YXRRSET",
  "NXRRSET",
  "NOTAUTH",
  "NOTZONE",
];

/** The basic rcode with this mnemonic (exact case), or undefined. */
export function rcodeByName(name: string): number | undefined {
  const i = RCODE_NAMES.indexOf(name);
  return i < 0 ? undefined : i;
}

/** The rcode's mnemonic as CoreDNS's rcode.ToString prints it. */
export function rcodeName(rcode: number): string {
  if (rcode === RCODE_BADVERS) return "BADVERS";
  return RCODE_NAMES[rcode] ?? `RCODE${rcode}`;
}

/** The message's 4-bit rcode. */
export function rcodeOf(msg: Packet): number {
  return (msg.flags ?? 0) & 0xf;
}

export function setRcode(msg: Packet, rcode: number): Packet {
  msg.flags = ((msg.flags ?? 0) & ~0xf) | (rcode & 0xf);
  return msg;
}

export function opcodeOf(msg: Packet): number {
  return ((msg.flags ?? 0) >> 11) & 0xf;
}

export function hasFlag(msg: Packet, flag: number): boolean {
  return ((msg.flags ?? 0) & flag) !== 0;
}

export function setFlag(msg: Packet, flag: number, on = true): Packet {
  msg.flags = on ? (msg.flags ?? 0) | flag : (msg.flags ?? 0) & ~flag;
  return msg;
}

/**
 * A reply to `req` (miekg/dns SetReply): same id and opcode, RD and CD copied for queries,
 * QR set, the first question, the given rcode, empty sections.
 */
export function replyTo(req: Packet, rcode = 0): Packet {
  const reqFlags = req.flags ?? 0;
  const opcode = (reqFlags >> 11) & 0xf;
  let flags = opcode << 11;
  if (opcode === Opcode.QUERY) flags |= reqFlags & (Flag.RD | Flag.CD);
  flags |= rcode & 0xf;
  const q = req.questions?.[0];
  return {
    id: req.id ?? 0,
    type: "response",
    flags,
    questions: q ? [{ ...q }] : [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

export function optOf(msg: Packet): OptAnswer | undefined {
  // Three times per query: an indexed loop, without an iterator or a `?? []` array.
  const ad = msg.additionals;
  if (!ad) return undefined;
  for (let i = 0; i < ad.length; i++) {
    const a = ad[i];
    if (a.type === "OPT") return a;
  }
  return undefined;
}

/**
 * The request's options CoreDNS echoes (request.supportedOptions: NSID, EXPIRE, COOKIE,
 * TCP-KEEPALIVE, PADDING), as miekg/dns packs them again: EXPIRE keeps 4 bytes, a keepalive
 * of 0 is written empty, the rest verbatim. accept() has already refused malformed ones.
 */
function echoedOptions(options: PacketOpt[] | undefined): PacketOpt[] {
  const out: PacketOpt[] = [];
  if (!options) return out;
  for (const o of options) {
    const code = o.code as unknown as number;
    const data = (o as { data?: Buffer }).data ?? Buffer.alloc(0);
    if (code === 3 || code === 10 || code === 12) out.push(echo(code, data));
    else if (code === 9) out.push(echo(code, data.length > 4 ? data.subarray(0, 4) : data));
    else if (code === 11)
      out.push(echo(code, data.length === 2 && data.readUInt16BE(0) > 0 ? data : data.subarray(0, 0)));
  }
  return out;
}

function echo(code: number, data: Buffer): PacketOpt {
  return { code, data } as unknown as PacketOpt;
}

/**
 * Make the reply's OPT match the request (CoreDNS request.SizeAndDo): with no OPT in the
 * request nothing is added; otherwise the reply carries an OPT of version 0 with the client's
 * buffer size and its DO bit, keeping the reply's own options or echoing the supported ones.
 */
export function sizeAndDo(req: Packet, reply: Packet): void {
  const ro = optOf(req);
  if (!ro) return;
  const flags = ro.flags & dnsPacket.DNSSEC_OK;
  const mine = optOf(reply);
  if (mine) {
    mine.name = ".";
    mine.ednsVersion = 0;
    mine.udpPayloadSize = ro.udpPayloadSize;
    mine.flags = flags;
    mine.flag_do = flags !== 0;
    return;
  }
  const opt: OptAnswer = {
    type: "OPT",
    name: ".",
    udpPayloadSize: ro.udpPayloadSize,
    extendedRcode: 0,
    ednsVersion: 0,
    flags,
    flag_do: flags !== 0,
    options: echoedOptions(ro.options),
  };
  reply.additionals = [...(reply.additionals ?? []), opt as Answer];
}

/** Header fields read straight from the wire, before any decoding (miekg/dns unpackMsgHdr). */
export interface RawHeader {
  id: number;
  flags: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export function readHeader(buf: Buffer): RawHeader | undefined {
  if (buf.length < 12) return undefined;
  return {
    id: buf.readUInt16BE(0),
    flags: buf.readUInt16BE(2),
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
  };
}

export type Accept =
  | { action: "ignore" }
  | { action: "formerr" | "notimp"; reply: Packet }
  /** Read, but with no question: CoreDNS's server answers SERVFAIL (counted as dropped). */
  | { action: "servfail"; reply: Packet }
  | { action: "accept"; msg: DecodedPacket };

const IGNORE: Accept = { action: "ignore" };

/**
 * What to do with a received message (miekg/dns defaultMsgAcceptFunc + serveDNS): no reply when
 * the header is unreadable or the message is a response; NOTIMP for an opcode other than QUERY
 * (Skiff has no NOTIFY handling); FORMERR for a header miekg rejects or a body it cannot unpack.
 * The Z bit is ignored (miekg/dns#976). Error replies are miekg's: the request's header with QR
 * set and AA and Z cleared, and the question when it was read before the body failed.
 */
export function accept(buf: Buffer): Accept {
  if (buf.length < 12) return IGNORE;
  const flags = (buf[2] << 8) | buf[3];
  if (flags & Flag.QR) return IGNORE;
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== Opcode.QUERY) return { action: "notimp", reply: errorReply(buf, opcode, 4) };
  // QDCOUNT 1, ANCOUNT ≤ 1, NSCOUNT ≤ 1, ARCOUNT ≤ 2.
  if (buf[4] !== 0 || buf[5] !== 1 || buf[6] !== 0 || buf[7] > 1 || buf[8] !== 0 || buf[9] > 1)
    return formerr(buf);
  if (buf[10] !== 0 || buf[11] > 2) return formerr(buf);
  // miekg's unpack returns a message that ends with its header as one with empty sections,
  // whatever the counts say; CoreDNS's ServeDNS answers a message without a question SERVFAIL.
  if (buf.length === 12) return { action: "servfail", reply: setReply(buf, 2) };
  const msg = decodeQuery(buf) ?? decodeOther(buf);
  if (!msg) return formerr(buf, questionOf(buf));
  const q = msg.questions?.[0];
  if (!q || typeof q.name !== "string") return formerr(buf);
  // More than one OPT is a format error (RFC 6891 §6.1.1).
  const extra = msg.additionals ?? [];
  if (extra.length > 1 && extra[0].type === "OPT" && extra[1].type === "OPT") return formerr(buf);
  return { action: "accept", msg };
}

/**
 * A message off the fast path: the question read the miekg way (a pointer forward, a question
 * cut after its name or type), then the records miekg reads (a count larger than the message
 * keeps those before the end), by dns-packet's record decoder; undefined where miekg's unpack
 * fails or dns-packet cannot read a record. Where dns-packet decodes the whole message, the
 * result is its decode (decode.test.ts, the differential test).
 */
function decodeOther(buf: Buffer): DecodedPacket | undefined {
  const kept = unpackKept(buf);
  return kept && decodeWithQuestion(buf, kept);
}

/** The question, when miekg reads it (its FORMERR reply keeps it). */
function questionOf(buf: Buffer): Question | undefined {
  return unpackQuestion(buf)?.question;
}

function formerr(buf: Buffer, q?: Question): Accept {
  const reply = errorReply(buf, Opcode.QUERY, 1);
  if (q) reply.questions = [{ name: q.name, type: q.type, class: q.class }];
  return { action: "formerr", reply };
}

/** miekg's SetRcode(req, rcode) for a request without a question: id, opcode, RD and CD kept. */
function setReply(buf: Buffer, rcode: number): Packet {
  const keep = 0x7800 | Flag.RD | Flag.CD;
  return {
    id: buf.readUInt16BE(0),
    type: "response",
    flags: (buf.readUInt16BE(2) & keep) | rcode,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}

/** miekg serveDNS's reply to a rejected request: its header bits but QR set, AA and Z clear. */
function errorReply(buf: Buffer, opcode: number, rcode: number): Packet {
  const keep = Flag.TC | Flag.RD | Flag.RA | Flag.AD | Flag.CD;
  return {
    id: buf.readUInt16BE(0),
    type: "response",
    flags: (opcode << 11) | (buf.readUInt16BE(2) & keep) | rcode,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}
