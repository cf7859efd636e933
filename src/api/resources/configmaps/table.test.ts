import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printConfigMap: DATA counts data and binaryData keys.
test("configmap table", () => {
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ["Name", "Data", "Age"],
  );
  const now = new Date("2024-05-01T12:00:00Z");
  const cm = {
    metadata: { name: "cfg", creationTimestamp: "2024-05-01T11:57:00Z" },
    data: { a: "1", b: "2" },
    binaryData: { c: "AA==" },
  };
  assert.deepEqual(table.cells(cm, now), ["cfg", 3, "3m"]);
  assert.deepEqual(
    table.cells({ metadata: { name: "empty", creationTimestamp: "2024-05-01T11:57:00Z" } }, now),
    ["empty", 0, "3m"],
  );
});
