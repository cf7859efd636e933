import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { table } from "./table.ts";

// Expectations follow kube's printEvent (wide, as the server prints) and TestPrintEvent.
const now = new Date("2024-05-01T12:00:00Z");

function ev(fields: object): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.17c", namespace: "default", creationTimestamp: "2024-05-01T11:00:00Z" },
    involvedObject: { kind: "Pod", name: "web", fieldPath: "spec.containers{c}" },
    source: { component: "kubelet", host: "node-1" },
    type: "Normal",
    reason: "Pulled",
    message: "  Container image pulled \n",
    ...fields,
  };
}

describe("event table", () => {
  test("columns in kube's order with wide ones marked", () => {
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.format, c.priority]),
      [
        ["Last Seen", "", 0],
        ["Type", "", 0],
        ["Reason", "", 0],
        ["Object", "", 0],
        ["Subobject", "", 1],
        ["Source", "", 1],
        ["Message", "", 0],
        ["First Seen", "", 1],
        ["Count", "", 1],
        ["Name", "name", 1],
      ],
    );
  });

  test("core event with timestamps and count", () => {
    const o = ev({ firstTimestamp: "2024-05-01T11:50:00Z", lastTimestamp: "2024-05-01T11:58:00Z", count: 3 });
    assert.deepEqual(table.cells(o, now), [
      "2m",
      "Normal",
      "Pulled",
      "pod/web",
      "spec.containers{c}",
      "kubelet, node-1",
      "Container image pulled",
      "10m",
      3,
      "web.17c",
    ]);
  });

  test("new-style event: eventTime, no count, reporting controller as source", () => {
    const o = ev({
      eventTime: "2024-05-01T11:59:00.000000Z",
      source: {},
      reportingComponent: "skiff-controllers",
      reportingInstance: "",
      involvedObject: { kind: "Node" },
    });
    assert.deepEqual(table.cells(o, now).slice(0, 9), [
      "60s",
      "Normal",
      "Pulled",
      "node",
      "",
      "skiff-controllers",
      "Container image pulled",
      "60s",
      1,
    ]);
  });

  test("series: last seen and count from the series", () => {
    const o = ev({
      eventTime: "2024-05-01T11:00:00.000000Z",
      series: { count: 7, lastObservedTime: "2024-05-01T11:59:50.000000Z" },
    });
    const cells = table.cells(o, now);
    assert.equal(cells[0], "10s");
    assert.equal(cells[7], "60m");
    assert.equal(cells[8], 7);
  });

  test("no timestamps at all", () => {
    assert.equal(table.cells(ev({}), now)[0], "<unknown>");
  });
});
