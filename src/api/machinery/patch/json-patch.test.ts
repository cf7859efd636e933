// Expectations follow evanphx/json-patch v4.12 (patch.go), the library kube-apiserver applies JSON patches with.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PatchError } from "./errors.ts";
import { applyJsonPatch } from "./json-patch.ts";

const doc = () => ({
  metadata: { name: "x", labels: { a: "1", "k/b": "2", "t~c": "3" } },
  spec: { ports: [{ port: 80 }, { port: 443 }], list: ["a", "b", "c"] },
});

const ok: Array<[string, unknown[], (d: ReturnType<typeof doc>) => void]> = [
  [
    "add a member",
    [{ op: "add", path: "/spec/type", value: "NodePort" }],
    (d) => Object.assign(d.spec, { type: "NodePort" }),
  ],
  [
    "add replaces an existing member",
    [{ op: "add", path: "/metadata/name", value: "y" }],
    (d) => {
      d.metadata.name = "y";
    },
  ],
  [
    "add appends with -",
    [{ op: "add", path: "/spec/list/-", value: "d" }],
    (d) => {
      d.spec.list.push("d");
    },
  ],
  [
    "add inserts at an index",
    [{ op: "add", path: "/spec/list/1", value: "z" }],
    (d) => {
      d.spec.list.splice(1, 0, "z");
    },
  ],
  [
    "add at len appends",
    [{ op: "add", path: "/spec/list/3", value: "z" }],
    (d) => {
      d.spec.list.push("z");
    },
  ],
  // v4 allows negative indices (SupportNegativeIndices): -1 on add means after the last element.
  [
    "add at -1 appends",
    [{ op: "add", path: "/spec/list/-1", value: "z" }],
    (d) => {
      d.spec.list.push("z");
    },
  ],
  [
    "~1 decodes to /",
    [{ op: "remove", path: "/metadata/labels/k~1b" }],
    (d) => {
      delete (d.metadata.labels as Record<string, string>)["k/b"];
    },
  ],
  [
    "~0 decodes to ~",
    [{ op: "replace", path: "/metadata/labels/t~0c", value: "9" }],
    (d) => {
      (d.metadata.labels as Record<string, string>)["t~c"] = "9";
    },
  ],
  [
    "remove an element",
    [{ op: "remove", path: "/spec/ports/0" }],
    (d) => {
      d.spec.ports.shift();
    },
  ],
  [
    "remove the last element with -1",
    [{ op: "remove", path: "/spec/list/-1" }],
    (d) => {
      d.spec.list.pop();
    },
  ],
  [
    "replace an element",
    [{ op: "replace", path: "/spec/ports/1/port", value: 8443 }],
    (d) => {
      d.spec.ports[1].port = 8443;
    },
  ],
  // v4 quirk: replace of a missing object member adds it.
  [
    "replace of a missing member adds it",
    [{ op: "replace", path: "/spec/x", value: 1 }],
    (d) => Object.assign(d.spec, { x: 1 }),
  ],
  [
    "move",
    [{ op: "move", from: "/metadata/labels/a", path: "/metadata/labels/z" }],
    (d) => {
      const l = d.metadata.labels as Record<string, string>;
      l.z = l.a;
      delete l.a;
    },
  ],
  [
    "copy",
    [{ op: "copy", from: "/spec/ports/0", path: "/spec/ports/-" }],
    (d) => {
      d.spec.ports.push({ port: 80 });
    },
  ],
  ["test passes", [{ op: "test", path: "/spec/ports/0", value: { port: 80 } }], () => {}],
  [
    "test of a missing member against null passes",
    [{ op: "test", path: "/spec/nope", value: null }],
    () => {},
  ],
  ["null patch is no operation", null as unknown as unknown[], () => {}],
  [
    "sequence of ops sees earlier ones",
    [
      { op: "add", path: "/spec/sel", value: {} },
      { op: "add", path: "/spec/sel/app", value: "web" },
    ],
    (d) => Object.assign(d.spec, { sel: { app: "web" } }),
  ],
];

for (const [name, patch, mutate] of ok)
  test(`json patch: ${name}`, () => {
    const want = doc();
    mutate(want);
    const input = doc();
    assert.deepEqual(applyJsonPatch(input, patch), want);
    assert.deepEqual(input, doc(), "input is not modified");
  });

const failures: Array<[string, unknown, "badRequest" | "invalid", string]> = [
  [
    "test fails",
    [{ op: "test", path: "/metadata/name", value: "y" }],
    "invalid",
    "testing value /metadata/name failed: test failed",
  ],
  [
    "add under a missing parent",
    [{ op: "add", path: "/spec/selector/app", value: "x" }],
    "invalid",
    'add operation does not apply: doc is missing path: "/spec/selector/app": missing value',
  ],
  [
    "remove a missing member",
    [{ op: "remove", path: "/spec/nope" }],
    "invalid",
    "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
  ],
  [
    "remove under a missing parent",
    [{ op: "remove", path: "/nope/x" }],
    "invalid",
    'remove operation does not apply: doc is missing path: "/nope/x": missing value',
  ],
  [
    "add past the end",
    [{ op: "add", path: "/spec/list/5", value: "z" }],
    "invalid",
    "error in add for path: '/spec/list/5': Unable to access invalid index: 5: invalid index referenced",
  ],
  [
    "add at a non-index",
    [{ op: "add", path: "/spec/list/x", value: "z" }],
    "invalid",
    "error in add for path: '/spec/list/x': value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax",
  ],
  [
    "replace past the end",
    [{ op: "replace", path: "/spec/list/3", value: "z" }],
    "invalid",
    "replace operation does not apply: doc is missing key: /spec/list/3: missing value",
  ],
  [
    "replace under a missing parent",
    [{ op: "replace", path: "/a/b", value: 1 }],
    "invalid",
    "replace operation does not apply: doc is missing path: /a/b: missing value",
  ],
  [
    "move from a missing member",
    [{ op: "move", from: "/spec/nope", path: "/spec/x" }],
    "invalid",
    "error in move for path: 'nope': Unable to remove nonexistent key: nope: missing value",
  ],
  [
    "copy from a missing parent",
    [{ op: "copy", from: "/a/b", path: "/spec/x" }],
    "invalid",
    "copy operation does not apply: doc is missing from path: /a/b: missing value",
  ],
  ["unknown op", [{ op: "frob", path: "/a" }], "invalid", "Unexpected kind: frob"],
  ["no op", [{ path: "/a" }], "invalid", "Unexpected kind: unknown"],
  ["no path", [{ op: "add", value: 1 }], "invalid", "add operation failed to decode path: missing value"],
  [
    "replace without path",
    [{ op: "replace", value: 1 }],
    "invalid",
    "replace operation failed to decode path: operation missing path field: missing value",
  ],
  [
    "the root is not a member",
    [{ op: "add", path: "", value: {} }],
    "invalid",
    'add operation does not apply: doc is missing path: "": missing value',
  ],
  [
    "an object is not a patch",
    { op: "add" },
    "badRequest",
    "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
  ],
  [
    "a string op is not an operation",
    ["add"],
    "badRequest",
    "json: cannot unmarshal string into Go value of type jsonpatch.Operation",
  ],
];

for (const [name, patch, kind, message] of failures)
  test(`json patch error: ${name}`, () => {
    assert.throws(
      () => applyJsonPatch(doc(), patch),
      (e: unknown) => e instanceof PatchError && e.kind === kind && e.message === message,
    );
  });

test("json patch: a failing op leaves nothing half-applied", () => {
  const input = doc();
  assert.throws(() =>
    applyJsonPatch(input, [
      { op: "replace", path: "/metadata/name", value: "changed" },
      { op: "test", path: "/metadata/name", value: "x" },
    ]),
  );
  assert.equal(input.metadata.name, "x");
});

test("json patch: replacing the whole document with an object", () => {
  assert.deepEqual(applyJsonPatch(doc(), [{ op: "replace", path: "", value: { a: 1 } }]), { a: 1 });
});
