import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errorText, FieldPath } from "../field-errors.ts";
import {
  labelSelectorMatches,
  validateAnnotations,
  validateLabelSelector,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from "./meta.ts";

const ns = { namespaced: true, nameRule: "dns1123Subdomain" as const };
const texts = (errs: ReturnType<typeof validateObjectMeta>) => errs.map(errorText);

describe("validateObjectMeta", () => {
  test("a plain valid object passes", () => {
    assert.deepEqual(
      validateObjectMeta({ name: "web", namespace: "default", labels: { app: "web" } }, ns),
      [],
    );
  });

  test("name or generateName is required (objectmeta.go)", () => {
    assert.deepEqual(texts(validateObjectMeta({ namespace: "default" }, ns)), [
      "metadata.name: Required value: name or generateName is required",
    ]);
  });

  test("bad name is Invalid with the DNS subdomain message (validation.go IsDNS1123Subdomain)", () => {
    const errs = validateObjectMeta({ name: "Web_1", namespace: "default" }, ns);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].field, "metadata.name");
    assert.equal(errs[0].type, "FieldValueInvalid");
    assert.match(errs[0].detail, /^a lowercase RFC 1123 subdomain must consist of/);
  });

  test("generateName may end in a dash; other bad prefixes fail (maskTrailingDash)", () => {
    assert.deepEqual(validateObjectMeta({ name: "web-abcde", generateName: "web-", namespace: "d" }, ns), []);
    const errs = validateObjectMeta({ name: "x", generateName: "Web-", namespace: "d" }, ns);
    assert.deepEqual(
      errs.map((e) => e.field),
      ["metadata.generateName"],
    );
  });

  test("namespace required on namespaced kinds, forbidden on cluster kinds (objectmeta.go)", () => {
    assert.deepEqual(texts(validateObjectMeta({ name: "a" }, ns)), ["metadata.namespace: Required value"]);
    assert.deepEqual(
      texts(
        validateObjectMeta({ name: "a", namespace: "x" }, { namespaced: false, nameRule: "dns1123Label" }),
      ),
      ["metadata.namespace: Forbidden: not allowed on this type"],
    );
  });

  test("label keys and values are checked on the unkeyed labels path (ValidateLabels)", () => {
    const errs = validateObjectMeta(
      { name: "a", namespace: "d", labels: { "bad key": "ok", ok: "bad value" } },
      ns,
    );
    assert.deepEqual(
      errs.map((e) => [e.field, e.badValue]),
      [
        ["metadata.labels", "bad key"],
        ["metadata.labels", "bad value"],
      ],
    );
    assert.match(errorText(errs[1]), /^metadata\.labels: Invalid value: "bad value": a valid label must be/);
  });

  test("annotations: keys case-insensitive qualified names, total ≤ 256 KiB (ValidateAnnotations)", () => {
    assert.deepEqual(validateAnnotations({ "Example.COM/Key": "v" }, "metadata.annotations"), []);
    const big = { a: "x".repeat(262144) };
    assert.deepEqual(texts(validateAnnotations(big, FieldPath.root("metadata").child("annotations"))), [
      "metadata.annotations: Too long: must have at most 262144 bytes",
    ]);
    assert.equal(validateAnnotations({ a: "x".repeat(262143) }, "m").length, 0);
  });

  test("owner references need apiVersion, kind, name, uid and one controller (ValidateOwnerReferences)", () => {
    const errs = validateObjectMeta(
      {
        name: "a",
        namespace: "d",
        ownerReferences: [
          { apiVersion: "", kind: "", name: "", uid: "" },
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "r1", uid: "1", controller: true },
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "r2", uid: "2", controller: true },
        ],
      },
      ns,
    );
    assert.deepEqual(
      errs.map((e) => e.field),
      [
        "metadata.ownerReferences.apiVersion",
        "metadata.ownerReferences.kind",
        "metadata.ownerReferences.name",
        "metadata.ownerReferences.uid",
        "metadata.ownerReferences",
      ],
    );
    assert.match(
      errs[4].detail,
      /Only one reference can have Controller set to true\. Found "true" in references for ReplicaSet\/r1 and ReplicaSet\/r2/,
    );
  });

  test("finalizers: standard names or qualified names (core validateKubeFinalizerName)", () => {
    assert.deepEqual(
      validateObjectMeta({ name: "a", namespace: "d", finalizers: ["kubernetes", "example.com/x"] }, ns),
      [],
    );
    assert.deepEqual(texts(validateObjectMeta({ name: "a", namespace: "d", finalizers: ["custom"] }, ns)), [
      'metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
    const both = validateObjectMeta(
      { name: "a", namespace: "d", finalizers: ["orphan", "foregroundDeletion"] },
      ns,
    );
    assert.deepEqual(
      both.map((e) => e.detail),
      ["finalizer orphan and foregroundDeletion cannot be both set"],
    );
  });

  test("namespace names use the DNS label rule", () => {
    assert.equal(validateObjectMeta({ name: "a", namespace: "a.b" }, ns)[0].field, "metadata.namespace");
    assert.equal(
      validateObjectMeta({ name: "a.b" }, { namespaced: false, nameRule: "dns1123Label" })[0].field,
      "metadata.name",
    );
  });
});

describe("validateObjectMetaUpdate", () => {
  const old = {
    name: "a",
    namespace: "d",
    uid: "u1",
    resourceVersion: "5",
    creationTimestamp: "2024-01-01T00:00:00Z",
  };
  test("unchanged identity passes", () => {
    assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { x: "y" } }, old), []);
  });
  test("name, namespace, uid and creationTimestamp are immutable (ValidateObjectMetaUpdate)", () => {
    const errs = validateObjectMetaUpdate(
      {
        name: "b",
        namespace: "e",
        uid: "u2",
        resourceVersion: "5",
        creationTimestamp: "2025-01-01T00:00:00Z",
      },
      old,
    );
    assert.deepEqual(texts(errs), [
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.namespace: Invalid value: "e": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      'metadata.creationTimestamp: Invalid value: "2025-01-01T00:00:00Z": field is immutable',
    ]);
  });
  test("resourceVersion must be given; generation may not go down", () => {
    const errs = validateObjectMetaUpdate(
      { ...old, resourceVersion: "", generation: 1 },
      { ...old, generation: 2 },
    );
    assert.deepEqual(texts(errs), [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      "metadata.generation: Invalid value: 1: must not be decremented",
    ]);
  });
  test("no new finalizers while deleting", () => {
    const deleting = { ...old, deletionTimestamp: "2024-02-01T00:00:00Z", finalizers: ["kubernetes"] };
    const errs = validateObjectMetaUpdate(
      { ...deleting, finalizers: ["kubernetes", "example.com/x"] },
      deleting,
    );
    assert.deepEqual(texts(errs), [
      'metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/x"}',
    ]);
  });
});

describe("validateLabelSelector", () => {
  const p = FieldPath.root("spec").child("selector");
  test("operators and their values (ValidateLabelSelectorRequirement)", () => {
    const errs = validateLabelSelector(
      {
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "a", operator: "In", values: [] },
          { key: "b", operator: "Exists", values: ["x"] },
          { key: "c", operator: "Equals", values: ["x"] },
          { key: "bad key", operator: "NotIn", values: ["bad value"] },
        ],
      },
      p,
    );
    assert.deepEqual(texts(errs).slice(0, 3), [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Equals": not a valid selector operator',
    ]);
    assert.deepEqual(
      errs.slice(3).map((e) => e.field),
      ["spec.selector.matchExpressions[3].key", "spec.selector.matchExpressions[3].values[0]"],
    );
  });
  test("matchLabels go through label validation", () => {
    assert.deepEqual(
      validateLabelSelector({ matchLabels: { "-x": "y" } }, p).map((e) => e.field),
      ["spec.selector.matchLabels"],
    );
  });
  test("matching", () => {
    const sel = {
      matchLabels: { app: "web" },
      matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }],
    };
    assert.equal(labelSelectorMatches(sel, { app: "web" }), true);
    assert.equal(labelSelectorMatches(sel, { app: "web", tier: "db" }), false);
    assert.equal(labelSelectorMatches(sel, { app: "api" }), false);
    assert.equal(labelSelectorMatches({}, {}), true);
    assert.equal(labelSelectorMatches(undefined, {}), false);
  });
});
