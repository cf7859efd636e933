import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KubeObject } from "../../machinery/types.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

// Expectations: pkg/apis/networking/validation/validation.go (ValidateServiceCIDR,
// ValidateServiceCIDRUpdate), apimachinery IsValidCIDR, validation_test.go TestValidateServiceCIDR
// and TestValidateServiceCIDRUpdate; pkg/registry/networking/servicecidr/strategy.go.

const sc = (cidrs: unknown): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "ServiceCIDR",
  metadata: { name: "kubernetes" },
  spec: cidrs === undefined ? {} : { cidrs },
});
const check = (o: KubeObject) => strategy.validate(o).map((e) => [e.field, e.type, e.detail]);
const update = (n: KubeObject, o: KubeObject) =>
  (strategy.validateUpdate?.(n, o) ?? []).map((e) => [e.field, e.type, e.detail]);
const I = "FieldValueInvalid";

describe("ServiceCIDR validation", () => {
  test("valid", () => {
    assert.deepEqual(check(sc(["10.96.0.0/12"])), []);
    assert.deepEqual(check(sc(["10.96.0.0/12", "fd00:10:96::/112"])), []);
  });
  test("cidrs required", () => {
    assert.deepEqual(check(sc(undefined)), [
      ["spec.cidrs", "FieldValueRequired", "at least one CIDR required"],
    ]);
    assert.deepEqual(check(sc([])), [["spec.cidrs", "FieldValueRequired", "at least one CIDR required"]]);
  });
  test("at most two", () => {
    assert.deepEqual(check(sc(["10.0.0.0/16", "fd00::/64", "10.1.0.0/16"])), [
      ["spec.cidrs", I, "may only hold up to 2 values"],
    ]);
  });
  test("each must be a canonical CIDR", () => {
    assert.deepEqual(check(sc(["10.96.0.0"])), [
      ["spec.cidrs[0]", I, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"],
    ]);
    assert.deepEqual(check(sc(["10.96.0.1/12"])), [
      ["spec.cidrs[0]", I, "must not have bits set beyond the prefix length"],
    ]);
    assert.deepEqual(check(sc(["10.96.0.0/12", "FD00::/64"])), [
      ["spec.cidrs[1]", I, 'must be in canonical form ("fd00::/64")'],
    ]);
  });
  test("one per family", () => {
    assert.deepEqual(check(sc(["10.96.0.0/12", "10.100.0.0/16"])), [
      [
        "spec.cidrs",
        I,
        "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64",
      ],
    ]);
  });
});

describe("ServiceCIDR update", () => {
  test("cidrs are immutable", () => {
    assert.deepEqual(update(sc(["10.97.0.0/16"]), sc(["10.96.0.0/16"])), [
      ["spec.cidrs[0]", I, "field is immutable"],
    ]);
    assert.deepEqual(update(sc(["10.96.0.0/16"]), sc(["10.96.0.0/16", "fd00::/64"])), [
      ["spec.cidrs", I, "field is immutable"],
    ]);
  });
  test("adding the other family is allowed", () => {
    assert.deepEqual(update(sc(["10.96.0.0/16", "fd00::/64"]), sc(["10.96.0.0/16"])), []);
    assert.deepEqual(update(sc(["10.97.0.0/16", "fd00::/64"]), sc(["10.96.0.0/16"])), [
      ["spec.cidrs[0]", I, "field is immutable"],
    ]);
  });
  test("status and spec are written separately", () => {
    const old = sc(["10.96.0.0/16"]);
    old.status = { conditions: [{ type: "Ready", status: "True" }] };
    const created = sc(["10.96.0.0/16"]);
    created.status = { conditions: [] };
    strategy.prepareForCreate?.(created);
    assert.deepEqual(created.status, {});
    const n = sc(["10.96.0.0/16"]);
    strategy.prepareForUpdate?.(n, old);
    assert.deepEqual(n.status, old.status);
    const st = sc(["10.1.0.0/16"]);
    strategy.prepareForStatusUpdate?.(st, old);
    assert.deepEqual(st.spec, old.spec);
  });
  test("no extra field selectors", () => assert.deepEqual(fields, {}));
});
