import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { FieldErrorType } from "../../machinery/field-errors.ts";
import type { JsonObject, KubeObject } from "../../machinery/types.ts";
import { isDNS1123Label, isDNS1123Subdomain } from "../../machinery/validation/names.ts";
import { fields } from "./fields.ts";
import { strategy } from "./strategy.ts";

// Expectations: pkg/apis/networking/validation/validation.go (validateIngressClassSpec,
// validateIngressClassParametersReference, validateIngressClassSpecUpdate), apimachinery
// IsDomainPrefixedPath, validation_test.go TestValidateIngressClass / TestValidateIngressClassUpdate,
// and networking/v1 defaults_test.go TestSetDefaultIngressClass.

const ic = (spec: JsonObject): KubeObject => ({
  apiVersion: "networking.k8s.io/v1",
  kind: "IngressClass",
  metadata: { name: "nginx" },
  spec,
});
const run = (o: KubeObject) => {
  strategy.defaults?.(o);
  return strategy.validate(o).map((e) => [e.field, e.type, e.detail]);
};
type Want = [string, FieldErrorType, string];
const I = "FieldValueInvalid";
const params = (p: JsonObject) => ({ controller: "k8s.io/ingress-nginx", parameters: p });

const invalid: Array<[string, KubeObject, Want[]]> = [
  ["no controller", ic({}), [["spec.controller", "FieldValueRequired", ""]]],
  [
    "controller without a path",
    ic({ controller: "nginx" }),
    [["spec.controller", I, 'must be a domain-prefixed path (such as "acme.io/foo")']],
  ],
  [
    "controller with a bad domain",
    ic({ controller: "Foo_Bar/ctl" }),
    isDNS1123Subdomain("Foo_Bar").map((m): Want => ["spec.controller", I, m]),
  ],
  [
    "controller with a bad path",
    ic({ controller: "example.com/a b" }),
    [
      [
        "spec.controller",
        I,
        "Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
      ],
    ],
  ],
  [
    "controller too long",
    ic({ controller: `example.com/${"a".repeat(240)}` }),
    [["spec.controller", "FieldValueTooLong", "must have at most 250 bytes"]],
  ],
  [
    "parameters without kind and name",
    ic(params({ scope: "Cluster" })),
    [
      ["spec.parameters.kind", "FieldValueRequired", ""],
      ["spec.parameters.name", "FieldValueRequired", ""],
    ],
  ],
  [
    "parameters kind with slash",
    ic(params({ kind: "a/b", name: "x" })),
    [["spec.parameters.kind", I, "may not contain '/'"]],
  ],
  [
    "bad scope",
    ic(params({ kind: "K", name: "x", scope: "Global" })),
    [["spec.parameters.scope", "FieldValueNotSupported", 'supported values: "Cluster", "Namespace"']],
  ],
  [
    "Namespace scope without namespace",
    ic(params({ kind: "K", name: "x", scope: "Namespace" })),
    [["spec.parameters.namespace", "FieldValueRequired", "`parameters.scope` is set to 'Namespace'"]],
  ],
  [
    "Namespace scope with bad namespace",
    ic(params({ kind: "K", name: "x", scope: "Namespace", namespace: "Bad" })),
    isDNS1123Label("Bad").map((m): Want => ["spec.parameters.namespace", I, m]),
  ],
  [
    "Cluster scope with namespace",
    ic(params({ kind: "K", name: "x", scope: "Cluster", namespace: "ns" })),
    [["spec.parameters.namespace", "FieldValueForbidden", "`parameters.scope` is set to 'Cluster'"]],
  ],
  [
    "bad apiGroup",
    ic(params({ apiGroup: "Example.com", kind: "K", name: "x" })),
    isDNS1123Subdomain("Example.com").map((m): Want => ["spec.parameters.apiGroup", I, m]),
  ],
];

describe("IngressClass", () => {
  for (const [name, obj, want] of invalid) test(name, () => assert.deepEqual(run(obj), want));

  test("valid classes", () => {
    assert.deepEqual(run(ic({ controller: "k8s.io/ingress-nginx" })), []);
    assert.deepEqual(
      run(ic(params({ apiGroup: "k8s.example.com", kind: "IngressParameters", name: "p" }))),
      [],
    );
    assert.deepEqual(run(ic(params({ kind: "K", name: "p", scope: "Namespace", namespace: "ns" }))), []);
  });

  test("parameters default to Cluster scope", () => {
    const o = ic(params({ kind: "K", name: "p" }));
    strategy.defaults?.(o);
    assert.equal(o.spec.parameters.scope, "Cluster");
    const none = ic({ controller: "k8s.io/x" });
    strategy.defaults?.(none);
    assert.equal(none.spec.parameters, undefined);
  });

  test("controller is immutable", () => {
    assert.deepEqual(
      strategy
        .validateUpdate?.(ic({ controller: "k8s.io/b" }), ic({ controller: "k8s.io/a" }))
        .map((e) => [e.field, e.type, e.detail]),
      [["spec.controller", I, "field is immutable"]],
    );
  });

  test("no extra field selectors", () => assert.deepEqual(fields, {}));
});
