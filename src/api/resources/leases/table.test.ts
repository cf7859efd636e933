import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printLease: NAME, HOLDER (empty when holderIdentity is nil), AGE.
test("lease table", () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.format, c.priority]),
    [
      ["Name", "name", 0],
      ["Holder", "", 0],
      ["Age", "", 0],
    ],
  );
  const now = new Date("2024-05-01T12:00:00Z");
  const held = {
    metadata: { name: "node-1", creationTimestamp: "2024-05-01T11:55:00Z" },
    spec: { holderIdentity: "node-1", leaseDurationSeconds: 40 },
  };
  assert.deepEqual(table.cells(held, now), ["node-1", "node-1", "5m"]);
  const free = { metadata: { name: "lock", creationTimestamp: "2024-05-01T11:59:30Z" }, spec: {} };
  assert.deepEqual(table.cells(free, now), ["lock", "", "30s"]);
});
