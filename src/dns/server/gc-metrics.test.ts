import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { Registry } from "prom-client";
import { collectProcessMetrics, type GcStatsAddon, gcStatsAddon, gcStride } from "./gc-metrics.ts";
import { loadAddon } from "./udp-batch.ts";

/** prom-client's default buckets for nodejs_gc_duration_seconds. */
const BOUNDS = [0.001, 0.01, 0.1, 1, 2, 5];
const STRIDE = BOUNDS.length + 2;

/** An addon double whose counters are the given numbers. */
function fakeGc(values: number[]): GcStatsAddon {
  return {
    gcWatch: () => true,
    gcStats: (out) => {
      out.set(values);
      return out;
    },
    gcKinds: 4,
    gcBounds: BOUNDS,
  };
}

describe("nodejs_gc_duration_seconds from the addon", () => {
  test("cumulative buckets, sum and count per kind; kinds never seen are left out", async () => {
    const raw = new Array(4 * STRIDE).fill(0);
    // minor: 5 collections, 3 under 1 ms and 2 under 10 ms; major: 1 of 0.2 s.
    raw.splice(0, STRIDE, 5, 0.013, 3, 2, 0, 0, 0, 0);
    raw.splice(STRIDE, STRIDE, 1, 0.2, 0, 0, 0, 1, 0, 0);
    const registry = new Registry();
    collectProcessMetrics(registry, fakeGc(raw));
    const text = await registry.metrics();
    const has = (line: string) => assert.ok(text.includes(line), `missing ${line}`);
    has("# TYPE nodejs_gc_duration_seconds histogram");
    has('nodejs_gc_duration_seconds_bucket{kind="minor",le="0.001"} 3');
    has('nodejs_gc_duration_seconds_bucket{kind="minor",le="0.01"} 5');
    has('nodejs_gc_duration_seconds_bucket{kind="minor",le="+Inf"} 5');
    has('nodejs_gc_duration_seconds_sum{kind="minor"} 0.013');
    has('nodejs_gc_duration_seconds_count{kind="minor"} 5');
    has('nodejs_gc_duration_seconds_bucket{kind="major",le="0.1"} 0');
    has('nodejs_gc_duration_seconds_bucket{kind="major",le="1"} 1');
    has('nodejs_gc_duration_seconds_count{kind="major"} 1');
    assert.ok(!text.includes('kind="incremental"'));
    // prom-client's other defaults are all there.
    for (const name of [
      "process_cpu_user_seconds_total",
      "process_start_time_seconds",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
      "nodejs_heap_size_used_bytes",
      "nodejs_heap_space_size_used_bytes",
      "nodejs_version_info",
    ])
      has(`# TYPE ${name} `);
  });

  test("without the addon, prom-client's own defaults (its GC observer included)", async () => {
    const registry = new Registry();
    collectProcessMetrics(registry, undefined);
    const text = await registry.metrics();
    assert.ok(text.includes("# TYPE nodejs_gc_duration_seconds histogram"));
    assert.ok(text.includes("# TYPE process_cpu_user_seconds_total counter"));
  });

  test("the built addon counts this process's collections", async (t) => {
    const loaded = loadAddon();
    if (!("addon" in loaded)) return t.skip(loaded.reason);
    // scripts/build-native.mjs leaves the counters out only where there is no C++ compiler.
    if (!loaded.addon.gcWatch && spawnSync("sh", ["-c", "command -v c++"]).status !== 0)
      return t.skip("the addon was built without a C++ compiler, so without GC counters");
    const gc = gcStatsAddon(loaded);
    assert.ok(gc, "the addon has gcWatch/gcStats");
    assert.deepEqual(gc.gcBounds, BOUNDS, "prom-client's buckets");
    const raw = new Float64Array(gc.gcKinds * gcStride(gc));
    const before = gc.gcStats(raw)[0];
    // Short-lived garbage well past a young generation's size: scavenges must follow.
    let keep: number[][] = [];
    for (let i = 0; i < 400_000 && gc.gcStats(raw)[0] === before; i++) {
      keep.push([i, i + 1, i + 2]);
      if (keep.length > 1000) keep = [];
    }
    gc.gcStats(raw);
    assert.ok(raw[0] > before, "no minor collection was counted");
    assert.ok(raw[1] > 0, "minor collections took no time");
    let buckets = 0;
    for (let i = 2; i < gcStride(gc); i++) buckets += raw[i];
    assert.ok(buckets <= raw[0]);
  });
});
