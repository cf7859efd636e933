/**
 * One DNS server per listen address (CoreDNS's dnsserver.Server): checks the message, picks the
 * most specific zone served on this address, runs that block's plugin chain and writes the
 * reply, fitted to the client's buffer. Transport-independent: listeners hand it bytes and a
 * send function.
 */
import type { DecodedPacket, Packet } from "dns-packet";
import {
  accept,
  optOf,
  RCODE_BADVERS,
  rcodeName,
  rcodeOf,
  replyTo,
  setRcode,
  sizeAndDo,
} from "../message/message.ts";
import { EncodeError, encodeMessage, MAX_MSG_SIZE, MIN_MSG_SIZE } from "../message/wire.ts";
import {
  type Handler,
  type Logger,
  PluginError,
  Rcode,
  type Remote,
  type Request,
  type ResponseWriter,
  serverShouldWrite,
} from "../plugin.ts";
import { qtypeLabel, type ServerMetrics } from "./metrics.ts";

export type Proto = "udp" | "tcp";
export type Send = (buf: Buffer) => void;

/** A server block's chain as served under one zone. */
export interface ZoneHandler {
  zone: string;
  /** Undefined when the block has no plugin that answers (CoreDNS answers REFUSED). */
  chain: Handler | undefined;
  /** The block enables `prometheus`: record the dns metrics for it. */
  metrics: boolean;
}

export interface ServerOptions {
  /** "dns://host:port" as CoreDNS labels metrics. */
  addr: string;
  zones: Map<string, ZoneHandler>;
  /** Accept classes other than IN (chaos or forward in use), as CoreDNS's classChaos. */
  classChaos: boolean;
  metrics: ServerMetrics;
  log: Logger;
}

/** The plugin that last took over a request, for the `plugin` label of responses_total. */
export interface PluginTracker {
  plugin: string;
}

export class DnsServer {
  readonly addr: string;
  private readonly zones: Map<string, ZoneHandler>;
  private readonly root: ZoneHandler | undefined;
  private readonly opts: ServerOptions;
  private readonly abort = new AbortController();
  private inflight = 0;
  private idle: (() => void) | undefined;

  constructor(opts: ServerOptions) {
    this.opts = opts;
    this.addr = opts.addr;
    this.zones = opts.zones;
    this.root = opts.zones.get(".");
  }

  /** Aborted when shutdown's deadline passes: plugins should give up then. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get pending(): number {
    return this.inflight;
  }

  /** Resolves once no query is in flight, or after `ms`; then aborts what is left. */
  async drain(ms: number): Promise<void> {
    if (this.inflight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.idle = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, ms);
        }),
      ]);
      clearTimeout(timer);
    }
    this.abort.abort(new Error("server shutting down"));
  }

  /** Handle one received message; resolves when its reply (if any) was handed to `send`. */
  async handle(buf: Buffer, remote: Remote, proto: Proto, send: Send): Promise<void> {
    this.inflight++;
    try {
      await this.serve(buf, remote, proto, send);
    } catch (err) {
      this.opts.log.error(`handling query from ${remote.address}: ${(err as Error).stack ?? err}`);
    } finally {
      this.inflight--;
      if (this.inflight === 0 && this.idle) {
        const f = this.idle;
        this.idle = undefined;
        f();
      }
    }
  }

  private async serve(buf: Buffer, remote: Remote, proto: Proto, send: Send): Promise<void> {
    const start = performance.now();
    const acc = accept(buf);
    if (acc.action === "ignore") return;
    if (acc.action !== "accept") {
      send(encodeOrHeaderOf(acc.reply));
      return;
    }
    const msg = acc.msg;
    const q = msg.questions![0];
    const opt = optOf(msg);
    const size = proto === "tcp" ? MAX_MSG_SIZE : Math.max(MIN_MSG_SIZE, opt?.udpPayloadSize ?? 0);
    const lname = lowerFqdn(q.name);
    const req: Request = {
      msg,
      remote,
      proto,
      zone: "",
      name: q.name === "" || q.name === "." ? "." : q.name.endsWith(".") ? q.name : `${q.name}.`,
      lname,
      qtype: q.type,
      qclass: q.class ?? "IN",
      size,
      do: opt ? (opt.flags & 0x8000) !== 0 : false,
      length: buf.length,
    };
    const dropped = (rcode: number) => {
      const n = this.errorReply(req, rcode, send);
      this.report(req, "dropped", rcodeName(rcode), "", n, start);
    };

    if (!this.opts.classChaos && req.qclass !== "IN") return dropped(Rcode.REFUSED);
    if (opt && opt.ednsVersion !== 0) {
      send(encodeOrHeaderOf(badVers(msg)));
      return;
    }

    const zh = this.lookup(lname, req.qtype);
    if (!zh) return dropped(Rcode.REFUSED);
    if (!zh.chain) return dropped(Rcode.REFUSED);
    (req as { zone: string }).zone = zh.zone;

    const w = new Writer(req, send, this.opts.log);
    let rcode: number;
    try {
      rcode = await zh.chain.serveDNS(req, w, this.abort.signal);
    } catch (err) {
      if (err instanceof PluginError) rcode = err.rcode;
      else {
        // CoreDNS recovers plugin panics into SERVFAIL.
        this.opts.log.error(`Recovered from panic in server: "${this.addr}" ${(err as Error).stack ?? err}`);
        if (zh.metrics) this.opts.metrics.panics.inc();
        rcode = Rcode.SERVFAIL;
      }
    }
    let size2 = w.size;
    let rc = w.written ? w.rcode : rcode;
    if (!w.written && serverShouldWrite(rcode)) {
      size2 = this.errorReply(req, rcode, send);
      rc = rcode;
    }
    if (zh.metrics) this.report(req, zh.zone, rcodeName(rc), w.written ? w.plugin : "", size2, start);
  }

  /** The most specific zone containing the name; DS goes to the parent-most match; else ".". */
  private lookup(lname: string, qtype: string): ZoneHandler | undefined {
    let off = 0;
    let ds: ZoneHandler | undefined;
    for (;;) {
      const z = this.zones.get(off === 0 ? lname : lname.slice(off));
      if (z) {
        if (qtype !== "DS") return z;
        ds = z;
      }
      const dot = lname.indexOf(".", off);
      if (dot < 0 || dot === lname.length - 1) break;
      off = dot + 1;
    }
    return ds ?? this.root;
  }

  /** CoreDNS's errorFunc: a reply with just the rcode and the OPT. Returns its size. */
  private errorReply(req: Request, rcode: number, send: Send): number {
    const m = replyTo(req.msg, rcode);
    sizeAndDo(req.msg, m);
    const out = encodeOrHeader(m, req, rcode);
    send(out);
    return out.length;
  }

  private report(
    req: Request,
    zone: string,
    rcode: string,
    plugin: string,
    size: number,
    start: number,
  ): void {
    const m = this.opts.metrics;
    const server = this.addr;
    const fam = req.remote.family === "IPv6" ? "2" : "1";
    if (req.do) m.doRequests.inc({ server, zone, view: "" });
    m.requests.inc({ server, zone, view: "", proto: req.proto, family: fam, type: qtypeLabel(req.qtype) });
    m.duration.observe({ server, zone, view: "" }, (performance.now() - start) / 1000);
    m.responseSize.observe({ server, zone, view: "", proto: req.proto }, size);
    m.requestSize.observe({ server, zone, view: "", proto: req.proto }, req.length);
    m.responses.inc({ server, zone, view: "", rcode, plugin });
  }
}

function lowerFqdn(name: string): string {
  if (name === "" || name === ".") return ".";
  const l = name.toLowerCase();
  return l.endsWith(".") ? l : `${l}.`;
}

function badVers(req: DecodedPacket): Packet {
  const m = replyTo(req, RCODE_BADVERS & 0xf);
  m.additionals = [
    {
      type: "OPT",
      name: ".",
      udpPayloadSize: 4096,
      extendedRcode: RCODE_BADVERS >> 4,
      ednsVersion: 0,
      flags: 0,
      flag_do: false,
      options: [],
    },
  ];
  return m;
}

/** The per-query ResponseWriter (CoreDNS's ScrubWriter): EDNS and truncation applied on write. */
class Writer implements ResponseWriter, PluginTracker {
  written = false;
  rcode = 0;
  size = 0;
  plugin = "";

  constructor(
    private readonly req: Request,
    private readonly send: Send,
    private readonly log: Logger,
  ) {}

  get remote(): Remote {
    return this.req.remote;
  }

  write(msg: Packet): void {
    msg.id = this.req.msg.id;
    msg.type = "response";
    sizeAndDo(this.req.msg, msg);
    let out: Buffer;
    try {
      out = encodeMessage(msg, this.req.size).buf;
    } catch (err) {
      if (!(err instanceof EncodeError)) throw err;
      this.log.error(`cannot encode the reply to ${this.req.name} ${this.req.qtype}: ${err.message}`);
      const m = setRcode(replyTo(this.req.msg), Rcode.SERVFAIL);
      sizeAndDo(this.req.msg, m);
      out = encodeOrHeader(m, this.req, Rcode.SERVFAIL);
      msg = m;
    }
    this.written = true;
    this.rcode = rcodeOf(msg);
    this.size = out.length;
    this.send(out);
  }
}

/**
 * Encode an error reply; when even its question cannot be written again (a name whose labels
 * hold bytes the decoder could not keep), answer with the header alone so the client still
 * gets its rcode.
 */
function encodeOrHeader(m: Packet, req: Request, rcode: number, size = req.size): Buffer {
  try {
    return encodeMessage(m, size).buf;
  } catch (err) {
    if (!(err instanceof EncodeError)) throw err;
    const h = Buffer.alloc(12);
    h.writeUInt16BE(req.msg.id ?? 0, 0);
    const rd = (req.msg.flags ?? 0) & 0x0100;
    h.writeUInt16BE(0x8000 | rd | (rcode & 0x0f), 2);
    return h;
  }
}

/** The same for replies built before a Request exists (FORMERR, NOTIMP, BADVERS). */
function encodeOrHeaderOf(m: Packet): Buffer {
  const rcode = (m.flags ?? 0) & 0x0f;
  return encodeOrHeader(m, { msg: m, size: MAX_MSG_SIZE } as unknown as Request, rcode, MAX_MSG_SIZE);
}

/** Wrap a plugin's handler so the writer knows which plugin answered (responses_total's label). */
export function tracked(name: string, h: Handler): Handler {
  return {
    name: h.name,
    serveDNS(req, w, signal) {
      const t = w as unknown as Partial<PluginTracker>;
      if (t && typeof t.plugin === "string" && !w.written) t.plugin = name;
      return h.serveDNS(req, w, signal);
    },
  };
}
