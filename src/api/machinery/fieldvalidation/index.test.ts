// Expectations from kube-apiserver: handlers/create.go + rest.go (fieldValidation defaults to Warn,
// strict errors become 400 "<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding
// error: …", YAML strict errors split into one warning per line) and sigs.k8s.io/json (paths
// without a leading dot, list items as [i], case-sensitive names).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StatusError } from "../errors.ts";
import {
  applyFieldValidation,
  checkFields,
  parseFieldValidation,
  validateBodyFields,
  warningHeader,
} from "./index.ts";

const SVC = "io.k8s.api.core.v1.Service";

describe("checkFields", () => {
  test("unknown fields with kube's paths, nested in lists and inlined structs", () => {
    const body = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "a", labels: { anything: "goes" }, bogus: 1 },
      spec: { foo: 1, ports: [{ port: 80 }, { port: 81, bar: true }], Type: "ClusterIP" },
    };
    const r = checkFields(body, SVC);
    assert.deepEqual(r.unknown, ["metadata.bogus", "spec.foo", "spec.ports[1].bar", "spec.Type"]);
    assert.deepEqual(r.duplicate, []);
    // Volume inlines VolumeSource: its fields are known at the Volume level.
    const pod = { spec: { containers: [], volumes: [{ name: "v", emptyDir: {}, nope: 1 }] } };
    assert.deepEqual(checkFields(pod, "io.k8s.api.core.v1.Pod").unknown, ["spec.volumes[0].nope"]);
  });

  test("duplicate JSON keys from the raw text, in text order with unknowns", () => {
    const raw =
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},' +
      '"spec":{"replicas":1,"unknownField":"x","replicas":2,"selector":{},' +
      '"template":{"spec":{"containers":[{"name":"c","image":"i","ports":[{"containerPort":80,"containerPort":81}]}]}}}}';
    const r = checkFields(JSON.parse(raw), "io.k8s.api.apps.v1.Deployment", raw);
    assert.deepEqual(r.errors, [
      'unknown field "spec.unknownField"',
      'duplicate field "spec.replicas"',
      'duplicate field "spec.template.spec.containers[0].ports[0].containerPort"',
    ]);
    assert.deepEqual(r.unknown, ["spec.unknownField"]);
  });

  test("YAML duplicates are reported as goyaml does, before unknown fields", () => {
    const raw = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\nspec:\n  foo: 1\n";
    const r = checkFields(
      { apiVersion: "v1", kind: "Service", metadata: { name: "b" }, spec: { foo: 1 } },
      SVC,
      raw,
      true,
    );
    assert.deepEqual(r.errors, [
      'yaml: unmarshal errors:\n  line 5: key "name" already set in map',
      'unknown field "spec.foo"',
    ]);
  });

  test("opaque values are not inspected", () => {
    const mf = { metadata: { managedFields: [{ manager: "m", fieldsV1: { "f:spec": { anything: {} } } }] } };
    assert.deepEqual(checkFields(mf, SVC).errors, []);
  });
});

describe("modes", () => {
  const result = { unknown: ["spec.foo"], duplicate: [], errors: ['unknown field "spec.foo"'] };

  test("the default is Warn; bad values are rejected like CreateOptions validation", () => {
    assert.equal(parseFieldValidation(null), "Warn");
    assert.equal(parseFieldValidation(""), "Warn");
    assert.equal(parseFieldValidation("Strict"), "Strict");
    assert.throws(
      () => parseFieldValidation("strict"),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 422 &&
        e.message ===
          'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"',
    );
  });

  test("Strict throws kube's 400; Warn returns warnings; Ignore returns nothing", () => {
    assert.throws(
      () => applyFieldValidation("Strict", result, { kind: "Service", version: "v1" }),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 400 &&
        e.reason === "BadRequest" &&
        e.message ===
          'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"',
    );
    assert.deepEqual(applyFieldValidation("Warn", result), ['unknown field "spec.foo"']);
    assert.deepEqual(applyFieldValidation("Ignore", result), []);
    const yaml = {
      unknown: [],
      duplicate: [],
      errors: [
        'yaml: unmarshal errors:\n  line 2: key "a" already set in map\n  line 4: key "b" already set in map',
      ],
    };
    assert.deepEqual(applyFieldValidation("Warn", yaml), [
      'line 2: key "a" already set in map',
      'line 4: key "b" already set in map',
    ]);
  });

  test("validateBodyFields prunes unknown fields and words errors with the served version", () => {
    const raw = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"foo":1}}';
    const obj = JSON.parse(raw);
    const warnings = validateBodyFields({
      obj,
      rawText: raw,
      apiVersion: "apps/v1",
      kind: "Deployment",
      directive: null,
    });
    assert.deepEqual(warnings, ['unknown field "spec.foo"']);
    assert.deepEqual(obj.spec, {});
    assert.throws(
      () =>
        validateBodyFields({
          obj: JSON.parse(raw),
          rawText: raw,
          apiVersion: "apps/v1",
          kind: "Deployment",
          directive: "Strict",
        }),
      (e: unknown) =>
        e instanceof StatusError &&
        e.message ===
          'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    );
  });

  test("warning header quoting", () => {
    assert.equal(warningHeader('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
  });
});
