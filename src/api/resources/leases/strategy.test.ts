import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import { isQualifiedName } from "../../machinery/validation/names.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

// Expectations: pkg/apis/coordination/validation/validation.go (ValidateLeaseSpec,
// ValidateCoordinatedLeaseStrategy) and validation_test.go TestValidateLeaseSpec*;
// pkg/registry/coordination/lease/strategy.go (fields dropped while CoordinatedLeaderElection is off).

const lease = (spec: JsonObject): KubeObject => ({
  apiVersion: "coordination.k8s.io/v1",
  kind: "Lease",
  metadata: { name: "node-1", namespace: "kube-node-lease" },
  spec,
});
const check = (spec: JsonObject) => strategy.validate(lease(spec)).map((e) => [e.field, e.type, e.detail]);

describe("Lease validation", () => {
  test("a node heartbeat lease is valid", () => {
    assert.deepEqual(
      check({ holderIdentity: "node-1", leaseDurationSeconds: 40, renewTime: "2024-05-01T12:00:00.000000Z" }),
      [],
    );
    assert.deepEqual(check({}), []);
    assert.deepEqual(check({ leaseTransitions: 0 }), []);
  });
  test("durations and transitions", () => {
    assert.deepEqual(check({ leaseDurationSeconds: 0, leaseTransitions: -1 }), [
      ["spec.leaseDurationSeconds", "FieldValueInvalid", "must be greater than 0"],
      ["spec.leaseTransitions", "FieldValueInvalid", "must be greater than or equal to 0"],
    ]);
  });
  test("strategy and preferredHolder", () => {
    assert.deepEqual(check({ strategy: "OldestEmulationVersion", preferredHolder: "a" }), []);
    assert.deepEqual(check({ strategy: "example.com/mine" }), []);
    // kube reports the field as spec.strategy.strategy (the child is appended twice).
    assert.deepEqual(check({ strategy: "Newest" }), [
      ["spec.strategy.strategy", "FieldValueNotSupported", 'supported values: "OldestEmulationVersion"'],
    ]);
    assert.deepEqual(
      check({ strategy: "a/b/c" }),
      isQualifiedName("a/b/c").map((m) => ["spec.strategy.strategy", "FieldValueInvalid", m]),
    );
    assert.deepEqual(check({ preferredHolder: "a" }), [
      ["spec.preferredHolder", "FieldValueForbidden", "may only be specified if `strategy` is defined"],
    ]);
  });
  test("gated fields are dropped unless already in use", () => {
    const o = lease({ holderIdentity: "x", strategy: "OldestEmulationVersion", preferredHolder: "y" });
    strategy.prepareForCreate?.(o);
    assert.deepEqual(o.spec, { holderIdentity: "x" });
    const old = lease({ strategy: "OldestEmulationVersion" });
    const upd = lease({ strategy: "OldestEmulationVersion", preferredHolder: "y" });
    strategy.prepareForUpdate?.(upd, old);
    assert.deepEqual(upd.spec, { strategy: "OldestEmulationVersion", preferredHolder: "y" });
  });
  test("no extra field selectors", () => assert.deepEqual(fields, {}));
});
