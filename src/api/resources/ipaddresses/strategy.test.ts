import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import { isDNS1123Subdomain } from "../../machinery/validation/names.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

// Expectations: pkg/apis/networking/validation/validation.go (ValidateIPAddress,
// ValidateIPAddressName with apimachinery's strict IsValidIP, validateIPAddressParentReference,
// ValidateIPAddressUpdate) and validation_test.go TestValidateIPAddress / TestValidateIPAddressUpdate.

const parentRef = { group: "", resource: "services", namespace: "default", name: "web" };
const ipa = (name: string, spec: JsonObject = { parentRef }): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "IPAddress",
  metadata: { name },
  spec,
});
const check = (o: KubeObject) => strategy.validate(o).map((e) => [e.field, e.type, e.detail]);
const I = "FieldValueInvalid";

describe("IPAddress validation", () => {
  test("valid", () => {
    assert.deepEqual(check(ipa("10.96.0.10")), []);
    assert.deepEqual(check(ipa("2001:db8::10")), []);
    assert.deepEqual(check(ipa("10.96.0.10", { parentRef: { resource: "services", name: "web" } })), []);
  });
  test("name must be a canonical IP", () => {
    assert.deepEqual(check(ipa("web")), [
      ["metadata.name", I, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"],
    ]);
    assert.deepEqual(check(ipa("2001:db8:0::10")), [
      ["metadata.name", I, 'must be in canonical form ("2001:db8::10")'],
    ]);
    assert.deepEqual(check(ipa("010.96.0.10")), [["metadata.name", I, "must not have leading 0s"]]);
    assert.deepEqual(check(ipa("::ffff:10.96.0.10")), [
      ["metadata.name", I, "must not be an IPv4-mapped IPv6 address"],
    ]);
  });
  test("parentRef", () => {
    assert.deepEqual(check(ipa("10.96.0.10", {})), [["spec.parentRef", "FieldValueRequired", ""]]);
    assert.deepEqual(check(ipa("10.96.0.10", { parentRef: {} })), [
      ["spec.parentRef.resource", "FieldValueRequired", ""],
      ["spec.parentRef.name", "FieldValueRequired", ""],
    ]);
    assert.deepEqual(check(ipa("10.96.0.10", { parentRef: { ...parentRef, group: "Bad_Group" } })), [
      ...isDNS1123Subdomain("Bad_Group").map((m) => ["spec.parentRef.group", I, m]),
    ]);
    assert.deepEqual(
      check(ipa("10.96.0.10", { parentRef: { ...parentRef, name: "a/b", namespace: ".." } })),
      [
        ["spec.parentRef.name", I, "may not contain '/'"],
        ["spec.parentRef.namespace", I, "may not be '..'"],
      ],
    );
  });
  test("parentRef is immutable", () => {
    const old = ipa("10.96.0.10");
    const n = ipa("10.96.0.10", { parentRef: { ...parentRef, name: "other" } });
    assert.deepEqual(
      strategy.validateUpdate?.(n, old).map((e) => [e.field, e.type, e.detail]),
      [["spec.parentRef", I, "field is immutable"]],
    );
    assert.deepEqual(strategy.validateUpdate?.(ipa("10.96.0.10"), old), []);
  });
  test("no extra field selectors", () => assert.deepEqual(fields, {}));
});
