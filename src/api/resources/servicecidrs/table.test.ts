import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printServiceCIDR (networking v1beta1+): NAME CIDRS AGE.
test("servicecidr table", () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.format]),
    [
      ["Name", "name"],
      ["CIDRs", ""],
      ["Age", ""],
    ],
  );
  const sc = {
    metadata: { name: "kubernetes", creationTimestamp: "2024-05-01T11:59:00Z" },
    spec: { cidrs: ["10.96.0.0/12", "fd00:10:96::/112"] },
  };
  assert.deepEqual(table.cells(sc, new Date("2024-05-01T12:00:00Z")), [
    "kubernetes",
    "10.96.0.0/12,fd00:10:96::/112",
    "60s",
  ]);
});
