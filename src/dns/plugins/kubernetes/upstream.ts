/**
 * Resolving ExternalName targets outside the plugin's zones when a request has no `lookup`, i.e.
 * it did not come through a server (a plugin driven directly). Queries served by a server
 * re-query the whole server instead (Request.lookup, CoreDNS's pkg/upstream), which also reaches
 * plugins before kubernetes (hosts) and other zones. This fallback asks the rest of the chain
 * after kubernetes; with nothing after kubernetes the CNAME alone is answered.
 */
import { replyTo } from "../../message/message.ts";
import { type Handler, Rcode } from "../../plugin.ts";
import { CaptureWriter, withQuestion } from "../../response/capture.ts";
import type { Upstream } from "./kubernetes.ts";

/** The rest of the chain as an upstream; undefined when kubernetes is last. */
export function upstreamThrough(next: Handler | undefined): Upstream | undefined {
  if (!next) return undefined;
  return async (req, name, qtype, signal) => {
    const sub = withQuestion(req, name, qtype);
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
