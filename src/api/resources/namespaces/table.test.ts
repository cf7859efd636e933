import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printNamespace: NAME STATUS AGE.
test("namespace table", () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.type, c.format]),
    [
      ["Name", "string", "name"],
      ["Status", "string", ""],
      ["Age", "string", ""],
    ],
  );
  const ns = {
    metadata: { name: "kube-system", creationTimestamp: "2024-04-20T12:00:00Z" },
    status: { phase: "Active" },
  };
  assert.deepEqual(table.cells(ns, new Date("2024-05-01T12:00:00Z")), ["kube-system", "Active", "11d"]);
  const terminating = { metadata: { name: "old" }, status: { phase: "Terminating" } };
  assert.deepEqual(table.cells(terminating, new Date()), ["old", "Terminating", "<unknown>"]);
});
