import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printIPAddress: PARENTREF is resource[.group]/[namespace/]name, lower-cased group/resource.
test("ipaddress table", () => {
  assert.deepEqual(
    table.columns.map((c) => [c.name, c.format]),
    [
      ["Name", "name"],
      ["ParentRef", ""],
    ],
  );
  const now = new Date();
  const ip = {
    metadata: { name: "10.96.0.1" },
    spec: { parentRef: { group: "", resource: "services", namespace: "default", name: "kubernetes" } },
  };
  assert.deepEqual(table.cells(ip, now), ["10.96.0.1", "services/default/kubernetes"]);
  const grouped = {
    metadata: { name: "10.0.0.9" },
    spec: { parentRef: { group: "Example.com", resource: "Gateways", name: "gw" } },
  };
  assert.deepEqual(table.cells(grouped, now), ["10.0.0.9", "gateways.example.com/gw"]);
  assert.deepEqual(table.cells({ metadata: { name: "10.0.0.8" }, spec: {} }, now), ["10.0.0.8", "<none>"]);
});
