/**
 * autopath (plugin/autopath): answers a query made with the first element of the client's search
 * path by trying every element on the server and returning the first answer that is not
 * NXDOMAIN, with a CNAME from the asked name to the found one. The search path is a per-query
 * function (`@kubernetes`: the pod's namespace) or a fixed list from a resolv.conf.
 */
import type { Packet } from "dns-packet";
import type { Counter } from "prom-client";
import { rcodeOf } from "../../message/message.ts";
import { inZone, matchZone } from "../../names.ts";
import {
  type Handler,
  nextOrFailure,
  type Plugin,
  Rcode,
  type Request,
  type ResponseWriter,
  serverShouldWrite,
} from "../../plugin.ts";
import { CaptureWriter, withQuestion } from "../../response/capture.ts";

/** A plugin that knows the client's search path (CoreDNS's AutoPather); "" ends the path. */
export interface AutoPather {
  autoPath(req: Request): string[] | undefined;
}

export function isAutoPather(h: unknown): h is AutoPather {
  return typeof h === "object" && h !== null && typeof (h as { autoPath?: unknown }).autoPath === "function";
}

export interface AutoPathOptions {
  zones: string[];
  /** A fixed search path ending with "" (from a resolv.conf). */
  search?: string[];
  /** Set on startup for `@plugin`. */
  searchFunc?: (req: Request) => string[] | undefined;
  count?: Counter<"server">;
  server: string;
}

export class AutoPath implements Handler {
  readonly name = "autopath";
  next: Handler | undefined;
  constructor(readonly o: AutoPathOptions) {}

  plugin(): Plugin {
    return (next) => {
      this.next = next;
      return this;
    };
  }

  async serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Promise<number> {
    if (matchZone(this.o.zones, req.lname) === "") return nextOrFailure(this.name, this.next, req, w, signal);
    const path = this.o.searchFunc ? this.o.searchFunc(req) : this.o.search;
    if (!path || path.length === 0) return nextOrFailure(this.name, this.next, req, w, signal);
    const first = path[0].toLowerCase();
    if (!inZone(req.lname, first)) return nextOrFailure(this.name, this.next, req, w, signal);

    // The name the client typed: the query minus the first search domain.
    const base =
      first === "." ? req.name.replace(/\.$/, "") : req.name.slice(0, req.name.length - first.length - 1);
    let firstMsg: Packet | undefined;
    let firstRcode: number = Rcode.SERVFAIL;
    for (let i = 0; i < path.length; i++) {
      const s = path[i];
      const qname = s === "" || s === "." ? `${base}.` : base === "" ? s : `${base}.${s}`;
      const sub = withQuestion(req, qname, req.qtype as Parameters<typeof withQuestion>[2]);
      sub.msg.id = req.msg.id;
      sub.msg.flags = req.msg.flags;
      sub.msg.additionals = req.msg.additionals;
      const nw = new CaptureWriter(w.remote);
      const rcode = await nextOrFailure(this.name, this.next, sub, nw, signal);
      if (i === 0) {
        firstMsg = nw.msg;
        firstRcode = rcode;
      }
      if (serverShouldWrite(rcode) || !nw.msg) continue;
      if (rcodeOf(nw.msg) === Rcode.NXDOMAIN) continue;
      const msg = nw.msg;
      cnamer(msg, req.name);
      w.write(msg);
      this.o.count?.inc({ server: this.o.server });
      return rcode;
    }
    if (!serverShouldWrite(firstRcode) && firstMsg) w.write(firstMsg);
    return firstRcode;
  }
}

/** Prefix the answer with `original CNAME <first owner>` unless it already answers `original`. */
export function cnamer(m: Packet, original: string): void {
  const answers = m.answers ?? [];
  for (const a of answers) {
    if (a.name.toLowerCase() === original.toLowerCase()) continue;
    const ttl = "ttl" in a ? (a.ttl ?? 0) : 0;
    m.answers = [{ name: original, type: "CNAME", class: "IN", ttl, data: a.name }, ...answers];
    break;
  }
  if (m.questions?.[0]) m.questions[0].name = original;
}
