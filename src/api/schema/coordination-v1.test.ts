import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeKubeProtobuf, encodeKubeProtobuf } from "../machinery/protobuf/index.ts";

// k8s.io/api coordination/v1 generated.proto: LeaseSpec holderIdentity = 1, leaseDurationSeconds
// = 2, acquireTime = 3, renewTime = 4 (MicroTime), leaseTransitions = 5; Lease spec = 2.
test("a Lease survives the Kubernetes protobuf encoding with the published field numbers", () => {
  const lease = {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: "node-1", namespace: "kube-node-lease" },
    spec: {
      holderIdentity: "n",
      leaseDurationSeconds: 40,
      renewTime: "2024-05-01T12:00:00.123456Z",
      leaseTransitions: 0,
    },
  };
  const bytes = encodeKubeProtobuf(lease);
  // holderIdentity "n" (field 1, bytes) then leaseDurationSeconds 40 (field 2, varint).
  assert.ok(Buffer.from(bytes).includes(Buffer.from([0x0a, 0x01, 0x6e, 0x10, 0x28])));
  const back = decodeKubeProtobuf(bytes);
  assert.deepEqual(back.spec, lease.spec);
  assert.equal(back.metadata.name, "node-1");
  assert.equal(back.kind, "Lease");
});
