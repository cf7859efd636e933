import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CpuProfile, summarize } from "./cpuprofile.ts";
import { cpuMs, rssMiB, runPool, stats } from "./lib.ts";

describe("stats", () => {
  test("nearest-rank percentiles over unsorted values", () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
    assert.deepEqual(stats(v), { n: 100, p50: 50, p99: 99, max: 100 });
    assert.deepEqual(stats([7]), { n: 1, p50: 7, p99: 7, max: 7 });
    assert.ok(Number.isNaN(stats([]).p50));
  });
});

describe("runPool", () => {
  test("never more than `concurrency` in flight, every task once", async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    const done = await runPool(50, 4, performance.now() + 10_000, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setImmediate(r));
      seen.push(i);
      inFlight--;
    });
    assert.equal(done, 50);
    assert.equal(peak, 4);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  test("starts nothing after the deadline", async () => {
    const done = await runPool(50, 4, performance.now() - 1, async () => {});
    assert.equal(done, 0);
  });
});

describe("/proc readings", () => {
  test("CPU time grows with work and RSS is plausible", () => {
    const before = cpuMs(process.pid);
    const t = performance.now();
    let x = 0;
    while (performance.now() - t < 60) x += Math.sqrt(x + 1);
    assert.ok(x > 0);
    assert.ok(cpuMs(process.pid) > before, "a 60 ms busy loop shows in utime (10 ms ticks)");
    const rss = rssMiB(process.pid);
    assert.ok(rss > 10 && rss < 4096, `${rss} MiB`);
  });
});

describe("summarize (cpuprofile)", () => {
  // (root) → main → [hot, cold]; samples every 1000 µs from t = 0.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: "(root)", url: "" }, children: [2, 5] },
      { id: 2, callFrame: { functionName: "main", url: "file:///x/app.js" }, children: [3, 4] },
      { id: 3, callFrame: { functionName: "hot", url: "file:///x/app.js" } },
      { id: 4, callFrame: { functionName: "cold", url: "file:///x/node_modules/dep/index.js" } },
      { id: 5, callFrame: { functionName: "(idle)", url: "" } },
    ],
    startTime: 0,
    samples: [3, 3, 3, 4, 5, 3, 3],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000],
  };

  test("self, file and inclusive time; idle left out", () => {
    const s = summarize(profile, 0, 1e9, 10);
    // The last sample has no following delta, so it counts for nothing.
    assert.equal(s.ms, 5);
    assert.deepEqual(s.self, [
      ["hot file:///x/app.js", 4],
      ["cold dep/index.js", 1],
    ]);
    assert.deepEqual(s.files, [
      ["file:///x/app.js", 4],
      ["node_modules/dep", 1],
    ]);
    assert.deepEqual(s.inclusive[0], ["main file:///x/app.js", 5]);
  });

  test("only samples inside the window count", () => {
    // Samples sit at t = 1000 … 7000 µs; [3500, 5500) holds the ones at 4000 (cold) and 5000 (idle).
    const s = summarize(profile, 3500, 5500, 10);
    assert.equal(s.ms, 1);
    assert.deepEqual(s.self, [["cold dep/index.js", 1]]);
  });
});
