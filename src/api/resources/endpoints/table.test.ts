import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { formatEndpoints, table } from "./table.ts";

// Expectations follow kube's formatEndpoints (printers.go) and TestPrintEndpoint.
const now = new Date("2024-05-01T12:00:00Z");

describe("endpoints table", () => {
  test("columns", () => {
    assert.deepEqual(
      table.columns.map((c) => [c.name, c.format, c.priority]),
      [
        ["Name", "name", 0],
        ["Endpoints", "", 0],
        ["Age", "", 0],
      ],
    );
  });

  test("<none> without subsets", () => {
    const o: KubeObject = { metadata: { name: "web", creationTimestamp: "2024-05-01T11:59:30Z" } };
    assert.deepEqual(table.cells(o, now), ["web", "<none>", "30s"]);
  });

  test("ip:port pairs per port", () => {
    assert.equal(
      formatEndpoints([{ addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ port: 80 }] }]),
      "10.0.0.1:80,10.0.0.2:80",
    );
  });

  test("at most three, then + N more...", () => {
    const subsets = [
      { addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ port: 80 }, { port: 443 }] },
      { addresses: [{ ip: "10.0.0.3" }], ports: [{ port: 8080 }] },
    ];
    assert.equal(formatEndpoints(subsets), "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...");
  });

  test("headless without ports lists IPs; IPv6 gets brackets with a port", () => {
    assert.equal(
      formatEndpoints([{ addresses: [{ ip: "10.0.0.1" }, { ip: "fd00::1" }] }]),
      "10.0.0.1,fd00::1",
    );
    assert.equal(
      formatEndpoints([{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }]),
      "[fd00::1]:80",
    );
  });

  test("subsets with only not-ready addresses print nothing", () => {
    assert.equal(formatEndpoints([{ ports: [{ port: 80 }] }]), "");
  });
});
