import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatLabelSelector, formatLabels, labelSelectorString, table } from "./table.ts";

// Expectations follow kube's printReplicaSet, metav1.FormatLabelSelector and labels.FormatLabels.
const now = new Date("2024-05-01T12:00:00Z");

describe("replicaset table", () => {
  test("columns", () => {
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
  });

  test("cells", () => {
    const rs = {
      metadata: { name: "web-5d4f", creationTimestamp: "2024-05-01T11:59:00Z" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web", "pod-template-hash": "5d4f" } },
        template: {
          spec: {
            containers: [
              { name: "web", image: "nginx:1.25" },
              { name: "log", image: "busybox" },
            ],
          },
        },
      },
      status: { replicas: 3, readyReplicas: 2 },
    };
    assert.deepEqual(table.cells(rs, now), [
      "web-5d4f",
      3,
      3,
      2,
      "60s",
      "web,log",
      "nginx:1.25,busybox",
      "app=web,pod-template-hash=5d4f",
    ]);
  });

  test("label selectors as kube prints them", () => {
    assert.equal(
      formatLabelSelector({
        matchLabels: { tier: "front" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "dev"] },
          { key: "zone", operator: "NotIn", values: ["b"] },
          { key: "canary", operator: "DoesNotExist" },
          { key: "app", operator: "Exists" },
        ],
      }),
      "app,!canary,env in (dev,prod),tier=front,zone notin (b)",
    );
    assert.equal(formatLabelSelector({}), "<none>");
    assert.equal(formatLabelSelector(undefined), "<none>");
    assert.equal(
      formatLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }),
      "<error>",
    );
    assert.equal(labelSelectorString({}), "");
    assert.equal(formatLabels({ b: "2", a: "1" }), "a=1,b=2");
    assert.equal(formatLabels({}), "<none>");
  });
});
