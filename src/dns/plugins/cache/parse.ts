/** The `cache` directive's syntax and checks (plugin/cache/setup.go cacheParse). */
import { normalizeKey } from "../../corefile/address.ts";
import type { Dispenser } from "../../corefile/dispenser.ts";
import { parseDuration } from "../../corefile/duration.ts";
import { type CacheConfig, DEFAULTS } from "./cache.ts";

/** Go's strconv.Atoi, with its error text. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function duration(s: string): number {
  return parseDuration(s);
}

function positiveTTL(s: string): number {
  const ttl = atoi(s);
  if (ttl <= 0) throw new Error(`cache TTL can not be zero or negative: ${ttl}`);
  return ttl;
}

function minTTL(s: string): number {
  const ttl = atoi(s);
  if (ttl < 0) throw new Error(`cache min TTL can not be negative: ${ttl}`);
  return ttl;
}

function zone(z: string): string {
  return normalizeKey(z, 53)[0].zone;
}

export function parseCache(d: Dispenser, blockZones: readonly string[]): CacheConfig {
  const cfg: CacheConfig = { ...DEFAULTS, zones: [...blockZones] };
  let seen = 0;
  while (d.next()) {
    if (seen++ > 0) throw d.err("this plugin can only be used once per Server Block");
    let args = d.remainingArgs();
    if (args.length > 0 && /^[+-]?\d+$/.test(args[0])) {
      const ttl = Number(args[0]);
      if (ttl <= 0) throw new Error(`cache TTL can not be zero or negative: ${ttl}`);
      cfg.pttl = ttl;
      cfg.nttl = ttl;
      args = args.slice(1);
    }
    if (args.length > 0) {
      cfg.zones = args.flatMap((a) => {
        try {
          return normalizeKey(a, 53).map((z) => z.zone);
        } catch (err) {
          throw d.err((err as Error).message);
        }
      });
    }
    while (d.nextBlock()) {
      const opt = d.val();
      const a = d.remainingArgs();
      switch (opt) {
        case "success":
        case "denial": {
          if (a.length === 0) throw d.argErr();
          const cap = atoi(a[0]);
          const ttl = a.length > 1 ? positiveTTL(a[1]) : undefined;
          const min = a.length > 2 ? minTTL(a[2]) : undefined;
          if (opt === "success") {
            cfg.pcap = cap;
            if (ttl !== undefined) cfg.pttl = ttl;
            if (min !== undefined) cfg.minpttl = min;
          } else {
            cfg.ncap = cap;
            if (ttl !== undefined) cfg.nttl = ttl;
            if (min !== undefined) cfg.minnttl = min;
          }
          break;
        }
        case "prefetch": {
          if (a.length === 0 || a.length > 3) throw d.argErr();
          const amount = atoi(a[0]);
          if (amount < 0) throw new Error(`prefetch amount should be positive: ${amount}`);
          cfg.prefetch = amount;
          if (a.length > 1) cfg.prefetchWindowMs = duration(a[1]);
          if (a.length > 2) {
            const pct = a[2];
            if (!pct.endsWith("%")) {
              throw new Error(`last character of percentage should be \`%\`, but is: '${pct.at(-1)}'`);
            }
            const n = atoi(pct.slice(0, -1));
            if (n < 10 || n > 90) throw new Error(`percentage should fall in range [10, 90]: ${n}`);
            cfg.percentage = n;
          }
          break;
        }
        case "serve_stale":
          serveStale(cfg, a, () => d.argErr());
          break;
        case "servfail": {
          if (a.length !== 1) throw d.argErr();
          const ms = duration(a[0]);
          if (ms < 0) throw new Error("invalid negative ttl for servfail");
          if (ms > 300_000) throw new Error("caching SERVFAIL responses over 5 minutes is not permitted");
          cfg.failttl = Math.trunc(ms / 1000);
          break;
        }
        case "disable": {
          if (a.length < 1) throw d.argErr();
          const zones = a.length > 1 ? a.slice(1).map(zone) : ["."];
          if (a[0] === "denial") cfg.nexcept = zones;
          else if (a[0] === "success") cfg.pexcept = zones;
          else throw new Error('cache type for disable must be "success" or "denial"');
          break;
        }
        case "keepttl":
          if (a.length !== 0) throw d.argErr();
          cfg.keepttl = true;
          break;
        default:
          // CoreDNS answers an unknown option with its argument error.
          throw d.err(`Wrong argument count or unexpected line ending after '${opt}'`);
      }
    }
  }
  return cfg;
}

/** `serve_stale [DURATION] [immediate [RESPONSE_TTL [RECHECK]] | verify [TIMEOUT [RESPONSE_TTL [RECHECK]]]]`. */
function serveStale(cfg: CacheConfig, a: string[], argErr: () => Error): void {
  if (a.length > 5) throw argErr();
  cfg.staleUpToMs = 3_600_000;
  cfg.staleTTL = 0;
  cfg.staleRecheckMs = 0;
  cfg.verifyStale = false;
  cfg.verifyStaleTimeoutMs = 0;
  if (a.length > 0) {
    const ms = duration(a[0]);
    if (ms < 0) throw new Error("invalid negative duration for serve_stale");
    cfg.staleUpToMs = ms;
  }
  if (a.length > 1) {
    const mode = a[1].toLowerCase();
    if (mode !== "immediate" && mode !== "verify")
      throw new Error(`invalid value for serve_stale refresh mode: ${mode}`);
    cfg.verifyStale = mode === "verify";
  }
  let rest = a.slice(2);
  if (cfg.verifyStale && rest.length > 0) {
    let t: number;
    try {
      t = duration(rest[0]);
    } catch (err) {
      throw new Error(`invalid serve_stale verify timeout: ${(err as Error).message}`);
    }
    if (t < 0) throw new Error("invalid negative timeout for serve_stale verify");
    cfg.verifyStaleTimeoutMs = t;
    rest = rest.slice(1);
  } else if (!cfg.verifyStale && rest.length > 2) throw argErr();
  if (rest.length > 0) {
    let ttl: number;
    try {
      ttl = duration(rest[0]);
    } catch (err) {
      throw new Error(`invalid serve_stale response TTL: ${(err as Error).message}`);
    }
    if (ttl < 0) throw new Error("invalid negative response TTL for serve_stale");
    if (ttl % 1000 !== 0) throw new Error("serve_stale response TTL must be a whole number of seconds");
    if (ttl / 1000 > 0xffffffff) throw new Error("serve_stale response TTL exceeds the DNS TTL range");
    cfg.staleTTL = ttl / 1000;
  }
  if (rest.length > 1) {
    let r: number;
    try {
      r = duration(rest[1]);
    } catch (err) {
      throw new Error(`invalid serve_stale failure recheck: ${(err as Error).message}`);
    }
    if (r < 0) throw new Error("invalid negative failure recheck for serve_stale");
    if (r > 300_000) throw new Error("serve_stale failure recheck cannot exceed 5 minutes");
    cfg.staleRecheckMs = r;
  }
}
