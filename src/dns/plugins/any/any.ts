/**
 * any: answers ANY queries with one HINFO record instead of everything at the name (RFC 8482,
 * plugin/any): the query's owner name, class IN, TTL 8482.
 */
import { replyTo } from "../../message/message.ts";
import {
  type Handler,
  nextOrFailure,
  type Plugin,
  type Request,
  type ResponseWriter,
  type Served,
} from "../../plugin.ts";

export const any: Plugin = (next) => new AnyHandler(next);

class AnyHandler implements Handler {
  readonly name = "any";
  constructor(private readonly next: Handler | undefined) {}

  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Served {
    if (req.qtype !== "ANY") return nextOrFailure(this.name, this.next, req, w, signal);
    const m = replyTo(req.msg);
    m.answers = [
      {
        name: req.name,
        type: "HINFO",
        class: "IN",
        ttl: 8482,
        data: { cpu: "ANY obsoleted", os: "See RFC 8482" },
      },
    ];
    w.write(m);
    return 0;
  }
}
