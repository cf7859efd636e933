/**
 * Re-querying the server from inside a query (CoreDNS's pkg/upstream Lookup over
 * dnsserver.Server.ServeDNS): a copy of the client's message with a new question (EDNS kept, as
 * request.NewWithQuestion does), the same zone lookup and chain as a client query, and a writer
 * that keeps the reply (nonwriter) after fitting it to the client's buffer (ScrubWriter).
 *
 * Nesting is bounded: a client query is depth 0 and each lookup one deeper; past MAX_REENTRIES
 * the lookup fails (CoreDNS's server-wide maxreentries, 10, from #1484) and every lookup on that
 * path rethrows, so a CNAME loop through lookups ends in SERVFAIL for the client instead of
 * recursing.
 */
import dnsPacket, { type Packet, type RecordType } from "dns-packet";
import { rcodeOf, replyTo, setRcode, sizeAndDo } from "../message/message.ts";
import { EncodeError, encodeMessage } from "../message/wire.ts";
import {
  type Logger,
  LookupLoopError,
  PluginError,
  Rcode,
  type Remote,
  type Request,
  type ResponseWriter,
  serverShouldWrite,
} from "../plugin.ts";
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

/** The `lookup` of a client request (depth 0). */
export function clientLookup(srv: LookupServer, req: Request): NonNullable<Request["lookup"]> {
  return (name, qtype, signal) =>
    lookupAt(srv, req, name, qtype, signal ?? srv.signal, 1, { exhausted: false });
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
  const opt = (parent.msg.additionals ?? []).filter((a) => a.type === "OPT");
  const msg = dnsPacket.decode(
    dnsPacket.encode({
      id: parent.msg.id,
      type: "query",
      flags: parent.msg.flags,
      questions: [{ name: fq, type: qtype, class: "IN" }],
      additionals: opt,
    }),
  );
  const sub: Request = {
    ...parent,
    msg,
    zone: "",
    name: fq,
    lname: fq.toLowerCase(),
    qtype,
    qclass: "IN",
    length: dnsPacket.encodingLength(msg),
    lookup: (n, t, s) => lookupAt(srv, sub, n, t, s ?? signal, depth + 1, trail),
  };
  const zh = srv.zoneFor(sub.lname, qtype);
  if (!zh?.chain) return errorReply(sub, Rcode.REFUSED);
  (sub as { zone: string }).zone = zh.zone;

  const w = new CaptureWriter(sub, srv.log);
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

/** Keeps the reply instead of sending it, fitted to the request as the client writer would. */
export class CaptureWriter implements ResponseWriter {
  msg: Packet | undefined;
  size = 0;

  constructor(
    private readonly req: Request,
    private readonly log: Logger,
  ) {}

  get remote(): Remote {
    return this.req.remote;
  }

  get written(): boolean {
    return this.msg !== undefined;
  }

  write(msg: Packet): void {
    msg.id = this.req.msg.id;
    msg.type = "response";
    sizeAndDo(this.req.msg, msg);
    try {
      const enc = encodeMessage(msg, this.req.size);
      this.size = enc.buf.length;
      // Truncation dropped records: keep what the client would have got.
      this.msg = enc.truncated ? dnsPacket.decode(enc.buf) : msg;
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err;
      this.log.error(`cannot encode the reply to ${this.req.name} ${this.req.qtype}: ${err.message}`);
      const m = setRcode(replyTo(this.req.msg), Rcode.SERVFAIL);
      sizeAndDo(this.req.msg, m);
      this.msg = m;
      this.size = 0;
    }
  }

  get rcode(): number {
    return this.msg ? rcodeOf(this.msg) : 0;
  }
}
