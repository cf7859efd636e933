/**
 * nodejs_gc_duration_seconds from the native addon's GC callbacks (native/udpio/gcstats.cc)
 * instead of prom-client's PerformanceObserver. The observer makes a Node entry object and a JS
 * call for every collection, and skiff dns's 1 MiB young generation collects hundreds of times
 * a second under load: in a CPU profile at 10,000 Services the observer took about 4% of the
 * server's time (bench/RESULTS.md, session 12). Same name, help, labels and buckets as prom-client's.
 */
import { createRequire } from "node:module";
import { collectDefaultMetrics, type Registry } from "prom-client";
import { LiteHistogram } from "./lite-metrics.ts";
import { type Addon, loadAddon } from "./udp-batch.ts";

/**
 * What the addon gives: per kind, [count, seconds in all, a count per bucket of gcBounds]
 * (prom-client's default buckets for this metric).
 */
export type GcStatsAddon = Required<Pick<Addon, "gcWatch" | "gcStats" | "gcKinds" | "gcBounds">>;

/** Numbers per kind in gcStats's output: count, seconds, then the buckets. */
export function gcStride(gc: Pick<GcStatsAddon, "gcBounds">): number {
  return 2 + gc.gcBounds.length;
}

/** Node's perf_hooks kind labels, in the addon's order. */
const KINDS = ["minor", "major", "incremental", "weakcb"] as const;

class GcHistogram extends LiteHistogram<"kind"> {
  private readonly raw: Float64Array;
  private readonly stride: number;

  constructor(
    registry: Registry,
    private readonly gc: GcStatsAddon,
  ) {
    super(
      "nodejs_gc_duration_seconds",
      "Garbage collection duration by kind, one of major, minor, incremental or weakcb.",
      ["kind"],
      gc.gcBounds,
      registry,
    );
    this.stride = gcStride(gc);
    this.raw = new Float64Array(gc.gcKinds * this.stride);
  }

  override async get(): ReturnType<LiteHistogram<"kind">["get"]> {
    this.gc.gcStats(this.raw);
    const stride = this.stride;
    KINDS.forEach((kind, k) => {
      const at = k * stride;
      const count = this.raw[at];
      if (count > 0) this.set({ kind }, this.raw.subarray(at + 2, at + stride), this.raw[at + 1], count);
    });
    return super.get();
  }
}

/** The addon's GC counters, started; undefined when the addon (or a build with them) is missing. */
export function gcStatsAddon(loaded = loadAddon()): GcStatsAddon | undefined {
  if (!("addon" in loaded)) return undefined;
  const a = loaded.addon;
  if (!a.gcWatch || !a.gcStats || !a.gcBounds || a.gcKinds !== KINDS.length) return undefined;
  if (!a.gcWatch()) return undefined;
  return { gcWatch: a.gcWatch, gcStats: a.gcStats, gcKinds: a.gcKinds, gcBounds: a.gcBounds };
}

type DefaultMetric = (registry: Registry, config: { eventLoopMonitoringPrecision: number }) => void;

/**
 * prom-client's default metrics (process_*, nodejs_*) into registry, with the GC histogram from
 * the addon when it is there. prom-client has no switch for one of its defaults, so the others
 * are its per-metric modules (named by its public metricsList); if any of them cannot be
 * loaded, all of prom-client's defaults are used as they are.
 */
export function collectProcessMetrics(
  registry: Registry,
  gc: GcStatsAddon | undefined = gcStatsAddon(),
): void {
  const others = gc ? defaultMetricsExceptGc() : undefined;
  if (!gc || !others) {
    collectDefaultMetrics({ register: registry });
    return;
  }
  for (const m of others) m(registry, { eventLoopMonitoringPrecision: 10 });
  new GcHistogram(registry, gc);
}

function defaultMetricsExceptGc(): DefaultMetric[] | undefined {
  const require = createRequire(import.meta.url);
  try {
    return collectDefaultMetrics.metricsList
      .filter((name) => name !== "gc")
      .map((name) => require(`prom-client/lib/metrics/${name}`) as DefaultMetric);
  } catch {
    return undefined;
  }
}
