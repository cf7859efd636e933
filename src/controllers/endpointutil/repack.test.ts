// Expectations follow kube's pkg/api/v1/endpoints util_test.go TestPackSubsets.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pod, service } from "./fixtures.ts";
import { repackSubsets } from "./repack.ts";
import { TriggerTimeTracker } from "./trigger-time.ts";

const p = (port: number, name = "") => ({ name, port, protocol: "TCP" });

test("same address in two subsets with different ports merges", () => {
  assert.deepEqual(
    repackSubsets([
      { addresses: [{ ip: "1.2.3.4" }], ports: [p(111)] },
      { addresses: [{ ip: "1.2.3.4" }], ports: [p(222)] },
    ]),
    [{ addresses: [{ ip: "1.2.3.4" }], ports: [p(111), p(222)] }],
  );
});

test("ready wins over not ready for the same address and port", () => {
  assert.deepEqual(
    repackSubsets([
      { notReadyAddresses: [{ ip: "1.2.3.4" }], ports: [p(111)] },
      { addresses: [{ ip: "1.2.3.4" }], ports: [p(111)] },
    ]),
    [{ addresses: [{ ip: "1.2.3.4" }], ports: [p(111)] }],
  );
});

test("same IP from different pods stays distinct; different port sets split subsets", () => {
  const ref = (uid: string) => ({ kind: "Pod", uid });
  const out = repackSubsets([
    { addresses: [{ ip: "1.2.3.4", targetRef: ref("a") }], ports: [p(111)] },
    { addresses: [{ ip: "1.2.3.4", targetRef: ref("b") }], ports: [p(111)] },
    { addresses: [{ ip: "5.6.7.8" }], ports: [p(222)] },
  ]);
  assert.equal(out.length, 2);
  assert.equal(out[0].addresses?.length, 2);
  assert.deepEqual(out[1], { addresses: [{ ip: "5.6.7.8" }], ports: [p(222)] });
});

test("trigger time: creation time first, then the earliest changed Ready transition, else none", () => {
  // kube's TriggerTimeTracker (trigger_time_tracker_test.go).
  const t = new TriggerTimeTracker();
  const svc = service("s");
  const a = pod("a", { readySince: "2024-01-01T00:05:00Z" });
  assert.equal(t.compute(svc, [a]), "2024-01-01T00:00:00Z");
  assert.equal(t.compute(svc, [a]), undefined);
  const a2 = pod("a", { readySince: "2024-01-01T00:07:00Z" });
  const b = pod("b", { readySince: "2024-01-01T00:06:00.5Z" });
  assert.equal(t.compute(svc, [a2, b]), "2024-01-01T00:06:00.5Z");
});
