/**
 * Resolving ExternalName targets outside the plugin's zones. CoreDNS re-queries its own server
 * (pkg/upstream) and puts the CNAME plus the target's answers in one reply. SetupContext offers no
 * server re-query, so Skiff asks the rest of the chain after kubernetes (in the kubeadm Corefile:
 * loop, then forward), which is where CoreDNS's re-query ends up for names outside the cluster
 * zones. With nothing after kubernetes the CNAME alone is answered and the client chases it.
 */
import dnsPacket, { type Packet, type RecordType } from "dns-packet";
import { Flag, replyTo } from "../../message/message.ts";
import { type Handler, Rcode, type Request, type ResponseWriter } from "../../plugin.ts";
import type { Upstream } from "./kubernetes.ts";

/** A writer that keeps the message instead of sending it (CoreDNS's nonwriter). */
export class CaptureWriter implements ResponseWriter {
  msg: Packet | undefined;
  size = 0;
  constructor(readonly remote: Request["remote"]) {}
  get written(): boolean {
    return this.msg !== undefined;
  }
  write(msg: Packet): void {
    this.msg = msg;
  }
}

/** A request for `name`/`qtype` that otherwise looks like `req` (request.NewWithQuestion). */
export function requestFor(req: Request, name: string, qtype: RecordType): Request {
  const fq = name.endsWith(".") ? name : `${name}.`;
  const msg = dnsPacket.decode(
    dnsPacket.encode({
      id: req.msg.id,
      type: "query",
      flags: Flag.RD,
      questions: [{ name: fq, type: qtype, class: "IN" }],
    }),
  );
  return { ...req, msg, name: fq, lname: fq.toLowerCase(), qtype };
}

/** The rest of the chain as an upstream; undefined when kubernetes is last. */
export function upstreamThrough(next: Handler | undefined): Upstream | undefined {
  if (!next) return undefined;
  return async (req, name, qtype, signal) => {
    const sub = requestFor(req, name, qtype);
    const w = new CaptureWriter(req.remote);
    let rcode: number;
    try {
      rcode = await next.serveDNS(sub, w, signal);
    } catch {
      rcode = Rcode.SERVFAIL;
    }
    // Like the server, an unwritten error rcode becomes an empty reply with that rcode.
    return w.msg ?? replyTo(sub.msg, rcode);
  };
}
