/**
 * One upstream (CoreDNS's proxy.Proxy with its Transport): a cache of idle connections per
 * protocol, expired after `expire` idle (or `max_age` old), in-band health checks that count
 * failures, and the exchange of one query.
 */
import { performance } from "node:perf_hooks";
import dnsPacket, { type DecodedPacket } from "dns-packet";
import { RCODE_NAMES } from "../../message/message.ts";
import { encodeMessage } from "../../message/wire.ts";
import { Conn, ConnClosedError, type Proto } from "./conn.ts";
import type { ForwardMetrics } from "./metrics.ts";

export interface UpstreamOptions {
  /** "dns" only (tls/https are refused at setup). */
  host: string;
  port: number;
  expireMs: number;
  maxAgeMs: number;
  maxIdleConns: number;
  readTimeoutMs: number;
  localAddress?: string;
  /** Health check query: `domain IN NS` with RD unless no_rec, over udp or tcp (force_tcp). */
  hcDomain: string;
  hcRecursionDesired: boolean;
  hcProto: Proto;
  metrics: ForwardMetrics;
}

/** Cached connection went away between uses: retry at once (proxy.ErrCachedClosed). */
export class CachedClosedError extends Error {
  constructor() {
    super("cached connection was closed by peer");
  }
}

const MIN_DIAL_MS = 1000;
const MAX_DIAL_MS = 30_000;
/** Health checks time out after 1s (proxy/health.go). */
const HC_TIMEOUT_MS = 1000;

export class Upstream {
  /** "host:port" as CoreDNS labels metrics (`to`). */
  readonly addr: string;
  fails = 0;
  private readonly idle: Record<Proto, Conn[]> = { udp: [], tcp: [] };
  private avgDialMs = MAX_DIAL_MS / 2;
  private hcIntervalMs = 500;
  private probing = false;
  private stopped = true;
  private hcTimer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  /** Aborts in-flight health checks on stop. */
  private life = new AbortController();

  constructor(readonly o: UpstreamOptions) {
    this.addr = o.host.includes(":") ? `[${o.host}]:${o.port}` : `${o.host}:${o.port}`;
  }

  start(hcIntervalMs: number): void {
    this.hcIntervalMs = hcIntervalMs;
    this.stopped = false;
    this.life = new AbortController();
    // connManager: sweep expired idle connections on the default expire period.
    this.sweeper = setInterval(() => this.sweep(false), 10_000);
    this.sweeper.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweeper);
    clearTimeout(this.hcTimer);
    this.life.abort();
    this.sweep(true);
  }

  /** More failed health checks than maxFails (never down when maxFails is 0). */
  down(maxFails: number): boolean {
    return maxFails !== 0 && this.fails > maxFails;
  }

  /** Idle connections cached, per protocol (tests). */
  idleCount(proto: Proto): number {
    return this.idle[proto].length;
  }

  /**
   * Send `msg` (its id replaced by a fresh one) and wait for the reply with that id; the reply
   * carries the original id back.
   */
  async exchange(msg: DecodedPacket, proto: Proto, signal?: AbortSignal): Promise<DecodedPacket> {
    const start = performance.now();
    const id = (Math.random() * 0x10000) | 0;
    const wire = encodeMessage({ ...msg, id, type: "query" }).buf;
    const { conn, cached } = await this.dial(proto);
    try {
      await conn.write(wire);
    } catch (err) {
      conn.close();
      if (cached && peerClosed(err)) throw new CachedClosedError();
      throw err;
    }
    let reply: DecodedPacket;
    const deadline = Date.now() + this.o.readTimeoutMs;
    for (;;) {
      let buf: Buffer;
      try {
        buf = await conn.read(Math.max(1, deadline - Date.now()), signal);
      } catch (err) {
        conn.close();
        if (cached && peerClosed(err)) throw new CachedClosedError();
        throw err;
      }
      // Drop out-of-order or foreign replies.
      if (buf.length < 2 || buf.readUInt16BE(0) !== id) continue;
      try {
        reply = dnsPacket.decode(buf);
      } catch (err) {
        conn.close();
        throw new Error(`dns: bad reply from ${this.addr}: ${(err as Error).message}`);
      }
      break;
    }
    this.yieldConn(conn);
    reply.id = msg.id ?? 0;
    const rcode = rcodeString((reply.flags ?? 0) & 0xf);
    const secs = (performance.now() - start) / 1000;
    const m = this.o.metrics;
    m.proxyDuration.observe({ proxy_name: "forward", to: this.addr, rcode }, secs);
    m.requests.inc({ to: this.addr });
    m.responses.inc({ to: this.addr, rcode });
    m.duration.observe({ to: this.addr, rcode }, secs);
    return reply;
  }

  /**
   * Kick off health checking unless it runs already: check now, then every interval until a
   * check succeeds (pkg/up.Probe).
   */
  healthcheck(): void {
    if (this.probing || this.stopped) return;
    this.probing = true;
    const round = async () => {
      if (this.stopped) {
        this.probing = false;
        return;
      }
      const ok = await this.check();
      if (ok || this.stopped) {
        this.probing = false;
        return;
      }
      this.hcTimer = setTimeout(() => void round(), this.hcIntervalMs);
    };
    void round();
  }

  /** One health check: any reply at all counts as healthy; a failure bumps `fails`. */
  async check(): Promise<boolean> {
    const ping = dnsPacket.encode({
      id: (Math.random() * 0x10000) | 0,
      type: "query",
      flags: this.o.hcRecursionDesired ? dnsPacket.RECURSION_DESIRED : 0,
      questions: [{ name: this.o.hcDomain, type: "NS", class: "IN" }],
    });
    let conn: Conn | undefined;
    try {
      conn = await Conn.dial({
        host: this.o.host,
        port: this.o.port,
        proto: this.o.hcProto,
        localAddress: this.o.localAddress,
        timeoutMs: HC_TIMEOUT_MS,
      });
      await conn.write(ping);
      const want = ping.readUInt16BE(0);
      const deadline = Date.now() + HC_TIMEOUT_MS;
      for (;;) {
        const buf = await conn.read(Math.max(1, deadline - Date.now()), this.life.signal);
        if (buf.length >= 12 && buf.readUInt16BE(0) === want) break;
      }
      this.fails = 0;
      return true;
    } catch {
      if (this.stopped) return false;
      this.o.metrics.proxyHcFailures.inc({ proxy_name: "forward", to: this.addr });
      this.o.metrics.hcFailures.inc({ to: this.addr });
      this.fails++;
      return false;
    } finally {
      conn?.close();
    }
  }

  /** A cached connection (oldest first) or a new one. */
  private async dial(proto: Proto): Promise<{ conn: Conn; cached: boolean }> {
    if (this.stopped) throw new Error("proxy: transport stopped");
    const stack = this.idle[proto];
    const now = Date.now();
    while (stack.length > 0) {
      const c = stack.shift()!;
      if (c.closed || now - c.used > this.o.expireMs || this.tooOld(c, now)) {
        c.close();
        continue;
      }
      this.o.metrics.cacheHits.inc({ proxy_name: "forward", to: this.addr, proto });
      return { conn: c, cached: true };
    }
    this.o.metrics.cacheMisses.inc({ proxy_name: "forward", to: this.addr, proto });
    const t0 = Date.now();
    const conn = await Conn.dial({
      host: this.o.host,
      port: this.o.port,
      proto,
      localAddress: this.o.localAddress,
      timeoutMs: this.dialTimeout(),
    });
    // Move the average towards the observed dial time (weight 4), as CoreDNS tunes it.
    this.avgDialMs += (Date.now() - t0 - this.avgDialMs) / 4;
    return { conn, cached: false };
  }

  private dialTimeout(): number {
    if (this.avgDialMs < MIN_DIAL_MS) return MIN_DIAL_MS;
    if (this.avgDialMs < MAX_DIAL_MS / 2) return 2 * this.avgDialMs;
    return MAX_DIAL_MS;
  }

  private tooOld(c: Conn, now: number): boolean {
    return this.o.maxAgeMs > 0 && now - c.created > this.o.maxAgeMs;
  }

  private yieldConn(c: Conn): void {
    if (this.stopped || c.closed) {
      c.close();
      return;
    }
    c.used = Date.now();
    const stack = this.idle[c.proto];
    if (this.o.maxIdleConns > 0 && stack.length >= this.o.maxIdleConns) {
      c.close();
      return;
    }
    stack.push(c);
  }

  private sweep(all: boolean): void {
    const now = Date.now();
    for (const proto of ["udp", "tcp"] as const) {
      const keep: Conn[] = [];
      for (const c of this.idle[proto]) {
        if (all || c.closed || now - c.used > this.o.expireMs || this.tooOld(c, now)) c.close();
        else keep.push(c);
      }
      this.idle[proto] = keep;
    }
  }
}

/** The peer went away: EOF, reset or broken pipe (what Go reports as io.EOF on a cached conn). */
function peerClosed(err: unknown): boolean {
  if (err instanceof ConnClosedError) return true;
  const code = (err as NodeJS.ErrnoException).code;
  return code === "ECONNRESET" || code === "EPIPE";
}

/** dns.RcodeToString, falling back to the number. */
export function rcodeString(rcode: number): string {
  return RCODE_NAMES[rcode] ?? String(rcode);
}
