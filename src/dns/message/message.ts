/**
 * Message helpers on dns-packet's Packet: header flags, rcodes (kept in the low bits of
 * `flags`, as on the wire), replies (miekg/dns SetReply), EDNS0 OPT handling.
 */
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet } from "dns-packet";

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
  for (const a of msg.additionals ?? []) if (a.type === "OPT") return a;
  return undefined;
}

/** EDNS0 option codes CoreDNS echoes back by default (request.supportedOptions). */
const ECHOED_OPTIONS = new Set([3, 9, 10, 11, 12]);

/** Echo only options of a valid length: a malformed one would be written back wrong. */
function wellFormedOption(code: number, data: Buffer | undefined): boolean {
  const n = data?.length ?? 0;
  switch (code) {
    case 9: // EXPIRE: empty or 4 bytes
      return n === 0 || n === 4;
    case 10: // COOKIE: client 8, or client + server 16..40
      return n === 8 || (n >= 16 && n <= 40);
    case 11: // TCP keepalive: empty or 2 bytes
      return n === 0 || n === 2;
    default:
      return true;
  }
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
    options: (ro.options ?? []).filter((o) => ECHOED_OPTIONS.has(o.code) && wellFormedOption(o.code, o.data)),
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
  | { action: "accept"; msg: DecodedPacket };

/**
 * What to do with a received message (miekg/dns defaultMsgAcceptFunc + serveDNS): no reply when
 * the header is unreadable or the message is a response; NOTIMP for an opcode other than QUERY
 * (Skiff has no NOTIFY handling); FORMERR with the id for a header miekg rejects or a body that
 * does not decode. The error replies carry only a header, as miekg's do.
 */
export function accept(buf: Buffer): Accept {
  const h = readHeader(buf);
  if (!h) return { action: "ignore" };
  if (h.flags & Flag.QR) return { action: "ignore" };
  const opcode = (h.flags >> 11) & 0xf;
  if (opcode !== Opcode.QUERY) return { action: "notimp", reply: headerReply(h, opcode, 4) };
  const formerr = { action: "formerr" as const, reply: headerReply(h, Opcode.QUERY, 1) };
  if (h.flags & Flag.Z) return formerr;
  if (h.qdcount !== 1 || h.ancount > 1 || h.nscount > 1 || h.arcount > 2) return formerr;
  let msg: DecodedPacket;
  try {
    msg = dnsPacket.decode(buf);
  } catch {
    return formerr;
  }
  const q = msg.questions?.[0];
  if (!q || typeof q.name !== "string") return formerr;
  // More than one OPT is a format error (RFC 6891 §6.1.1).
  if ((msg.additionals ?? []).filter((a) => a.type === "OPT").length > 1) return formerr;
  return { action: "accept", msg };
}

function headerReply(h: RawHeader, opcode: number, rcode: number): Packet {
  return {
    id: h.id,
    type: "response",
    flags: (opcode << 11) | (h.flags & (Flag.RD | Flag.CD)) | rcode,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
}
