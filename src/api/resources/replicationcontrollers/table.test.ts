import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printReplicationController: the selector is a plain label map.
test("replication controller table", () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ["Name", "string", 0],
      ["Desired", "integer", 0],
      ["Current", "integer", 0],
      ["Ready", "integer", 0],
      ["Age", "string", 0],
      ["Containers", "string", 1],
      ["Images", "string", 1],
      ["Selector", "string", 1],
    ],
  );
  const rc = {
    metadata: { name: "nginx", creationTimestamp: "2024-05-01T11:58:30Z" },
    spec: {
      replicas: 2,
      selector: { app: "nginx", tier: "web" },
      template: { spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] } },
    },
    status: { replicas: 2, readyReplicas: 2 },
  };
  assert.deepEqual(table.cells(rc, new Date("2024-05-01T12:00:00Z")), [
    "nginx",
    2,
    2,
    2,
    "90s",
    "nginx",
    "nginx:1.25",
    "app=nginx,tier=web",
  ]);
  const bare = { metadata: { name: "bare" }, spec: { replicas: 0 } };
  assert.deepEqual(table.cells(bare, new Date()).slice(5), ["", "", "<none>"]);
});
