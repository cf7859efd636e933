import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printSecret: NAME TYPE DATA AGE.
test("secret table", () => {
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ["Name", "Type", "Data", "Age"],
  );
  const s = {
    metadata: { name: "tls", creationTimestamp: "2024-05-01T09:30:00Z" },
    type: "kubernetes.io/tls",
    data: { "tls.crt": "", "tls.key": "" },
  };
  assert.deepEqual(table.cells(s, new Date("2024-05-01T12:00:00Z")), ["tls", "kubernetes.io/tls", 2, "150m"]);
});
