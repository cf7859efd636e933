import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { nodeRoles, table } from "./table.ts";

// Expectations follow kube's printNode / findNodeRoles and TestPrintNodeStatus.
const now = new Date("2024-05-01T12:00:00Z");

function node(labels: Record<string, string>, spec: object, status: object): KubeObject {
  return { metadata: { name: "node-1", labels, creationTimestamp: "2024-04-29T12:00:00Z" }, spec, status };
}

describe("node table", () => {
  test("columns", () => {
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.priority]),
      [
        ["Name", 0],
        ["Status", 0],
        ["Roles", 0],
        ["Age", 0],
        ["Version", 0],
        ["Internal-IP", 1],
        ["External-IP", 1],
        ["OS-Image", 1],
        ["Kernel-Version", 1],
        ["Container-Runtime", 1],
      ],
    );
  });

  test("ready control-plane node, all cells", () => {
    const o = node(
      { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "node-1" },
      {},
      {
        conditions: [
          { type: "MemoryPressure", status: "False" },
          { type: "Ready", status: "True" },
        ],
        addresses: [
          { type: "Hostname", address: "node-1" },
          { type: "InternalIP", address: "172.18.0.2" },
        ],
        nodeInfo: {
          kubeletVersion: "v1.30.0",
          osImage: "Debian GNU/Linux 12",
          kernelVersion: "6.1.0",
          containerRuntimeVersion: "skiff://0.1.0",
        },
      },
    );
    assert.deepEqual(table.cells(o, now), [
      "node-1",
      "Ready",
      "control-plane",
      "2d",
      "v1.30.0",
      "172.18.0.2",
      "<none>",
      "Debian GNU/Linux 12",
      "6.1.0",
      "skiff://0.1.0",
    ]);
  });

  test("status: NotReady, Unknown, SchedulingDisabled", () => {
    const notReady = node({}, { unschedulable: true }, { conditions: [{ type: "Ready", status: "False" }] });
    assert.deepEqual(table.cells(notReady, now).slice(1, 3), ["NotReady,SchedulingDisabled", "<none>"]);
    const unknown = node({}, {}, {});
    assert.deepEqual(table.cells(unknown, now).slice(1, 5), ["Unknown", "<none>", "2d", ""]);
    assert.deepEqual(table.cells(unknown, now).slice(5), [
      "<none>",
      "<none>",
      "<unknown>",
      "<unknown>",
      "<unknown>",
    ]);
  });

  test("roles from both label styles, sorted and de-duplicated", () => {
    assert.deepEqual(
      nodeRoles({
        "node-role.kubernetes.io/worker": "",
        "node-role.kubernetes.io/": "ignored",
        "kubernetes.io/role": "ingress",
        "node-role.kubernetes.io/ingress": "",
      }),
      ["ingress", "worker"],
    );
  });
});
