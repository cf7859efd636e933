/**
 * The forward handler (plugin/forward/forward.go): for names under FROM and not excepted, try
 * the upstreams in policy order, skipping those marked down, until one answers; failures kick
 * off health checks; when every upstream is down, pick one at random.
 */
import type { DecodedPacket } from "dns-packet";
import { Flag, replyTo } from "../../message/message.ts";
import { EncodeError } from "../../message/wire.ts";
import { inZone } from "../../names.ts";
import { type Handler, nextOrFailure, PluginError, Rcode, type Request } from "../../plugin.ts";
import type { Proto } from "./conn.ts";
import type { ForwardMetrics } from "./metrics.ts";
import { type Policy, random } from "./policy.ts";
import { CachedClosedError, type Upstream } from "./upstream.ts";

export interface ForwardOptions {
  from: string;
  ignored: string[];
  upstreams: Upstream[];
  policy: Policy;
  maxFails: number;
  forceTCP: boolean;
  preferUDP: boolean;
  maxConcurrent: number;
  /** 0 = no cap; undefined = twice the number of upstreams. */
  maxConnectAttempts?: number;
  failfastAllUnhealthy: boolean;
  failoverRcodes: number[];
  nextRcodes: number[];
  nextOnNodata: boolean;
  hcIntervalMs: number;
  metrics: ForwardMetrics;
}

/** The whole query gives up after 5s (forward.go defaultTimeout). */
const QUERY_TIMEOUT_MS = 5000;

export class Forward implements Handler {
  readonly name = "forward";
  next: Handler | undefined;
  private concurrent = 0;

  constructor(readonly o: ForwardOptions) {}

  start(): void {
    for (const u of this.o.upstreams) u.start(this.o.hcIntervalMs);
  }

  stop(): void {
    for (const u of this.o.upstreams) u.stop();
  }

  match(lname: string): boolean {
    if (!inZone(lname, this.o.from)) return false;
    if (lname === this.o.from) return true;
    return !this.o.ignored.some((z) => inZone(lname, z));
  }

  async serveDNS(req: Request, w: Parameters<Handler["serveDNS"]>[1], signal: AbortSignal): Promise<number> {
    if (!this.match(req.lname)) return nextOrFailure(this.name, this.next, req, w, signal);
    const o = this.o;
    if (o.maxConcurrent > 0) {
      if (this.concurrent >= o.maxConcurrent) {
        o.metrics.maxConcurrentRejects.inc();
        throw new PluginError(Rcode.REFUSED, `concurrent queries exceeded maximum ${o.maxConcurrent}`);
      }
    }
    this.concurrent++;
    try {
      return await this.forward(req, w, signal);
    } finally {
      this.concurrent--;
    }
  }

  private async forward(
    req: Request,
    w: Parameters<Handler["serveDNS"]>[1],
    signal: AbortSignal,
  ): Promise<number> {
    const o = this.o;
    const list = o.policy.list(o.upstreams);
    const deadline = Date.now() + QUERY_TIMEOUT_MS;
    const maxAttempts = o.maxConnectAttempts ?? 2 * list.length;
    let attempts = 0;
    let fails = 0;
    let failovers = 0;
    let i = 0;
    let lastErr: Error | undefined;
    while (Date.now() < deadline && !signal.aborted && (maxAttempts === 0 || attempts < maxAttempts)) {
      if (i >= list.length) {
        i = 0;
        fails = 0;
      }
      let up = list[i++];
      if (up.down(o.maxFails)) {
        fails++;
        if (fails < o.upstreams.length) continue;
        o.metrics.healthcheckBroken.inc();
        if (o.failfastAllUnhealthy) break;
        // Every upstream looks down: health checking itself may be broken, so try one anyway.
        up = random.list(o.upstreams)[0];
      }
      let proto: Proto = o.forceTCP ? "tcp" : o.preferUDP ? "udp" : req.proto;
      let ret: DecodedPacket | undefined;
      let err: Error | undefined;
      for (;;) {
        try {
          ret = await up.exchange(req.msg, proto, signal);
          err = undefined;
        } catch (e) {
          ret = undefined;
          err = e as Error;
          if (e instanceof CachedClosedError) continue;
          // The query itself cannot be packed (proxy.ErrInvalidRequest).
          if (e instanceof EncodeError)
            throw new PluginError(Rcode.FORMERR, `proxy: invalid request: ${err.message}`);
        }
        // prefer_udp: a truncated UDP answer is asked again over TCP.
        if (ret && proto === "udp" && (ret.flags ?? 0) & Flag.TC && !o.forceTCP && o.preferUDP) {
          proto = "tcp";
          continue;
        }
        break;
      }
      if (err || !ret) {
        lastErr = err;
        if (o.maxFails !== 0) up.healthcheck();
        if (maxAttempts > 0 && ++attempts >= maxAttempts) break;
        if (fails < o.upstreams.length) continue;
        break;
      }
      if (!matches(req, ret)) {
        w.write(replyTo(req.msg, Rcode.FORMERR));
        return Rcode.NOERROR;
      }
      const rcode = (ret.flags ?? 0) & 0xf;
      if (o.failoverRcodes.includes(rcode) && ++failovers < o.upstreams.length) continue;
      if (this.next instanceof Forward) {
        if (o.nextRcodes.includes(rcode)) return this.next.serveDNS(req, w, signal);
        if (o.nextOnNodata && rcode === Rcode.NOERROR && (ret.answers ?? []).length === 0)
          return this.next.serveDNS(req, w, signal);
      }
      ret.type = "response";
      w.write(ret);
      return Rcode.NOERROR;
    }
    throw new PluginError(Rcode.SERVFAIL, lastErr ? lastErr.message : "no healthy proxies");
  }
}

/** request.Match: a response whose question (if any) is the one asked. */
function matches(req: Request, ret: DecodedPacket): boolean {
  if (ret.type !== "response") return false;
  const q = ret.questions?.[0];
  if (!q) return true;
  const name = q.name === "" || q.name === "." ? "." : `${q.name.toLowerCase().replace(/\.$/, "")}.`;
  return (q.class ?? "IN") === req.qclass && q.type === req.qtype && name === req.lname;
}
