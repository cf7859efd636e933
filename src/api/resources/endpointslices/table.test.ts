import assert from "node:assert/strict";
import { test } from "node:test";
import { table } from "./table.ts";

// kube's printEndpointSlice / formatDiscoveryPorts / formatDiscoveryEndpoints.
test("endpointslice table", () => {
  assert.deepEqual(
    table.columns.map((c) => c.name),
    ["Name", "AddressType", "Ports", "Endpoints", "Age"],
  );
  const now = new Date("2024-05-01T12:00:00Z");
  const slice = {
    metadata: { name: "web-abc12", creationTimestamp: "2024-05-01T11:59:55Z" },
    addressType: "IPv4",
    ports: [
      { name: "http", port: 80 },
      { name: "https", port: 443 },
      { name: "all" },
      { port: null },
      { port: 9090 },
    ],
    endpoints: [
      { addresses: ["10.244.0.1"] },
      { addresses: ["10.244.0.2"] },
      { addresses: ["10.244.0.3"] },
      { addresses: ["10.244.0.4"] },
    ],
  };
  assert.deepEqual(table.cells(slice, now), [
    "web-abc12",
    "IPv4",
    "80,443,all + 2 more...",
    "10.244.0.1,10.244.0.2,10.244.0.3 + 1 more...",
    "5s",
  ]);
  const empty = {
    metadata: { name: "e", creationTimestamp: "2024-05-01T11:59:55Z" },
    addressType: "IPv6",
    endpoints: [],
  };
  assert.deepEqual(table.cells(empty, now), ["e", "IPv6", "<unset>", "<unset>", "5s"]);
  const wildcard = { ...empty, ports: [{ port: null, name: null }] };
  assert.equal(table.cells(wildcard, now)[2], "*");
});
