// fieldSetOf is structured-merge-diff's ToFieldSet over our schema (typed/tofieldset.go): leaves and
// list/map items are members, struct fields only when empty; atomic lists, maps and structs are leaves.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fieldSetOf } from "./index.ts";

describe("fieldSetOf", () => {
  test("list types: map by keys (protocol defaulted), set by value, atomic as a whole", () => {
    const s = fieldSetOf(
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "s", finalizers: ["a/b"], labels: {} },
        spec: {
          ports: [{ port: 53, protocol: "UDP" }, { port: 80 }],
          selector: { app: "x" },
          externalIPs: ["192.0.2.1"],
        },
      },
      "io.k8s.api.core.v1.Service",
    );
    assert.deepEqual(s.toFieldsV1(), {
      "f:metadata": { "f:finalizers": { 'v:"a/b"': {} }, "f:labels": {}, "f:name": {} },
      "f:spec": {
        // externalIPs has no listType and no merge strategy: atomic.
        "f:externalIPs": {},
        "f:ports": {
          'k:{"port":53,"protocol":"UDP"}': { ".": {}, "f:port": {}, "f:protocol": {} },
          'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {} },
        },
        "f:selector": {},
      },
      "f:apiVersion": {},
      "f:kind": {},
    });
  });

  test("the type comes from apiVersion and kind when not named; atomic structs are leaves", () => {
    const s = fieldSetOf({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d" },
      spec: { selector: { matchLabels: { a: "b" } }, template: { spec: { containers: [{ name: "c" }] } } },
    });
    assert.ok(s.has([{ field: "spec" }, { field: "selector" }]));
    assert.ok(!s.has([{ field: "spec" }, { field: "selector" }, { field: "matchLabels" }]));
    assert.ok(
      s.has([
        { field: "spec" },
        { field: "template" },
        { field: "spec" },
        { field: "containers" },
        { key: [["name", "c"]] },
      ]),
    );
    assert.throws(() => fieldSetOf({ apiVersion: "x/v1", kind: "Nope", metadata: {} }), /no schema/);
  });
});
