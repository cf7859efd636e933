// FieldsV1 encoding as structured-merge-diff's fieldpath serializes it (serialize.go, serialize-pe.go):
// `f:`/`k:`/`v:`/`i:` members, `.` for a node that is itself a member, fields before keys before values.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parsePE, pathString, serializePE } from "./path.ts";
import { FieldSet } from "./set.ts";

describe("path elements", () => {
  test("serialize and parse every kind; key fields sorted by name", () => {
    assert.equal(serializePE({ field: "spec" }), "f:spec");
    assert.equal(serializePE(parsePE('k:{"protocol":"TCP","port":80}')), 'k:{"port":80,"protocol":"TCP"}');
    assert.equal(serializePE({ value: "x" }), 'v:"x"');
    assert.equal(serializePE({ index: 3 }), "i:3");
    assert.deepEqual(parsePE("f:kubectl.kubernetes.io/last-applied-configuration"), {
      field: "kubectl.kubernetes.io/last-applied-configuration",
    });
    assert.throws(() => parsePE("x:y"), /unknown path element type/);
  });

  test("paths print as kube's conflict messages show them", () => {
    // e.g. `.spec.ports[port=80,protocol="TCP"].targetPort` in "Apply failed with 1 conflict".
    assert.equal(
      pathString([
        { field: "spec" },
        { field: "ports" },
        parsePE('k:{"port":80,"protocol":"TCP"}'),
        { field: "targetPort" },
      ]),
      '.spec.ports[port=80,protocol="TCP"].targetPort',
    );
    assert.equal(
      pathString([{ field: "metadata" }, { field: "finalizers" }, { value: "a" }]),
      '.metadata.finalizers[="a"]',
    );
    assert.equal(pathString([{ field: "x" }, { index: 2 }]), ".x[2]");
  });
});

describe("FieldSet", () => {
  // A Service's create entry as kube-apiserver records it (kubectl create -f, manager kubectl-create).
  const captured = {
    "f:spec": {
      "f:internalTrafficPolicy": {},
      "f:ports": {
        ".": {},
        'k:{"port":80,"protocol":"TCP"}': {
          ".": {},
          "f:port": {},
          "f:protocol": {},
          "f:targetPort": {},
        },
      },
      "f:selector": {},
      "f:sessionAffinity": {},
      "f:type": {},
    },
  };

  test("decode then encode is the identity, member order included", () => {
    const s = FieldSet.fromFieldsV1(captured);
    assert.equal(JSON.stringify(s.toFieldsV1()), JSON.stringify(captured));
    assert.ok(s.has([{ field: "spec" }, { field: "ports" }]));
    assert.ok(!s.has([{ field: "spec" }]));
    assert.equal(s.paths().length, 9);
  });

  test("encoding sorts fields, then keys, then values", () => {
    const s = FieldSet.of(
      [{ field: "b" }, { value: "z" }],
      [{ field: "b" }, { value: "a" }],
      [{ field: "a" }],
      [{ field: "b" }],
      [{ field: "c" }, { field: "z" }],
      [{ field: "c" }, parsePE('k:{"name":"n"}')],
    );
    assert.equal(
      JSON.stringify(s.toFieldsV1()),
      '{"f:a":{},"f:b":{".":{},"v:\\"a\\"":{},"v:\\"z\\"":{}},"f:c":{"f:z":{},"k:{\\"name\\":\\"n\\"}":{}}}',
    );
  });

  test("union, difference, intersection and recursive difference", () => {
    const a = FieldSet.of([{ field: "x" }, { field: "y" }], [{ field: "x" }], [{ field: "z" }]);
    const b = FieldSet.of([{ field: "x" }, { field: "y" }]);
    assert.deepEqual(a.difference(b).toFieldsV1(), { "f:x": {}, "f:z": {} });
    assert.deepEqual(a.intersection(b).toFieldsV1(), { "f:x": { "f:y": {} } });
    assert.deepEqual(b.union(FieldSet.of([{ field: "q" }])).toFieldsV1(), {
      "f:q": {},
      "f:x": { "f:y": {} },
    });
    // A member of the subtrahend removes everything beneath it.
    assert.deepEqual(a.recursiveDifference(FieldSet.of([{ field: "x" }])).toFieldsV1(), { "f:z": {} });
    assert.ok(a.difference(a).empty());
  });
});
