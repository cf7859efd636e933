/**
 * The plugin contract, CoreDNS's made typed: a plugin wraps the next handler; a handler answers
 * by writing a message and returning its rcode, or hands on with nextOrFailure. An rcode of
 * SERVFAIL, REFUSED, FORMERR or NOTIMP returned without writing means "nothing written: the
 * server replies with this rcode" (CoreDNS's ClientWrite rule).
 */
import type { DecodedPacket, Packet, RecordType } from "dns-packet";
import type { Registry } from "prom-client";
import type { Dispenser } from "./corefile/dispenser.ts";
import type { HttpListeners } from "./http.ts";
import type { PodView } from "./podview.ts";
import type { Metrics } from "./server/metrics.ts";

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;
export type RcodeValue = (typeof Rcode)[keyof typeof Rcode];

/** Rcodes that mean the handler wrote nothing and the server must answer (plugin.ClientWrite). */
export function serverShouldWrite(rcode: number): boolean {
  return (
    rcode === Rcode.SERVFAIL || rcode === Rcode.REFUSED || rcode === Rcode.FORMERR || rcode === Rcode.NOTIMP
  );
}

export interface Remote {
  address: string;
  port: number;
  family: "IPv4" | "IPv6";
}

/** One query as a plugin sees it (CoreDNS's request.Request). */
export interface Request {
  /** The decoded message (questions, additionals with OPT, flags). */
  readonly msg: DecodedPacket;
  readonly remote: Remote;
  readonly proto: "udp" | "tcp";
  /** The server block zone this query matched (lowercase, with trailing dot). */
  readonly zone: string;
  /** The question name as sent (case preserved), with trailing dot. */
  readonly name: string;
  /** The question name lowercased, with trailing dot. */
  readonly lname: string;
  /** The question type, e.g. "A", "SRV". */
  readonly qtype: string;
  readonly qclass: string;
  /** The client's buffer size: EDNS0 payload size (at least 512), or 512 without EDNS. */
  readonly size: number;
  /** The DNSSEC OK bit. */
  readonly do: boolean;
  /** Bytes of the query on the wire. */
  readonly length: number;
  /**
   * What plugins tell the server about this query's reply: shared by copies of the request,
   * fresh for a request with another question (capture.ts withQuestion).
   */
  readonly notes?: RequestNotes;
  /**
   * Ask the whole server a new question (CoreDNS's upstream.Lookup): zone lookup and that zone's
   * chain, reply captured (fitted to this request's buffer, EDNS kept), never sent. Undefined when
   * the chain writes nothing. Throws LookupLoopError once re-entries nest too deep. Absent on
   * requests that did not come through a server (unit tests calling a plugin directly).
   */
  readonly lookup?: (name: string, qtype: RecordType, signal?: AbortSignal) => Promise<Packet | undefined>;
}

export interface RequestNotes {
  /** Set by the cache for the entry a reply comes from: the server may keep the reply as its template. */
  cached?: CachedReply;
}

/** The cache entry behind a reply, as the server's reply templates need it. */
export interface CachedReply {
  /**
   * Keep `reply`, the encoded reply to `query` (both as on the wire), as the entry's template
   * (server/fastpath.ts). Returns the entry's reference for ReplySource.match, or -1 when the
   * entry keeps no template for this query.
   */
  keep(query: Buffer, reply: Buffer, shuffle: boolean, key: number): number;
  /** What answers from the templates the entry keeps. */
  readonly source: ReplySource;
}

/** Replays kept templates (the cache). */
export interface ReplySource {
  /**
   * The reply length when the entry `ref` is still cached, fresh, and keeps a template for
   * exactly this query (any id); 0 otherwise. The entry is then the one render() and the
   * matched* fields are about, until the next call.
   */
  match(ref: number, query: Buffer): number;
  /** Write the matched reply for `query` into `out` at `at` (counted as a cache hit); its length. */
  render(query: Buffer, out: Buffer, at: number): number;
  readonly matchedType: string;
  readonly matchedDo: boolean;
  readonly matchedRcode: number;
  /** Call `drop` with the key and reference of every template whose entry leaves the cache. */
  watchDrops(drop: (key: number, ref: number) => void): void;
}

export interface ResponseWriter {
  /** Send the response; the server applies truncation and EDNS as the request needs. */
  write(msg: Packet): void;
  readonly written: boolean;
  /** Bytes of the last message written, after truncation (0 before any write). */
  readonly size: number;
  readonly remote: Remote;
}

/**
 * A failure a plugin reports with its rcode (CoreDNS's `return rcode, err`): the errors plugin
 * logs it as "RCODE name. TYPE: message"; without errors the server just uses the rcode.
 */
export class PluginError extends Error {
  constructor(
    readonly rcode: number,
    message: string,
  ) {
    super(message);
    this.name = "PluginError";
  }
}

/**
 * A re-query nested deeper than the server allows (a CNAME loop through lookups): the whole
 * client query ends in SERVFAIL. Plugins that call lookup return SERVFAIL on it.
 */
export class LookupLoopError extends PluginError {
  constructor(message: string) {
    super(Rcode.SERVFAIL, message);
    this.name = "LookupLoopError";
  }
}

/**
 * A handler's rcode: a number when it answered (or handed on) without waiting, a promise when it
 * had to wait. Most cluster answers are built synchronously, and a promise per plugin per query
 * was a third of what the server allocated, so handlers only make one when they wait.
 */
export type Served = number | Promise<number>;

export interface Handler {
  readonly name: string;
  serveDNS(req: Request, w: ResponseWriter, signal: AbortSignal): Served;
  /** Readiness for the ready plugin (CoreDNS's ready.Readiness), e.g. kubernetes after its first sync. */
  ready?(): boolean;
}

export type Plugin = (next: Handler | undefined) => Handler;

/** Call next, or answer SERVFAIL when there is no next plugin (plugin.NextOrFailure). */
export function nextOrFailure(
  name: string,
  next: Handler | undefined,
  req: Request,
  w: ResponseWriter,
  signal: AbortSignal,
): Served {
  if (next) return next.serveDNS(req, w, signal);
  void name;
  return Rcode.SERVFAIL;
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /**
   * CoreDNS's log.Fatal: "[FATAL] …" then exit status 1. The instance's loggers have it; loggers
   * built by hand in tests may not.
   */
  fatal?(msg: string): never;
}

/** An address a server of the block actually listens on (the port is the bound one, also for 0). */
export interface ListenAddress {
  proto: "udp" | "tcp";
  /** The listen host ("" = every address). */
  host: string;
  port: number;
}

export type Hook = () => void | Promise<void>;

/**
 * What a plugin's setup sees (CoreDNS's caddy.Controller + dnsserver.Config): its directive's
 * tokens, the server block, lifecycle hooks and the shared services. Setup only reads the
 * configuration and builds the plugin; anything that listens, watches or spawns work starts in
 * onStartup and stops in onShutdown, so a reload can build a new config beside the running one.
 */
export interface SetupContext {
  /** The directive name. */
  readonly name: string;
  /** Every occurrence of the directive in this server block: loop with `while (d.next())`. */
  readonly dispenser: Dispenser;
  /** The server block's zones, lowercase and fully qualified (reverse CIDRs expanded). */
  readonly zones: readonly string[];
  /** The port of the block's first key. */
  readonly port: number;
  readonly serverBlockIndex: number;
  /** The Corefile path errors mention, and from which relative paths resolve. */
  readonly corefilePath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Get-or-create metrics on the instance's registry (kept across reloads). */
  readonly metrics: Metrics;
  readonly registry: Registry;
  /** Logs prefixed "plugin/<name>: ", at CoreDNS's levels. */
  readonly log: Logger;
  /** Logs without a prefix (the log plugin's query lines). */
  readonly rawLog: Logger;
  /** One HTTP server per address, shared by health, ready, prometheus… and across reloads. */
  readonly http: HttpListeners;
  onStartup(fn: Hook): void;
  /** Runs when this config is retired: after a reload swapped it out, or on stop. */
  onShutdown(fn: Hook): void;
  /**
   * Runs on stop only (not on reload), before the DNS listeners close, in plugin order
   * (Caddy's OnFinalShutdown): health's lameduck keeps answering while it waits.
   */
  onFinalShutdown(fn: Hook): void;
  /** Whether the block also uses a directive (e.g. autopath checking for kubernetes). */
  hasDirective(name: string): boolean;
  /** Another plugin's handler in this block; available once the chain is built (onStartup). */
  handler(name: string): Handler | undefined;
  /** Every plugin handler of this block, in chain order, once the chain is built (Config.Handlers). */
  handlers(): readonly Handler[];
  /**
   * The addresses this block's servers bound: empty during setup, filled once they listen (read
   * it in onStartup), so a Corefile port 0 shows the port the system picked.
   */
  listening(): readonly ListenAddress[];
  /** Listen on these hosts instead of the default (the bind plugin). */
  bind(hosts: string[]): void;
  /** The running instance, for the reload plugin. */
  readonly instance: InstanceControl;
  /** Set when the Corefile is a CoreDNS pod's (skiff up): its addresses and files on this host. */
  readonly podView?: PodView;
}

export interface InstanceControl {
  /** The Corefile text currently served. */
  corefile(): string;
  /** Parse, set up and bind `text`, then drop the old config; throws and keeps the old one on error. */
  reload(text: string): Promise<void>;
}

/** What each plugin folder exports as default from its setup.ts. */
export interface PluginModule {
  readonly name: string;
  /** Returns the plugin, or undefined for directives that only configure (bind, health, ready). */
  setup(ctx: SetupContext): Plugin | undefined | Promise<Plugin | undefined>;
}
