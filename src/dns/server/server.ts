/**
 * One DNS server per listen address (CoreDNS's dnsserver.Server): checks the message, picks the
 * most specific zone served on this address, runs that block's plugin chain and writes the
 * reply, fitted to the client's buffer. Transport-independent: listeners hand it bytes and a
 * send function.
 */
import { performance } from "node:perf_hooks";
import type { DecodedPacket, Packet, RecordType } from "dns-packet";
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
import { inZone } from "../names.ts";
import {
  type CachedReply,
  type Handler,
  type Logger,
  PluginError,
  Rcode,
  type Remote,
  type ReplySource,
  type Request,
  type RequestNotes,
  type ResponseWriter,
  type Served,
  serverShouldWrite,
} from "../plugin.ts";
import { now as clockNow } from "./clock.ts";
import { answerDirect, type Direct, type DirectResult, Question, readQuestion } from "./direct.ts";
import { type FastStats, NO_KEY, TemplateIndex, type TemplateOptions, templateKey } from "./fastpath.ts";
import type { CounterChild } from "./lite-metrics.ts";
import { type LookupServer, lookup } from "./lookup.ts";
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
  /** The replies of the block's cache may become reply templates (fastpath.ts). */
  templates?: TemplateOptions;
  /** Cache misses the plugin behind the cache may answer directly (direct.ts). */
  direct?: Direct;
}

export interface ServerOptions {
  /** "dns://host:port" as CoreDNS labels metrics. */
  addr: string;
  zones: Map<string, ZoneHandler>;
  /** Accept classes other than IN (chaos or forward in use), as CoreDNS's classChaos. */
  classChaos: boolean;
  metrics: ServerMetrics;
  log: Logger;
  /** Answer cache misses directly where a block can (direct.ts); default true. */
  direct?: boolean;
}

/** The plugin that last took over a request, for the `plugin` label of responses_total. */
export interface PluginTracker {
  plugin: string;
}

export class DnsServer {
  readonly addr: string;
  private readonly zones: Map<string, ZoneHandler>;
  private readonly root: ZoneHandler | undefined;
  /** With few zones: the zones other than ".", longest first (lookup()). */
  private readonly byLength: Array<[string, ZoneHandler]> | undefined;
  private readonly opts: ServerOptions;
  private readonly abort = new AbortController();
  private inflight = 0;
  private readonly templates = new TemplateIndex<ZoneHandler>();
  /** Some block keeps reply templates: only then is a query's templateKey worth computing up front. */
  readonly keepsTemplates: boolean;
  private readonly templateReplies: CounterChild;
  /** Some block answers cache misses directly. */
  private readonly directs: boolean;
  private readonly question = new Question();
  private readonly directRes: DirectResult = { length: 0, rcode: 0, ref: -1 };
  /** Bound metric children per label set, for the full path's report(). */
  private readonly stats = new Map<string, Map<string, Map<string, FastStats[]>>>();
  /** This server as lookups re-enter it. */
  private readonly lookupServer: LookupServer;
  private idle: (() => void) | undefined;

  constructor(opts: ServerOptions) {
    this.opts = opts;
    this.addr = opts.addr;
    this.zones = opts.zones;
    this.root = opts.zones.get(".");
    this.directs = opts.direct !== false && [...opts.zones.values()].some((zh) => zh.templates && zh.direct);
    this.keepsTemplates = this.directs || [...opts.zones.values()].some((zh) => zh.templates !== undefined);
    const named = [...opts.zones].filter(([z]) => z !== ".");
    this.byLength = named.length <= 8 ? named.sort((a, b) => b[0].length - a[0].length) : undefined;
    this.lookupServer = { zoneFor: (l, q) => this.lookup(l, q), signal: this.abort.signal, log: opts.log };
    this.templateReplies = opts.metrics.templateReplies.child({ server: opts.addr });
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

  /**
   * The reply from a template when a cache entry keeps one for exactly this query (fastpath.ts),
   * with the metrics the full path would record; undefined sends the query to handle().
   */
  fast(buf: Buffer, proto: Proto, family: Remote["family"], key = NO_KEY): Buffer | undefined {
    // Hashed once here when a miss may be answered directly (find() would hash it, then direct()).
    const k = key === NO_KEY && this.directs ? templateKey(buf) : key;
    const hit = this.templates.find(buf, k);
    if (!hit) {
      if (!this.directs) return undefined;
      const n = this.direct(buf, directScratch, 0, proto, family, k);
      return n > 0 ? Buffer.from(directScratch.subarray(0, n)) : undefined;
    }
    // Timed from the hit: most queries miss here, and the clock is a call worth saving for them.
    const start = clockNow();
    const out = Buffer.allocUnsafe(hit.length);
    hit.source.render(buf, out, 0);
    this.recordFast(hit.source, hit.zh, buf.length, out.length, proto, family, start);
    return out;
  }

  /**
   * fast() writing the reply into `out` at `offset` instead of a new buffer (batched sockets
   * hand their send buffer). Returns the reply's length, or 0 when the query needs handle() —
   * also when the reply would not fit in `out`. `key` is the query's templateKey (or NO_KEY): a
   * caller that computed it hands it on to handle() on a miss, which keeps the reply's template
   * under it.
   */
  fastInto(
    buf: Buffer,
    out: Buffer,
    offset: number,
    proto: Proto,
    family: Remote["family"],
    key = NO_KEY,
  ): number {
    const hit = this.templates.find(buf, key);
    if (!hit) return this.directs ? this.direct(buf, out, offset, proto, family, key) : 0;
    if (offset + hit.length > out.length) return 0;
    const start = clockNow();
    const n = hit.source.render(buf, out, offset);
    this.recordFast(hit.source, hit.zh, buf.length, n, proto, family, start);
    return n;
  }

  /**
   * A cache miss answered directly into `out` at `offset` (direct.ts), with the metrics the
   * full path would record; 0 leaves the query to handle(), nothing counted or stored.
   */
  private direct(
    buf: Buffer,
    out: Buffer,
    offset: number,
    proto: Proto,
    family: Remote["family"],
    key: number,
  ): number {
    const k = key === NO_KEY ? templateKey(buf) : key;
    if (k < 0) return 0;
    const q = this.question;
    if (!readQuestion(buf, q)) return 0;
    const zh = this.lookup(q.lname, q.qtype);
    const d = zh?.direct;
    if (!d || !zh.templates) return 0;
    const start = clockNow();
    const res = this.directRes;
    answerDirect(d, buf, q, out, offset, out.length - offset, zh.templates.shuffle, k, res);
    if (res.length === 0) return 0;
    if (res.ref >= 0) this.templates.add(k, d.cache, zh, res.ref);
    if (zh.metrics) {
      const st = this.statsFor(zh.zone, q.qtype, q.dnssecOK, proto, family, res.rcode, d.plugin);
      observe(st, buf.length, res.length, start);
    }
    return res.length;
  }

  private recordFast(
    src: ReplySource,
    zh: ZoneHandler,
    reqLen: number,
    respLen: number,
    proto: Proto,
    family: Remote["family"],
    start: number,
  ): void {
    this.templateReplies.value++;
    if (!zh.metrics) return;
    const st = this.statsFor(
      zh.zone,
      src.matchedType,
      src.matchedDo,
      proto,
      family,
      src.matchedRcode,
      "cache",
    );
    observe(st, reqLen, respLen, start);
  }

  /** Keep the encoded reply of a cache entry as its template for this query (fastpath.ts). */
  offerTemplate(query: Buffer, out: Buffer, cached: CachedReply, zh: ZoneHandler, known = NO_KEY): void {
    if (!zh.templates) return;
    const key = known === NO_KEY ? templateKey(query) : known;
    if (key < 0) return;
    const ref = cached.keep(query, out, zh.templates.shuffle, key);
    if (ref >= 0) this.templates.add(key, cached.source, zh, ref);
  }

  /**
   * The metric children for one label set, bound once per server (lite-metrics.ts): templates
   * come and go with their cache entries, their label sets do not. Looked up through nested maps
   * of the label strings (constants whose hashes V8 keeps) and a slot for the small values, so
   * the full path builds no key string per query.
   */
  private statsFor(
    zone: string,
    qtype: string,
    doBit: boolean,
    proto: Proto,
    family: Remote["family"],
    rcode: number,
    plugin: string,
  ): FastStats {
    // The type label, not the type: random types from a client must not grow the map.
    const type = qtypeLabel(qtype);
    let byPlugin = this.stats.get(zone);
    if (!byPlugin) {
      byPlugin = new Map();
      this.stats.set(zone, byPlugin);
    }
    let byType = byPlugin.get(plugin);
    if (!byType) {
      byType = new Map();
      byPlugin.set(plugin, byType);
    }
    let slots = byType.get(type);
    if (!slots) {
      slots = [];
      byType.set(type, slots);
    }
    // rcode is 0-15, or BADVERS (16): 17 × 8 slots at most.
    const slot =
      ((rcode & 0x1f) << 3) | (doBit ? 4 : 0) | (proto === "tcp" ? 2 : 0) | (family === "IPv6" ? 1 : 0);
    const known = slots[slot];
    if (known) return known;
    const m = this.opts.metrics;
    const base = { server: this.addr, zone, view: "" };
    const st: FastStats = {
      requests: m.requests.child({ ...base, proto, family: family === "IPv6" ? "2" : "1", type }),
      responses: m.responses.child({ ...base, rcode: rcodeName(rcode), plugin }),
      do: doBit ? m.doRequests.child(base) : undefined,
      duration: m.duration.child(base),
      requestSize: m.requestSize.child({ ...base, proto }),
      responseSize: m.responseSize.child({ ...base, proto }),
    };
    slots[slot] = st;
    return st;
  }

  /**
   * Handle one received message: its reply (if any) was handed to `send` when this returns, or
   * when the promise it returns resolves (a plugin had to wait). `key` is the query's
   * templateKey when the caller computed it already (fastInto). With `transient`, `send` copies
   * the reply before it returns, so the reply may be a view of the encoder's scratch buffer.
   */
  handle(
    buf: Buffer,
    remote: Remote,
    proto: Proto,
    send: Send,
    key = NO_KEY,
    transient = false,
  ): void | Promise<void> {
    this.inflight++;
    let r: void | Promise<void>;
    try {
      r = this.serve(buf, remote, proto, send, key, transient);
    } catch (err) {
      this.failed(remote, err);
      r = undefined;
    }
    if (r === undefined) {
      this.served();
      return;
    }
    return r.then(
      () => this.served(),
      (err: unknown) => {
        this.failed(remote, err);
        this.served();
      },
    );
  }

  private failed(remote: Remote, err: unknown): void {
    this.opts.log.error(`handling query from ${remote.address}: ${(err as Error).stack ?? err}`);
  }

  private served(): void {
    this.inflight--;
    if (this.inflight === 0 && this.idle) {
      const f = this.idle;
      this.idle = undefined;
      f();
    }
  }

  private serve(
    buf: Buffer,
    remote: Remote,
    proto: Proto,
    send: Send,
    key: number,
    transient: boolean,
  ): void | Promise<void> {
    const start = clockNow();
    const acc = accept(buf);
    if (acc.action === "ignore") return;
    if (acc.action !== "accept") {
      const out = encodeOrHeaderOf(acc.reply);
      send(out);
      // miekg rejects FORMERR and NOTIMP before CoreDNS sees them; a message without a question
      // reaches CoreDNS's server, which counts its SERVFAIL as dropped (type "other").
      if (acc.action === "servfail")
        observe(
          this.statsFor("dropped", "", false, proto, remote.family, 2, ""),
          buf.length,
          out.length,
          start,
        );
      return;
    }
    const msg = acc.msg;
    const q = msg.questions![0];
    const opt = optOf(msg);
    const size = proto === "tcp" ? MAX_MSG_SIZE : Math.max(MIN_MSG_SIZE, opt?.udpPayloadSize ?? 0);
    const name = q.name === "" || q.name === "." ? "." : q.name.endsWith(".") ? q.name : `${q.name}.`;
    // toLowerCase hands back the same string when there is nothing to lower: one string, not two.
    const lname = name.toLowerCase();
    const req: Request = {
      msg,
      remote,
      proto,
      zone: "",
      name,
      lname,
      qtype: q.type,
      qclass: q.class ?? "IN",
      size,
      do: opt ? (opt.flags & 0x8000) !== 0 : false,
      length: buf.length,
      lookup: (name, qtype, signal) => this.selfLookup(req, name, qtype, signal),
    };

    if (!this.opts.classChaos && req.qclass !== "IN") return this.dropped(req, Rcode.REFUSED, send, start);
    if (opt && opt.ednsVersion !== 0) {
      send(encodeOrHeaderOf(badVers(msg)));
      return;
    }

    const zh = this.lookup(lname, req.qtype);
    if (!zh?.chain) return this.dropped(req, Rcode.REFUSED, send, start);
    (req as { zone: string }).zone = zh.zone;
    if (zh.templates) (req as { notes?: RequestNotes }).notes = {};

    const w = new Writer(req, send, this.opts.log, transient);
    // A reply the cache stored or answered becomes a template: the writer calls back then, and only then.
    if (zh.templates) w.template = { server: this, zh, query: buf, key };
    let rcode: Served;
    try {
      rcode = zh.chain.serveDNS(req, w, this.abort.signal);
    } catch (err) {
      rcode = this.recovered(zh, err);
    }
    if (typeof rcode === "number") return this.finish(req, zh, w, rcode, send, start);
    return rcode.then(
      (rc) => this.finish(req, zh, w, rc, send, start),
      (err: unknown) => this.finish(req, zh, w, this.recovered(zh, err), send, start),
    );
  }

  /** A plugin threw: its rcode when it said one, else SERVFAIL (CoreDNS recovers panics). */
  private recovered(zh: ZoneHandler, err: unknown): number {
    if (err instanceof PluginError) return err.rcode;
    this.opts.log.error(`Recovered from panic in server: "${this.addr}" ${(err as Error).stack ?? err}`);
    if (zh.metrics) this.opts.metrics.panics.inc();
    return Rcode.SERVFAIL;
  }

  /** After the chain: the server's own reply when the chain wrote none, then the metrics. */
  private finish(req: Request, zh: ZoneHandler, w: Writer, rcode: number, send: Send, start: number): void {
    let size = w.size;
    let rc = w.written ? w.rcode : rcode;
    if (!w.written && serverShouldWrite(rcode)) {
      size = this.errorReply(req, rcode, send);
      rc = rcode;
    }
    if (zh.metrics) this.report(req, zh.zone, rc, w.written ? w.plugin : "", size, start);
  }

  /** Refused before any chain ran: the reply, and the metrics under zone "dropped". */
  private dropped(req: Request, rcode: number, send: Send, start: number): void {
    const n = this.errorReply(req, rcode, send);
    this.report(req, "dropped", rcode, "", n, start);
  }

  /** The most specific zone containing the name; DS goes to the parent-most match; else ".". */
  private lookup(lname: string, qtype: string): ZoneHandler | undefined {
    const few = this.byLength;
    if (few) {
      // A handful of zones: test each as a suffix, longest first (no substring per label).
      let ds: ZoneHandler | undefined;
      for (const [zone, zh] of few) {
        if (!inZone(lname, zone)) continue;
        if (qtype !== "DS") return zh;
        ds = zh;
      }
      return ds ?? this.root;
    }
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
    rcode: number,
    plugin: string,
    size: number,
    start: number,
  ): void {
    const st = this.statsFor(zone, req.qtype, req.do, req.proto, req.remote.family, rcode, plugin);
    observe(st, req.length, size, start);
  }

  /**
   * Ask this server a new question from inside `parent` (CoreDNS's upstream.Lookup): the zone
   * lookup and chain of a client query, the reply captured, re-entries bounded (lookup.ts).
   */
  selfLookup(
    parent: Request,
    name: string,
    qtype: RecordType,
    signal?: AbortSignal,
  ): Promise<Packet | undefined> {
    return lookup(this.lookupServer, parent, name, qtype, signal);
  }
}

/** Where fast() writes a direct answer before copying it out. */
const directScratch = Buffer.allocUnsafe(512);

/** One request's dns metrics on its bound children. */
function observe(st: FastStats, reqLen: number, respLen: number, start: number): void {
  if (st.do) st.do.value++;
  st.requests.value++;
  st.duration.observe((performance.now() - start) / 1000);
  st.responseSize.observe(respLen);
  st.requestSize.observe(reqLen);
  st.responses.value++;
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
  /** Set for blocks with reply templates: where the encoded reply of a cache entry is offered. */
  template: { server: DnsServer; zh: ZoneHandler; query: Buffer; key: number } | undefined;

  constructor(
    private readonly req: Request,
    private readonly send: Send,
    private readonly log: Logger,
    /** `send` copies the reply at once: it may be the encoder's scratch (handle()). */
    private readonly transient: boolean,
  ) {}

  get remote(): Remote {
    return this.req.remote;
  }

  write(msg: Packet): void {
    msg.id = this.req.msg.id;
    msg.type = "response";
    sizeAndDo(this.req.msg, msg);
    let out: Buffer;
    let encoded = false;
    try {
      out = encodeMessage(msg, this.req.size, this.transient).buf;
      encoded = true;
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
    const cached = this.req.notes?.cached;
    const t = this.template;
    if (cached && encoded && t) t.server.offerTemplate(t.query, out, cached, t.zh, t.key);
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
