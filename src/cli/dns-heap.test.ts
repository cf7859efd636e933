import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

/**
 * A process that keeps a cache-like ring of objects alive a while (they survive the young
 * generation, then die in the old one), then reports its heap; `tune` applies the DNS settings.
 */
function churn(tune: boolean, nodeFlags: string[] = []): { newSpace: number; total: number; used: number } {
  const script = `
    import v8 from "node:v8";
    ${tune ? `const { tuneHeapForDNS } = await import(${JSON.stringify(new URL("./dns-heap.ts", import.meta.url).href)}); tuneHeapForDNS();` : ""}
    const live = Array.from({ length: 100000 }, (_, i) => ({ i, s: "k" + i }));
    const ring = new Array(40000);
    for (let i = 0; i < 1500000; i++) ring[i % ring.length] = { i, s: "v" + i };
    const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    const h = v8.getHeapStatistics();
    console.log(JSON.stringify({ newSpace: ns.space_size, total: h.total_heap_size, used: h.used_heap_size, n: live.length }));
  `;
  const out = execFileSync(
    process.execPath,
    [...nodeFlags, "--import", "tsx", "--input-type=module", "-e", script],
    { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
  );
  return JSON.parse(out);
}

test("the DNS heap settings take effect at run time: a small young generation, a heap near its live size", () => {
  const plain = churn(false);
  const tuned = churn(true);
  const MiB = 2 ** 20;
  // V8 lets the semi-spaces grow to 16 MiB each under this churn; tuned they stay at the 1 or 2
  // MiB they had when the settings were applied (loading tsx grows them once).
  assert.ok(plain.newSpace >= 16 * MiB, `without: new space ${plain.newSpace / MiB} MiB`);
  assert.ok(tuned.newSpace <= 4 * MiB, `with: new space ${tuned.newSpace / MiB} MiB`);
  assert.ok(tuned.total < plain.total, `heap ${tuned.total / MiB} MiB with, ${plain.total / MiB} without`);
});

test("a heap flag given to node wins over the DNS default for the same knob; SKIFF_DNS_HEAP=v8 sets none", () => {
  // In a child: setting V8 flags here would change this test process's heap.
  const given = "--max-semi-space-size=8 --foo";
  const script = `
    const { tuneHeapForDNS } = await import(${JSON.stringify(new URL("./dns-heap.ts", import.meta.url).href)});
    console.log(JSON.stringify([tuneHeapForDNS(${JSON.stringify(given)}, "small"), tuneHeapForDNS("--optimize-for-size", "small"), tuneHeapForDNS("", "v8")]));
    try { tuneHeapForDNS("", "huge"); console.log("accepted"); } catch (e) { console.log(JSON.stringify(e.message)); }
  `;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  const [tuned, error] = out.trim().split("\n");
  assert.deepEqual(JSON.parse(tuned), [["--heap-growing-percent=20"], ["--semi-space-growth-factor=1"], []]);
  assert.match(JSON.parse(error), /SKIFF_DNS_HEAP=huge: use "small" \(the default\) or "v8"/);
});
