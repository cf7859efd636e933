// Expectations follow kube's pkg/controller/endpointslicemirroring (reconciler.go, utils.go).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { EndpointSlice, Endpoints } from "../endpointutil/types.ts";
import { reconcileMirroredSlices } from "./reconciler.ts";

const ep = (subsets: Endpoints["subsets"], meta: Partial<Endpoints["metadata"]> = {}): Endpoints => ({
  apiVersion: "v1",
  kind: "Endpoints",
  metadata: { name: "ext", namespace: "default", uid: "ep-uid", ...meta },
  subsets,
});

describe("EndpointSlice mirroring reconciler", () => {
  test("one slice per address type and port set, owned by the Endpoints, with its labels", () => {
    const r = reconcileMirroredSlices(
      ep(
        [
          {
            addresses: [{ ip: "10.0.0.1", hostname: "h1", nodeName: "n1" }, { ip: "fd00::1" }],
            notReadyAddresses: [{ ip: "10.0.0.2" }],
            ports: [{ name: "db", port: 5432, protocol: "TCP" }],
          },
        ],
        {
          labels: { owner: "me" },
          annotations: { note: "x", "endpoints.kubernetes.io/last-change-trigger-time": "t" },
        },
      ),
      [],
    );
    assert.equal(r.create.length, 2);
    const v4 = r.create.find((s) => s.addressType === "IPv4")!;
    assert.deepEqual(v4.metadata.labels, {
      owner: "me",
      "kubernetes.io/service-name": "ext",
      "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io",
    });
    assert.deepEqual(v4.metadata.annotations, { note: "x" });
    assert.deepEqual(v4.metadata.ownerReferences, [
      {
        apiVersion: "v1",
        kind: "Endpoints",
        name: "ext",
        uid: "ep-uid",
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(v4.endpoints, [
      { addresses: ["10.0.0.1"], conditions: { ready: true }, hostname: "h1", nodeName: "n1" },
      { addresses: ["10.0.0.2"], conditions: { ready: false } },
    ]);
    assert.deepEqual(v4.ports, [{ name: "db", port: 5432, protocol: "TCP" }]);
  });

  test("invalid IPs are skipped with an InvalidIPAddress event; over 1000 per subset with TooManyAddressesToMirror", () => {
    const r = reconcileMirroredSlices(
      ep([{ addresses: [{ ip: "not-an-ip" }, { ip: "10.0.0.1" }], ports: [] }]),
      [],
    );
    assert.deepEqual(r.events, [
      ["InvalidIPAddress", "Skipped 1 invalid IP addresses when mirroring to EndpointSlices"],
    ]);
    const many = Array.from({ length: 1005 }, (_, i) => ({ ip: `10.1.${i >> 8}.${i & 255}` }));
    const r2 = reconcileMirroredSlices(
      ep([{ addresses: many, ports: [{ name: "", port: 80, protocol: "TCP" }] }]),
      [],
    );
    assert.equal(r2.create[0].endpoints.length, 1000);
    assert.equal(r2.events[0][0], "TooManyAddressesToMirror");
  });

  test("unchanged → no writes; changed → update in place; port set gone → delete", () => {
    const e = ep([{ addresses: [{ ip: "10.0.0.1" }], ports: [{ name: "a", port: 1, protocol: "TCP" }] }]);
    const stored: EndpointSlice[] = reconcileMirroredSlices(e, []).create.map((s) => ({
      ...s,
      metadata: { ...s.metadata, name: "ext-abc", uid: "s1" },
    }));
    const same = reconcileMirroredSlices(e, stored);
    assert.deepEqual([same.create.length, same.update.length, same.delete.length], [0, 0, 0]);
    const more = reconcileMirroredSlices(
      ep([
        {
          addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }],
          ports: [{ name: "a", port: 1, protocol: "TCP" }],
        },
      ]),
      stored,
    );
    assert.equal(more.update.length, 1);
    assert.equal(more.update[0].metadata.name, "ext-abc");
    const moved = reconcileMirroredSlices(
      ep([{ addresses: [{ ip: "10.0.0.1" }], ports: [{ name: "b", port: 2, protocol: "TCP" }] }]),
      stored,
    );
    assert.equal(moved.create.length, 1);
    assert.equal(moved.delete[0].metadata.name, "ext-abc");
  });

  test("Endpoints without annotations: the slice has none, not an empty map (Go's omitempty)", () => {
    const r = reconcileMirroredSlices(ep([{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }]), []);
    assert.equal(r.create.length, 1);
    assert.equal("annotations" in r.create[0].metadata, false);
    // An update that drops the last annotation drops the map.
    const stored: EndpointSlice = {
      ...r.create[0],
      metadata: { ...r.create[0].metadata, name: "ext-1", annotations: { note: "x" } },
    };
    const u = reconcileMirroredSlices(ep([{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 80 }] }]), [
      stored,
    ]);
    assert.equal(u.update.length, 1);
    assert.equal("annotations" in u.update[0].metadata, false);
  });
});
