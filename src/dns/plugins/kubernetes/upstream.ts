/**
 * Resolving ExternalName targets outside the plugin's zones when a request has no `lookup`, i.e.
 * it did not come through a server (a plugin driven directly). Queries served by a server
 * re-query the whole server instead (Request.lookup, CoreDNS's pkg/upstream), which also reaches
 * plugins before kubernetes (hosts) and other zones. This fallback asks the rest of the chain
 * after kubernetes; with nothing after kubernetes the CNAME alone is answered.
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
