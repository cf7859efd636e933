/**
 * Re-querying the server from inside a query (CoreDNS's pkg/upstream Lookup over
 * dnsserver.Server.ServeDNS): a copy of the client's message with a new question (EDNS kept, as
 * request.NewWithQuestion does), the same zone lookup and chain as a client query, and a writer
 * that keeps the reply as written (nonwriter): the client's reply is fitted to its buffer once,
 * on the way out.
 *
 * Nesting is bounded: a client query is depth 0 and each lookup one deeper; past MAX_REENTRIES
 * the lookup fails (CoreDNS's server-wide maxreentries, 10, from #1484) and every lookup on that
 * path rethrows, so a CNAME loop through lookups ends in SERVFAIL for the client instead of
 * recursing.
 */
import type { Packet, RecordType } from "dns-packet";
import { replyTo, sizeAndDo } from "../message/message.ts";
import {
  type Logger,
  LookupLoopError,
  PluginError,
  Rcode,
  type Request,
  serverShouldWrite,
} from "../plugin.ts";
import { CaptureWriter, withQuestion } from "../response/capture.ts";
import type { ZoneHandler } from "./server.ts";

export const MAX_REENTRIES = 10;

/** What a lookup needs from the server it re-enters. */
export interface LookupServer {
  /** The zone handler serving `lname` (the server's own zone lookup). */
  zoneFor(lname: string, qtype: string): ZoneHandler | undefined;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** Shared by the lookups nested under one client question: set once the depth ran out. */
interface Trail {
  exhausted: boolean;
}

/** A lookup from a client request (depth 0): the first re-entry. */
export function lookup(
  srv: LookupServer,
  parent: Request,
  name: string,
  qtype: RecordType,
  signal?: AbortSignal,
): Promise<Packet | undefined> {
  return lookupAt(srv, parent, name, qtype, signal ?? srv.signal, 1, { exhausted: false });
}

async function lookupAt(
  srv: LookupServer,
  parent: Request,
  name: string,
  qtype: RecordType,
  signal: AbortSignal,
  depth: number,
  trail: Trail,
): Promise<Packet | undefined> {
  const fq = name === "" || name === "." ? "." : name.endsWith(".") ? name : `${name}.`;
  if (depth > MAX_REENTRIES) {
    trail.exhausted = true;
    const msg = `lookup loop: ${fq} ${qtype} re-entered the server more than ${MAX_REENTRIES} times (from ${parent.remote.address})`;
    srv.log.warn(msg);
    throw new LookupLoopError(msg);
  }
  const sub: Request = {
    ...withQuestion(parent, fq, qtype),
    zone: "",
    lookup: (n, t, s) => lookupAt(srv, sub, n, t, s ?? signal, depth + 1, trail),
  };
  const zh = srv.zoneFor(sub.lname, qtype);
  if (!zh?.chain) return errorReply(sub, Rcode.REFUSED);
  (sub as { zone: string }).zone = zh.zone;

  const w = new CaptureWriter(sub.remote);
  let rcode: number;
  try {
    rcode = await zh.chain.serveDNS(sub, w, signal);
  } catch (err) {
    if (err instanceof PluginError) rcode = err.rcode;
    else {
      srv.log.error(`Recovered from panic in lookup of ${fq} ${qtype}: ${(err as Error).stack ?? err}`);
      rcode = Rcode.SERVFAIL;
    }
  }
  if (trail.exhausted) {
    throw new LookupLoopError(`lookup loop: ${fq} ${qtype} gave up after ${MAX_REENTRIES} re-entries`);
  }
  if (w.msg) return w.msg;
  // Like a client query: an error rcode with nothing written becomes the server's reply.
  return serverShouldWrite(rcode) ? errorReply(sub, rcode) : undefined;
}

function errorReply(req: Request, rcode: number): Packet {
  const m = replyTo(req.msg, rcode);
  sizeAndDo(req.msg, m);
  return m;
}
