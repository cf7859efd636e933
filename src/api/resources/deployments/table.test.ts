import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printDeployment: READY is ready/desired; UP-TO-DATE and AVAILABLE are numbers.
test("deployment table", () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.priority]),
    [
      ["Name", 0],
      ["Ready", 0],
      ["Up-to-date", 0],
      ["Available", 0],
      ["Age", 0],
      ["Containers", 1],
      ["Images", 1],
      ["Selector", 1],
    ],
  );
  const d = {
    metadata: { name: "web", creationTimestamp: "2024-05-01T10:00:00Z" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { spec: { containers: [{ name: "web", image: "nginx" }] } },
    },
    status: { replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1 },
  };
  assert.deepEqual(table.cells(d, new Date("2024-05-01T12:00:00Z")), [
    "web",
    "1/3",
    3,
    1,
    "120m",
    "web",
    "nginx",
    "app=web",
  ]);
  const fresh = { metadata: { name: "new" }, spec: { replicas: 2, selector: { matchLabels: { app: "x" } } } };
  assert.deepEqual(table.cells(fresh, new Date()).slice(0, 4), ["new", "0/2", 0, 0]);
  const bad = {
    metadata: { name: "bad" },
    spec: { selector: { matchExpressions: [{ key: "a", operator: "Nope" }] } },
  };
  assert.equal(table.cells(bad, new Date())[7], "<invalid>");
});
