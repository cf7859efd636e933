/**
 * `forward FROM TO… { … }` (plugin/forward/setup.go). Several forward lines in one block chain
 * in Corefile order. TLS and DoH upstreams are not supported (an error at setup).
 */

import { isIP } from "node:net";
import { normalizeZone } from "../../corefile/address.ts";
import type { Dispenser } from "../../corefile/dispenser.ts";
import { parseDuration } from "../../corefile/duration.ts";
import { rcodeByName } from "../../message/message.ts";
import { fqdnLower, isDomainName } from "../../names.ts";
import type { PluginModule, SetupContext } from "../../plugin.ts";
import { Forward, type ForwardOptions } from "./forward.ts";
import { type ForwardMetrics, forwardMetrics } from "./metrics.ts";
import { type Policy, random, roundRobin, sequential } from "./policy.ts";
import { upstreamsOf } from "./resolvconf.ts";
import { Upstream } from "./upstream.ts";

/** CoreDNS's limit on TO addresses per forward. */
const MAX_UPSTREAMS = 15;

interface Stanza {
  opts: Omit<ForwardOptions, "upstreams" | "metrics">;
  to: string[];
  expireMs: number;
  maxAgeMs: number;
  maxIdleConns: number;
  readTimeoutMs: number;
  hcDomain: string;
  hcRecursionDesired: boolean;
  sourceAddress?: string;
}

/** Parse every forward line of the block into handlers (not started). */
export function parseForward(
  ctx: Pick<SetupContext, "dispenser" | "log" | "podView">,
  metrics: ForwardMetrics,
): Forward[] {
  const d = ctx.dispenser;
  const out: Forward[] = [];
  // In a pod's Corefile, /etc/resolv.conf stands for the node's upstreams (dnsPolicy Default).
  const servers = (t: string) => ctx.podView?.nameservers(t) ?? [t];
  while (d.next()) {
    const s = parseStanza(d, ctx.log.warn);
    const addrs = upstreamsOf(s.to.flatMap(servers));
    const seen = new Set<string>();
    const upstreams: Upstream[] = [];
    for (const a of addrs) {
      const key = `${a.host}|${a.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      upstreams.push(
        new Upstream({
          host: a.host,
          port: a.port,
          expireMs: s.expireMs,
          maxAgeMs: s.maxAgeMs,
          maxIdleConns: s.maxIdleConns,
          readTimeoutMs: s.readTimeoutMs,
          localAddress: s.sourceAddress,
          hcDomain: s.hcDomain,
          hcRecursionDesired: s.hcRecursionDesired,
          hcProto: s.opts.forceTCP ? "tcp" : "udp",
          metrics,
        }),
      );
    }
    if (upstreams.length > MAX_UPSTREAMS)
      throw new Error(`more than ${MAX_UPSTREAMS} TOs configured: ${upstreams.length}`);
    out.push(new Forward({ ...s.opts, upstreams, metrics }));
  }
  return out;
}

function parseStanza(d: Dispenser, warn: (m: string) => void): Stanza {
  const fromArg = d.args(1);
  if (!fromArg) throw d.argErr();
  const zones = normalizeZone(fromArg[0]);
  if (zones.length === 0) throw new Error(`unable to normalize '${fromArg[0]}'`);
  if (zones.length > 1)
    warn(`Unsupported CIDR notation: '${fromArg[0]}' expands to multiple zones. Using only '${zones[0]}'.`);
  const to = d.remainingArgs();
  if (to.length === 0) throw d.argErr();
  for (const t of to) {
    const scheme = /^([a-z0-9+]+):\/\//i.exec(t);
    if (scheme && scheme[1].toLowerCase() !== "dns") {
      const trans = scheme[1].toLowerCase();
      if (trans === "tls" || trans === "https")
        throw new Error(`'${trans}' upstreams are not supported by Skiff's forward: ${t}`);
      throw new Error(`'${trans}' is not supported as a destination protocol in forward: ${t}`);
    }
  }
  const s: Stanza = {
    opts: {
      from: zones[0],
      ignored: [],
      policy: random,
      maxFails: 2,
      forceTCP: false,
      preferUDP: false,
      maxConcurrent: 0,
      failfastAllUnhealthy: false,
      failoverRcodes: [],
      nextRcodes: [],
      nextOnNodata: false,
      hcIntervalMs: 500,
    },
    to,
    expireMs: 10_000,
    maxAgeMs: 0,
    maxIdleConns: 0,
    readTimeoutMs: 2000,
    hcDomain: ".",
    hcRecursionDesired: true,
  };
  while (d.nextBlock()) parseOption(d, s);
  if (s.maxAgeMs > 0 && s.maxAgeMs < s.expireMs)
    throw new Error(`max_age (${goDur(s.maxAgeMs)}) must not be less than expire (${goDur(s.expireMs)})`);
  return s;
}

function parseOption(d: Dispenser, s: Stanza): void {
  const o = s.opts;
  const one = (): string => {
    if (!d.nextArg()) throw d.argErr();
    return d.val();
  };
  const none = () => {
    if (d.nextArg()) throw d.argErr();
  };
  switch (d.val()) {
    case "except": {
      const names = d.remainingArgs();
      if (names.length === 0) throw d.argErr();
      for (const n of names) o.ignored.push(...normalizeZone(n));
      break;
    }
    case "max_fails":
      o.maxFails = uint(one(), "max_fails");
      break;
    case "max_connect_attempts":
      o.maxConnectAttempts = uint(one(), "max_connect_attempts");
      break;
    case "health_check": {
      const dur = parseDuration(one());
      if (dur < 0) throw new Error(`health_check can't be negative: ${dur}`);
      o.hcIntervalMs = dur;
      s.hcDomain = ".";
      while (d.nextArg()) {
        const v = d.val();
        if (v === "no_rec") s.hcRecursionDesired = false;
        else if (v === "domain") {
          const dom = one();
          if (!isDomainName(dom)) throw new Error(`health_check: invalid domain name ${dom}`);
          s.hcDomain = fqdnLower(dom);
        } else throw new Error(`health_check: unknown option ${v}`);
      }
      break;
    }
    case "force_tcp":
      none();
      o.forceTCP = true;
      break;
    case "prefer_udp":
      none();
      o.preferUDP = true;
      break;
    case "tls":
    case "tls_servername":
    case "doh_method":
      throw d.err(
        `${d.val()} is not supported by Skiff's forward (no DNS-over-TLS or DNS-over-HTTPS upstreams)`,
      );
    case "expire":
      s.expireMs = nonNegative(one(), "expire");
      break;
    case "max_age":
      s.maxAgeMs = nonNegative(one(), "max_age");
      break;
    case "max_idle_conns": {
      const v = one();
      const n = Number(v);
      if (!/^-?\d+$/.test(v)) throw new Error(`strconv.Atoi: parsing "${v}": invalid syntax`);
      if (n < 0) throw new Error(`max_idle_conns can't be negative: ${n}`);
      s.maxIdleConns = n;
      break;
    }
    case "read_timeout": {
      const v = one();
      const ms = parseDuration(v);
      if (ms <= 0) throw new Error(`read_timeout must be positive: ${v}`);
      s.readTimeoutMs = ms;
      break;
    }
    case "policy": {
      const v = one();
      const p: Policy | undefined =
        v === "random"
          ? random
          : v === "round_robin"
            ? roundRobin()
            : v === "sequential"
              ? sequential
              : undefined;
      if (!p) throw d.err(`unknown policy '${v}'`);
      o.policy = p;
      break;
    }
    case "max_concurrent": {
      const v = one();
      if (!/^-?\d+$/.test(v)) throw new Error(`strconv.Atoi: parsing "${v}": invalid syntax`);
      const n = Number(v);
      if (n < 0) throw new Error(`max_concurrent can't be negative: ${n}`);
      o.maxConcurrent = n;
      break;
    }
    case "next": {
      const args = d.remainingArgs();
      if (args.length === 0) throw d.argErr();
      for (const a of args) o.nextRcodes.push(rcodeOf(a));
      break;
    }
    case "next_on_nodata":
      none();
      o.nextOnNodata = true;
      break;
    case "failfast_all_unhealthy_upstreams":
      none();
      o.failfastAllUnhealthy = true;
      break;
    case "failover": {
      const args = d.remainingArgs();
      if (args.length === 0) throw d.argErr();
      for (const a of args) {
        const rc = rcodeOf(a);
        if (rc === 0) throw new Error("NoError cannot be used in failover");
        o.failoverRcodes.push(rc);
      }
      break;
    }
    case "source_address": {
      const v = one();
      if (!isIP(v)) throw d.err(`invalid IP address: ${v}`);
      s.sourceAddress = v.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1");
      break;
    }
    default:
      throw d.unknownProperty();
  }
}

function rcodeOf(s: string): number {
  const rc = rcodeByName(s.toUpperCase());
  if (rc === undefined) throw new Error(`${s} is not a valid rcode`);
  return rc;
}

function uint(v: string, _what: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff)
    throw new Error(`strconv.ParseUint: parsing "${v}": invalid syntax`);
  return Number(v);
}

function nonNegative(v: string, what: string): number {
  const ms = parseDuration(v);
  if (ms < 0) throw new Error(`${what} can't be negative: ${v}`);
  return ms;
}

/** Milliseconds printed as Go prints a duration (enough for the seconds CoreDNS messages show). */
function goDur(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

const mod: PluginModule = {
  name: "forward",
  setup(ctx) {
    const metrics = forwardMetrics(ctx.metrics);
    const fs = parseForward(ctx, metrics);
    for (const f of fs) {
      ctx.onStartup(() => f.start());
      ctx.onShutdown(() => f.stop());
    }
    return (next) => {
      for (let i = 0; i < fs.length; i++) fs[i].next = i + 1 < fs.length ? fs[i + 1] : next;
      return fs[0];
    };
  },
};
export default mod;
