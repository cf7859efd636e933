/**
 * CoreDNS's cache metrics (plugin/cache/metrics.go), under its names and labels. A prom-client
 * increment with labels costs about a microsecond, a tenth of a hit's budget, so a cache counts
 * in plain fields and the metrics pull those counts when scraped (and at shutdown).
 */
import { Counter, Gauge, type Registry } from "prom-client";

export interface CacheCounts {
  requests: number;
  hitsSuccess: number;
  hitsDenial: number;
  misses: number;
  prefetch: number;
  drops: number;
  servedStale: number;
  evictSuccess: number;
  evictDenial: number;
}

export interface CacheSource {
  readonly labels: { server: string; zones: string; view: string };
  readonly counts: CacheCounts;
  entries(): { success: number; denial: number };
}

export function newCounts(): CacheCounts {
  return {
    requests: 0,
    hitsSuccess: 0,
    hitsDenial: 0,
    misses: 0,
    prefetch: 0,
    drops: 0,
    servedStale: 0,
    evictSuccess: 0,
    evictDenial: 0,
  };
}

type L3 = "server" | "zones" | "view";
type L4 = L3 | "type";

interface Families {
  entries: Gauge<L4>;
  requests: Counter<L3>;
  hits: Counter<L4>;
  misses: Counter<L3>;
  prefetch: Counter<L3>;
  drops: Counter<L3>;
  servedStale: Counter<L3>;
  evictions: Counter<L4>;
}

const perRegistry = new WeakMap<Registry, { sources: Set<CacheSource>; families: Families }>();

/** Register a cache's counts on the registry's families (created once per registry). */
export function attach(registry: Registry, source: CacheSource): () => void {
  let reg = perRegistry.get(registry);
  if (!reg) {
    const sources = new Set<CacheSource>();
    let fam: Families | undefined;
    fam = families(registry, () => {
      if (fam) flushAll(sources, fam);
    });
    reg = { sources, families: fam };
    perRegistry.set(registry, reg);
  }
  const r = reg;
  r.sources.add(source);
  return () => {
    flush(source, r.families);
    r.sources.delete(source);
  };
}

function flushAll(sources: Set<CacheSource>, f: Families): void {
  for (const s of sources) flush(s, f);
}

function flush(s: CacheSource, f: Families): void {
  const c = s.counts;
  const l = s.labels;
  const add = (ctr: Counter<L3>, n: number) => n > 0 && ctr.inc(l, n);
  const addT = (ctr: Counter<L4>, type: string, n: number) => n > 0 && ctr.inc({ ...l, type }, n);
  add(f.requests, c.requests);
  add(f.misses, c.misses);
  add(f.prefetch, c.prefetch);
  add(f.drops, c.drops);
  add(f.servedStale, c.servedStale);
  addT(f.hits, "success", c.hitsSuccess);
  addT(f.hits, "denial", c.hitsDenial);
  addT(f.evictions, "success", c.evictSuccess);
  addT(f.evictions, "denial", c.evictDenial);
  Object.assign(c, newCounts());
  const e = s.entries();
  f.entries.set({ ...l, type: "success" }, e.success);
  f.entries.set({ ...l, type: "denial" }, e.denial);
}

function families(registry: Registry, collect: () => void): Families {
  // Any family's scrape flushes all of them, so values stay consistent within one scrape.
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry], collect });
  const l3 = ["server", "zones", "view"] as const;
  const l4 = ["server", "type", "zones", "view"] as const;
  return {
    entries:
      (registry.getSingleMetric("coredns_cache_entries") as Gauge<L4> | undefined) ??
      new Gauge({
        name: "coredns_cache_entries",
        help: "The number of elements in the cache.",
        labelNames: l4,
        registers: [registry],
        collect,
      }),
    requests: counter("coredns_cache_requests_total", "The count of cache requests.", l3),
    hits: counter("coredns_cache_hits_total", "The count of cache hits.", l4),
    misses: counter(
      "coredns_cache_misses_total",
      "The count of cache misses. Deprecated, derive misses from cache hits/requests counters.",
      l3,
    ),
    prefetch: counter(
      "coredns_cache_prefetch_total",
      "The number of times the cache has prefetched a cached item.",
      l3,
    ),
    drops: counter(
      "coredns_cache_drops_total",
      "The number responses that are not cached, because the reply is malformed.",
      l3,
    ),
    servedStale: counter(
      "coredns_cache_served_stale_total",
      "The number of requests served from stale cache entries.",
      l3,
    ),
    evictions: counter("coredns_cache_evictions_total", "The count of cache evictions.", l4),
  };
}
