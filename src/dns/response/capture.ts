/**
 * Asking the chain a question of one's own and keeping the answer: CoreDNS's
 * request.NewWithQuestion (the message copied, flags and EDNS kept, a new question) and its
 * nonwriter (the reply kept as written, not sent). Used by re-queries through the server,
 * autopath's search and the kubernetes fallback upstream.
 */
import dnsPacket, { type Packet, type RecordType } from "dns-packet";
import type { Remote, Request, ResponseWriter } from "../plugin.ts";

export class CaptureWriter implements ResponseWriter {
  msg: Packet | undefined;
  size = 0;
  constructor(readonly remote: Remote) {}
  get written(): boolean {
    return this.msg !== undefined;
  }
  write(msg: Packet): void {
    this.msg = msg;
  }
}

/** `req` asking `name`/`qtype` (class IN) instead: same id, flags, EDNS and client. */
export function withQuestion(req: Request, name: string, qtype: RecordType): Request {
  const fq = name === "" || name === "." ? "." : name.endsWith(".") ? name : `${name}.`;
  const msg = dnsPacket.decode(
    dnsPacket.encode({
      id: req.msg.id,
      type: "query",
      flags: req.msg.flags,
      questions: [{ name: fq, type: qtype, class: "IN" }],
      additionals: (req.msg.additionals ?? []).filter((a) => a.type === "OPT"),
    }),
  );
  return {
    ...req,
    msg,
    name: fq,
    lname: fq.toLowerCase(),
    qtype,
    qclass: "IN",
    length: dnsPacket.encodingLength(msg),
    // Notes describe one reply: a cache hit for this question says nothing of the asker's reply.
    notes: req.notes ? {} : undefined,
  };
}
